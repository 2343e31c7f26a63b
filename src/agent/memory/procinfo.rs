//! What the core's notes say about a process: `/proc/<pid>/{stat,status,comm,cmdline,task,auxv}`
//! (`stat` is parsed by [`crate::agent::proc::stat`]).

use super::MemoryError;
use super::maps::gone_or;
use crate::agent::proc::stat::{self, Stat};
use std::path::PathBuf;

/// A process as the notes describe it.
#[derive(Debug, Clone, Default)]
pub struct ProcInfo {
    pub stat: Stat,
    pub uid: u32,
    pub gid: u32,
    /// Raw `/proc/<pid>/cmdline` (NUL-separated).
    pub cmdline: Vec<u8>,
    /// Threads other than the main one, in `/proc/<pid>/task` order.
    pub threads: Vec<Stat>,
    /// Raw `/proc/<pid>/auxv` (empty when unreadable).
    pub auxv: Vec<u8>,
    /// What each thread (by tid) is doing, from `/proc/<pid>/task/<tid>/syscall`: known only for
    /// a thread that is blocked or frozen, which every thread of a frozen container is.
    pub syscalls: std::collections::BTreeMap<i32, SyscallState>,
}

/// A blocked thread's user-space state as the kernel reports it without ptrace: the system call
/// it is in (number and six arguments; -1 when it is blocked outside one), its stack pointer and
/// program counter. Enough for a debugger to place the thread and unwind its stack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyscallState {
    pub nr: i64,
    pub args: [u64; 6],
    pub sp: u64,
    pub pc: u64,
}

/// Parse `/proc/<pid>/syscall`: `nr a1 … a6 sp pc`, or `-1 sp pc`; None for `running` or garbage.
pub fn parse_syscall(text: &str) -> Option<SyscallState> {
    let f: Vec<&str> = text.split_whitespace().collect();
    let hex = |s: &str| u64::from_str_radix(s.strip_prefix("0x")?, 16).ok();
    let nr: i64 = f.first()?.parse().ok()?;
    match (nr, f.len()) {
        (-1, 3) => Some(SyscallState { nr, args: [0; 6], sp: hex(f[1])?, pc: hex(f[2])? }),
        (n, 9) if n >= 0 => {
            let mut args = [0u64; 6];
            for (a, s) in args.iter_mut().zip(&f[1..7]) {
                *a = hex(s)?;
            }
            Some(SyscallState { nr, args, sp: hex(f[7])?, pc: hex(f[8])? })
        }
        _ => None,
    }
}

fn read(pid: i32, path: String) -> Result<Vec<u8>, MemoryError> {
    let p = PathBuf::from(path);
    std::fs::read(&p).map_err(|e| gone_or(pid, &p, e))
}

/// Parse a `stat` line (`origin` names it in errors).
pub fn parse_stat(text: &str, origin: &str) -> Result<Stat, MemoryError> {
    stat::parse(text).map_err(|what| MemoryError::Parse { path: origin.into(), what: what.to_string() })
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
        let stat = parse_stat(&String::from_utf8_lossy(&read(pid, stat_path.clone())?), &stat_path)?;
        let (uid, gid) = parse_ids(&String::from_utf8_lossy(&read(pid, format!("/proc/{pid}/status"))?));
        let cmdline = read(pid, format!("/proc/{pid}/cmdline"))?;
        let auxv = std::fs::read(format!("/proc/{pid}/auxv")).unwrap_or_default();
        let mut threads = Vec::new();
        let mut syscalls = std::collections::BTreeMap::new();
        if let Ok(rd) = std::fs::read_dir(format!("/proc/{pid}/task")) {
            let mut tids: Vec<i32> = rd.flatten().filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok())).collect();
            tids.sort_unstable();
            for &tid in &tids {
                if let Some(s) = std::fs::read_to_string(format!("/proc/{pid}/task/{tid}/syscall")).ok().as_deref().and_then(parse_syscall)
                {
                    syscalls.insert(tid, s);
                }
            }
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
        Ok(ProcInfo { stat, uid, gid, cmdline, threads, auxv, syscalls })
    }

    /// The command line with NULs as spaces, as `ps` shows it.
    pub fn args(&self) -> String {
        let s = String::from_utf8_lossy(&self.cmdline);
        s.trim_end_matches('\0').replace('\0', " ")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn syscall_lines_parse_as_the_kernel_writes_them() {
        let s = parse_syscall("230 0x0 0x0 0x7ffe14e32150 0x7ffe14e32190 0x0 0x0 0x7ffe14e32138 0x7ff597c87503\n").unwrap();
        assert_eq!((s.nr, s.args[2], s.sp, s.pc), (230, 0x7ffe14e32150, 0x7ffe14e32138, 0x7ff597c87503));
        let s = parse_syscall("-1 0x7ffe14e32138 0x55d0c0de0000").unwrap();
        assert_eq!((s.nr, s.args, s.pc), (-1, [0; 6], 0x55d0c0de0000));
        for bad in ["running", "", "230 0x1", "x 0x1 0x2", "-1 zz 0x2", "230 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0 0x0"] {
            assert_eq!(parse_syscall(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_blocked_thread_of_our_own_is_located() {
        // a thread parked in a system call: its state is readable without ptrace
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let h = std::thread::spawn(move || rx.recv());
        std::thread::sleep(std::time::Duration::from_millis(100));
        let me = ProcInfo::read(std::process::id() as i32).unwrap();
        assert!(me.syscalls.values().any(|s| s.nr >= 0 && s.sp != 0 && s.pc != 0), "{:?}", me.syscalls);
        tx.send(()).unwrap();
        h.join().unwrap().unwrap();
    }

    use super::*;

    #[test]
    fn stat_errors_name_the_file() {
        let e = parse_stat("1 (x) S 1", "/proc/1/stat").unwrap_err();
        assert!(
            matches!(&e, MemoryError::Parse { path, what } if path.to_str() == Some("/proc/1/stat") && what == "too few fields"),
            "{e:?}"
        );
    }

    #[test]
    fn own_process_reads() {
        let me = ProcInfo::read(std::process::id() as i32).unwrap();
        assert_eq!(me.stat.pid, std::process::id() as i32);
        assert_eq!(me.uid, nix::unistd::getuid().as_raw());
        assert!(!me.cmdline.is_empty());
    }
}
