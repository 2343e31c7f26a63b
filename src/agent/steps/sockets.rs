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

/// Parse /proc/net/unix (`Num RefCount Protocol Flags Type St Inode Path`).
pub fn parse_unix(text: &str) -> Vec<Socket> {
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let ty = match *f.get(4)? {
                "0001" => "STREAM",
                "0002" => "DGRAM",
                "0005" => "SEQPACKET",
                _ => "OTHER",
            };
            let listening = u32::from_str_radix(f.get(3)?, 16).ok()? & 0x10000 != 0;
            Some(Socket {
                proto: "unix",
                local: f.get(7).map(|p| p.to_string()),
                remote: None,
                state: if listening { format!("{ty} LISTEN") } else { ty.to_string() },
                inode: f.get(6)?.parse().ok()?,
                uid: None,
                pids: vec![],
            })
        })
        .collect()
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
    fn own_namespace_has_a_socket_table() {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = l.local_addr().unwrap().port();
        let all = of_netns(std::process::id() as i32);
        assert!(all.iter().any(|s| s.state == "LISTEN" && s.local.as_deref() == Some(&format!("127.0.0.1:{port}"))));
    }
}
