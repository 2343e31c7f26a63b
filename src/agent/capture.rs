//! `kforensic agent capture`: for each target container, locate it and run the asked steps,
//! writing every artifact through one sink. A target that cannot be found or a step that fails is
//! recorded in the sink's errors and the rest is still captured; only a broken sink stops the run.

use crate::agent::runtime::docker::Docker;
use crate::agent::runtime::kube_identity::{ContainerRef, KubeIdentity, Runtime, TargetSpec};
use crate::agent::runtime::locate::{self, Located};
use crate::agent::sinks::{Progress, Reporter};
use crate::agent::steps::diff::{self, DiffReport, Lowers};
use crate::agent::steps::walk::Entry;
use crate::agent::steps::{export, history, inspect, volatile};
use crate::agent::{AgentError, safefs};
use crate::evidence::{ArtifactSink, ArtifactSpec, EvidenceError};
use crate::protocol::layout;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::HashSet;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};

pub use crate::protocol::Step;

#[derive(Debug, Clone)]
pub struct CaptureOptions {
    pub targets: Vec<TargetSpec>,
    pub steps: Vec<Step>,
    pub include_volumes: bool,
    /// Environment values in inspect and volatile state replaced by their SHA-256.
    pub mask_env: bool,
    /// Where the kubelet writes checkpoint archives (host path): the only place one is shipped from.
    pub kubelet_checkpoint_dir: String,
    /// Docker socket (`unix:///…`); `None`: $DOCKER_HOST or the default socket.
    pub docker_host: Option<String>,
    /// Extra runc state roots to look for `state.json` in (host paths).
    pub runc_roots: Vec<String>,
    /// Where the kubelet keeps container logs (host path).
    pub pod_log_dir: String,
    /// For `Step::Memory`.
    pub memory: crate::agent::memory::capture::MemoryCaptureOptions,
    /// Leave a shipped kubelet checkpoint archive on the node.
    pub keep_checkpoint_archive: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct CaptureOutcome {
    pub artifacts: u64,
    pub failed: u64,
    pub errors: u64,
}

impl CaptureOutcome {
    pub fn complete(&self) -> bool {
        self.failed == 0 && self.errors == 0
    }
}

const JSON: &str = "application/json";
const TAR_ZST: &str = "application/x-tar+zstd";
const TEXT: &str = "text/plain";

/// Put one artifact; a producer error is recorded and returned as `Ok(false)`, a sink error
/// (nothing more can be delivered) is `Err`.
fn put(
    sink: &mut dyn ArtifactSink,
    spec: ArtifactSpec,
    produce: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
) -> Result<bool, AgentError> {
    let mut prod_err: Option<String> = None;
    let r = sink.put(&spec, &mut |w| produce(w).inspect_err(|e| prod_err = Some(e.to_string())));
    match (r, prod_err) {
        (Ok(_), _) => Ok(true),
        (Err(_), Some(msg)) => {
            sink.error(Some(&spec.path), &msg)?;
            Ok(false)
        }
        (Err(EvidenceError::BadPath(p)), None) => {
            sink.error(None, &format!("refused artifact path {p}"))?;
            Ok(false)
        }
        (Err(e), None) => {
            // the sink itself failed: say so while it may still carry a record (an upload
            // refused at its end), then stop — nothing more can be delivered
            let _ = sink.error(Some(&spec.path), &format!("not stored: {e}"));
            Err(AgentError::Sink(e))
        }
    }
}

fn put_json<T: Serialize>(sink: &mut dyn ArtifactSink, spec: ArtifactSpec, v: &T) -> Result<bool, AgentError> {
    put(sink, spec, &mut |w| {
        serde_json::to_writer_pretty(&mut *w, v).map_err(io::Error::other)?;
        w.write_all(b"\n")
    })
}

/// Stream a host file (read through `root`, symlinks resolved inside it) as an artifact.
fn put_host_file(sink: &mut dyn ArtifactSink, root: &OwnedFd, host_path: &str, spec: ArtifactSpec) -> Result<bool, AgentError> {
    match safefs::open_in_root(root.as_raw_fd(), host_path, false) {
        Ok(fd) => {
            let mut f = std::fs::File::from(fd);
            put(sink, spec, &mut |w| copy(&mut f, w).map(|_| ()))
        }
        Err(e) => {
            sink.error(Some(&spec.path), &format!("cannot open {host_path}: {e}"))?;
            Ok(false)
        }
    }
}

fn copy(r: &mut dyn Read, w: &mut dyn Write) -> io::Result<u64> {
    let mut buf = vec![0u8; 256 << 10];
    let mut n = 0;
    loop {
        let k = match r.read(&mut buf) {
            Ok(0) => return Ok(n),
            Ok(k) => k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        w.write_all(&buf[..k])?;
        n += k as u64;
    }
}

/// Run the capture of every target into `sink`.
pub fn run(
    opts: &CaptureOptions,
    sink: &mut dyn ArtifactSink,
    report: Reporter<'_>,
    rt: tokio::runtime::Handle,
) -> Result<CaptureOutcome, AgentError> {
    let mut p = Progress::new(sink, report);
    let mut docker: Option<Result<Docker, String>> = None;
    for t in &opts.targets {
        let r = match t.validate() {
            Ok(r) => r,
            Err(e) => {
                p.error(None, &e.to_string())?;
                continue;
            }
        };
        let docker = if r.runtime == Runtime::Docker {
            Some(docker.get_or_insert_with(|| Docker::connect(opts.docker_host.as_deref(), rt.clone())))
        } else {
            None
        };
        let docker = docker.and_then(|d| match d {
            Ok(d) => Some(&*d),
            Err(e) => {
                p.note(e);
                None
            }
        });
        one(opts, t.clone(), &r, docker, &mut p)?;
    }
    Ok(CaptureOutcome { artifacts: p.artifacts, failed: p.failed, errors: p.errors })
}

/// What Docker says of a container (when it is a Docker container).
struct DockerView {
    inspect: Value,
    pid: Option<i32>,
    running: bool,
    log_path: Option<String>,
    identity: KubeIdentity,
}

fn docker_view(d: &Docker, id: &str) -> Result<DockerView, String> {
    let inspect = d.inspect(id)?;
    let state = &inspect["State"];
    let pid = state["Pid"].as_i64().filter(|p| *p > 0).map(|p| p as i32);
    let identity = inspect["Config"]["Labels"].as_object().map(KubeIdentity::from_map).unwrap_or_default();
    Ok(DockerView {
        running: state["Running"].as_bool().unwrap_or(false),
        log_path: inspect["LogPath"].as_str().filter(|s| !s.is_empty()).map(str::to_string),
        pid,
        identity,
        inspect,
    })
}

fn one(opts: &CaptureOptions, mut t: TargetSpec, r: &ContainerRef, docker: Option<&Docker>, p: &mut Progress) -> Result<(), AgentError> {
    let uri = r.uri();
    let dv = match docker.map(|d| docker_view(d, &r.id)) {
        Some(Ok(v)) => Some(v),
        Some(Err(e)) => {
            p.note(&e);
            None
        }
        None => None,
    };
    let l = locate::locate(r, dv.as_ref().and_then(|v| v.pid), &opts.runc_roots);
    crate::agent::runtime::kube_identity::complete_from(&mut t, &l.identity);
    if let Some(v) = &dv {
        crate::agent::runtime::kube_identity::complete_from(&mut t, &v.identity);
    }
    let prefix = t.prefix(r);
    let spec = |name: &str, media: &str| ArtifactSpec::new(format!("{prefix}/{name}"), media, "agent").container(uri.clone());
    for n in &l.notes {
        p.note(&format!("{uri}: {n}"));
    }
    let has = |s: Step| opts.steps.contains(&s);
    if l.init.is_none() {
        let why = match &dv {
            Some(v) if !v.running => format!(
                "container {uri} is not running (docker state: {}): only the Docker API's view (inspect, diff, export) is captured",
                v.inspect["State"]["Status"].as_str().unwrap_or("unknown")
            ),
            Some(_) => format!(
                "container {uri}: Docker reports it running but its processes are not visible here (is the agent in the host PID namespace?)"
            ),
            None => format!(
                "container {uri} not found on this node: no process's cgroup names it (is it running here, and is the agent in the host PID namespace?)"
            ),
        };
        p.error(Some(&prefix), &why)?;
        if dv.is_none() {
            return Ok(());
        }
    }

    if has(Step::Inspect) {
        let mut rep = inspect::report(&uri, &l, dv.as_ref().map(|v| v.inspect.clone()));
        if opts.mask_env {
            crate::agent::steps::mask::mask_json(&mut rep);
        }
        put_json(p, spec("inspect.json", JSON), &rep)?;
    }
    if has(Step::Diff) && !(has(Step::Export) && l.init.is_some()) {
        // without the export, the diff carries its own content (diff.tar.zst)
        diff_step(r, &l, docker, &prefix, &spec, p)?;
    }
    if init_gone(&l, &uri, &prefix, p)? {
        return Ok(());
    }
    if has(Step::Export) {
        if has(Step::Diff) && l.init.is_some() {
            one_pass(opts, r, &l, docker, &prefix, &spec, p)?;
        } else {
            export_step(opts, &uri, &l, r, docker, HashSet::new(), &spec, p)?;
        }
    }
    if init_gone(&l, &uri, &prefix, p)? {
        return Ok(());
    }
    if has(Step::Volatile) && l.init.is_some() {
        let mut v = volatile::capture(&uri, &l.membership, &l.pids, l.init);
        if !l.init_alive() {
            // read while init exited: its pid may already be another process's
            p.error(
                Some(&prefix),
                &format!("container {uri}: its init process exited while its state was read; the rest is not captured"),
            )?;
            return Ok(());
        }
        if opts.mask_env {
            for pr in &mut v.processes {
                pr.environ.iter_mut().for_each(|kv| *kv = crate::agent::steps::mask::mask_assignment(kv));
            }
        }
        put_json(p, spec("volatile.json", JSON), &v)?;
    }
    if init_gone(&l, &uri, &prefix, p)? {
        return Ok(());
    }
    if has(Step::Memory)
        && let Some(pid) = l.init
    {
        memory_step(opts, pid, l.shim, &l.pids, &prefix, t.container.as_deref(), p)?;
        if !l.init_alive() {
            p.error(
                Some(&format!("{prefix}/memory")),
                &format!(
                    "container {uri}: its init process exited while its memory was read: what was read of pid {pid} may not be its own"
                ),
            )?;
            return Ok(());
        }
    }
    if init_gone(&l, &uri, &prefix, p)? {
        return Ok(());
    }
    if has(Step::History) && l.init.is_some() {
        histories(&l, &prefix, &spec, p)?;
    }
    if has(Step::Logs) {
        node_logs(opts, &t, &l, dv.as_ref().and_then(|v| v.log_path.clone()), &spec, p)?;
    }
    if let Some(a) = &t.checkpoint_archive {
        // the path came over the network: only a kubelet archive is shipped, nothing else of the node
        if !crate::protocol::layout::kubelet_archive_ok_in(a, &opts.kubelet_checkpoint_dir) {
            let why =
                format!("refusing to ship {a:?} as the checkpoint archive: only {}/checkpoint-*.tar is read", opts.kubelet_checkpoint_dir);
            p.error(Some(&format!("{prefix}/checkpoint.tar")), &why)?;
            return Ok(());
        }
        match l.host_root() {
            Ok(root) => {
                let shipped = put_host_file(p, &root, a, spec("checkpoint.tar", "application/x-tar"));
                // shipped or not, the archive leaves the node now (it holds the container's
                // memory): nothing depends on the client coming back to remove it
                settle_kubelet_archive(opts, &root, a, &prefix, p)?;
                shipped?;
            }
            Err(e) => p.error(Some(&format!("{prefix}/checkpoint.tar")), &format!("cannot open the host filesystem: {e}"))?,
        }
    }
    Ok(())
}

/// The overlay layers of init's root mount, read from its mountinfo while its pin holds (a
/// process that took its pid would name another container's layers).
fn pinned_overlay(l: &Located) -> Result<crate::agent::proc::mountinfo::Overlay, String> {
    let pin = l.pin.as_ref().ok_or("the container's init exited: its layers are not read")?;
    let o = diff::root_overlay(pin.pid())?;
    pin.check().map_err(|e| format!("{e}: its layers are not read"))?;
    Ok(o)
}

/// Has the container's init exited (its pidfd says) since it was located? Then that is an error
/// line and the rest of the capture, which reads `/proc/<init>`, is not made: its pid may be
/// another process's by now.
fn init_gone(l: &Located, uri: &str, prefix: &str, p: &mut Progress) -> Result<bool, AgentError> {
    if l.init.is_none() || l.init_alive() {
        return Ok(false);
    }
    p.error(Some(prefix), &format!("container {uri}: its init process exited during the capture; the rest is not captured"))?;
    Ok(true)
}

/// After shipping a kubelet checkpoint archive: remove it from the node (unless asked to keep
/// it), and settle its record in the collector's ledger either way.
fn settle_kubelet_archive(opts: &CaptureOptions, root: &OwnedFd, archive: &str, prefix: &str, p: &mut Progress) -> Result<(), AgentError> {
    let dir = &opts.kubelet_checkpoint_dir;
    if opts.keep_checkpoint_archive {
        crate::agent::node_files::settle_archive(dir, archive);
        p.note(&format!("{archive} is left on the node, as asked"));
        return Ok(());
    }
    let via = std::path::PathBuf::from(format!("/proc/self/fd/{}", root.as_raw_fd()));
    match crate::agent::node_files::remove_archive_in(&via, dir, archive) {
        Ok(()) => {
            p.note(&format!("removed {archive} from the node"));
            Ok(())
        }
        Err(e) => Ok(p.error(
            Some(&format!("{prefix}/checkpoint.tar")),
            &format!("could not remove {archive} from the node: {e}: delete it by hand"),
        )?),
    }
}

fn diff_step(
    r: &ContainerRef,
    l: &Located,
    docker: Option<&Docker>,
    prefix: &str,
    spec: &dyn Fn(&str, &str) -> ArtifactSpec,
    p: &mut Progress,
) -> Result<(), AgentError> {
    let uri = r.uri();
    let docker_changes = docker.map(|d| d.changes(&r.id));
    let mut report = DiffReport {
        container: uri.clone(),
        method: String::new(),
        overlay: None,
        changes: vec![],
        walk: None,
        notes: vec![],
        content: None,
        names: crate::protocol::name::ESCAPED,
    };
    let overlay = match l.init {
        Some(_) => pinned_overlay(l),
        None => Err("the container is not running: its overlay is not mounted".to_string()),
    };
    match overlay {
        Ok(o) => {
            let opened = l.host_root().and_then(|root| {
                let upper = safefs::open_in_root(root.as_raw_fd(), &o.upperdir, true)?;
                Ok((root, upper))
            });
            match opened {
                Ok((root, upper)) => {
                    let lowers = Lowers::open(&root, &o);
                    report.notes.extend(lowers.notes.iter().cloned());
                    let mut got = None;
                    let ok = put(p, spec("diff.tar.zst", TAR_ZST), &mut |w| {
                        let z = export::zstd_writer(w)?;
                        let (z, changes, stats) = diff::walk_upper(&upper, &lowers, z)?;
                        z.finish()?;
                        got = Some((changes, stats));
                        Ok(())
                    })?;
                    if let (true, Some((changes, stats))) = (ok, got) {
                        for line in stats.error_lines() {
                            p.error(Some(&format!("{prefix}/diff.tar.zst")), &format!("{uri}: not in the diff: {line}"))?;
                        }
                        report.method = "overlay upperdir".into();
                        report.content = Some("diff-tar");
                        report.changes = changes;
                        report.walk = Some(stats);
                    }
                    report.overlay = Some(o);
                }
                Err(e) => {
                    let msg = format!("cannot open the upper layer {} through the host filesystem: {e}", o.upperdir);
                    p.error(Some(&format!("{prefix}/diff.tar.zst")), &msg)?;
                    report.notes.push(msg);
                    report.overlay = Some(o);
                }
            }
        }
        Err(why) => {
            if docker_changes.is_none() {
                p.error(Some(&format!("{prefix}/diff.json")), &format!("{uri}: diff skipped: {why}"))?;
                return Ok(());
            }
            report.notes.push(why);
        }
    }
    put_diff_json(report, docker_changes, spec, p)
}

/// diff.json, with what Docker's changes API says when it was asked.
fn put_diff_json(
    mut report: DiffReport,
    docker_changes: Option<Result<Vec<(&'static str, String)>, String>>,
    spec: &dyn Fn(&str, &str) -> ArtifactSpec,
    p: &mut Progress,
) -> Result<(), AgentError> {
    match docker_changes {
        Some(Ok(ch)) => {
            if report.method.is_empty() {
                report.method = "docker changes API".into();
            }
            let v: Vec<Value> = ch.iter().map(|(k, path)| json!({"kind": k, "path": path})).collect();
            report.notes.push(format!("docker changes API lists {} entries (see docker_changes)", v.len()));
            let mut value = serde_json::to_value(&report).map_err(|e| AgentError::Io(io::Error::other(e)))?;
            value["docker_changes"] = Value::Array(v);
            put_json(p, spec("diff.json", JSON), &value)?;
        }
        Some(Err(e)) => {
            report.notes.push(e);
            put_json(p, spec("diff.json", JSON), &report)?;
        }
        None if !report.method.is_empty() => {
            put_json(p, spec("diff.json", JSON), &report)?;
        }
        None => {}
    }
    Ok(())
}

/// The export (rootfs.tar.zst and rootfs.json). Entries whose path is in `track` come back
/// located in it (None: the export failed or came from Docker's export, which locates nothing).
#[allow(clippy::too_many_arguments)]
fn export_step(
    opts: &CaptureOptions,
    uri: &str,
    l: &Located,
    r: &ContainerRef,
    docker: Option<&Docker>,
    mut track: HashSet<Vec<u8>>,
    spec: &dyn Fn(&str, &str) -> ArtifactSpec,
    p: &mut Progress,
) -> Result<Option<Vec<Entry>>, AgentError> {
    if l.init.is_some() {
        let mut report = None;
        let rootfs = spec(layout::ROOTFS, TAR_ZST);
        let ok = put(p, rootfs.clone(), &mut |w| {
            // the root of the pinned init, never of a process that took its pid
            let pin = l.pin.as_ref().ok_or_else(|| io::Error::other("init is not pinned: it exited"))?;
            report = Some(export::export_root(pin, opts.include_volumes, std::mem::take(&mut track), w)?);
            Ok(())
        })?;
        if let (true, Some((mut rep, tracked))) = (ok, report) {
            rep.container = uri.to_string();
            if let Some(t) = p.last_timing() {
                rep.stages.hash_s = Some((t.hash.as_secs_f64() * 1000.0).round() / 1000.0);
                rep.stages.send_s = Some((t.send.as_secs_f64() * 1000.0).round() / 1000.0);
            }
            p.note(&rep.stages.note(&rootfs.path));
            // what the walk could not read is missing from the export: an error line each
            for line in rep.stats.error_lines() {
                p.error(Some(&rootfs.path), &format!("{uri}: not in the export: {line}"))?;
            }
            put_json(p, spec(layout::ROOTFS_JSON, JSON), &rep)?;
            return Ok(Some(tracked));
        }
    } else if let Some(d) = docker {
        put(p, spec(layout::ROOTFS, TAR_ZST), &mut |w| {
            let mut z = export::zstd_writer(w)?;
            d.export(&r.id, &mut z)?;
            z.finish().map(|_| ())
        })?;
    }
    Ok(None)
}

/// Diff and export in one pass over the container's filesystem: the overlay upper layer is
/// listed (metadata only) to know what changed, the export reads every file once and locates
/// the changed entries in its tar (offset, SHA-256 of what it stored); diff.json says where.
/// A root that is not an overlay falls back to the separate steps.
fn one_pass(
    opts: &CaptureOptions,
    r: &ContainerRef,
    l: &Located,
    docker: Option<&Docker>,
    prefix: &str,
    spec: &dyn Fn(&str, &str) -> ArtifactSpec,
    p: &mut Progress,
) -> Result<(), AgentError> {
    let uri = r.uri();
    if l.init.is_none() {
        return Ok(());
    }
    let listed = pinned_overlay(l).and_then(|o| {
        let root = l.host_root().map_err(|e| format!("cannot open the host filesystem: {e}"))?;
        let upper = safefs::open_in_root(root.as_raw_fd(), &o.upperdir, true)
            .map_err(|e| format!("cannot open the upper layer {}: {e}", o.upperdir))?;
        let lowers = Lowers::open(&root, &o);
        let (changes, stats) = diff::scan_upper(&upper, &lowers).map_err(|e| format!("cannot list the upper layer: {e}"))?;
        Ok((o, upper, lowers.notes, changes, stats))
    });
    let Ok((overlay, upper, notes, mut changes, walk)) = listed else {
        // no upper layer to list: the diff step says why (or asks Docker), then the export
        diff_step(r, l, docker, prefix, spec, p)?;
        export_step(opts, &uri, l, r, docker, HashSet::new(), spec, p)?;
        return Ok(());
    };
    for line in walk.error_lines() {
        p.error(Some(&format!("{prefix}/{}", layout::DIFF_JSON)), &format!("{uri}: not in the diff: {line}"))?;
    }
    let docker_changes = docker.map(|d| d.changes(&r.id));
    let exported = export_step(opts, &uri, l, r, docker, diff::export_members(&changes), spec, p)?;
    let mut report = DiffReport {
        container: uri.clone(),
        method: "overlay upperdir".into(),
        overlay: Some(overlay),
        changes: vec![],
        walk: Some(walk),
        notes,
        content: Some("export"),
        names: crate::protocol::name::ESCAPED,
    };
    match exported {
        Some(entries) => {
            let missing = diff::locate_in_export(&mut changes, entries, Some(&upper));
            if !missing.is_empty() {
                let shown: Vec<&str> = missing.iter().take(20).map(String::as_str).collect();
                report.notes.push(format!(
                    "{} changed entries are not in the export (hidden_by_mount): a mount point hides them from the container (mounts are left out unless volumes are asked for); a file's sha256 is read from the upper layer, its content is not in this bundle: {}",
                    missing.len(),
                    shown.join(", ")
                ));
            }
        }
        None => report.notes.push(format!(
            "the export failed: the changed content is not in this bundle (the rows have no tar_offset) — see the errors of {prefix}/{}",
            layout::ROOTFS
        )),
    }
    report.changes = changes;
    put_diff_json(report, docker_changes, spec, p)
}

/// Shell histories in the container's root (`steps::history`): each one found is an artifact,
/// each one passed over an error line.
fn histories(l: &Located, prefix: &str, spec: &dyn Fn(&str, &str) -> ArtifactSpec, p: &mut Progress) -> Result<(), AgentError> {
    let pid = l.init.unwrap_or(0);
    let opened = l.pin.as_ref().ok_or_else(|| io::Error::from_raw_os_error(libc::ESRCH)).and_then(|pin| pin.open_dir("root"));
    let root = match opened {
        Ok(r) => r,
        Err(e) => {
            p.error(Some(&format!("{prefix}/history")), &format!("cannot open the root of pid {pid}: {e}"))?;
            return Ok(());
        }
    };
    for found in history::find(root.as_raw_fd()) {
        match found {
            history::Found::File { rel, mut file } => {
                put(p, spec(&format!("history/{rel}"), TEXT), &mut |w| copy(&mut file, w).map(|_| ()))?;
            }
            history::Found::Problem { rel, message } => p.error(Some(&format!("{prefix}/history/{rel}")), &message)?,
            history::Found::Note(n) => p.note(&n),
        }
    }
    Ok(())
}

/// The kubelet's log files of this container (rotated ones too), and Docker's own log file.
fn node_logs(
    opts: &CaptureOptions,
    t: &TargetSpec,
    l: &Located,
    docker_log: Option<String>,
    spec: &dyn Fn(&str, &str) -> ArtifactSpec,
    p: &mut Progress,
) -> Result<(), AgentError> {
    let root = match l.host_root() {
        Ok(r) => r,
        Err(e) => {
            p.error(None, &format!("logs: cannot open the host filesystem: {e}"))?;
            return Ok(());
        }
    };
    if let Some(lp) = docker_log {
        put_host_file(p, &root, &lp, spec("logs/node/docker-json.log", TEXT))?;
    }
    let (Some(ns), Some(pod), Some(c)) = (&t.namespace, &t.pod, &t.container) else {
        p.note(&format!("{}: node log files skipped: pod namespace, name and container name unknown", t.container_id));
        return Ok(());
    };
    let base = opts.pod_log_dir.trim_end_matches('/');
    let dir_name = match &t.pod_uid {
        Some(uid) => Some(format!("{ns}_{pod}_{uid}")),
        None => safefs::open_in_root(root.as_raw_fd(), base, true).ok().and_then(|d| {
            let want = format!("{ns}_{pod}_");
            safefs::list_dir(d.as_raw_fd())
                .unwrap_or_default()
                .into_iter()
                .filter_map(|n| n.into_string().ok())
                .find(|n| n.starts_with(&want))
        }),
    };
    let Some(dir_name) = dir_name else {
        p.error(None, &format!("no log directory {base}/{ns}_{pod}_<uid> on this node"))?;
        return Ok(());
    };
    let dir_path = format!("{base}/{dir_name}/{c}");
    let dir = match safefs::open_in_root(root.as_raw_fd(), &dir_path, true) {
        Ok(d) => d,
        Err(e) => {
            p.error(None, &format!("cannot open the log directory {dir_path}: {e}"))?;
            return Ok(());
        }
    };
    for n in safefs::list_dir(dir.as_raw_fd()).unwrap_or_default() {
        let Some(name) = n.to_str() else { continue };
        match safefs::open_file_at(dir.as_raw_fd(), &n) {
            Ok(mut f) => {
                put(p, spec(&format!("logs/node/{name}"), TEXT), &mut |w| copy(&mut f, w).map(|_| ()))?;
            }
            Err(e) => p.note(&format!("{dir_path}/{name} skipped: {e}")),
        }
    }
    Ok(())
}

/// Freeze, one ELF core per process, suspicious executables, thaw. The frozen cgroup is announced
/// ([`Event::Frozen`](crate::protocol::Event::Frozen)) before reading starts, so that the CLI can
/// thaw it should this process die.
fn memory_step(
    opts: &CaptureOptions,
    init: i32,
    shim: Option<i32>,
    pids: &[i32],
    prefix: &str,
    container: Option<&str>,
    p: &mut Progress<'_>,
) -> Result<(), AgentError> {
    use crate::agent::memory::capture::capture_container_memory;
    let mut mopts = opts.memory.clone();
    mopts.pids = pids.to_vec();
    if mopts.ledger.is_none() {
        mopts.ledger = crate::agent::memory::ledger::Ledger::from_env();
    }
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let deadline = crate::agent::memory::capture::deadline_from_env();
    mopts.max_frozen = crate::agent::memory::capture::clamp_to_deadline(mopts.max_frozen, deadline, now);
    if let Some(s) = shim {
        mopts.host_root = std::path::PathBuf::from(format!("/proc/{s}/root"));
    }
    let report = p.reporter();
    let mut announce = |f: &crate::agent::memory::freeze::Freezer| {
        report(&crate::protocol::Event::Frozen { cgroup: f.path.display().to_string() });
    };
    match capture_container_memory(init, prefix, container, &mopts, p, &mut announce) {
        Ok(rep) => {
            if let Some(n) = &rep.cap_note {
                p.error(Some(&format!("{prefix}/memory")), n)?;
            }
            if rep.thawed_by_deadline {
                p.error(
                    Some(&format!("{prefix}/memory")),
                    "the freeze watchdog thawed the container before the memory capture ended: not a consistent cut",
                )?;
            }
            if let Some(e) = &rep.freeze_error {
                p.note(&format!("memory captured without a freeze: {e}"));
            }
            let spec = ArtifactSpec::new(format!("{prefix}/memory.json"), JSON, "agent");
            let spec = match container {
                Some(c) => spec.container(c),
                None => spec,
            };
            put_json(p, spec, &rep)?;
        }
        Err(e) => p.error(Some(&format!("{prefix}/memory")), &format!("memory capture failed: {e}"))?,
    }
    Ok(())
}
