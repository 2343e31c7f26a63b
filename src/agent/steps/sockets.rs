//! Sockets of a network namespace from /proc/<pid>/net/{tcp,tcp6,udp,udp6,unix}, keyed by inode
//! so they can be matched to the `socket:[inode]` fds of the container's processes.

use serde::Serialize;
use std::net::{Ipv4Addr, Ipv6Addr};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Socket {
    /// tcp, tcp6, udp, udp6, unix
    pub proto: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<String>,
    /// TCP state name (LISTEN, ESTABLISHED…); for unix sockets the socket type.
    pub state: String,
    pub inode: u64,
    pub uid: Option<u32>,
    /// Processes of the container holding it (filled by the caller).
    pub pids: Vec<i32>,
}

fn tcp_state(hex: &str) -> String {
    match hex {
        "01" => "ESTABLISHED",
        "02" => "SYN_SENT",
        "03" => "SYN_RECV",
        "04" => "FIN_WAIT1",
        "05" => "FIN_WAIT2",
        "06" => "TIME_WAIT",
        "07" => "CLOSE",
        "08" => "CLOSE_WAIT",
        "09" => "LAST_ACK",
        "0A" => "LISTEN",
        "0B" => "CLOSING",
        "0C" => "NEW_SYN_RECV",
        other => return format!("0x{other}"),
    }
    .to_string()
}

/// `0100007F:1F90` → `127.0.0.1:8080`; IPv6 as four host-order 32-bit words → `[::1]:8080`.
fn addr(s: &str, v6: bool) -> Option<String> {
    let (a, p) = s.split_once(':')?;
    let port = u16::from_str_radix(p, 16).ok()?;
    if v6 {
        if a.len() != 32 {
            return None;
        }
        let mut b = [0u8; 16];
        for w in 0..4 {
            let word = u32::from_str_radix(&a[w * 8..w * 8 + 8], 16).ok()?;
            b[w * 4..w * 4 + 4].copy_from_slice(&word.to_ne_bytes());
        }
        Some(format!("[{}]:{port}", Ipv6Addr::from(b)))
    } else {
        let word = u32::from_str_radix(a, 16).ok()?;
        Some(format!("{}:{port}", Ipv4Addr::from(word.to_ne_bytes())))
    }
}

/// Parse a /proc/net/{tcp,tcp6,udp,udp6} table.
pub fn parse_inet(text: &str, proto: &'static str) -> Vec<Socket> {
    let v6 = proto.ends_with('6');
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let state = if proto.starts_with("udp") && f.get(3) == Some(&"07") { "UNCONN".to_string() } else { tcp_state(f.get(3)?) };
            Some(Socket {
                proto,
                local: addr(f.get(1)?, v6),
                remote: addr(f.get(2)?, v6),
                state,
                uid: f.get(7).and_then(|u| u.parse().ok()),
                inode: f.get(9)?.parse().ok()?,
                pids: vec![],
            })
        })
        .collect()
}

/// The fields of one /proc/net/unix entry line (`Num: RefCount Protocol Flags Type St Inode`) and
/// the rest of the line (the path, spaces kept), when the line has exactly the kernel's format.
fn unix_entry(l: &str) -> Option<([&str; 7], Option<&str>)> {
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    let (num, rest) = l.split_once(": ")?;
    let mut it = rest.splitn(6, ' ');
    let f = [it.next()?, it.next()?, it.next()?, it.next()?, it.next()?];
    let tail = it.next()?.trim_start_matches(' ');
    let (inode, path) = match tail.split_once(' ') {
        Some((i, p)) => (i, Some(p)),
        None => (tail, None),
    };
    let ok = !num.is_empty()
        && num.bytes().all(|b| b.is_ascii_hexdigit())
        && [8, 8, 8, 4, 2].iter().zip(f).all(|(n, v)| hex(v, *n))
        && !inode.is_empty()
        && inode.bytes().all(|b| b.is_ascii_digit());
    ok.then_some(([num, f[0], f[1], f[2], f[3], f[4], inode], path))
}

/// A socket path as text: control characters (a newline above all) and backslashes escaped.
pub fn escape_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// Parse /proc/net/unix (`Num RefCount Protocol Flags Type St Inode Path`). The kernel prints a
/// path's bytes as they are: a newline in a bound path continues it on the next line. A line that
/// is not an entry in the kernel's exact format is therefore the rest of the previous path, never
/// an entry of its own; paths are kept with their control characters escaped.
pub fn parse_unix(text: &str) -> Vec<Socket> {
    let mut out: Vec<Socket> = Vec::new();
    let mut raw_path: Option<String> = None;
    let flush = |out: &mut Vec<Socket>, raw: &mut Option<String>| {
        if let (Some(s), Some(p)) = (out.last_mut(), raw.take()) {
            s.local = Some(escape_path(&p));
        }
    };
    for l in text.lines().skip(1) {
        let Some((f, path)) = unix_entry(l) else {
            // the continuation of a path that held a newline
            if let Some(p) = raw_path.as_mut() {
                p.push('\n');
                p.push_str(l);
            }
            continue;
        };
        flush(&mut out, &mut raw_path);
        let ty = match f[4] {
            "0001" => "STREAM",
            "0002" => "DGRAM",
            "0005" => "SEQPACKET",
            _ => "OTHER",
        };
        let listening = u32::from_str_radix(f[3], 16).unwrap_or(0) & 0x10000 != 0;
        let Ok(inode) = f[6].parse() else { continue };
        out.push(Socket {
            proto: "unix",
            local: None,
            remote: None,
            state: if listening { format!("{ty} LISTEN") } else { ty.to_string() },
            inode,
            uid: None,
            pids: vec![],
        });
        // an unbound socket has no path: a following non-entry line cannot belong to it
        raw_path = path.map(str::to_string);
    }
    flush(&mut out, &mut raw_path);
    out
}

/// Every socket of the network namespace `pid` is in.
pub fn of_netns(pid: i32) -> Vec<Socket> {
    let dir = crate::agent::proc::process::pid_dir(pid).join("net");
    let mut out = vec![];
    for proto in ["tcp", "tcp6", "udp", "udp6"] {
        if let Ok(t) = std::fs::read_to_string(dir.join(proto)) {
            out.extend(parse_inet(&t, proto));
        }
    }
    if let Ok(t) = std::fs::read_to_string(dir.join("unix")) {
        out.extend(parse_unix(&t));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inet_tables_parse() {
        let tcp = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 123456 1 0000000000000000 100 0 0 10 0\n";
        let s = parse_inet(tcp, "tcp");
        assert_eq!(s[0].local.as_deref(), Some("127.0.0.1:8080"));
        assert_eq!(s[0].state, "LISTEN");
        assert_eq!(s[0].inode, 123456);
        let tcp6 = "hdr\n   0: 00000000000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 777 1\n";
        assert_eq!(parse_inet(tcp6, "tcp6")[0].local.as_deref(), Some("[::1]:80"));
        let unix = "Num       RefCount Protocol Flags    Type St Inode Path\n0000000000000000: 00000002 00000000 00010000 0001 01 4242 /run/x.sock\n";
        let u = parse_unix(unix);
        assert_eq!((u[0].inode, u[0].state.as_str(), u[0].local.as_deref()), (4242, "STREAM LISTEN", Some("/run/x.sock")));
        assert!(parse_inet("hdr\ngarbage line\n", "tcp").is_empty());
    }

    #[test]
    fn newlines_in_unix_paths_forge_no_entries() {
        let hdr = "Num       RefCount Protocol Flags    Type St Inode Path\n";
        let e = |inode: u64, path: &str| format!("0000000000000000: 00000002 00000000 00010000 0001 01 {inode:5} {path}\n");
        // a workload binds "/tmp/a\n/run/docker.sock LISTEN 1" and "/tmp/sp ace\x01"
        let text = format!(
            "{hdr}{}{}{}0000000000000000: 00000002 00000000 00000000 0002 01 77\n",
            e(100, "/tmp/a\n/run/docker.sock LISTEN 1"),
            e(101, "/tmp/sp ace\u{1}"),
            e(102, "@abstract\nfake: 00000002")
        );
        let u = parse_unix(&text);
        let got: Vec<(u64, Option<&str>)> = u.iter().map(|s| (s.inode, s.local.as_deref())).collect();
        assert_eq!(
            got,
            vec![
                (100, Some("/tmp/a\\n/run/docker.sock LISTEN 1")),
                (101, Some("/tmp/sp ace\\x01")),
                (102, Some("@abstract\\nfake: 00000002")),
                (77, None),
            ]
        );
        assert_eq!(u[3].state, "DGRAM");
        assert_eq!(escape_path("a\\b\tc"), "a\\\\b\\x09c");
    }

    #[test]
    fn own_namespace_has_a_socket_table() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let all = of_netns(std::process::id() as i32);
        assert!(all.iter().any(|s| s.state == "LISTEN" && s.local.as_deref() == Some(&format!("127.0.0.1:{port}"))));
    }
}
