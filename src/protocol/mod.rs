//! The agent protocol: the one language the API side (`cluster`) and the node side (`agent`)
//! speak. Both import this module; it imports neither.
//!
//! - [`Request`]: what the API side asks of the agent, sent as one JSON document (the first line
//!   of the agent's stdin, `kforensic agent run`): a capture, a free-space check, a thaw…
//! - [`Event`]: everything the agent reports while it works (progress, notes, errors, frozen
//!   cgroups), one JSON line each on its stderr. The evidence itself travels on stdout as the
//!   framed evidence stream (`evidence::stream`).
//! - [`Step`]: the capture steps, and [`layout`]: where each artifact lands in a bundle.
//! - [`TargetSpec`] / [`ContainerRef`]: which container, and how the bundle names it.

mod event;
pub mod layout;
pub mod name;
mod request;
mod step;
mod target;

pub use event::Event;
pub use request::{
    CaptureRequest, DEFAULT_POD_LOG_DIR, FreezePodRequest, KubeletCheckpointRequest, KubeletReply, MAX_REQUEST_BYTES, MemoryRequest,
    NodeOptions, PodFreezeReport, PutRequest, Request, S3Destination, SpaceReport, THAW_LINE,
};
pub use step::Step;
pub use target::{ContainerRef, Runtime, TargetSpec, path_component_ok};

/// A request or a target the agent must refuse: one line that names what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum ProtocolError {
    #[error("{0}")]
    BadTarget(String),
    #[error("not an agent request: {0}")]
    BadRequest(String),
}

/// The agent's entry point for requests, after the binary's path: the request document follows
/// on stdin. The only command line the API side ever gives the agent.
pub const AGENT_RUN: [&str; 2] = ["agent", "run"];

/// Environment of the collector pod: the directory (a memory-backed `emptyDir`) of the freeze
/// ledger, where the agent records a cgroup before it freezes it and `agent hold` thaws what an
/// agent left behind.
pub const LEDGER_ENV: &str = "KFORENSIC_FREEZE_LEDGER";
/// Where the collector pod mounts the freeze ledger.
pub const LEDGER_DIR: &str = "/run/kforensic";
/// Environment of the collector pod: a directory on the node's disk (a disk-backed `emptyDir`,
/// removed with the pod) where the memory capture writes cores while the container is frozen,
/// and ships them from once it is thawed: the freeze lasts as long as the read, not the transfer.
pub const SPOOL_ENV: &str = "KFORENSIC_SPOOL";
/// Where the collector pod mounts the spool.
pub const SPOOL_DIR: &str = "/var/spool/kforensic";
/// Environment of the collector pod: when it will be ended (`activeDeadlineSeconds` counted from
/// its creation), in seconds since the epoch. No freeze may outlive it.
pub const DEADLINE_ENV: &str = "KFORENSIC_DEADLINE";
