//! Kubernetes API side: client, target resolution, collector pod lifecycle, isolation, cluster triage (`collect`).

pub mod agent_client;
pub mod api_evidence;
pub mod case_id;
pub mod checkpoint;
pub mod client;
pub mod cni;
pub mod collect;
pub mod collector;
mod error;
pub mod isolate;
pub mod kubelet;
pub mod node_upload;
pub mod permissions;
pub mod preflight;
pub mod target;
pub mod targets;
pub mod whoami;

pub use client::{ClusterCtx, ConnectOptions};
pub use error::ClusterError;
