//! Processes: shells on sockets, network and download tools, miners, executables that are
//! deleted, file-less or in a temporary directory.

use super::{at_process, shown};
use crate::triage::finding::{Finding, Severity};
use crate::triage::subject::{FdKind, Process, Subject};

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "busybox"];
const NET_TOOLS: &[&str] = &["nc", "ncat", "netcat", "nc.openbsd", "nc.traditional", "socat", "telnet"];
const DOWNLOADERS: &[&str] = &["curl", "wget"];
/// Names of common crypto-miners (and of the malware families that drop them).
pub const MINERS: &[&str] = &[
    "xmrig",
    "xmr-stak",
    "xmrig-notls",
    "minerd",
    "cpuminer",
    "ccminer",
    "nbminer",
    "t-rex",
    "lolminer",
    "kdevtmpfsi",
    "kinsing",
    "phoenixminer",
    "ethminer",
    "nanominer",
    "srbminer",
];
/// URL schemes of mining pools.
pub const POOL_SCHEMES: &[&str] = &["stratum+tcp://", "stratum+ssl://", "stratum+tls://", "stratum2+tcp://", "stratum1+tcp://"];

fn is_shell(p: &Process) -> bool {
    let n = p.names();
    // busybox counts as a shell only when it runs as one (argv[0] sh, or `busybox sh`)
    n.iter().any(|x| SHELLS.contains(&x.as_str()) && x != "busybox")
        || (n.iter().any(|x| x == "busybox") && p.cmdline.get(1).is_some_and(|a| SHELLS.contains(&a.as_str())))
}

fn applet(p: &Process, set: &[&str]) -> Option<String> {
    let mut n = p.names();
    // `busybox nc …`: the applet is argv[1]
    if n.iter().any(|x| x == "busybox")
        && let Some(a) = p.cmdline.get(1)
    {
        n.push(a.clone());
    }
    n.into_iter().find(|x| set.contains(&x.as_str()))
}

/// A pool URL in `text`, if any.
pub fn pool_url(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    POOL_SCHEMES.iter().find_map(|sch| {
        let i = lower.find(sch)?;
        let end = text[i..].find(|c: char| c.is_whitespace() || c == '"' || c == '\'').map_or(text.len(), |e| i + e);
        Some(&text[i..end])
    })
}

pub fn check(s: &Subject) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &s.processes {
        let ev = || at_process(s, p);
        let cmd = shown(&p.command());
        if is_shell(p) {
            let sock: Vec<_> = p.fds.iter().filter(|f| f.fd <= 2 && f.kind != FdKind::Other).collect();
            if let Some(f) = sock.iter().find(|f| f.kind == FdKind::Inet).or(sock.first()) {
                let (sev, what) =
                    if f.kind == FdKind::Inet { (Severity::Critical, "a network socket") } else { (Severity::High, "a socket") };
                out.push(Finding::new(
                    "KF-PROC-001",
                    sev,
                    format!("shell pid {} has {what} as fd {} ({}): {cmd}", p.pid, f.fd, shown(&f.target)),
                    ev(),
                ));
            }
        }
        if let Some(tool) = applet(p, NET_TOOLS) {
            let exec = p
                .cmdline
                .iter()
                .any(|a| matches!(a.as_str(), "-e" | "-c" | "--exec" | "--sh-exec") || a.to_ascii_lowercase().contains("exec:"));
            let (sev, how) = if exec { (Severity::Critical, " executing a program") } else { (Severity::High, "") };
            out.push(Finding::new("KF-PROC-002", sev, format!("{tool}{how} running as pid {}: {cmd}", p.pid), ev()));
        }
        if let Some(tool) = applet(p, DOWNLOADERS) {
            let parent = s.process(p.ppid);
            let from_shell = parent.is_some_and(is_shell);
            let (sev, by) = match parent {
                Some(pp) if !from_shell => (Severity::High, format!(" started by {} (pid {}), not a shell", shown(&pp.comm), pp.pid)),
                _ => (Severity::Medium, String::new()),
            };
            out.push(Finding::new("KF-PROC-003", sev, format!("{tool} running as pid {}{by}: {cmd}", p.pid), ev()));
        }
        let lower: Vec<String> = p.names().iter().chain(p.cmdline.iter()).map(|x| x.to_ascii_lowercase()).collect();
        if let Some(m) = MINERS.iter().find(|m| lower.iter().any(|x| x.rsplit('/').next() == Some(**m) || x.contains(&format!("{m}.")))) {
            out.push(Finding::new("KF-PROC-004", Severity::Critical, format!("miner name '{m}' in pid {}: {cmd}", p.pid), ev()));
        }
        if let Some(u) = p.cmdline.iter().find_map(|a| pool_url(a)) {
            out.push(Finding::new(
                "KF-PROC-005",
                Severity::Critical,
                format!("mining pool {} in the arguments of pid {}", shown(u), p.pid),
                ev(),
            ));
        } else if let Some((k, u)) = p.environ.iter().find_map(|e| Some((e.split('=').next().unwrap_or(""), pool_url(e)?))) {
            out.push(Finding::new(
                "KF-PROC-005",
                Severity::Critical,
                format!("mining pool {} in the environment of pid {} ({k})", shown(u), p.pid),
                ev(),
            ));
        }
        if let Some(exe) = &p.exe {
            if exe.starts_with("/memfd:") {
                out.push(Finding::new(
                    "KF-PROC-007",
                    Severity::Critical,
                    format!("pid {} runs a memfd-backed executable {}", p.pid, shown(exe)),
                    ev(),
                ));
            } else if p.exe_deleted {
                out.push(Finding::new(
                    "KF-PROC-006",
                    Severity::High,
                    format!("pid {} runs {} which was deleted from disk: {cmd}", p.pid, shown(exe)),
                    ev(),
                ));
            }
            if ["/tmp/", "/var/tmp/", "/dev/shm/"].iter().any(|d| exe.starts_with(d)) {
                out.push(Finding::new(
                    "KF-PROC-008",
                    Severity::High,
                    format!("pid {} runs {} from a temporary directory", p.pid, shown(exe)),
                    ev(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::subject::Fd;

    fn proc_(pid: u32, ppid: u32, comm: &str, exe: &str, cmd: &[&str]) -> Process {
        Process {
            pid,
            ppid,
            comm: comm.into(),
            exe: Some(exe.into()),
            cmdline: cmd.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    fn ids(s: &Subject) -> Vec<String> {
        check(s).into_iter().map(|f| f.rule_id).collect()
    }

    #[test]
    fn busybox_applets_are_recognised_by_argv() {
        let mut sh = proc_(10, 1, "sh", "/bin/busybox", &["sh", "-i"]);
        sh.fds = vec![Fd { fd: 0, kind: FdKind::Inet, target: "socket:[77]".into() }];
        let nc = proc_(11, 1, "nc", "/bin/busybox", &["nc", "-l", "-p", "4444", "-e", "sh"]);
        let s = Subject { processes: vec![sh, nc], ..Default::default() };
        let f = check(&s);
        assert!(f.iter().any(|f| f.rule_id == "KF-PROC-001" && f.severity == Severity::Critical), "{f:?}");
        assert!(f.iter().any(|f| f.rule_id == "KF-PROC-002" && f.severity == Severity::Critical), "{f:?}");
    }

    #[test]
    fn benign_processes_raise_nothing() {
        let s = Subject {
            processes: vec![
                proc_(1, 0, "sh", "/bin/busybox", &["sh", "-c", "while true; do sleep 1; done"]),
                proc_(2, 1, "sleep", "/bin/busybox", &["sleep", "1"]),
                proc_(3, 1, "nginx", "/usr/sbin/nginx", &["nginx: worker process"]),
            ],
            ..Default::default()
        };
        assert!(ids(&s).is_empty(), "{:?}", check(&s));
    }

    #[test]
    fn miners_pools_and_dropped_binaries() {
        let mut m = proc_(5, 1, "xmrig", "/tmp/.x/xmrig", &["xmrig", "-o", "stratum+tcp://pool.example:3333"]);
        m.exe_deleted = true;
        let f = proc_(6, 1, "x", "/memfd:x", &["x"]);
        let s = Subject { processes: vec![m, f], ..Default::default() };
        let got = ids(&s);
        for id in ["KF-PROC-004", "KF-PROC-005", "KF-PROC-006", "KF-PROC-007", "KF-PROC-008"] {
            assert!(got.iter().any(|g| g == id), "{id} missing: {got:?}");
        }
        assert_eq!(pool_url("url=stratum+tcp://pool.example:3333 more"), Some("stratum+tcp://pool.example:3333"));
    }

    #[test]
    fn curl_from_a_service_is_worse_than_from_a_shell() {
        let svc = proc_(1, 0, "java", "/usr/bin/java", &["java", "-jar", "app.jar"]);
        let c = proc_(2, 1, "curl", "/usr/bin/curl", &["curl", "http://x"]);
        let s = Subject { processes: vec![svc, c], ..Default::default() };
        assert_eq!(check(&s)[0].severity, Severity::High);
    }
}
