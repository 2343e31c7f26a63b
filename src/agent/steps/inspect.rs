//! inspect: the runtime's view of the container (OCI config + state, or docker inspect) and what
//! /proc says of its init process.

use crate::agent::proc::{mountinfo, stat};
use crate::agent::runtime::locate::Located;
use serde_json::{Value, json};

fn seccomp_mode(v: Option<&String>) -> &'static str {
    match v.map(String::as_str) {
        Some("0") => "disabled",
        Some("1") => "strict",
        Some("2") => "filter",
        _ => "unknown",
    }
}

/// /proc's view of one process: identity, capabilities, seccomp, namespaces, cgroups, start.
pub fn proc_view(pid: i32) -> Value {
    let status = crate::agent::proc::process::status(pid);
    let st = stat::read(pid);
    let caps: serde_json::Map<String, Value> = ["CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"]
        .iter()
        .filter_map(|k| status.get(*k).map(|v| (k.to_string(), json!({"hex": v, "names": crate::agent::proc::process::cap_names(v)}))))
        .collect();
    let root = mountinfo::read(pid).ok().and_then(|m| mountinfo::root_mount(&m).cloned());
    let apparmor =
        std::fs::read_to_string(crate::agent::proc::process::pid_dir(pid).join("attr/current")).ok().map(|s| s.trim().to_string());
    json!({
        "pid": pid,
        "ppid": st.as_ref().map(|s| s.ppid),
        "name": st.as_ref().map(|s| s.comm.clone()),
        "state": st.as_ref().map(|s| s.state),
        "start_time": st.as_ref().and_then(|s| crate::agent::proc::process::start_time(s.start_ticks)),
        "cmdline": crate::agent::proc::process::nul_list(pid, "cmdline"),
        "uid": crate::agent::proc::process::ids(status.get("Uid")),
        "gid": crate::agent::proc::process::ids(status.get("Gid")),
        "groups": status.get("Groups").map(|g| g.split_whitespace().filter_map(|x| x.parse::<u32>().ok()).collect::<Vec<_>>()),
        "capabilities": caps,
        "no_new_privs": status.get("NoNewPrivs").map(|v| v == "1"),
        "seccomp": seccomp_mode(status.get("Seccomp")),
        "seccomp_filters": status.get("Seccomp_filters").and_then(|v| v.parse::<u64>().ok()),
        "apparmor": apparmor,
        "namespaces": crate::agent::proc::process::namespaces(pid),
        "host_namespaces": host_shared(pid),
        "cgroup": crate::agent::proc::process::cgroup_lines(pid),
        "root_mount": root,
    })
}

/// Namespaces the process shares with PID 1 of the node (hostNetwork, hostPID, hostIPC…).
fn host_shared(pid: i32) -> Vec<String> {
    let host = crate::agent::proc::process::namespaces(1);
    if host.is_empty() {
        return vec![];
    }
    crate::agent::proc::process::namespaces(pid).into_iter().filter(|(k, v)| host.get(k) == Some(v)).map(|(k, _)| k).collect()
}

pub fn report(container: &str, l: &Located, docker_inspect: Option<Value>) -> Value {
    let mut runtime = Value::Object(l.runtime.clone());
    if let Some(d) = docker_inspect {
        runtime["docker_inspect"] = d;
    }
    json!({
        "container": container,
        "captured_at": jiff::Timestamp::now(),
        "running": l.init.is_some(),
        "processes": l.pids.len(),
        "identity": l.identity,
        "runtime": runtime,
        "init": l.init.map(proc_view),
        "notes": l.notes,
    })
}
