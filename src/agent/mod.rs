//! Node side: find a container, capture inspect / diff / export / volatile state. Never talks to
//! the Kubernetes API, never prints: it takes [`protocol`](crate::protocol) requests, writes
//! artifacts through an [`ArtifactSink`](crate::evidence::ArtifactSink) (a directory, or the
//! framed evidence stream read by the CLI with
//! [`evidence::stream::receive`](crate::evidence::stream::receive)) and reports
//! [`Event`](crate::protocol::Event)s to the caller's reporter.

pub mod capture;
mod error;
pub mod kubelet_archives;
pub mod kubelet_call;
pub mod memory;
pub mod node_files;
pub mod proc;
pub mod put;
pub mod runtime;
pub mod safefs;
pub mod sinks;
pub mod steps;

pub use error::AgentError;

use crate::evidence::Store;
use crate::evidence::seal::{Recipients, SealingSink};
use crate::protocol::{CaptureRequest, Event, S3Destination};
use capture::{CaptureOptions, CaptureOutcome};
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// Where the agent's [`Event`]s go; shared with the blocking capture thread.
pub type SharedReporter = Arc<dyn Fn(&Event) + Send + Sync>;

/// Where a capture's artifacts go.
pub enum Output {
    /// The framed evidence stream (`evidence::stream`) on this writer (stdout in the collector).
    Stream(Box<dyn Write + Send>),
    /// A directory of artifacts plus `index.json`.
    Dir(PathBuf),
}

/// A capture request as the capture code takes it (targets validated, steps once each).
pub fn capture_options(req: &CaptureRequest) -> Result<CaptureOptions, AgentError> {
    for t in &req.targets {
        t.validate()?;
    }
    let mut steps = req.steps.clone();
    steps.dedup();
    Ok(CaptureOptions {
        targets: req.targets.clone(),
        steps,
        include_volumes: req.include_volumes,
        mask_env: req.mask_env,
        kubelet_checkpoint_dir: req.node.kubelet_checkpoint_dir.clone(),
        docker_host: req.node.docker_host.clone(),
        memory: memory::capture::MemoryCaptureOptions {
            core: memory::core::CoreOptions { include_file_mappings: req.memory.file_mappings, ..Default::default() },
            freeze: req.memory.freeze,
            byte_cap: req.memory.max_bytes,
            // sealed artifacts never touch the node's disk in plaintext: no spool for them
            spool: if req.encrypt_to.is_empty() { memory::capture::spool_from_env() } else { None },
            ..Default::default()
        },
        runc_roots: req.node.runc_roots.clone(),
        pod_log_dir: req.node.pod_log_dir.clone(),
        keep_checkpoint_archive: req.keep_checkpoint_archive,
    })
}

/// Run a capture: every target, every step, into `out` (or, with `req.upload`, into S3 with the
/// records on `out`). The bucket is reached first, before any capture work.
pub async fn capture(req: CaptureRequest, out: Output, report: SharedReporter) -> Result<CaptureOutcome, AgentError> {
    let opts = capture_options(&req)?;
    // public keys only: a bad one fails the request before any capture work
    let seal = match req.encrypt_to.is_empty() {
        true => None,
        false => Some(Arc::new(Recipients::parse(&req.encrypt_to)?)),
    };
    let rt = tokio::runtime::Handle::current();
    let remote = match &req.upload {
        Some(dest) => Some(put::open(dest).await?),
        None => None,
    };
    tokio::task::spawn_blocking(move || capture_blocking(&opts, remote, seal, out, &*report, rt))
        .await
        .map_err(|e| AgentError::Io(std::io::Error::other(e)))?
}

fn capture_blocking(
    opts: &CaptureOptions,
    remote: Option<Box<dyn Store>>,
    seal: Option<Arc<Recipients>>,
    out: Output,
    report: sinks::Reporter<'_>,
    rt: tokio::runtime::Handle,
) -> Result<CaptureOutcome, AgentError> {
    // every artifact sealed as it is produced, before it reaches any sink (stream, S3, directory)
    let run = |sink: &mut dyn crate::evidence::ArtifactSink, rt| match &seal {
        Some(r) => capture::run(opts, &mut SealingSink::new(sink, r.clone()), report, rt),
        None => capture::run(opts, sink, report, rt),
    };
    match (remote, out) {
        (Some(store), Output::Stream(w)) => {
            let mut records = crate::evidence::stream::StreamSink::new(std::io::BufWriter::with_capacity(64 << 10, w))?;
            let mut sink = store.sink(rt.clone(), &mut records);
            let o = run(&mut *sink, rt)?;
            drop(sink);
            records.finish()?;
            Ok(o)
        }
        (Some(_), Output::Dir(_)) => {
            Err(AgentError::BadTarget("an upload from the node sends its records as a stream, not into a directory".into()))
        }
        (None, Output::Stream(w)) => {
            let mut sink = crate::evidence::stream::StreamSink::new(std::io::BufWriter::with_capacity(1 << 20, w))?;
            let o = run(&mut sink, rt)?;
            sink.finish()?;
            Ok(o)
        }
        (None, Output::Dir(dir)) => {
            let out_dir = |source| AgentError::OutDir { path: dir.display().to_string(), source };
            let mut sink = sinks::DirSink::new(&dir).map_err(out_dir)?;
            let o = run(&mut sink, rt)?;
            sink.finish().map_err(out_dir)?;
            Ok(o)
        }
    }
}

/// `--freeze-pod`: freeze the pod of `req.container` and hold it until `input` says thaw or
/// ends, or the deadline (see [`memory::pod_freeze`]); Frozen/Thawed events go to `report`.
pub async fn freeze_pod(
    req: crate::protocol::FreezePodRequest,
    input: Box<dyn std::io::BufRead + Send>,
    report: SharedReporter,
) -> Result<crate::protocol::PodFreezeReport, AgentError> {
    use memory::pod_freeze;
    let r = crate::protocol::ContainerRef::parse(&req.container)?;
    tokio::task::spawn_blocking(move || {
        let l = runtime::locate::locate(&r, None, &[]);
        let init = l.init.ok_or_else(|| AgentError::BadTarget(format!("container {}: not running on this node", req.container)))?;
        // the container's cgroup as the collector reaches it: through its shim's view of the host
        let host_root = l.shim.map_or_else(|| PathBuf::from("/"), |s| PathBuf::from(format!("/proc/{s}/root")));
        let container = memory::Freezer::for_pid_in(init, &host_root).map_err(AgentError::PodFreeze)?;
        let mut opts = memory::MemoryCaptureOptions { ledger: memory::ledger::Ledger::from_env(), ..Default::default() };
        let deadline = memory::capture::deadline_from_env();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
        let max = memory::capture::clamp_to_deadline(std::time::Duration::from_secs(req.max_seconds), deadline, now);
        let req = crate::protocol::FreezePodRequest { max_seconds: max.as_secs(), ..req };
        opts.max_frozen = max;
        let cg = |p: &std::path::Path| p.display().to_string();
        pod_freeze::hold(&container, &req, &opts, input, &mut |p| report(&Event::Frozen { cgroup: cg(p) }), &mut |p| {
            report(&Event::Thawed { cgroup: cg(p) })
        })
        .map_err(AgentError::PodFreeze)
    })
    .await
    .map_err(|e| AgentError::Io(std::io::Error::other(e)))?
}

/// Upload an evidence stream read from `input` to S3 (`kforensic agent run` with a put request).
pub async fn put(dest: S3Destination, input: Box<dyn std::io::BufRead + Send>, out: Box<dyn Write + Send>) -> Result<bool, AgentError> {
    let store = put::open(&dest).await?;
    let rt = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let (mut input, mut out) = (input, out);
        put::put(&*store, &mut *input, &mut *out, rt)
    })
    .await
    .map_err(|e| AgentError::Io(std::io::Error::other(e)))?
    .map_err(AgentError::Sink)
}
