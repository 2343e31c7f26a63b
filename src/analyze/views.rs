//! The rows of each view, built from the decoded dump.

use super::criu::{Dump, Task};
use super::proto::{FileEntry, InetSkEntry, UnixSkEntry, fd_type};
use serde::Serialize;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, Serialize)]
pub struct ProcessRow {
    pub pid: u32,
    pub ppid: u32,
    /// depth in the process tree (0 = a root)
    pub depth: usize,
    pub comm: String,
    pub state: String,
    pub threads: usize,
    pub uid: Option<u32>,
    pub euid: Option<u32>,
    pub exe: Option<String>,
    pub exe_deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmdline: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    /// Where the main thread was (ELF cores): `syscall N at file+offset`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// Processes in tree order (parents before children).
pub fn processes(d: &Dump, cmd: bool, env: bool) -> Vec<ProcessRow> {
    let mut out = Vec::new();
    let pids: std::collections::HashSet<u32> = d.tasks.iter().map(|t| t.pid).collect();
    let mut stack: Vec<(&Task, usize)> =
        d.tasks.iter().filter(|t| !pids.contains(&t.ppid) || t.ppid == t.pid).rev().map(|t| (t, 0)).collect();
    let mut seen = std::collections::HashSet::new();
    while let Some((t, depth)) = stack.pop() {
        if !seen.insert(t.pid) {
            continue;
        }
        out.push(row(d, t, depth, cmd, env));
        for c in d.tasks.iter().filter(|c| c.ppid == t.pid && c.pid != t.pid).rev() {
            stack.push((c, depth + 1));
        }
    }
    // anything not reached (a cycle in a hostile pstree) still gets listed
    for t in &d.tasks {
        if seen.insert(t.pid) {
            out.push(row(d, t, 0, cmd, env));
        }
    }
    out
}

fn row(d: &Dump, t: &Task, depth: usize, cmd: bool, env: bool) -> ProcessRow {
    let exe_id = t.mm.as_ref().map(|m| m.exe_file_id);
    ProcessRow {
        pid: t.pid,
        ppid: t.ppid,
        depth,
        comm: t.comm.clone(),
        state: t.state.to_string(),
        threads: t.threads.len().max(1),
        uid: t.creds.as_ref().map(|c| c.uid),
        euid: t.creds.as_ref().map(|c| c.euid),
        exe: exe_id.and_then(|id| d.files.get(&id)).and_then(|f| f.reg.as_ref()).map(|r| r.name.clone()),
        exe_deleted: exe_id.is_some_and(|id| d.is_deleted(id)),
        cmdline: if cmd { Some(t.cmdline().unwrap_or_default()) } else { None },
        env: if env { Some(t.environ().unwrap_or_default()) } else { None },
        location: None,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct FileRow {
    pub pid: u32,
    /// a descriptor number, or cwd / root / exe
    pub fd: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub path: String,
    pub deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flags: Option<String>,
}

pub fn files(d: &Dump) -> Vec<FileRow> {
    let mut out = Vec::new();
    for t in &d.tasks {
        let special = [
            ("cwd", t.fs.as_ref().map(|f| f.cwd_id)),
            ("root", t.fs.as_ref().map(|f| f.root_id)),
            ("exe", t.mm.as_ref().map(|m| m.exe_file_id)),
        ];
        for (name, id) in special {
            if let Some(id) = id {
                out.push(FileRow {
                    pid: t.pid,
                    fd: name.into(),
                    kind: "reg".into(),
                    path: d
                        .files
                        .get(&id)
                        .and_then(|f| f.reg.as_ref())
                        .map(|r| r.name.clone())
                        .unwrap_or_else(|| format!("[file id {id}]")),
                    deleted: d.is_deleted(id),
                    pos: None,
                    flags: None,
                });
            }
        }
        let mut fds = t.fds.clone();
        fds.sort_by_key(|f| f.fd);
        for fd in fds {
            let f = d.files.get(&fd.id);
            let (path, pos, flags) = match f {
                Some(f) => describe(d, f),
                None => (format!("[{} id {}]", fd_type::name(fd.r#type), fd.id), None, None),
            };
            out.push(FileRow {
                pid: t.pid,
                fd: fd.fd.to_string(),
                kind: fd_type::name(f.map(|f| f.r#type).unwrap_or(fd.r#type)).into(),
                path,
                deleted: f.is_some_and(|f| f.reg.is_some() && d.is_deleted(f.id)),
                pos,
                flags,
            });
        }
    }
    out
}

fn open_mode(flags: u32) -> String {
    let acc = match flags & 3 {
        0 => "r",
        1 => "w",
        _ => "rw",
    };
    let mut s = acc.to_string();
    if flags & 0o2000 != 0 {
        s.push_str(",append");
    }
    if flags & 0o2000000 != 0 {
        s.push_str(",cloexec");
    }
    s
}

fn describe(d: &Dump, f: &FileEntry) -> (String, Option<u64>, Option<String>) {
    if let Some(r) = &f.reg {
        return (r.name.clone(), Some(r.pos), Some(open_mode(r.flags)));
    }
    if let Some(p) = &f.pipe {
        return (format!("pipe:[{}]", p.pipe_id), None, Some(open_mode(p.flags)));
    }
    if let Some(u) = &f.usk {
        let name = unix_name(u);
        return (if name.is_empty() { format!("socket:[{}]", u.ino) } else { format!("socket:[{}] {name}", u.ino) }, None, None);
    }
    if let Some(i) = &f.isk {
        return (format!("socket:[{}] {} {}", i.ino, inet_local(i), proto_name(i)), None, None);
    }
    let _ = d;
    (format!("[{} id {}]", fd_type::name(f.r#type), f.id), None, None)
}

#[derive(Debug, Clone, Serialize)]
pub struct SocketRow {
    pub pid: u32,
    pub fd: u32,
    pub proto: String,
    pub local: String,
    pub remote: String,
    pub state: String,
    pub inode: u32,
}

pub fn tcp_state(s: u32) -> &'static str {
    match s {
        1 => "ESTABLISHED",
        2 => "SYN_SENT",
        3 => "SYN_RECV",
        4 => "FIN_WAIT1",
        5 => "FIN_WAIT2",
        6 => "TIME_WAIT",
        7 => "CLOSE",
        8 => "CLOSE_WAIT",
        9 => "LAST_ACK",
        10 => "LISTEN",
        11 => "CLOSING",
        _ => "UNKNOWN",
    }
}

fn unix_name(u: &UnixSkEntry) -> String {
    if u.name.is_empty() {
        return String::new();
    }
    if u.name[0] == 0 {
        return format!("@{}", String::from_utf8_lossy(&u.name[1..]));
    }
    // a path name may carry the NUL padding of the sockaddr it was bound with
    let end = u.name.iter().position(|&b| b == 0).unwrap_or(u.name.len());
    let n = String::from_utf8_lossy(&u.name[..end]).into_owned();
    let n = match &u.name_dir {
        Some(dir) if !n.starts_with('/') && !dir.is_empty() => format!("{}/{n}", dir.trim_end_matches('/')),
        _ => n,
    };
    if u.deleted == Some(true) { format!("{n} (deleted)") } else { n }
}

fn unix_type(t: u32) -> &'static str {
    match t {
        1 => "stream",
        2 => "dgram",
        5 => "seqpacket",
        _ => "other",
    }
}

fn proto_name(i: &InetSkEntry) -> String {
    let p = match (i.proto, i.r#type) {
        (6, _) => "tcp",
        (17, _) => "udp",
        (136, _) => "udplite",
        (_, 3) => "raw",
        _ => "ip",
    };
    if i.family == 10 { format!("{p}6") } else { p.to_string() }
}

fn addr(family: u32, words: &[u32], port: u32) -> String {
    let mut bytes = Vec::with_capacity(16);
    for w in words {
        bytes.extend(w.to_le_bytes());
    }
    match (family, bytes.len()) {
        (2, n) if n >= 4 => format!("{}:{port}", Ipv4Addr::new(bytes[0], bytes[1], bytes[2], bytes[3])),
        (10, n) if n >= 16 => {
            let mut b = [0u8; 16];
            b.copy_from_slice(&bytes[..16]);
            format!("[{}]:{port}", Ipv6Addr::from(b))
        }
        _ => format!("?:{port}"),
    }
}

fn inet_local(i: &InetSkEntry) -> String {
    addr(i.family, &i.src_addr, i.src_port)
}

pub fn sockets(d: &Dump) -> Vec<SocketRow> {
    let by_ino: std::collections::HashMap<u32, &UnixSkEntry> =
        d.files.values().filter_map(|f| f.usk.as_ref()).map(|u| (u.ino, u)).collect();
    let mut out = Vec::new();
    for t in &d.tasks {
        let mut fds = t.fds.clone();
        fds.sort_by_key(|f| f.fd);
        for fd in fds {
            let Some(f) = d.files.get(&fd.id) else { continue };
            if let Some(u) = &f.usk {
                let remote = match by_ino.get(&u.peer) {
                    _ if u.peer == 0 => String::new(),
                    Some(p) if !unix_name(p).is_empty() => unix_name(p),
                    _ => format!("socket:[{}]", u.peer),
                };
                out.push(SocketRow {
                    pid: t.pid,
                    fd: fd.fd,
                    proto: format!("unix/{}", unix_type(u.r#type)),
                    local: unix_name(u),
                    remote,
                    state: tcp_state(u.state).into(),
                    inode: u.ino,
                });
            } else if let Some(i) = &f.isk {
                out.push(SocketRow {
                    pid: t.pid,
                    fd: fd.fd,
                    proto: proto_name(i),
                    local: inet_local(i),
                    remote: addr(i.family, &i.dst_addr, i.dst_port),
                    state: tcp_state(i.state).into(),
                    inode: i.ino,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn inet_addresses_are_in_network_order_words() {
        // 127.0.0.1 as CRIU stores it: the in-memory u32 of the address bytes
        let w = u32::from_le_bytes([127, 0, 0, 1]);
        assert_eq!(super::addr(2, &[w], 8080), "127.0.0.1:8080");
        let one = u32::from_le_bytes([0, 0, 0, 1]);
        assert_eq!(super::addr(10, &[0, 0, 0, one], 443), "[::1]:443");
    }
}
