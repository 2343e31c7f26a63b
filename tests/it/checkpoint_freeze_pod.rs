//! `checkpoint pod --freeze-pod`: every container of the pod frozen together, before the first
//! is captured and until the last is; thawed afterwards, and thawed by the node side when the
//! CLI is killed mid-freeze.

use crate::checkpoint::{case_id, checkpoint, collector_pods, host_pid, wait_for};
use crate::support::pod::{BUSYBOX, Pod};
use crate::support::{self, CLUSTER, TestEnv, require, stderr, stdout};
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// A container that writes the node's uptime (centiseconds) into /tmp/tick every 20 ms; `marker`
/// makes its shell findable on the node.
fn ticking(marker: &str) -> String {
    format!(
        "echo {marker} >/dev/null; while true; do cut -d' ' -f1 /proc/uptime >/tmp/tick.new; mv /tmp/tick.new /tmp/tick; usleep 20000; done"
    )
}

/// A pod of two ticking containers (`a`, `b`), running; the host pids of their shells.
fn start_two_tickers(env: &TestEnv, ns: &str, tag: u32) -> (i32, i32) {
    let (ma, mb) = (format!("tick-a-{tag}"), format!("tick-b-{tag}"));
    let pod = Pod::new(ns, "pair").grace(1).container("a", BUSYBOX).sh(&ticking(&ma)).container("b", BUSYBOX).sh(&ticking(&mb));
    env.apply(&pod.yaml());
    env.wait_running(ns, "pair", 90);
    let a = wait_for(30, || host_pid(&ma)).expect("container a's shell on the node");
    let b = wait_for(30, || host_pid(&mb)).expect("container b's shell on the node");
    (a, b)
}

/// The freezer cgroup directory of `pid` (cgroup v1 freezer or the v2 unified hierarchy).
fn cgroup_dir(pid: i32) -> Option<PathBuf> {
    let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    if let Some(l) = cg.lines().find(|l| l.split(':').nth(1).is_some_and(|c| c.split(',').any(|c| c == "freezer"))) {
        return Some(PathBuf::from(format!("/sys/fs/cgroup/freezer{}", l.splitn(3, ':').nth(2)?)));
    }
    Some(PathBuf::from(format!("/sys/fs/cgroup{}", cg.lines().find_map(|l| l.strip_prefix("0::"))?)))
}

fn frozen(dir: &Path) -> bool {
    match std::fs::read_to_string(dir.join("freezer.state")) {
        Ok(s) => s.trim() == "FROZEN",
        Err(_) => std::fs::read_to_string(dir.join("cgroup.events")).is_ok_and(|e| e.lines().any(|l| l.trim() == "frozen 1")),
    }
}

/// The last tick a container's export holds (its /tmp/tick), in seconds of node uptime.
fn tick_in_export(rootfs: &Path) -> f64 {
    let mut ar = tar::Archive::new(zstd::Decoder::new(std::fs::File::open(rootfs).unwrap()).unwrap());
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy().trim_start_matches("./") == "tmp/tick" {
            let mut s = String::new();
            e.read_to_string(&mut s).unwrap();
            return s.trim().parse().unwrap();
        }
    }
    panic!("no tmp/tick in {}", rootfs.display());
}

fn uptime() -> f64 {
    std::fs::read_to_string("/proc/uptime").unwrap().split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn freeze_pod_cuts_every_container_at_one_moment_and_thaws_them_together() {
    let Some(env) = require("freeze_pod_cuts_every_container_at_one_moment_and_thaws_them_together", CLUSTER) else { return };
    let ns = env.namespace("freeze-pod");
    let (a, b) = start_two_tickers(env, &ns.name, fastrand::u32(1000..1_000_000));
    let (cga, cgb) = (cgroup_dir(a).unwrap(), cgroup_dir(b).unwrap());
    let pod_cg = cga.parent().unwrap().to_path_buf();
    assert_eq!(cgb.parent().unwrap(), pod_cg, "the two containers share the pod's cgroup");
    // watch the node while the capture runs: were both containers ever frozen at the same moment?
    let (stop, both) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
    let watcher = {
        let (stop, both, cga, cgb) = (stop.clone(), both.clone(), cga.clone(), cgb.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                if frozen(&cga) && frozen(&cgb) {
                    both.store(true, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("freezepod");
    let started = uptime();
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "pair", &case, dir.path(), &["--freeze-pod", "--no-triage"]);
    let ended = uptime();
    stop.store(true, Ordering::SeqCst);
    watcher.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], true, "{}", report["manifest"]["errors"]);
    let bundle = dir.path().join(&case);
    assert!(support::verify_ok(&bundle));
    assert!(both.load(Ordering::SeqCst), "the two containers were never frozen at the same time");
    // the freeze is recorded: held until asked to thaw
    let pod_dir = bundle.join(format!("pods/{}/pair", ns.name));
    let rec: Value = serde_json::from_slice(&std::fs::read(pod_dir.join("pod-freeze.json")).unwrap()).unwrap();
    assert_eq!(rec["ended_by"], "thaw", "{rec}");
    assert!(rec["frozen_ms"].as_u64().unwrap() > 0, "{rec}");
    assert!(rec["cgroup"].as_str().unwrap().contains(pod_cg.file_name().unwrap().to_str().unwrap()), "{rec} vs {}", pod_cg.display());
    // one cut: the containers were captured one after the other, yet their clocks stopped together
    let (ta, tb) = (tick_in_export(&pod_dir.join("a/rootfs.tar.zst")), tick_in_export(&pod_dir.join("b/rootfs.tar.zst")));
    assert!((started..ended).contains(&ta) && (started..ended).contains(&tb), "ticks {ta} {tb} outside the run {started}..{ended}");
    assert!((ta - tb).abs() <= 0.1, "container a stopped at {ta}, b at {tb}: not one cut");
    // thawed afterwards: both run on
    assert!(!frozen(&cga) && !frozen(&cgb) && !frozen(&pod_cg), "left frozen");
    let tick = || env.kubectl(&["-n", &ns.name, "exec", "pair", "-c", "b", "--", "cat", "/tmp/tick"]).trim().parse::<f64>().unwrap_or(0.0);
    let first = tick();
    assert!(wait_for(10, || (tick() > first).then_some(())).is_some(), "container b does not tick any more");
    assert!(wait_for(30, || collector_pods(env, "kforensic", &case).is_empty().then_some(())).is_some(), "collector pod left behind");
}

#[test]
fn a_cli_killed_while_the_pod_is_frozen_leaves_it_thawed() {
    let Some(env) = require("a_cli_killed_while_the_pod_is_frozen_leaves_it_thawed", CLUSTER) else { return };
    let ns = env.namespace("freeze-pod-kill");
    let (a, _) = start_two_tickers(env, &ns.name, fastrand::u32(1000..1_000_000));
    let pod_cg = cgroup_dir(a).unwrap().parent().unwrap().to_path_buf();
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("freezepodkill");
    let (image, pull) = env.collector_image();
    let mut child = support::kf()
        .kubeconfig(env.admin_kubeconfig())
        .args(["-n", &ns.name, "--case-id", &case, "checkpoint", "pod", "pair", "--freeze-pod", "--memory=proc", "--timeout", "1m"])
        .args(["--image", image])
        .args(pull)
        .args(["--dest", dir.path().to_str().unwrap()])
        .spawn();
    wait_for(150, || frozen(&pod_cg).then_some(())).expect("the pod was never frozen");
    let t = Instant::now();
    child.kill().unwrap();
    let _ = child.wait();
    // nobody on the API side is left: the agent holding the freeze loses its stdin and thaws
    let thawed = wait_for(90, || (!frozen(&pod_cg)).then_some(()));
    assert!(thawed.is_some(), "pod still frozen {:?} after the CLI was killed", t.elapsed());
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "pods", "-l", &format!("kforensic.io/case={case}"), "--wait=false"], None);
}
