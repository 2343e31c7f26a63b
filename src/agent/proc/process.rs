//! Reading /proc: process lists, status fields, cgroups, namespaces, start times (`stat`,
//! mountinfo and maps are parsed in [`crate::agent::proc`]).
//! Everything here is data a hostile process can shape (its name, its cmdline): parse defensively.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where /proc is (tests and the collector use the real one).
pub const PROC: &str = "/proc";

pub fn pid_dir(pid: i32) -> PathBuf {
    Path::new(PROC).join(pid.to_string())
}

/// Every numeric entry of /proc.
pub fn all_pids() -> Vec<i32> {
    let mut v: Vec<i32> = std::fs::read_dir(PROC)
        .map(|rd| rd.flatten().filter_map(|e| e.file_name().to_str().and_then(|s| s.parse().ok())).collect())
        .unwrap_or_default();
    v.sort_unstable();
    v
}

/// /proc/<pid>/status as key → value.
pub fn status(pid: i32) -> BTreeMap<String, String> {
    std::fs::read_to_string(pid_dir(pid).join("status")).map(|s| parse_status(&s)).unwrap_or_default()
}

pub fn parse_status(s: &str) -> BTreeMap<String, String> {
    s.lines().filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_string(), v.trim().to_string())).collect()
}

/// The four ids of a `Uid:`/`Gid:` status line: real, effective, saved, filesystem.
pub fn ids(v: Option<&String>) -> Vec<u32> {
    v.map(|s| s.split_whitespace().filter_map(|x| x.parse().ok()).collect()).unwrap_or_default()
}

/// NUL-separated /proc files (cmdline, environ) as strings (lossy: they are arbitrary bytes).
pub fn nul_list(pid: i32, file: &str) -> Option<Vec<String>> {
    let b = std::fs::read(pid_dir(pid).join(file)).ok()?;
    Some(b.split(|c| *c == 0).filter(|x| !x.is_empty()).map(|x| String::from_utf8_lossy(x).into_owned()).collect())
}

pub fn readlink(p: impl AsRef<Path>) -> Option<String> {
    std::fs::read_link(p).ok().map(|t| t.to_string_lossy().into_owned())
}

/// /proc/<pid>/cgroup lines (`hierarchy:controllers:path`).
pub fn cgroup_lines(pid: i32) -> Vec<String> {
    std::fs::read_to_string(pid_dir(pid).join("cgroup")).map(|s| s.lines().map(str::to_string).collect()).unwrap_or_default()
}

/// Does a cgroup line name this container id (as a whole path component or part of one such as
/// `cri-containerd-<id>.scope` / `docker-<id>.scope` / `crio-<id>.scope`)?
pub fn cgroup_names(line: &str, id: &str) -> bool {
    let path = line.splitn(3, ':').nth(2).unwrap_or("");
    path.split('/').any(|c| {
        // CRI-O puts conmon (the runtime's monitor, not the container) in crio-conmon-<id>.scope
        if c.contains("conmon") {
            return false;
        }
        c == id
            || c.strip_suffix(".scope").is_some_and(|c| c.rsplit(['-', ':']).next() == Some(id))
            || c.rsplit(['-', ':']).next() == Some(id) && c.len() > id.len()
    })
}

/// Processes whose cgroup names the container id.
pub fn pids_in_cgroup(id: &str) -> Vec<i32> {
    all_pids().into_iter().filter(|p| cgroup_lines(*p).iter().any(|l| cgroup_names(l, id))).collect()
}

/// Namespace ids (`net:[4026531840]` → 4026531840) by namespace name.
pub fn namespaces(pid: i32) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for ns in ["cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "user", "uts"] {
        if let Some(t) = readlink(pid_dir(pid).join("ns").join(ns))
            && let Some(n) = t.rsplit('[').next().and_then(|x| x.trim_end_matches(']').parse().ok())
        {
            m.insert(ns.to_string(), n);
        }
    }
    m
}

/// Seconds since the epoch at boot (`btime` of /proc/stat).
pub fn boot_time() -> Option<u64> {
    let s = std::fs::read_to_string(Path::new(PROC).join("stat")).ok()?;
    s.lines().find_map(|l| l.strip_prefix("btime ")).and_then(|v| v.trim().parse().ok())
}

/// A process start time as an RFC 3339 timestamp.
pub fn start_time(start_ticks: u64) -> Option<jiff::Timestamp> {
    let boot = boot_time()?;
    let ticks = crate::agent::proc::clk_tck();
    let ms = boot as i64 * 1000 + (start_ticks as i64 * 1000) / ticks as i64;
    jiff::Timestamp::from_millisecond(ms).ok()
}

/// Capability names for the bits of a hex mask (`CapEff: 00000000a80425fb`).
pub fn cap_names(hex_mask: &str) -> Vec<String> {
    const NAMES: [&str; 41] = [
        "chown",
        "dac_override",
        "dac_read_search",
        "fowner",
        "fsetid",
        "kill",
        "setgid",
        "setuid",
        "setpcap",
        "linux_immutable",
        "net_bind_service",
        "net_broadcast",
        "net_admin",
        "net_raw",
        "ipc_lock",
        "ipc_owner",
        "sys_module",
        "sys_rawio",
        "sys_chroot",
        "sys_ptrace",
        "sys_pacct",
        "sys_admin",
        "sys_boot",
        "sys_nice",
        "sys_resource",
        "sys_time",
        "sys_tty_config",
        "mknod",
        "lease",
        "audit_write",
        "audit_control",
        "setfcap",
        "mac_override",
        "mac_admin",
        "syslog",
        "wake_alarm",
        "block_suspend",
        "audit_read",
        "perfmon",
        "bpf",
        "checkpoint_restore",
    ];
    let Ok(mask) = u64::from_str_radix(hex_mask.trim(), 16) else { return vec![] };
    (0..64)
        .filter(|b| mask & (1u64 << b) != 0)
        .map(|b| NAMES.get(b).map(|n| format!("CAP_{}", n.to_uppercase())).unwrap_or_else(|| format!("cap_{b}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_process_reads() {
        let me = std::process::id() as i32;
        let st = crate::agent::proc::stat::read(me).unwrap();
        assert!(st.ppid > 0);
        assert!(start_time(st.start_ticks).unwrap() <= jiff::Timestamp::now());
        assert!(namespaces(me).contains_key("pid"));
        assert!(!status(me).is_empty());
    }

    #[test]
    fn cgroup_lines_match_runtime_naming_schemes() {
        let id = "0123abcd";
        assert!(cgroup_names("0::/k8s.io/0123abcd", id));
        assert!(cgroup_names("4:memory:/kubepods/besteffort/pod1/0123abcd", id));
        assert!(cgroup_names("0::/kubepods.slice/x.slice/cri-containerd-0123abcd.scope", id));
        assert!(cgroup_names("0::/system.slice/docker-0123abcd.scope", id));
        assert!(cgroup_names("0::/kubepods.slice/crio-0123abcd.scope", id));
        assert!(!cgroup_names("0::/kubepods.slice/crio-conmon-0123abcd.scope", id));
        assert!(!cgroup_names("0::/k8s.io/0123abcdef", id));
        assert!(!cgroup_names("0::/k8s.io/x0123abcd", id));
    }

    #[test]
    fn capability_masks_decode() {
        assert_eq!(cap_names("0000000000000001"), vec!["CAP_CHOWN"]);
        assert_eq!(cap_names("0000000000200000"), vec!["CAP_SYS_ADMIN"]);
        assert!(cap_names("zz").is_empty());
    }
}
