//! volatile: what dies with the container — every process (identity, cmdline, environment, cwd,
//! executable and its SHA-256 even when deleted from disk, fds, memory maps) and the sockets of
//! its network namespaces matched to the fds that hold them.

use crate::agent::proc::maps;
use crate::agent::proc::pin;
use crate::agent::runtime::locate::Membership;
use crate::agent::steps::sockets::{self, Socket};
use crate::evidence::hash::Sha256;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::Read;

#[derive(Debug, Serialize)]
pub struct Fd {
    pub fd: u32,
    pub target: String,
}

#[derive(Debug, Default, Serialize)]
pub struct MapsSummary {
    pub count: usize,
    pub total_kb: u64,
    pub anon_kb: u64,
    /// Mappings both writable and executable (a code-injection indicator).
    pub rwx: usize,
    /// Executable mappings without a file (JIT or injected code).
    pub anon_exec: usize,
    /// Distinct files mapped, with their permissions; ` (deleted)` kept when the kernel says so.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
pub struct Process {
    pub pid: i32,
    pub ppid: i32,
    pub name: String,
    pub state: String,
    pub threads: i64,
    /// real, effective, saved, filesystem
    pub uid: Vec<u32>,
    pub gid: Vec<u32>,
    /// The effective uid's name in the container's /etc/passwd, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    pub cmdline: Vec<String>,
    pub environ: Vec<String>,
    pub cwd: Option<String>,
    pub root: Option<String>,
    pub exe: Option<String>,
    /// The executable was deleted (or replaced) on disk while running.
    pub exe_deleted: bool,
    pub exe_sha256: Option<String>,
    pub exe_size: Option<u64>,
    pub start_time: Option<jiff::Timestamp>,
    pub vsize: u64,
    pub rss_kb: u64,
    pub fds: Vec<Fd>,
    pub maps: MapsSummary,
    /// Inodes of the sockets among its fds (details in the top-level `sockets`).
    pub socket_inodes: Vec<u64>,
    pub net_ns: Option<u64>,
    pub pid_ns: Option<u64>,
    pub mnt_ns: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Volatile {
    pub container: String,
    pub captured_at: jiff::Timestamp,
    pub processes: Vec<Process>,
    /// Sockets of the container's network namespaces; `pids` = container processes holding them.
    pub sockets: Vec<Socket>,
    /// Processes that vanished while being read.
    pub vanished: Vec<i32>,
}

fn sha256_of(path: &std::path::Path) -> std::io::Result<(String, u64)> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 256 << 10];
    let mut n = 0u64;
    loop {
        let k = f.read(&mut buf)?;
        if k == 0 {
            break;
        }
        h.update(&buf[..k]);
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n))
}

/// A summary of a maps file; lines that do not parse are passed over.
pub fn parse_maps(text: &str) -> MapsSummary {
    let mut m = MapsSummary::default();
    for map in text.lines().filter_map(|l| maps::parse_line(l).ok()) {
        let (perms, path) = (map.perms.as_str(), map.path.as_deref().unwrap_or(""));
        let kb = map.size() / 1024;
        m.count += 1;
        m.total_kb += kb;
        let exec = perms.contains('x');
        if perms.contains('w') && exec {
            m.rwx += 1;
        }
        if path.is_empty() || path.starts_with('[') {
            if path.is_empty() {
                m.anon_kb += kb;
            }
            if exec && path != "[vdso]" && path != "[vsyscall]" {
                m.anon_exec += 1;
            }
        } else if m.files.len() < 4096 {
            m.files.entry(path.to_string()).and_modify(|p| merge_perms(p, perms)).or_insert_with(|| perms.to_string());
        }
    }
    m
}

fn merge_perms(p: &mut String, more: &str) {
    let merged: String = p.chars().zip(more.chars()).map(|(a, b)| if a == '-' { b } else { a }).collect();
    *p = merged;
}

/// uid → name from the container's /etc/passwd (read through its root, no symlink followed).
pub fn passwd_names(root_pid: i32) -> HashMap<u32, String> {
    let Ok(root) = crate::agent::safefs::open_dir_path(std::path::Path::new(&format!("/proc/{root_pid}/root"))) else {
        return HashMap::new();
    };
    use std::os::fd::AsRawFd;
    let Ok(f) = crate::agent::safefs::open_file_beneath(root.as_raw_fd(), "etc/passwd") else { return HashMap::new() };
    let mut s = String::new();
    if f.take(1 << 20).read_to_string(&mut s).is_err() {
        return HashMap::new();
    }
    s.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            Some((f.get(2)?.parse().ok()?, f.first()?.to_string()))
        })
        .collect()
}

pub fn process(pid: i32, users: &HashMap<u32, String>) -> Option<Process> {
    let dir = crate::agent::proc::process::pid_dir(pid);
    let st = crate::agent::proc::stat::read(pid)?;
    let status = crate::agent::proc::process::status(pid);
    let mut errors = vec![];
    let exe = crate::agent::proc::process::readlink(dir.join("exe"));
    let exe_deleted = exe.as_deref().is_some_and(|e| e.ends_with(" (deleted)"));
    let (exe_sha256, exe_size) = match sha256_of(&dir.join("exe")) {
        Ok((h, n)) => (Some(h), Some(n)),
        Err(e) => {
            errors.push(format!("exe: {e}"));
            (None, None)
        }
    };
    let mut fds = vec![];
    let mut socket_inodes = vec![];
    if let Ok(rd) = std::fs::read_dir(dir.join("fd")) {
        for e in rd.flatten() {
            let Some(fd) = e.file_name().to_str().and_then(|s| s.parse().ok()) else { continue };
            let target = crate::agent::proc::process::readlink(e.path()).unwrap_or_default();
            if let Some(i) = target.strip_prefix("socket:[").and_then(|t| t.strip_suffix(']')).and_then(|t| t.parse().ok()) {
                socket_inodes.push(i);
            }
            fds.push(Fd { fd, target });
        }
    }
    fds.sort_by_key(|f| f.fd);
    socket_inodes.sort_unstable();
    socket_inodes.dedup();
    let maps = std::fs::read_to_string(dir.join("maps")).map(|t| parse_maps(&t)).unwrap_or_else(|e| {
        errors.push(format!("maps: {e}"));
        MapsSummary::default()
    });
    let ns = crate::agent::proc::process::namespaces(pid);
    let uid = crate::agent::proc::process::ids(status.get("Uid"));
    Some(Process {
        pid,
        ppid: st.ppid,
        name: st.comm.clone(),
        state: st.state.to_string(),
        threads: st.threads,
        user: uid.get(1).and_then(|u| users.get(u)).cloned(),
        uid,
        gid: crate::agent::proc::process::ids(status.get("Gid")),
        cmdline: crate::agent::proc::process::nul_list(pid, "cmdline").unwrap_or_default(),
        environ: crate::agent::proc::process::nul_list(pid, "environ").unwrap_or_default(),
        cwd: crate::agent::proc::process::readlink(dir.join("cwd")),
        root: crate::agent::proc::process::readlink(dir.join("root")),
        exe,
        exe_deleted,
        exe_sha256,
        exe_size,
        start_time: crate::agent::proc::process::start_time(st.start_ticks),
        vsize: st.vsize,
        rss_kb: st.rss_pages.max(0) as u64 * (crate::agent::proc::page_size() / 1024),
        fds,
        maps,
        socket_inodes,
        net_ns: ns.get("net").copied(),
        pid_ns: ns.get("pid").copied(),
        mnt_ns: ns.get("mnt").copied(),
        errors,
    })
}

/// Read every process of the container and the sockets of their network namespaces. The
/// processes are listed again now (`members`; `located` when they cannot be), each pinned by a
/// pidfd and kept only while the pin holds, so a PID reused by a process outside the container
/// is never read as the container's.
pub fn capture(container: &str, members: &Membership, located: &[i32], init: Option<i32>) -> Volatile {
    let users = init.map(passwd_names).unwrap_or_default();
    let mut processes = vec![];
    let first = members.list().unwrap_or_else(|| located.to_vec());
    let (pins, left) = pin::pin_members(|| members.list(), first);
    let mut vanished: Vec<i32> = left.into_iter().map(|(pid, _)| pid).collect();
    for pin in &pins {
        // read, then checked: while the pin holds, everything read under its PID was its own
        match process(pin.pid(), &users).filter(|_| pin.alive()) {
            Some(pr) => processes.push(pr),
            None => vanished.push(pin.pid()),
        }
    }
    vanished.sort_unstable();
    // one socket table per network namespace, read through one process in it
    let mut by_ns: BTreeMap<u64, i32> = BTreeMap::new();
    for p in &processes {
        if let Some(ns) = p.net_ns {
            by_ns.entry(ns).or_insert(p.pid);
        }
    }
    let mut holders: HashMap<u64, Vec<i32>> = HashMap::new();
    for p in &processes {
        for i in &p.socket_inodes {
            holders.entry(*i).or_default().push(p.pid);
        }
    }
    let mut socks = vec![];
    for pid in by_ns.values() {
        for mut s in sockets::of_netns(*pid) {
            s.pids = holders.get(&s.inode).cloned().unwrap_or_default();
            // the namespace may be the host's (hostNetwork): keep only what the container holds
            // plus listening sockets when the namespace is its own
            socks.push(s);
        }
    }
    let own_ns = by_ns.len() == 1 && by_ns.keys().next() != crate::agent::proc::process::namespaces(1).get("net");
    if !own_ns {
        socks.retain(|s| !s.pids.is_empty());
    }
    socks.sort_by(|a, b| (a.proto, a.inode).cmp(&(b.proto, b.inode)));
    socks.dedup_by(|a, b| a.proto == b.proto && a.inode == b.inode);
    Volatile { container: container.to_string(), captured_at: jiff::Timestamp::now(), processes, sockets: socks, vanished }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_summary_flags_rwx_and_deleted_files() {
        let t = "\
00400000-00452000 r-xp 00000000 08:02 173521 /tmp/x (deleted)
00652000-00653000 rw-p 00052000 08:02 173521 /tmp/x (deleted)
7f0000000000-7f0000021000 rwxp 00000000 00:00 0
7ffd000000-7ffd001000 r-xp 00000000 00:00 0 [vdso]
";
        let m = parse_maps(t);
        assert_eq!(m.count, 4);
        assert_eq!((m.rwx, m.anon_exec), (1, 1));
        assert_eq!(m.files.get("/tmp/x (deleted)").map(String::as_str), Some("rwxp"));
    }

    #[test]
    fn own_process_is_described() {
        let me = std::process::id() as i32;
        let p = process(me, &HashMap::new()).unwrap();
        assert!(!p.exe_deleted);
        assert_eq!(p.exe_size, std::fs::metadata(std::env::current_exe().unwrap()).ok().map(|m| m.len()));
        assert!(p.fds.iter().any(|f| f.fd == 0));
        assert!(p.maps.count > 0);
    }
}
