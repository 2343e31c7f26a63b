//! `kforensic agent …`: the node side, run inside the collector pod (or as root on a node).

use crate::agent::{AgentError, Output, SharedReporter};
use crate::protocol::{CaptureRequest, Event, MemoryRequest, NodeOptions, PutRequest, Request, S3Destination, Step, TargetSpec};
use crate::{Error, Exit};
use clap::{Args, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

pub const EXAMPLES: &str = "\
Examples (as root on a node; the CLI runs `agent run` in its collector pod itself):
  kforensic agent capture --container containerd://4f1c… --out /var/tmp/ir
  kforensic agent capture --container 4f1c… --steps inspect,volatile,memory --memory-max-bytes 4GiB --out /var/tmp/ir";

#[derive(Debug, Clone, Args)]
pub struct AgentArgs {
    #[command(subcommand)]
    pub command: AgentCommand,
}

#[derive(Debug, Clone, Subcommand)]
pub enum AgentCommand {
    /// Serve one request document read from the first line of stdin (how the CLI drives the agent).
    #[command(hide = true)]
    Run,
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
    pub s3: crate::app::s3_args::S3UploadArgs,
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
    /// Steps to run: inspect, diff, export, volatile, logs, history, memory.
    #[arg(long, value_delimiter = ',', default_values_t = Step::ALL.to_vec())]
    pub steps: Vec<Step>,
    /// Include volumes (non-pseudo mounts inside the container) in the export.
    #[arg(long)]
    pub include_volumes: bool,
    /// Replace environment values in inspect.json and volatile.json with sha256:<hex>.
    #[arg(long)]
    pub mask_env: bool,
    #[command(flatten)]
    pub encrypt: crate::app::encrypt_args::EncryptArgs,
    /// Kubelet checkpoint archive (host path) of the (single) --container, shipped as checkpoint.tar.
    #[arg(long, value_name = "PATH")]
    pub checkpoint_archive: Option<String>,
    /// With the `memory` step: also dump read-only mappings of files still on disk.
    #[arg(long)]
    pub memory_file_mappings: bool,
    /// With the `memory` step: at most this much memory per container (e.g. 4GiB, or bytes).
    #[arg(long, value_name = "SIZE", value_parser = crate::app::s3_args::parse_size)]
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
    pub s3: crate::app::s3_args::S3UploadArgs,
    /// Docker Engine socket for docker:// containers (unix:///path).
    #[arg(long, env = "DOCKER_HOST", value_name = "URL")]
    pub docker_host: Option<String>,
    /// Extra runc state root (host path) to find state.json in. Repeatable.
    #[arg(long, value_name = "DIR")]
    pub runc_root: Vec<String>,
    /// The kubelet's pod log directory (host path).
    #[arg(long, default_value = crate::protocol::DEFAULT_POD_LOG_DIR, value_name = "DIR")]
    pub pod_log_dir: String,
    /// The kubelet's checkpoint directory (host path): --checkpoint-archive must be a
    /// checkpoint-*.tar directly in it.
    #[arg(long, default_value = crate::protocol::layout::KUBELET_CHECKPOINT_DIR, value_name = "DIR")]
    pub kubelet_checkpoint_dir: String,
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

impl crate::app::s3_args::S3UploadArgs {
    /// A bundle prefix in S3 and these flags, as the protocol carries them to the agent.
    pub fn destination(&self, url: &str) -> S3Destination {
        S3Destination { url: url.to_string(), connect: self.connect.options(), upload: self.options() }
    }
}

/// The capture request that `agent capture` flags describe (targets from flags and/or a JSON list).
pub fn capture_request(a: &CaptureArgs) -> Result<CaptureRequest, AgentError> {
    let mut targets = Vec::new();
    let single = a.pod_namespace.is_some()
        || a.pod_name.is_some()
        || a.pod_uid.is_some()
        || a.container_name.is_some()
        || a.checkpoint_archive.is_some();
    if single && a.container.len() != 1 {
        return Err(AgentError::BadTarget(
            "--pod-namespace, --pod-name, --pod-uid, --container-name and --checkpoint-archive describe ONE --container: give exactly one, or use --targets".into(),
        ));
    }
    for c in &a.container {
        targets.push(TargetSpec {
            container_id: c.clone(),
            namespace: a.pod_namespace.clone(),
            pod: a.pod_name.clone(),
            pod_uid: a.pod_uid.clone(),
            container: a.container_name.clone(),
            checkpoint_archive: a.checkpoint_archive.clone(),
        });
    }
    if let Some(p) = &a.targets {
        targets.extend(target_list_file(p)?);
    }
    if let Some(text) = &a.targets_json {
        let list: Vec<TargetSpec> = serde_json::from_str(text)
            .map_err(|e| AgentError::TargetList { path: "--targets-json".into(), reason: format!("not a JSON target list: {e}") })?;
        targets.extend(list);
    }
    for t in &targets {
        t.validate()?;
    }
    Ok(CaptureRequest {
        targets,
        steps: a.steps.clone(),
        include_volumes: a.include_volumes,
        mask_env: a.mask_env,
        encrypt_to: match a.encrypt.recipients() {
            Ok(r) => r.map(|r| r.as_strings().to_vec()).unwrap_or_default(),
            Err(e) => return Err(AgentError::BadTarget(e.to_string())),
        },
        memory: MemoryRequest { file_mappings: a.memory_file_mappings, max_bytes: a.memory_max_bytes, freeze: !a.no_freeze },
        upload: a.upload_to.as_deref().map(|u| a.s3.destination(u)),
        node: NodeOptions {
            docker_host: a.docker_host.clone(),
            runc_roots: a.runc_root.clone(),
            pod_log_dir: a.pod_log_dir.clone(),
            kubelet_checkpoint_dir: a.kubelet_checkpoint_dir.clone(),
        },
        // run by hand on the node: the archive named is the operator's to keep or delete
        // (the API side's requests, through `agent run`, have the agent remove it)
        keep_checkpoint_archive: true,
    })
}

/// `--targets FILE` ('-' = stdin).
fn target_list_file(p: &std::path::Path) -> Result<Vec<TargetSpec>, AgentError> {
    let text = if p.as_os_str() == "-" {
        let mut s = String::new();
        let r = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map(|_| s);
        if let Ok(s) = &r {
            // a receiver that stays silent after stdin EOF can lose its stdin (exec quirk): answer
            let sha = hex::encode(crate::evidence::hash::Sha256::digest(s.as_bytes()));
            eprintln!("{}", serde_json::json!({"stdin": {"bytes": s.len(), "sha256": sha}}));
        }
        r
    } else {
        std::fs::read_to_string(p)
    }
    .map_err(|e| AgentError::TargetList { path: p.display().to_string(), reason: e.to_string() })?;
    serde_json::from_str(&text)
        .map_err(|e| AgentError::TargetList { path: p.display().to_string(), reason: format!("not a JSON target list: {e}") })
}

/// Events as JSON lines on stderr (none with -q).
fn stderr_reporter(quiet: bool) -> SharedReporter {
    Arc::new(move |e: &Event| {
        if !quiet {
            let _ = std::io::stderr().lock().write_all(e.to_line().as_bytes());
        }
    })
}

/// The evidence stream's way out: stdout written directly (frames are large: no line buffer
/// scanning them for newlines) and, when it is a pipe (the runtime's copy into the exec stream),
/// with a 1 MiB pipe buffer, so the capture goes on while that copy catches up and the stream is
/// never left waiting for the capture's next write.
fn stream_stdout() -> Box<dyn Write + Send> {
    use std::os::fd::AsFd;
    match std::io::stdout().as_fd().try_clone_to_owned() {
        Ok(fd) => {
            // SAFETY: fcntl on a descriptor this process owns; a refusal (not a pipe, over the
            // system's pipe-max-size) leaves the pipe as it was, which is only slower.
            unsafe { libc::fcntl(std::os::fd::AsRawFd::as_raw_fd(&fd), libc::F_SETPIPE_SZ, 1 << 20) };
            Box::new(std::fs::File::from(fd))
        }
        Err(_) => Box::new(std::io::stdout()),
    }
}

/// Print a reply document on stdout.
fn reply<T: serde::Serialize>(v: &T) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v).map_err(|e| Error::Output(e.into()))?;
    out.write_all(b"\n").and_then(|()| out.flush()).map_err(Error::Output)
}

/// `kforensic agent …`: flags or a request document, into the node-side library.
pub async fn run(a: AgentArgs, quiet: bool) -> Result<Exit, Error> {
    let usage = |e: AgentError| match e {
        AgentError::BadTarget(m) => Error::Usage(m),
        AgentError::Protocol(p) => Error::Usage(p.to_string()),
        e => e.into(),
    };
    let request = match a.command {
        AgentCommand::Hold(h) => return hold(h.seconds).await,
        AgentCommand::ExportDir(e) => {
            let r = tokio::task::spawn_blocking(move || {
                crate::agent::steps::export::export_dir(&e.dir, &e.out, e.zstd)
                    .map_err(|source| AgentError::Export { path: e.dir.display().to_string(), source })
            })
            .await
            .map_err(|e| AgentError::Io(std::io::Error::other(e)))??;
            reply(&r)?;
            return Ok(Exit::Ok);
        }
        AgentCommand::Capture(c) if !c.stream => {
            let req = capture_request(&c).map_err(usage)?;
            let out = Output::Dir(c.out.clone().unwrap_or_default());
            let outcome = crate::agent::capture(req, out, stderr_reporter(quiet)).await?;
            return Ok(if outcome.complete() { Exit::Ok } else { Exit::Partial });
        }
        AgentCommand::Capture(c) => Request::Capture(capture_request(&c).map_err(usage)?),
        AgentCommand::NodeSpace(n) => Request::NodeSpace { container: n.container, dir: n.dir },
        AgentCommand::RemoveArchive(r) => Request::RemoveArchive { container: r.container, path: r.path },
        AgentCommand::Thaw(t) => Request::Thaw { cgroup: t.cgroup.display().to_string() },
        AgentCommand::Put(p) => Request::Put(PutRequest { dest: p.s3.destination(&p.dest), check: p.check }),
        AgentCommand::Run => {
            let mut input = std::io::BufReader::with_capacity(1 << 20, std::io::stdin());
            let req = Request::read_from(&mut input).map_err(|e| usage(e.into()))?;
            return serve(req, Box::new(input), quiet).await;
        }
    };
    serve(request, Box::new(std::io::BufReader::with_capacity(1 << 20, std::io::stdin())), quiet).await
}

/// Carry out one request: its evidence or reply on stdout, its events on stderr.
async fn serve(req: Request, input: Box<dyn std::io::BufRead + Send>, quiet: bool) -> Result<Exit, Error> {
    match req {
        Request::Capture(c) => {
            let out = Output::Stream(stream_stdout());
            let outcome = crate::agent::capture(c, out, stderr_reporter(quiet)).await?;
            Ok(if outcome.complete() { Exit::Ok } else { Exit::Partial })
        }
        Request::NodeSpace { container, dir } => {
            let rep = crate::agent::node_files::space(&container, &dir)?;
            reply(&rep)?;
            Ok(if rep.ok { Exit::Ok } else { Exit::Failure })
        }
        Request::RemoveArchive { container, path } => {
            crate::agent::node_files::remove_archive(&container, &path)?;
            Ok(Exit::Ok)
        }
        Request::ExpectArchive { namespace, pod, container_name, dir } => {
            crate::agent::node_files::expect_archive(&namespace, &pod, &container_name, &dir)?;
            Ok(Exit::Ok)
        }
        Request::Thaw { cgroup } => {
            let out = crate::agent::memory::freeze::thaw_cgroup(std::path::Path::new(&cgroup))
                .map_err(|e| AgentError::Io(std::io::Error::other(e.to_string())))?;
            reply(&out)?;
            Ok(Exit::Ok)
        }
        Request::KubeletCheckpoint(r) => {
            let rep = crate::agent::kubelet_call::checkpoint(&r).await.map_err(AgentError::Kubelet)?;
            reply(&rep)?;
            Ok(Exit::Ok)
        }
        Request::FreezePod(r) => {
            let rep = crate::agent::freeze_pod(r, input, stderr_reporter(quiet)).await?;
            reply(&rep)?;
            Ok(Exit::Ok)
        }
        Request::Put(p) if p.check => {
            let store = crate::agent::put::open(&p.dest).await.map_err(AgentError::Sink)?;
            reply(&serde_json::json!({"ok": true, "destination": store.location(), "endpoint": store.endpoint()}))?;
            Ok(Exit::Ok)
        }
        Request::Put(p) => {
            let ok = crate::agent::put(p.dest, input, Box::new(std::io::stdout())).await?;
            Ok(if ok { Exit::Ok } else { Exit::Failure })
        }
    }
}

/// PID 1 of the collector pod: idle until SIGTERM/SIGINT or the deadline. Meanwhile it keeps
/// the freeze ledger: every second, the cgroup of a record whose agent is gone is thawed; on the
/// way out (signal, deadline) every recorded cgroup is thawed, and every kubelet checkpoint
/// archive still expected (`agent::kubelet_archives`) is removed from the node.
async fn hold(seconds: u64) -> Result<Exit, Error> {
    use crate::agent::memory::ledger::Ledger;
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).map_err(AgentError::Io)?;
    let mut int = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).map_err(AgentError::Io)?;
    let ledger = Ledger::from_env();
    let end = hold_end(seconds, crate::agent::memory::capture::deadline_from_env());
    let sweep = |all: bool| {
        let Some(l) = ledger.clone() else { return tokio::task::spawn_blocking(Vec::new) };
        tokio::task::spawn_blocking(move || l.sweep(all))
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let why = loop {
        tokio::select! {
            _ = tokio::time::sleep(end) => break "deadline",
            _ = term.recv() => break "SIGTERM",
            _ = int.recv() => break "SIGINT",
            _ = tick.tick() => {
                for line in sweep(false).await.unwrap_or_default() {
                    eprintln!("agent hold: agent gone: {line}");
                }
            }
        }
    };
    for line in sweep(true).await.unwrap_or_default() {
        eprintln!("agent hold: {why}: {line}");
    }
    if let Some(l) = &ledger {
        let dir = l.dir().to_path_buf();
        let removed = tokio::task::spawn_blocking(move || crate::agent::node_files::sweep_archives(&dir)).await.unwrap_or_default();
        for line in removed {
            eprintln!("agent hold: {why}: {line}");
        }
    }
    Ok(Exit::Ok)
}

/// How long `hold` runs: `seconds`, and ending a margin before the pod's deadline.
fn hold_end(seconds: u64, deadline: Option<u64>) -> std::time::Duration {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let left = deadline.map_or(seconds, |d| seconds.min(d.saturating_sub(now).saturating_sub(10)));
    std::time::Duration::from_secs(left.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn capture_args(args: &[&str]) -> CaptureArgs {
        let mut v = vec!["kforensic", "agent", "capture"];
        v.extend_from_slice(args);
        match crate::app::Cli::try_parse_from(v).unwrap().command {
            crate::app::Command::Agent(a) => match a.command {
                AgentCommand::Capture(c) => *c,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pod_flags_describe_exactly_one_container() {
        let a = capture_args(&["--container", "containerd://a", "--container", "containerd://b", "--pod-name", "p", "--out", "x"]);
        assert!(matches!(capture_request(&a), Err(AgentError::BadTarget(_))));
        let a = capture_args(&[
            "--container",
            "containerd://a",
            "--pod-namespace",
            "ns",
            "--pod-name",
            "p",
            "--container-name",
            "c",
            "--out",
            "x",
        ]);
        let o = capture_request(&a).unwrap();
        assert_eq!(o.targets[0].namespace.as_deref(), Some("ns"));
        assert_eq!(o.steps, Step::ALL.to_vec());
    }

    #[test]
    fn target_lists_are_read_and_validated() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("t.json");
        std::fs::write(&f, r#"[{"container_id":"cri-o://abc","namespace":"ns","pod":"p","container":"c"}]"#).unwrap();
        let a = capture_args(&["--targets", f.to_str().unwrap(), "--steps", "inspect,volatile", "--stream"]);
        let o = capture_request(&a).unwrap();
        assert_eq!(o.targets.len(), 1);
        assert_eq!(o.steps, vec![Step::Inspect, Step::Volatile]);
        std::fs::write(&f, r#"[{"container_id":"cri-o://abc","pod":"../x"}]"#).unwrap();
        assert!(capture_request(&a).is_err());
        std::fs::write(&f, "not json").unwrap();
        assert!(matches!(capture_request(&a), Err(AgentError::TargetList { .. })));
        // inline, a batch in one exec
        let list = r#"[{"container_id":"containerd://a","namespace":"ns","pod":"p","container":"c"},{"container_id":"containerd://b"}]"#;
        let a = capture_args(&["--targets-json", list, "--steps", "history", "--stream"]);
        assert_eq!(capture_request(&a).unwrap().targets.len(), 2);
        let a = capture_args(&["--targets-json", r#"[{"container_id":"containerd://a","container":"../../etc"}]"#, "--stream"]);
        assert!(capture_request(&a).is_err(), "hostile names are refused inline too");
        let a = capture_args(&["--targets-json", "{", "--stream"]);
        assert!(matches!(capture_request(&a), Err(AgentError::TargetList { .. })));
    }

    #[test]
    fn flags_and_documents_describe_the_same_capture() {
        let a =
            capture_args(&["--container", "containerd://a", "--steps", "memory", "--memory-max-bytes", "4096", "--no-freeze", "--stream"]);
        let req = Request::Capture(capture_request(&a).unwrap());
        let mut line = std::io::Cursor::new(req.to_line().into_bytes());
        let Request::Capture(back) = Request::read_from(&mut line).unwrap() else { panic!() };
        assert_eq!(back.memory, MemoryRequest { file_mappings: false, max_bytes: Some(4096), freeze: false });
        assert_eq!(back.steps, [Step::Memory]);
    }

    #[test]
    fn hold_ends_before_the_pods_deadline() {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert_eq!(hold_end(600, None).as_secs(), 600);
        assert_eq!(hold_end(600, Some(now + 3600)).as_secs(), 600);
        let left = hold_end(600, Some(now + 100)).as_secs();
        assert!((89..=90).contains(&left), "{left}");
        assert_eq!(hold_end(600, Some(now)).as_secs(), 1);
    }

    #[test]
    fn a_destination_is_required() {
        let r = crate::app::Cli::try_parse_from(["kforensic", "agent", "capture", "--container", "x"]);
        assert!(r.is_err());
        let r = crate::app::Cli::try_parse_from(["kforensic", "agent", "capture", "--container", "x", "--out", "d", "--stream"]);
        assert!(r.is_err());
    }
}
