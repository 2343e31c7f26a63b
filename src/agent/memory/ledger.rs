//! The freeze ledger: a record per cgroup an agent is about to freeze, in a directory of the
//! collector's own memory-backed volume. The agent writes the record before it requests the
//! freeze and removes it once it thawed; `agent hold` (the collector's PID 1) thaws every cgroup
//! whose agent is gone, and all of them when the pod is ended. So a container is thawed by the
//! node side itself, even if the agent is killed and the CLI is gone.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// One cgroup an agent froze (or is about to freeze).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FreezeRecord {
    /// The cgroup's directory, as the agent reaches it (holds `freezer.state` or `cgroup.freeze`).
    pub cgroup: PathBuf,
    /// The agent that froze it.
    pub pid: i32,
    /// Its start time (clock ticks since boot, /proc/<pid>/stat): a reused pid is not the agent.
    pub pid_start: u64,
    /// When the record was written (seconds since the epoch).
    pub since: u64,
}

/// The ledger directory.
#[derive(Debug, Clone)]
pub struct Ledger {
    dir: PathBuf,
}

/// A record written by this process; removed by [`Ledger::remove`].
#[derive(Debug)]
pub struct Entry {
    file: PathBuf,
}

static SEQ: AtomicU64 = AtomicU64::new(0);

/// Start time of `pid` (field 22 of /proc/<pid>/stat), None when it is gone.
pub fn start_time(pid: i32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // the command name may hold spaces and parentheses: fields follow the last ')'
    s.rsplit_once(')')?.1.split_whitespace().nth(19)?.parse().ok()
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

impl Ledger {
    pub fn new(dir: impl Into<PathBuf>) -> Ledger {
        Ledger { dir: dir.into() }
    }

    /// The collector's ledger, when the pod names one ([`crate::protocol::LEDGER_ENV`]).
    pub fn from_env() -> Option<Ledger> {
        std::env::var_os(crate::protocol::LEDGER_ENV).filter(|v| !v.is_empty()).map(Ledger::new)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Record that this process is about to freeze `cgroup` (written whole or not at all).
    pub fn record(&self, cgroup: &Path) -> std::io::Result<Entry> {
        let pid = std::process::id() as i32;
        let rec = FreezeRecord { cgroup: cgroup.to_path_buf(), pid, pid_start: start_time(pid).unwrap_or(0), since: now() };
        let name = format!("freeze-{pid}-{}", SEQ.fetch_add(1, Ordering::Relaxed));
        let tmp = self.dir.join(format!(".{name}.tmp"));
        let file = self.dir.join(format!("{name}.json"));
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(&serde_json::to_vec(&rec).map_err(std::io::Error::other)?)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &file)?;
        Ok(Entry { file })
    }

    /// Remove a record of this process (the cgroup is thawed, or was not frozen by us).
    pub fn remove(&self, e: Entry) -> std::io::Result<()> {
        match std::fs::remove_file(&e.file) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }

    /// Every record (file, record); unreadable ones are skipped.
    pub fn records(&self) -> Vec<(PathBuf, FreezeRecord)> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else { return Vec::new() };
        let mut out: Vec<_> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            // the ledger directory also holds the expected kubelet archives (`archive-*.json`)
            .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("freeze-")))
            .filter_map(|p| {
                let rec = serde_json::from_slice::<FreezeRecord>(&std::fs::read(&p).ok()?).ok()?;
                Some((p, rec))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Thaw the cgroups of records whose agent is gone (all of them with `all`), then remove
    /// those records. Returns one line per thaw or failure, for the log.
    pub fn sweep(&self, all: bool) -> Vec<String> {
        let mut log = Vec::new();
        for (file, rec) in self.records() {
            let alive = start_time(rec.pid).is_some_and(|s| rec.pid_start == 0 || s == rec.pid_start);
            if alive && !all {
                continue;
            }
            let gone = !rec.cgroup.exists();
            match super::freeze::thaw_cgroup(&rec.cgroup) {
                Ok(o) => log.push(format!(
                    "thawed {} (frozen: {}, agent {} {})",
                    rec.cgroup.display(),
                    o.was_frozen,
                    rec.pid,
                    if alive { "running" } else { "gone" }
                )),
                // the container is gone with its cgroup: nothing is left to thaw
                Err(_) if gone => log.push(format!("{} is gone", rec.cgroup.display())),
                Err(e) => {
                    log.push(format!("could not thaw {}: {e}", rec.cgroup.display()));
                    continue;
                }
            }
            let _ = std::fs::remove_file(&file);
        }
        log
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_cgroup(dir: &Path, frozen: bool) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("freezer.state"), if frozen { "FROZEN\n" } else { "THAWED\n" }).unwrap();
        dir.to_path_buf()
    }

    #[test]
    fn records_are_written_whole_and_removed() {
        let t = tempfile::tempdir().unwrap();
        let l = Ledger::new(t.path());
        let e = l.record(Path::new("/sys/fs/cgroup/x")).unwrap();
        let recs = l.records();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0].1.cgroup, Path::new("/sys/fs/cgroup/x"));
        assert_eq!(recs[0].1.pid, std::process::id() as i32);
        assert_eq!(Some(recs[0].1.pid_start), start_time(std::process::id() as i32));
        assert!(std::fs::read_dir(t.path()).unwrap().all(|e| !e.unwrap().file_name().to_string_lossy().ends_with(".tmp")));
        l.remove(e).unwrap();
        assert!(l.records().is_empty());
    }

    #[test]
    fn a_sweep_thaws_what_a_dead_agent_left_and_keeps_what_a_live_one_holds() {
        let t = tempfile::tempdir().unwrap();
        let l = Ledger::new(t.path().join("ledger"));
        std::fs::create_dir(l.dir()).unwrap();
        let live = fake_cgroup(&t.path().join("live"), true);
        let dead = fake_cgroup(&t.path().join("dead"), true);
        l.record(&live).unwrap();
        // a record of an agent that is gone (a pid that cannot exist), and one of a reused pid
        let mut rec = FreezeRecord { cgroup: dead.clone(), pid: i32::MAX, pid_start: 1, since: now() };
        std::fs::write(l.dir().join("freeze-dead-0.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
        rec.pid = std::process::id() as i32;
        rec.cgroup = t.path().join("reused");
        fake_cgroup(&rec.cgroup, true);
        rec.pid_start = start_time(rec.pid).unwrap() + 1;
        std::fs::write(l.dir().join("freeze-reused-0.json"), serde_json::to_vec(&rec).unwrap()).unwrap();
        std::fs::write(l.dir().join("junk.json"), "{").unwrap();
        let log = l.sweep(false);
        assert_eq!(log.len(), 2, "{log:?}");
        let state = |p: &Path| std::fs::read_to_string(p.join("freezer.state")).unwrap();
        assert_eq!(state(&dead).trim(), "THAWED");
        assert_eq!(state(&t.path().join("reused")).trim(), "THAWED");
        assert_eq!(state(&live).trim(), "FROZEN", "a running agent's freeze is its own");
        assert_eq!(l.records().len(), 1);
        // the pod is ending: everything is thawed, a vanished cgroup is forgotten
        l.record(&t.path().join("vanished")).unwrap();
        let log = l.sweep(true);
        assert_eq!(state(&live).trim(), "THAWED", "{log:?}");
        assert!(l.records().is_empty(), "{log:?}");
    }
}
