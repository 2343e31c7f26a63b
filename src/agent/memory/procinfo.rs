//! What the core's notes say about a process: `/proc/<pid>/{stat,status,comm,cmdline,task,auxv}`.

use super::MemoryError;
use super::maps::gone_or;
use std::path::PathBuf;

/// The fields of `/proc/<pid>/stat` the notes need (for a process or one of its threads).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatFields {
    pub pid: i32,
    pub comm: String,
    pub state: char,
    pub ppid: i32,
    pub pgrp: i32,
    pub sid: i32,
    pub flags: u64,
    /// Clock ticks.
    pub utime: u64,
    pub stime: u64,
    pub cutime: u64,
    pub cstime: u64,
    pub nice: i64,
}

/// A process as the notes describe it.
#[derive(Debug, Clone, Default)]
pub struct ProcInfo {
    pub stat: StatFields,
    pub uid: u32,
    pub gid: u32,
    /// Raw `/proc/<pid>/cmdline` (NUL-separated).
    pub cmdline: Vec<u8>,
    /// Threads other than the main one, in `/proc/<pid>/task` order.
    pub threads: Vec<StatFields>,
    /// Raw `/proc/<pid>/auxv` (empty when unreadable).
    pub auxv: Vec<u8>,
}

fn read(pid: i32, path: String) -> Result<Vec<u8>, MemoryError> {
    let p = PathBuf::from(path);
    std::fs::read(&p).map_err(|e| gone_or(pid, &p, e))
}

/// Parse a `stat` line; `comm` may hold spaces and parentheses, so split at the last ')'.
pub fn parse_stat(text: &str, origin: &str) -> Result<StatFields, MemoryError> {
    let bad = |what: &str| MemoryError::Parse {
        path: origin.into(),
        what: what.to_string(),
    };
    let open = text.find('(').ok_or_else(|| bad("no '(' before comm"))?;
    let close = text.rfind(')').ok_or_else(|| bad("no ')' after comm"))?;
    if close < open {
        return Err(bad("comm parentheses out of order"));
    }
    let pid = text[..open].trim().parse().map_err(|_| bad("bad pid"))?;
    let comm = text[open + 1..close].to_string();
    let f: Vec<&str> = text[close + 1..].split_ascii_whitespace().collect();
    // after comm: state(0) ppid(1) pgrp(2) session(3) tty(4) tpgid(5) flags(6) minflt(7) cminflt(8)
    // majflt(9) cmajflt(10) utime(11) stime(12) cutime(13) cstime(14) priority(15) nice(16)
    if f.len() < 17 {
        return Err(bad("too few fields"));
    }
    let n = |i: usize| f[i].parse::<i64>().map_err(|_| bad("non-numeric field"));
    Ok(StatFields {
        pid,
        comm,
        state: f[0].chars().next().unwrap_or('?'),
        ppid: n(1)? as i32,
        pgrp: n(2)? as i32,
        sid: n(3)? as i32,
        flags: n(6)? as u64,
        utime: n(11)? as u64,
        stime: n(12)? as u64,
        cutime: n(13)? as u64,
        cstime: n(14)? as u64,
        nice: n(16)?,
    })
}

/// Real uid and gid from a `status` file.
fn parse_ids(text: &str) -> (u32, u32) {
    let id = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_ascii_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(u32::MAX)
    };
    (id("Uid:"), id("Gid:"))
}

impl ProcInfo {
    pub fn read(pid: i32) -> Result<Self, MemoryError> {
        let stat_path = format!("/proc/{pid}/stat");
        let stat = parse_stat(
            &String::from_utf8_lossy(&read(pid, stat_path.clone())?),
            &stat_path,
        )?;
        let (uid, gid) = parse_ids(&String::from_utf8_lossy(&read(
            pid,
            format!("/proc/{pid}/status"),
        )?));
        let cmdline = read(pid, format!("/proc/{pid}/cmdline"))?;
        let auxv = std::fs::read(format!("/proc/{pid}/auxv")).unwrap_or_default();
        let mut threads = Vec::new();
        if let Ok(rd) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            let mut tids: Vec<i32> = rd
                .flatten()
                .filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok()))
                .collect();
            tids.sort_unstable();
            for tid in tids.into_iter().filter(|t| *t != pid) {
                let p = format!("/proc/{pid}/task/{tid}/stat");
                // a thread may exit while we list: skip it
                if let Ok(text) = std::fs::read_to_string(&p)
                    && let Ok(s) = parse_stat(&text, &p)
                {
                    threads.push(s);
                }
            }
        }
        Ok(ProcInfo {
            stat,
            uid,
            gid,
            cmdline,
            threads,
            auxv,
        })
    }

    /// The command line with NULs as spaces, as `ps` shows it.
    pub fn args(&self) -> String {
        let s = String::from_utf8_lossy(&self.cmdline);
        s.trim_end_matches('\0').replace('\0', " ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_with_hostile_comm() {
        let s = parse_stat(
            "42 (a) b (c)) S 1 42 42 0 -1 4194560 1 0 0 0 7 3 0 0 20 -5 1 0 100",
            "t",
        )
        .unwrap();
        assert_eq!(s.pid, 42);
        assert_eq!(s.comm, "a) b (c)");
        assert_eq!((s.state, s.ppid, s.pgrp, s.sid), ('S', 1, 42, 42));
        assert_eq!((s.utime, s.stime, s.nice), (7, 3, -5));
        assert!(parse_stat("1 (x) S 1", "t").is_err());
    }

    #[test]
    fn own_process_reads() {
        let me = ProcInfo::read(std::process::id() as i32).unwrap();
        assert_eq!(me.stat.pid, std::process::id() as i32);
        assert_eq!(me.uid, nix::unistd::getuid().as_raw());
        assert!(!me.cmdline.is_empty());
    }
}
