//! A consistent cut: freeze a container's cgroup while its memory is read, thaw it always.
//!
//! cgroup v1 (`freezer.state` FROZEN/THAWED in the freezer hierarchy) or v2 (`cgroup.freeze`
//! 1/0). The cgroup is found from `/proc/<pid>/cgroup` and this process's own
//! `/proc/self/mountinfo` (never a guessed mount point). A cgroup that is already frozen by
//! someone else is left alone: not frozen again, not thawed.
//!
//! Thawing happens on [`FreezeGuard::thaw`], on drop of the guard (errors, panics), and from a
//! cleanup path that only knows the cgroup's directory ([`thaw_cgroup`]) — e.g. when the process
//! that froze it was killed.

use super::MemoryError;
use crate::agent::proc::mountinfo;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FreezerKind {
    /// cgroup v1 freezer controller (`freezer.state`).
    V1,
    /// cgroup v2 core freezer (`cgroup.freeze`).
    V2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FreezeState {
    Thawed,
    Freezing,
    Frozen,
}

/// A cgroup that can be frozen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Freezer {
    pub kind: FreezerKind,
    /// The cgroup's directory (holding `freezer.state` or `cgroup.freeze`).
    pub path: PathBuf,
}

/// How a freeze went, for the manifest.
#[derive(Debug, Clone, Serialize)]
pub struct FreezeReport {
    pub cgroup: PathBuf,
    pub kind: FreezerKind,
    /// The cgroup was already frozen before us: we neither froze nor thawed it.
    pub already_frozen: bool,
    /// From the freeze request to the end of the thaw.
    #[serde(with = "duration_ms")]
    pub frozen_for: Duration,
}

mod duration_ms {
    pub fn serialize<S: serde::Serializer>(d: &std::time::Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> MemoryError {
    MemoryError::Cgroup { action, path: path.to_path_buf(), source }
}

/// A cgroup mount of this process: (root inside the hierarchy, mount point).
fn cgroup_mount(text: &str, v2: bool) -> Option<(String, PathBuf)> {
    mountinfo::parse(text).into_iter().find_map(|m| {
        let ok = if v2 { m.fstype == "cgroup2" } else { m.fstype == "cgroup" && m.super_options.split(',').any(|o| o == "freezer") };
        ok.then(|| (m.root, PathBuf::from(m.mount_point)))
    })
}

/// Join a cgroup path (from /proc/<pid>/cgroup) under a mount whose root is `root`.
fn join(pid: i32, root: &str, mnt: &Path, cg: &str) -> Result<PathBuf, MemoryError> {
    let nofreezer = |why: String| MemoryError::NoFreezer { pid, why };
    if cg.split('/').any(|c| c == "..") {
        return Err(nofreezer(format!(
            "its cgroup {cg} is outside this process's cgroup namespace (run the collector in the host cgroup namespace)"
        )));
    }
    let rel = if root == "/" {
        cg
    } else {
        cg.strip_prefix(root)
            .filter(|r| r.is_empty() || r.starts_with('/'))
            .ok_or_else(|| nofreezer(format!("its cgroup {cg} is not under the mounted part {root} of the hierarchy")))?
    };
    Ok(mnt.join(rel.trim_start_matches('/')))
}

impl Freezer {
    /// The freezer of `pid`'s cgroup: the v1 freezer hierarchy when mounted, else cgroup v2.
    pub fn for_pid(pid: i32) -> Result<Self, MemoryError> {
        Self::for_pid_in(pid, Path::new("/"))
    }

    /// Like [`Freezer::for_pid`], but through a host process's view: with `host_root` =
    /// `/proc/<host pid>/root`, that process's mounts are used and the cgroup directory is reached
    /// under `host_root` — how a collector pod (whose own /sys/fs/cgroup shows only its own cgroup)
    /// reaches the target container's cgroup.
    pub fn for_pid_in(pid: i32, host_root: &Path) -> Result<Self, MemoryError> {
        let mut f = Self::resolve(pid, host_root)?;
        if host_root != Path::new("/") {
            f.path = host_root.join(f.path.strip_prefix("/").unwrap_or(&f.path));
        }
        Ok(f)
    }

    fn resolve(pid: i32, host_root: &Path) -> Result<Self, MemoryError> {
        let cgpath = format!("/proc/{pid}/cgroup");
        let cg = std::fs::read_to_string(&cgpath).map_err(|e| super::maps::gone_or(pid, Path::new(&cgpath), e))?;
        let mi_path = match host_root.parent() {
            Some(proc_pid) if host_root != Path::new("/") => proc_pid.join("mountinfo"),
            _ => PathBuf::from("/proc/self/mountinfo"),
        };
        let mi = std::fs::read_to_string(&mi_path).map_err(|e| MemoryError::read(mi_path.display().to_string(), e))?;
        let exists = |d: &Path, f: &str| {
            if host_root == Path::new("/") { d.join(f).exists() } else { host_root.join(d.strip_prefix("/").unwrap_or(d)).join(f).exists() }
        };
        let v1 = cg.lines().find_map(|l| {
            let mut f = l.splitn(3, ':');
            let (_, ctrls, path) = (f.next()?, f.next()?, f.next()?);
            ctrls.split(',').any(|c| c == "freezer").then_some(path)
        });
        let v2 = cg.lines().find_map(|l| l.strip_prefix("0::"));
        if let (Some(p), Some((root, mnt))) = (v1, cgroup_mount(&mi, false)) {
            let dir = join(pid, &root, &mnt, p)?;
            if exists(&dir, "freezer.state") {
                return Ok(Freezer { kind: FreezerKind::V1, path: dir });
            }
        }
        if let (Some(p), Some((root, mnt))) = (v2, cgroup_mount(&mi, true)) {
            let dir = join(pid, &root, &mnt, p)?;
            if exists(&dir, "cgroup.freeze") {
                return Ok(Freezer { kind: FreezerKind::V2, path: dir });
            }
        }
        Err(MemoryError::NoFreezer {
            pid,
            why: "no cgroup v1 freezer nor cgroup v2 cgroup.freeze found for it in this process's mounts".into(),
        })
    }

    /// The freezer of a cgroup directory (kind told by the files it holds).
    pub fn at(path: impl Into<PathBuf>) -> Result<Self, MemoryError> {
        let path = path.into();
        if path.join("freezer.state").exists() {
            Ok(Freezer { kind: FreezerKind::V1, path })
        } else if path.join("cgroup.freeze").exists() {
            Ok(Freezer { kind: FreezerKind::V2, path })
        } else {
            Err(io("use", &path, std::io::Error::new(std::io::ErrorKind::NotFound, "neither freezer.state nor cgroup.freeze is there")))
        }
    }

    fn read(&self, file: &str) -> Result<String, MemoryError> {
        let p = self.path.join(file);
        std::fs::read_to_string(&p).map_err(|e| io("read", &p, e))
    }

    fn write(&self, file: &str, value: &str, action: &'static str) -> Result<(), MemoryError> {
        let p = self.path.join(file);
        std::fs::write(&p, value).map_err(|e| io(action, &p, e))
    }

    /// Current state (for v1 also frozen through a parent; for v2 the effective `frozen` event).
    pub fn state(&self) -> Result<FreezeState, MemoryError> {
        match self.kind {
            FreezerKind::V1 => Ok(match self.read("freezer.state")?.trim() {
                "FROZEN" => FreezeState::Frozen,
                "FREEZING" => FreezeState::Freezing,
                _ => FreezeState::Thawed,
            }),
            FreezerKind::V2 => {
                let asked = self.read("cgroup.freeze")?.trim() == "1";
                let frozen = self.read("cgroup.events")?.lines().any(|l| l.trim() == "frozen 1");
                Ok(match (asked, frozen) {
                    (_, true) => FreezeState::Frozen,
                    (true, false) => FreezeState::Freezing,
                    (false, false) => FreezeState::Thawed,
                })
            }
        }
    }

    /// Whether someone asked this very cgroup (or, v1, a parent) to freeze.
    fn freeze_requested(&self) -> Result<bool, MemoryError> {
        Ok(self.state()? != FreezeState::Thawed)
    }

    fn request(&self, freeze: bool) -> Result<(), MemoryError> {
        match (self.kind, freeze) {
            (FreezerKind::V1, true) => self.write("freezer.state", "FROZEN", "freeze"),
            (FreezerKind::V1, false) => self.write("freezer.state", "THAWED", "thaw"),
            (FreezerKind::V2, true) => self.write("cgroup.freeze", "1", "freeze"),
            (FreezerKind::V2, false) => self.write("cgroup.freeze", "0", "thaw"),
        }
    }

    fn wait_for(&self, want: FreezeState, timeout: Duration) -> Result<bool, MemoryError> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.state()? == want {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Freeze the cgroup and wait (up to `timeout`) until every task is frozen. A cgroup
    /// already frozen (or freezing) by someone else is left as is; the guard then never thaws it.
    pub fn freeze(&self, timeout: Duration) -> Result<FreezeGuard, MemoryError> {
        let start = Instant::now();
        if self.freeze_requested()? {
            return Ok(FreezeGuard { freezer: self.clone(), start, ours: false, done: false });
        }
        // the guard exists before the request: whatever happens next, it thaws
        let guard = FreezeGuard { freezer: self.clone(), start, ours: true, done: false };
        self.request(true)?;
        if !self.wait_for(FreezeState::Frozen, timeout)? {
            drop(guard);
            return Err(MemoryError::FreezeTimeout { path: self.path.clone(), state: "FROZEN", waited_ms: start.elapsed().as_millis() });
        }
        Ok(guard)
    }

    /// The processes in this cgroup and its children (from `cgroup.procs`).
    pub fn pids(&self) -> Result<Vec<i32>, MemoryError> {
        let mut out = Vec::new();
        let mut dirs = vec![self.path.clone()];
        while let Some(d) = dirs.pop() {
            let procs = d.join("cgroup.procs");
            let text = std::fs::read_to_string(&procs).map_err(|e| io("read", &procs, e))?;
            out.extend(text.lines().filter_map(|l| l.trim().parse::<i32>().ok()));
            if let Ok(rd) = std::fs::read_dir(&d) {
                dirs.extend(rd.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()));
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }
}

/// Holds a freeze; thaws on [`thaw`](FreezeGuard::thaw) or on drop (only what it froze itself).
#[derive(Debug)]
pub struct FreezeGuard {
    freezer: Freezer,
    start: Instant,
    ours: bool,
    done: bool,
}

impl FreezeGuard {
    pub fn freezer(&self) -> &Freezer {
        &self.freezer
    }
    /// False when the cgroup was already frozen by someone else.
    pub fn froze_it(&self) -> bool {
        self.ours
    }
    /// Time since the freeze was requested.
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Thaw (if we froze it) and report how long it stayed frozen.
    pub fn thaw(mut self) -> Result<FreezeReport, MemoryError> {
        self.done = true;
        if self.ours {
            self.freezer.request(false)?;
            self.freezer.wait_for(FreezeState::Thawed, Duration::from_secs(5))?;
        }
        Ok(FreezeReport {
            cgroup: self.freezer.path.clone(),
            kind: self.freezer.kind,
            already_frozen: !self.ours,
            frozen_for: self.start.elapsed(),
        })
    }
}

impl Drop for FreezeGuard {
    fn drop(&mut self) {
        if self.ours
            && !self.done
            && let Err(e) = self.freezer.request(false)
        {
            tracing::error!("could not thaw {}: {e}", self.freezer.path.display());
        }
    }
}

/// What a cleanup-path thaw found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ThawOutcome {
    /// The cgroup was frozen (or freezing) and has been thawed.
    pub was_frozen: bool,
}

/// Thaw a cgroup directory from a cleanup path (the process that froze it is gone). Call it
/// only for a cgroup this tool reported having frozen: it cannot tell who froze it.
pub fn thaw_cgroup(path: &Path) -> Result<ThawOutcome, MemoryError> {
    let f = Freezer::at(path)?;
    let was_frozen = f.freeze_requested()?;
    f.request(false)?;
    if !f.wait_for(FreezeState::Thawed, Duration::from_secs(5))? {
        return Err(MemoryError::FreezeTimeout { path: path.to_path_buf(), state: "THAWED", waited_ms: 5000 });
    }
    Ok(ThawOutcome { was_frozen })
}

/// [`thaw_cgroup`] for the cgroup of a container's process.
pub fn thaw_by_pid(pid: i32) -> Result<ThawOutcome, MemoryError> {
    thaw_cgroup(&Freezer::for_pid(pid)?.path)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MI: &str = "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n\
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n\
        41 31 0:38 /kubepods /sys/fs/cgroup/my\\040v2 rw,relatime - cgroup2 cgroup2 rw\n";

    #[test]
    fn finds_mounts_and_joins_paths() {
        let (root, mnt) = cgroup_mount(MI, false).unwrap();
        assert_eq!((root.as_str(), mnt.as_path()), ("/", Path::new("/sys/fs/cgroup/freezer")));
        assert_eq!(join(1, &root, &mnt, "/k8s.io/c1").unwrap(), Path::new("/sys/fs/cgroup/freezer/k8s.io/c1"));
        let (root, mnt) = cgroup_mount(MI, true).unwrap();
        assert_eq!(mnt, Path::new("/sys/fs/cgroup/my v2"));
        assert_eq!(join(1, &root, &mnt, "/kubepods/pod1/c").unwrap(), Path::new("/sys/fs/cgroup/my v2/pod1/c"));
        assert!(join(1, &root, &mnt, "/kubepodsX/c").is_err());
        assert!(join(1, "/", &mnt, "/../../c").is_err());
    }
}
