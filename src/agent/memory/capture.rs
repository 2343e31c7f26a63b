//! One container's memory evidence in one call: freeze, one core per process, suspicious
//! executables, thaw — the piece `agent capture --memory` / `checkpoint pod --memory=proc` run.

use super::MemoryError;
use super::core::{ByteBudget, CoreOptions, CorePlan, CoreSummary};
use super::executables::{ExecutableRecord, ImageLayers, capture_executables};
use super::freeze::{FreezeGuard, FreezeReport, FreezeState, Freezer};
use super::ledger::{Entry, Ledger};
use super::precopy::{self, Precopied};
use crate::agent::proc::pin::{self, Pinned};
use crate::evidence::{ArtifactSink, ArtifactSpec};
use serde::Serialize;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

#[derive(Debug, Clone)]
pub struct MemoryCaptureOptions {
    pub core: CoreOptions,
    /// Freeze the container's cgroup during the capture (`--no-freeze` turns it off).
    pub freeze: bool,
    /// How long to wait for the cgroup to reach FROZEN.
    pub freeze_timeout: Duration,
    /// Longest time the container may stay frozen: past it, a watchdog thaws it even if the
    /// capture is still running (the rest of the capture is then not a consistent cut).
    pub max_frozen: Duration,
    /// Byte cap across all cores of the container.
    pub byte_cap: Option<u64>,
    /// Copy deleted / memfd / out-of-image executables.
    pub executables: bool,
    /// Where host paths (overlay layers) are reached: `/` or `/proc/<host pid>/root`.
    pub host_root: PathBuf,
    /// The container's processes as the caller found them (used when the cgroup cannot be read).
    pub pids: Vec<i32>,
    /// Where a freeze is recorded before it is requested (the collector's freeze ledger): with
    /// one, no cgroup is frozen without a record.
    pub ledger: Option<Ledger>,
    /// A directory on the node's disk (the collector's spool): while the container is frozen,
    /// cores are written there (as fast as memory is read), and shipped to the sink once it is
    /// thawed. Without one, or when a core does not fit, the core goes to the sink while frozen.
    pub spool: Option<PathBuf>,
    /// With a spool, a freeze of ours and no byte cap: copy each core to the spool while the
    /// container still runs, then, frozen, read again only what changed since (see
    /// [`precopy`]). The container stays frozen for the changes, not for its whole memory.
    pub precopy: bool,
}

impl Default for MemoryCaptureOptions {
    fn default() -> Self {
        Self {
            core: CoreOptions::default(),
            freeze: true,
            freeze_timeout: Duration::from_secs(10),
            max_frozen: Duration::from_secs(300),
            byte_cap: None,
            executables: true,
            host_root: PathBuf::from("/"),
            pids: Vec::new(),
            ledger: None,
            spool: None,
            precopy: true,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CoreArtifact {
    pub artifact: String,
    #[serde(flatten)]
    pub summary: CoreSummary,
}

/// What the manifest / volatile.json record about the memory capture.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MemoryCaptureReport {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze: Option<FreezeReport>,
    /// Why the capture ran without a freeze, when one was asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub freeze_error: Option<String>,
    /// The watchdog thawed the container before the capture ended.
    pub thawed_by_deadline: bool,
    pub cores: Vec<CoreArtifact>,
    pub executables: Vec<ExecutableRecord>,
    /// Set when the byte cap was hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cap_note: Option<String>,
    /// Per-process failures (also reported to the sink).
    pub errors: Vec<String>,
    /// Seconds the container stayed frozen per GiB of cores written: the price of a consistent
    /// cut. Every core goes through the one sink while frozen (a copy held while frozen would not
    /// fit the agent's 64 MiB), so this follows the sink's speed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub frozen_s_per_gib: Option<f64>,
    /// Cores written to the node's spool while frozen and shipped after the thaw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spool: Option<SpoolReport>,
}

/// What went through the spool.
#[derive(Debug, Clone, Serialize, Default)]
pub struct SpoolReport {
    pub dir: String,
    /// Cores written there while frozen (then shipped and removed).
    pub cores: usize,
    /// Cores that went to the sink while frozen instead, and why (no room, unwritable).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub streamed: Vec<String>,
    /// Of `cores`, those copied while the container ran and completed while frozen.
    pub precopied: usize,
    /// Bytes of those copies that had changed by the freeze, written again while frozen.
    pub rewritten_bytes: u64,
    /// Copies made while running that were written again whole while frozen, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recopied: Vec<String>,
}

impl MemoryCaptureReport {
    pub fn complete(&self) -> bool {
        self.errors.is_empty() && self.cap_note.is_none() && !self.thawed_by_deadline
    }
}

/// Capture the memory of the container whose init process is `init_pid` into `sink`, under
/// `dir` (e.g. `pods/<ns>/<pod>/<container>`): `<dir>/memory/<pid>.core` per process and
/// `executables/<sha256>`. `on_frozen` is called with the cgroup right after we froze it, so
/// the caller can announce it (a cleanup path thaws it with `thaw_cgroup` if this process dies).
/// The container is thawed on every way out: return, error, panic (guard), deadline (watchdog).
pub fn capture_container_memory(
    init_pid: i32,
    dir: &str,
    container: Option<&str>,
    opts: &MemoryCaptureOptions,
    sink: &mut dyn ArtifactSink,
    on_frozen: &mut dyn FnMut(&Freezer),
) -> Result<MemoryCaptureReport, MemoryError> {
    let mut report = MemoryCaptureReport::default();
    let freezer = Freezer::for_pid_in(init_pid, &opts.host_root);
    // the cgroup's processes, each pinned by a pidfd and listed again while pinned: a PID that
    // another process took before the pin is left out, and every read is checked against its pin
    let fallback = || if opts.pids.is_empty() { vec![init_pid] } else { opts.pids.clone() };
    let listing = || freezer.as_ref().ok().and_then(|f| f.pids().ok()).filter(|p| !p.is_empty());
    let mut spooled = Spool::default();
    if let Some(dir) = precopy_dir(opts, &freezer) {
        // copied while it runs; what changes until the freeze is read again then
        let (pins, _) = pin::pin_members(listing, listing().unwrap_or_else(fallback));
        for pin in pins {
            if let Ok(copy) = precopy::start(&pin, &opts.core, dir, |plan| spool_room(dir, plan)) {
                spooled.copies.push((pin, copy));
            }
        }
    }
    let mut guard = None;
    let mut watchdog = None;
    let mut entry = None;
    if opts.freeze {
        match &freezer {
            Ok(f) => match freeze_recorded(f, opts) {
                Ok((g, e)) => {
                    entry = e;
                    // only a freeze of ours is announced (a cleanup path must never thaw a
                    // cgroup someone else froze)
                    if g.froze_it() {
                        on_frozen(f);
                        watchdog = Some(spawn_watchdog(f.clone(), opts.max_frozen));
                    }
                    guard = Some(g);
                }
                Err(e) => report.freeze_error = Some(e.to_string()),
            },
            Err(e) => report.freeze_error = Some(e.to_string()),
        }
    }
    let (pins, left) = pin::pin_members(listing, listing().unwrap_or_else(fallback));
    for (pid, why) in left {
        let msg = format!("memory of pid {pid}: {why}");
        let _ = sink.error(Some(&format!("{dir}/memory/{pid}.core")), &msg);
        report.errors.push(msg);
    }
    let mut budget = opts.byte_cap.map(ByteBudget::new);
    // a spool only pays while a freeze of ours waits for it
    let spool_dir = opts.spool.as_deref().filter(|_| guard.as_ref().is_some_and(FreezeGuard::froze_it));
    if spool_dir.is_none() {
        spooled.drop_copies();
    }
    // the copies are completed first, several processes at once
    let copies: Vec<Option<Precopied>> = pins.iter().map(|p| spooled.take_copy(p.pid())).collect();
    let completed = finish_copies(&pins, copies, &opts.core);
    for (pin, completed) in pins.iter().zip(completed) {
        let pid = pin.pid();
        let artifact = format!("{dir}/memory/{pid}.core");
        if let Some((copy, finished)) = completed {
            match finished {
                Ok(Some((summary, patched))) => {
                    spooled.precopied += 1;
                    spooled.rewritten += patched.rewritten;
                    spooled.files.push((artifact, copy.path, summary));
                    continue;
                }
                Ok(None) => spooled.recopied.push(format!("pid {pid}: its memory layout changed while it was copied")),
                Err(e) => spooled.recopied.push(format!("pid {pid}: {e}")),
            }
            let _ = std::fs::remove_file(&copy.path);
        }
        let done = prepare_pinned(pin, &opts.core, budget.as_mut()).and_then(|plan| match spool_dir {
            Some(d) => match spool_room(d, &plan) {
                Ok(()) => spool_one(pin, plan, d).map(|(path, summary)| {
                    spooled.files.push((artifact.clone(), path, summary));
                    None
                }),
                Err(why) => {
                    spooled.streamed.push(format!("pid {pid}: {why}"));
                    ship_plan(pin, plan, &artifact, container, sink).map(Some)
                }
            },
            None => ship_plan(pin, plan, &artifact, container, sink).map(Some),
        });
        match done {
            Ok(Some(summary)) => report.cores.push(CoreArtifact { artifact, summary }),
            Ok(None) => {}
            Err(e) => {
                let msg = format!("memory of pid {pid}: {e}");
                let _ = sink.error(Some(&artifact), &msg);
                report.errors.push(msg);
            }
        }
    }
    if opts.executables {
        let image = ImageLayers::of_pid(init_pid, &opts.host_root).ok().flatten();
        report.executables = capture_executables(&pins, image.as_ref(), sink, container);
    }
    if let Some((stop, handle)) = watchdog {
        let _ = stop.send(());
        report.thawed_by_deadline = handle.join().unwrap_or(false);
    }
    if let Some(g) = guard {
        let f = g.thaw()?;
        let gib = (report.cores.iter().map(|c| c.summary.bytes).chain(spooled.files.iter().map(|s| s.2.bytes)).sum::<u64>()) as f64
            / (1u64 << 30) as f64;
        if gib > 0.0 && !f.already_frozen {
            report.frozen_s_per_gib = Some((f.frozen_for.as_secs_f64() / gib * 1000.0).round() / 1000.0);
        }
        report.freeze = Some(f);
    }
    // thawed: the record goes (on an error above it stays, for `agent hold` to thaw)
    if let (Some(l), Some(e)) = (&opts.ledger, entry) {
        let _ = l.remove(e);
    }
    // thawed: what was spooled while frozen is shipped now, each file removed once sent
    if let Some(d) = spool_dir {
        report.spool = Some(SpoolReport {
            dir: d.display().to_string(),
            cores: spooled.files.len(),
            streamed: std::mem::take(&mut spooled.streamed),
            precopied: spooled.precopied,
            rewritten_bytes: spooled.rewritten,
            recopied: std::mem::take(&mut spooled.recopied),
        });
    }
    for (artifact, path, summary) in std::mem::take(&mut spooled.files) {
        match ship_spooled(&path, &artifact, container, sink) {
            Ok(()) => report.cores.push(CoreArtifact { artifact, summary }),
            Err(e) => {
                let msg = format!("memory of pid {}: {e}", summary.pid);
                let _ = sink.error(Some(&artifact), &msg);
                report.errors.push(msg);
            }
        }
    }
    report.cap_note = budget.and_then(|b| b.note());
    if let Some(n) = &report.cap_note {
        let _ = sink.error(None, n);
    }
    Ok(report)
}

/// Freeze `f`, recorded in the ledger (when there is one) before the freeze is requested. A
/// cgroup frozen by someone else is neither recorded nor thawed; a record that turns out not to
/// be ours is removed at once.
pub(crate) fn freeze_recorded(f: &Freezer, opts: &MemoryCaptureOptions) -> Result<(FreezeGuard, Option<Entry>), MemoryError> {
    let Some(l) = &opts.ledger else { return Ok((f.freeze(opts.freeze_timeout)?, None)) };
    if f.state()? != FreezeState::Thawed {
        return Ok((f.freeze(opts.freeze_timeout)?, None));
    }
    let entry = l.record(&f.path).map_err(|source| MemoryError::Cgroup {
        action: "record in the freeze ledger",
        path: l.dir().to_path_buf(),
        source,
    })?;
    match f.freeze(opts.freeze_timeout) {
        Ok(g) if g.froze_it() => Ok((g, Some(entry))),
        Ok(g) => {
            let _ = l.remove(entry);
            Ok((g, None))
        }
        // the guard thawed it already
        Err(e) => {
            let _ = l.remove(entry);
            Err(e)
        }
    }
}

/// The longest freeze that still ends before the collector pod does (`deadline`, seconds since
/// the epoch): a margin is left for the thaw and for `agent hold` to act.
pub fn clamp_to_deadline(max_frozen: Duration, deadline: Option<u64>, now: u64) -> Duration {
    const MARGIN: u64 = 20;
    match deadline {
        Some(d) => max_frozen.min(Duration::from_secs(d.saturating_sub(now).saturating_sub(MARGIN).max(1))),
        None => max_frozen,
    }
}

/// The collector pod's deadline ([`crate::protocol::DEADLINE_ENV`]), when it is given.
pub fn deadline_from_env() -> Option<u64> {
    std::env::var(crate::protocol::DEADLINE_ENV).ok()?.trim().parse().ok()
}

/// The spool's directory from the collector's environment ([`crate::protocol::SPOOL_ENV`]).
pub fn spool_from_env() -> Option<PathBuf> {
    std::env::var_os(crate::protocol::SPOOL_ENV).filter(|v| !v.is_empty()).map(PathBuf::from)
}

/// Cores waiting in the spool (artifact, file, summary); whatever is left when this is dropped
/// (an error on the way) is removed: nothing stays on the node.
#[derive(Default)]
struct Spool {
    files: Vec<(String, PathBuf, CoreSummary)>,
    streamed: Vec<String>,
    /// Copies made while the container ran, each with the pin of its process.
    copies: Vec<(Pinned, Precopied)>,
    precopied: usize,
    rewritten: u64,
    recopied: Vec<String>,
}

impl Spool {
    /// The copy of this process, if one was made (and its process is still the one copied).
    fn take_copy(&mut self, pid: i32) -> Option<Precopied> {
        let i = self.copies.iter().position(|(p, _)| p.pid() == pid && p.alive())?;
        Some(self.copies.swap_remove(i).1)
    }

    fn drop_copies(&mut self) {
        for (_, c) in self.copies.drain(..) {
            let _ = std::fs::remove_file(&c.path);
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        self.drop_copies();
        for (_, p, _) in &self.files {
            let _ = std::fs::remove_file(p);
        }
    }
}

/// Complete each copy while frozen ([`precopy::finish_all`]), on up to one thread per core (4
/// at most): a container's processes, and the pieces of each, are read in parallel. `copies` and
/// the result go with `pins`, one for one.
fn finish_copies(pins: &[Pinned], copies: Vec<Option<Precopied>>, opts: &CoreOptions) -> Vec<Option<(Precopied, precopy::Finished)>> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4);
    let refs: Vec<(&Pinned, &Precopied)> = pins.iter().zip(&copies).filter_map(|(p, c)| Some((p, c.as_ref()?))).collect();
    let mut results = precopy::finish_all(&refs, opts, workers).into_iter();
    copies.into_iter().map(|c| c.map(|c| (c, results.next().unwrap_or(Ok(None))))).collect()
}

/// Where cores are copied while the container still runs, when they can be: a spool, a freeze
/// to make (of a container not already frozen), and no byte cap.
fn precopy_dir<'a>(opts: &'a MemoryCaptureOptions, freezer: &Result<Freezer, MemoryError>) -> Option<&'a std::path::Path> {
    let thawed = freezer.as_ref().is_ok_and(|f| f.state().is_ok_and(|s| s == FreezeState::Thawed));
    (opts.precopy && opts.freeze && opts.byte_cap.is_none() && thawed).then_some(())?;
    opts.spool.as_deref()
}

/// Does the core fit in the spool with the node's margin?
fn spool_room(dir: &std::path::Path, plan: &CorePlan) -> Result<(), String> {
    super::space::check_free_space(dir, plan.total_bytes(), super::space::Margin::default()).map(|_| ()).map_err(|e| e.to_string())
}

/// Lay out the pinned process's core: maps, identity and the open `mem` are its own only if it
/// is still there afterwards.
fn prepare_pinned(pin: &Pinned, opts: &CoreOptions, budget: Option<&mut ByteBudget>) -> Result<CorePlan, MemoryError> {
    let plan = CorePlan::prepare(pin.pid(), opts, budget)?;
    pin.check().map_err(|_| MemoryError::ProcessGone(pin.pid()))?;
    Ok(plan)
}

/// A new file of the spool for the core of `pid`: owner-only, never through a link.
pub(super) fn spool_file(dir: &std::path::Path, pid: i32) -> std::io::Result<(PathBuf, std::fs::File)> {
    use std::os::unix::fs::OpenOptionsExt;
    let path = dir.join(format!("{pid}.core"));
    // the spool is this collector's own: a file of that name is a leftover of an earlier capture
    let _ = std::fs::remove_file(&path);
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(&path)?;
    Ok((path, f))
}

/// Write the core into a new file of the spool (owner-only, never through a link).
fn spool_one(pin: &Pinned, plan: CorePlan, dir: &std::path::Path) -> Result<(PathBuf, CoreSummary), MemoryError> {
    use std::io::Write;
    let pid = pin.pid();
    let (path, f) = spool_file(dir, pid).map_err(|source| MemoryError::Write { pid, source })?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    let written = plan.write(&mut w).and_then(|s| w.flush().map(|()| s).map_err(|source| MemoryError::Write { pid, source }));
    let summary = written.and_then(|s| pin.check().map(|()| s).map_err(|_| MemoryError::ExitedDuringDump(pid)));
    match summary {
        Ok(s) => Ok((path, s)),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// Send a spooled core to the sink (hashed there as it goes), then remove it from the node.
fn ship_spooled(path: &std::path::Path, artifact: &str, container: Option<&str>, sink: &mut dyn ArtifactSink) -> Result<(), MemoryError> {
    let spec = core_spec(artifact, container);
    let sent = std::fs::File::open(path).map_err(|e| MemoryError::read(path, e)).and_then(|mut f| {
        sink.put(&spec, &mut |w| std::io::copy(&mut f, w).map(|_| ()))
            .map_err(|e| MemoryError::Sink { path: artifact.to_string(), message: e.to_string() })
    });
    let _ = std::fs::remove_file(path);
    sent.map(|_| ())
}

/// How a core is described to the sink.
fn core_spec(artifact: &str, container: Option<&str>) -> ArtifactSpec {
    let mut spec = ArtifactSpec::new(artifact, "application/x-coredump", "agent");
    spec.container = container.map(str::to_string);
    spec
}

/// Write the core straight into the sink.
fn ship_plan(
    pin: &Pinned,
    plan: CorePlan,
    artifact: &str,
    container: Option<&str>,
    sink: &mut dyn ArtifactSink,
) -> Result<CoreSummary, MemoryError> {
    let pid = pin.pid();
    let spec = core_spec(artifact, container);
    let mut plan = Some(plan);
    let mut result = None;
    sink.put(&spec, &mut |w| {
        let p = plan.take().ok_or_else(|| std::io::Error::other("core already written"))?;
        let r = p.write(w);
        let err = r.as_ref().err().map(|e| std::io::Error::other(e.to_string()));
        result = Some(r);
        err.map_or(Ok(()), Err)
    })
    .map_err(|e| MemoryError::Sink { path: artifact.to_string(), message: e.to_string() })?;
    let summary = result.unwrap_or(Err(MemoryError::ProcessGone(pid)))?;
    // a process that exited while its core was read leaves a core with its last part missing
    pin.check().map_err(|_| MemoryError::ExitedDuringDump(pid))?;
    Ok(summary)
}

/// Thaws `f` at `deadline` unless told to stop first; the join value says whether it thawed.
fn spawn_watchdog(f: Freezer, deadline: Duration) -> (mpsc::Sender<()>, std::thread::JoinHandle<bool>) {
    let (tx, rx) = mpsc::channel::<()>();
    let h = std::thread::spawn(move || match rx.recv_timeout(deadline) {
        Err(mpsc::RecvTimeoutError::Timeout) => {
            tracing::warn!("container frozen longer than {deadline:?}: thawing {}", f.path.display());
            super::freeze::thaw_cgroup(&f.path).is_ok()
        }
        _ => false,
    });
    (tx, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_freezer(dir: &std::path::Path, state: &str) -> Freezer {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("freezer.state"), state).unwrap();
        Freezer::at(dir).unwrap()
    }

    #[test]
    fn a_freeze_is_recorded_before_it_is_requested_and_only_when_it_is_ours() {
        let t = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(t.path().join("ledger"));
        std::fs::create_dir(ledger.dir()).unwrap();
        let opts = MemoryCaptureOptions { ledger: Some(ledger.clone()), ..Default::default() };
        // ours: recorded while frozen, gone once thawed
        let f = fake_freezer(&t.path().join("cg"), "THAWED\n");
        let (g, e) = freeze_recorded(&f, &opts).unwrap();
        assert!(g.froze_it());
        assert_eq!(ledger.records().len(), 1);
        assert_eq!(ledger.records()[0].1.cgroup, f.path);
        g.thaw().unwrap();
        ledger.remove(e.unwrap()).unwrap();
        assert!(ledger.records().is_empty());
        // frozen by someone else: no record, so nobody of ours will ever thaw it
        let other = fake_freezer(&t.path().join("other"), "FROZEN\n");
        let (g, e) = freeze_recorded(&other, &opts).unwrap();
        assert!(!g.froze_it() && e.is_none() && ledger.records().is_empty());
        drop(g);
        assert_eq!(other.state().unwrap(), FreezeState::Frozen);
        // no ledger to write to: no freeze at all
        let opts = MemoryCaptureOptions { ledger: Some(Ledger::new(t.path().join("missing"))), ..Default::default() };
        let f = fake_freezer(&t.path().join("cg2"), "THAWED\n");
        assert!(freeze_recorded(&f, &opts).is_err());
        assert_eq!(f.state().unwrap(), FreezeState::Thawed, "frozen without a record");
    }

    #[test]
    fn the_watchdog_fires_before_the_pod_deadline() {
        let five = Duration::from_secs(300);
        assert_eq!(clamp_to_deadline(five, None, 1000), five);
        assert_eq!(clamp_to_deadline(five, Some(1000 + 3600), 1000), five);
        assert_eq!(clamp_to_deadline(five, Some(1000 + 120), 1000), Duration::from_secs(100));
        assert_eq!(clamp_to_deadline(five, Some(1000 + 5), 1000), Duration::from_secs(1));
        assert_eq!(clamp_to_deadline(five, Some(10), 1000), Duration::from_secs(1), "past the deadline");
    }
}
