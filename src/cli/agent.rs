//! `kforensic agent …`: the node side, run inside the collector pod (or as root on a node).

use crate::agent::capture::Step;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Clone, Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub command: AgentCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AgentCommand {
    /// Capture containers running on this node: inspect, diff, export, volatile state, logs, histories.
    Capture(Box<CaptureArgs>),
    /// Is there room on the node for a kubelet checkpoint of this container?
    #[command(hide = true)]
    NodeSpace(NodeSpaceArgs),
    /// Remove a kubelet checkpoint archive from the node once it was shipped.
    #[command(hide = true)]
    RemoveArchive(RemoveArchiveArgs),
    /// Thaw a cgroup an agent froze for a memory capture (cleanup after an agent died).
    #[command(hide = true)]
    Thaw(ThawArgs),
    /// Idle until the deadline (the collector pod's main process; captures run through exec).
    #[command(hide = true)]
    Hold(HoldArgs),
    /// Export any directory as tar (or tar.zst) into a file, hashed on the way (benchmarks, tests).
    #[command(hide = true)]
    ExportDir(ExportDirArgs),
    /// Upload an evidence stream read on stdin to S3 with this node's credentials; the records of
    /// what was stored go back as an evidence stream on stdout (`checkpoint --upload-from node`).
    #[command(hide = true)]
    Put(PutArgs),
}

#[derive(Debug, Clone, Args)]
pub struct PutArgs {
    /// The bundle's own prefix: s3://bucket/prefix/<case-id>.
    #[arg(long, value_name = "s3://BUCKET/PREFIX")]
    pub dest: String,
    /// Only check that the bucket can be reached with the node's credentials; upload nothing.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub s3: crate::cli::evidence::S3UploadArgs,
}

#[derive(Debug, Clone, Args)]
#[command(group(clap::ArgGroup::new("dest").required(true).args(["out", "stream"])))]
#[command(group(clap::ArgGroup::new("what").required(true).multiple(true).args(["container", "targets", "targets_json"])))]
pub struct CaptureArgs {
    /// Container to capture: a Kubernetes container ID (containerd://ID, cri-o://ID, docker://ID) or a bare ID. Repeatable.
    #[arg(long = "container", value_name = "ID")]
    pub container: Vec<String>,
    /// JSON list of targets (`[{"container_id", "namespace", "pod", "pod_uid", "container", "checkpoint_archive"}]`); '-' reads stdin.
    #[arg(long, value_name = "FILE")]
    pub targets: Option<PathBuf>,
    /// The same JSON target list given inline (one exec for many containers, no stdin needed).
    #[arg(long, value_name = "JSON", hide = true)]
    pub targets_json: Option<String>,
    /// Pod namespace of the (single) --container, for evidence paths and node log files.
    #[arg(long, value_name = "NS")]
    pub pod_namespace: Option<String>,
    /// Pod name of the (single) --container.
    #[arg(long, value_name = "NAME")]
    pub pod_name: Option<String>,
    /// Pod UID of the (single) --container (finds /var/log/pods/<ns>_<pod>_<uid>).
    #[arg(long, value_name = "UID")]
    pub pod_uid: Option<String>,
    /// Container name in the pod spec of the (single) --container.
    #[arg(long, value_name = "NAME")]
    pub container_name: Option<String>,
    /// Steps to run.
    #[arg(long, value_enum, value_delimiter = ',', default_values_t = Step::ALL.to_vec())]
    pub steps: Vec<Step>,
    /// Include volumes (non-pseudo mounts inside the container) in the export.
    #[arg(long)]
    pub include_volumes: bool,
    /// Kubelet checkpoint archive (host path) of the (single) --container, shipped as checkpoint.tar.
    #[arg(long, value_name = "PATH")]
    pub checkpoint_archive: Option<String>,
    /// With the `memory` step: also dump read-only mappings of files still on disk.
    #[arg(long)]
    pub memory_file_mappings: bool,
    /// With the `memory` step: at most this many bytes of memory per container.
    #[arg(long, value_name = "BYTES")]
    pub memory_max_bytes: Option<u64>,
    /// With the `memory` step: do not freeze the container while its memory is read.
    #[arg(long)]
    pub no_freeze: bool,
    /// Write artifacts into this directory (plus index.json).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Write the framed evidence stream on stdout (progress as JSON lines on stderr).
    #[arg(long)]
    pub stream: bool,
    /// With --stream: upload every artifact from this node straight to S3 under this prefix (the
    /// bundle's own, s3://bucket/prefix/<case-id>) with the node's credentials; the stream then
    /// carries only their records.
    #[arg(long, value_name = "s3://BUCKET/PREFIX", requires = "stream")]
    pub upload_to: Option<String>,
    #[command(flatten)]
    pub s3: crate::cli::evidence::S3UploadArgs,
    /// Docker Engine socket for docker:// containers (unix:///path).
    #[arg(long, env = "DOCKER_HOST", value_name = "URL")]
    pub docker_host: Option<String>,
    /// Extra runc state root (host path) to find state.json in. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub runc_root: Vec<String>,
    /// The kubelet's pod log directory (host path).
    #[arg(long, default_value = "/var/log/pods", value_name = "DIR")]
    pub pod_log_dir: String,
}

#[derive(Debug, Clone, Args)]
pub struct ExportDirArgs {
    /// Directory to export.
    pub dir: PathBuf,
    /// Output file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Compress with zstd.
    #[arg(long)]
    pub zstd: bool,
}

#[derive(Debug, Clone, Args)]
pub struct HoldArgs {
    /// Exit after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub seconds: u64,
}

#[derive(Debug, Clone, Args)]
pub struct ThawArgs {
    /// The cgroup directory announced as `frozen_cgroup`.
    #[arg(long, value_name = "PATH")]
    pub cgroup: std::path::PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct NodeSpaceArgs {
    /// The container to be checkpointed (its shim gives the way to the node's filesystem).
    #[arg(long, value_name = "ID")]
    pub container: String,
    #[arg(long, default_value = crate::agent::node_files::CHECKPOINT_DIR, value_name = "DIR")]
    pub dir: String,
}

#[derive(Debug, Clone, Args)]
pub struct RemoveArchiveArgs {
    #[arg(long, value_name = "ID")]
    pub container: String,
    /// Host path of the archive (only /var/lib/kubelet/checkpoints/checkpoint-*.tar).
    #[arg(long, value_name = "PATH")]
    pub path: String,
}
