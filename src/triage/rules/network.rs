//! Sockets: what listens, and connections out of the container.

use crate::triage::finding::{Evidence, Finding, Severity};
use crate::triage::subject::Subject;

fn port(addr: &str) -> Option<u32> {
    addr.rsplit(':').next()?.parse().ok()
}

fn loopback(addr: &str) -> bool {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h).trim_start_matches('[').trim_end_matches(']');
    host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback() || ip.to_string().starts_with("::ffff:127."))
}

pub fn check(s: &Subject) -> Vec<Finding> {
    let mut out = Vec::new();
    let listening: Vec<u32> = s.sockets.iter().filter(|x| x.state == "LISTEN").filter_map(|x| port(&x.local)).collect();
    for x in &s.sockets {
        if x.proto.starts_with("unix") {
            continue;
        }
        let pid = x.pids.first().copied();
        let who = match pid.and_then(|p| s.process(p)) {
            Some(p) => format!("{} (pid {})", super::shown(&p.comm), p.pid),
            None => "no process of the container".to_string(),
        };
        let ev = Evidence { artifact: s.processes_from.clone(), container: Some(s.name.clone()), pid, ..Default::default() };
        if x.state == "LISTEN" || (x.proto.starts_with("udp") && x.remote.ends_with(":0")) {
            out.push(Finding::new("KF-NET-001", Severity::Low, format!("{} listening on {} by {who}", x.proto, x.local), ev));
        } else if x.state == "ESTABLISHED" && !port(&x.local).is_some_and(|p| listening.contains(&p)) && !loopback(&x.remote) {
            out.push(Finding::new(
                "KF-NET-002",
                Severity::Medium,
                format!("{} connection {} -> {} by {who}", x.proto, x.local, x.remote),
                ev,
            ));
        }
    }
    out
}
