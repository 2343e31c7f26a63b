//! Arguments of `kforensic checkpoint pod`.

use clap::{Args, Subcommand, ValueEnum};
use std::time::Duration;

#[derive(Debug, Clone, Subcommand)]
pub enum CheckpointTarget {
    /// Snapshot a live pod: API-side state, then every container from its node.
    Pod(CheckpointPodArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CheckpointPodArgs {
    /// The pod to capture (namespace from -n, else the context's).
    pub name: String,
    /// Only these containers (repeatable; default: all, init and ephemeral included).
    #[arg(short = 'c', long = "container", value_name = "NAME")]
    pub containers: Vec<String>,
    /// Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix.
    #[arg(long, default_value = "./evidence", value_name = "DIR|s3://BUCKET/PREFIX")]
    pub dest: String,
    /// Also capture memory: `kubelet` (CRIU checkpoint through the kubelet API), `proc` (ELF cores
    /// read from /proc by the agent), `auto` (kubelet where supported, else proc). `--memory` alone = auto.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "auto", value_name = "MODE")]
    pub memory: Option<MemoryMode>,
    /// After the volatile state is captured, isolate the pod (deny-all NetworkPolicy + quarantine label).
    #[arg(long)]
    pub isolate: bool,
    /// Collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE).
    #[arg(long, value_name = "IMAGE")]
    pub image: Option<String>,
    /// When the node fetches the collector image.
    #[arg(long, value_enum, default_value = "if-not-present", value_name = "POLICY")]
    pub pull_policy: PullPolicy,
    /// Namespace for the collector pod (created with pod-security `privileged` when missing).
    #[arg(long, default_value = "kforensic", value_name = "NS")]
    pub collector_namespace: String,
    /// Give up after this long (the collector pod ends itself then too).
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// Leave the collector pod running afterwards (for debugging).
    #[arg(long)]
    pub keep_collector: bool,
    /// Include mounted volumes in the root filesystem export.
    #[arg(long)]
    pub include_volumes: bool,
    /// Also write the bundle as one .tar next to the directory.
    #[arg(long)]
    pub archive: bool,
    /// Keep the kubelet's checkpoint archive on the node after it was shipped (default: delete it).
    #[arg(long)]
    pub keep_node_archive: bool,
    #[command(flatten)]
    pub s3: crate::cli::evidence::S3UploadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    /// As the Pod spec spells it.
    pub fn as_k8s(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MemoryMode {
    Auto,
    Kubelet,
    Proc,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 90s, 10m, 1h)"))
}
