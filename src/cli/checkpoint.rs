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
    /// With --dest s3://: who uploads. `client`: this machine, once the bundle is finished (its
    /// AWS credentials). `node`: the agent on the pod's node, as it captures (the node's
    /// credentials: instance role or --node-credentials-secret); bulk data never crosses the API server.
    #[arg(long, value_enum, default_value = "client", value_name = "WHO")]
    pub upload_from: UploadFrom,
    /// With --upload-from node: a Secret in the collector namespace whose keys become the agent's
    /// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION…).
    /// Default: the node's own credentials (instance metadata, reachable as the collector uses the node's network).
    #[arg(long, value_name = "SECRET")]
    pub node_credentials_secret: Option<String>,
    #[command(flatten)]
    pub s3: crate::cli::evidence::S3UploadArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UploadFrom {
    Client,
    Node,
}

impl CheckpointPodArgs {
    /// Flag combinations that cannot work, as one line for the user.
    pub fn check(&self) -> Result<(), String> {
        let s3 = self.dest.starts_with("s3:") || self.dest.starts_with("S3:");
        if self.upload_from == UploadFrom::Node {
            if !s3 {
                return Err(format!("--upload-from node needs --dest s3://bucket/prefix (got '{}'): the node uploads to S3, not to a local directory", self.dest));
            }
            if self.archive {
                return Err("--archive makes a local .tar of the bundle, which --upload-from node never has: drop one of them".into());
            }
        } else if self.node_credentials_secret.is_some() {
            return Err("--node-credentials-secret only applies with --upload-from node".into());
        }
        Ok(())
    }
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
