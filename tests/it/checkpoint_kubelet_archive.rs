//! A kubelet checkpoint archive the client abandons is removed from the node by the collector
//! itself. The test cluster (Kubernetes 1.20) has no checkpoint API: the proxy in front of the API
//! server holds the checkpoint call, and the test writes the archive where the kubelet would,
//! while the call is running. Everything else (collector, agent, ledger, node paths) is real.

use crate::checkpoint::{KUBELET_CHECKPOINTS, NODE_DIR, case_id, running_collectors, start_suspect, wait_for};
use crate::support::{self, CLUSTER, TestEnv, require, stderr, stdout};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// The collector's record of the expected archive, read through the node's filesystem (its
/// ledger is an emptyDir of the collector pod).
fn ledger_record(env: &TestEnv, case: &str) -> Option<PathBuf> {
    let out = env.kubectl_raw(
        &["-n", "kforensic", "get", "pods", "-l", &format!("kforensic.io/case={case}"), "-o", "jsonpath={.items[0].metadata.uid}"],
        None,
    );
    let uid = stdout(&out).trim().to_string();
    if uid.is_empty() {
        return None;
    }
    // the test kubelet's --root-dir
    let dir = PathBuf::from(format!("{}/kubelet/pods/{uid}/volumes/kubernetes.io~empty-dir/ledger", env.var("KF_TESTENV")));
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("archive-") && n.ends_with(".json")))
}

/// Archives of other captures in the kubelet's directory, which must stay: the same container's
/// from before this capture, and another pod's.
struct Decoys(Vec<PathBuf>);

impl Decoys {
    fn plant(ns: &str) -> Decoys {
        let older = PathBuf::from(format!("{KUBELET_CHECKPOINTS}/checkpoint-suspect_{ns}-main-2020-01-01T00:00:00Z.tar"));
        std::fs::write(&older, "an archive someone kept").unwrap();
        let f = std::fs::File::options().write(true).open(&older).unwrap();
        f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000)).unwrap();
        let other = PathBuf::from(format!("{KUBELET_CHECKPOINTS}/checkpoint-other_{ns}-main-2026-12-07T00:00:00Z.tar"));
        std::fs::write(&other, "another pod's archive").unwrap();
        Decoys(vec![older, other])
    }
}

impl Drop for Decoys {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
        let _ = std::fs::remove_dir(KUBELET_CHECKPOINTS); // only if empty: never someone else's
    }
}

/// The capture asks the kubelet (held by the proxy for 5 minutes), the archive appears on the
/// node meanwhile, and the CLI goes away (`how`); the archive must be gone from the node within
/// `within`, the decoys left, no collector left.
fn abandoned(test: &str, tag: &str, how: fn(&mut std::process::Child), timeout: &str, within: u64, timeout_ends_it: bool) {
    let mut needs = CLUSTER.to_vec();
    needs.push("faultproxy");
    let Some(env) = require(test, &needs) else { return };
    let _node = NODE_DIR.lock().unwrap_or_else(|e| e.into_inner());
    let ns = env.namespace(&format!("ckpt-{tag}"));
    start_suspect(env, &ns.name, "suspect", "sleep 100000");
    std::fs::create_dir_all(KUBELET_CHECKPOINTS).unwrap();
    let decoys = Decoys::plant(&ns.name);
    let rules = serde_json::json!([{
        "method": "POST",
        "path": format!("^/api/v1/nodes/127.0.0.1/proxy/checkpoint/{}/suspect/main", ns.name),
        "action": "delay", "seconds": 300,
    }]);
    let _f = support::Faults::set(env, &rules.to_string());
    let dir = tempfile::tempdir().unwrap();
    let case = case_id(tag);
    let mut child = support::kf()
        .kubeconfig(env.var("KF_KUBECONFIG_FAULT"))
        .args(["-n", &ns.name, "--case-id", &case, "checkpoint", "pod", "suspect", "--memory=kubelet", "--timeout", timeout])
        .args(["--image", env.kforensic_image(), "--pull-policy", "never", "--dest", dir.path().to_str().unwrap()])
        .spawn();
    // the collector recorded the archive it expects before the kubelet was asked
    wait_for(120, || ledger_record(env, &case)).expect("the collector never recorded the expected archive");
    // the kubelet writes the archive while the call is still running
    let archive = PathBuf::from(format!("{KUBELET_CHECKPOINTS}/checkpoint-suspect_{}-main-2026-12-07T18:30:00Z.tar", ns.name));
    std::fs::write(&archive, vec![7u8; 1 << 20]).unwrap();
    how(&mut child);
    let out = child.wait_with_output().unwrap();
    assert_ne!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    if timeout_ends_it {
        // the held kubelet call is given up at the timeout: the capture ends at once and the bundle
        // is finalized, incomplete, with the reason
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(!stderr(&out).contains("did not stop"), "{}", stderr(&out));
        let m: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["complete"], false);
        assert!(m["errors"].to_string().contains("timed out"), "{}", m["errors"]);
    }
    let gone = wait_for(within, || (!archive.exists()).then_some(()));
    let left = archive.exists();
    let _ = std::fs::remove_file(&archive);
    assert!(gone.is_some() && !left, "the abandoned archive is still on the node {within} s later: {}", stderr(&out));
    for d in &decoys.0 {
        assert!(Path::new(d).exists(), "{} was removed: not this capture's", d.display());
    }
    let ended = wait_for(within, || running_collectors(env, &case).is_empty().then_some(()));
    let running = running_collectors(env, &case);
    // a pod ended by its deadline stays listed as Failed: remove it
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "pods", "-l", &format!("kforensic.io/case={case}"), "--wait=false"], None);
    assert!(ended.is_some(), "collector still running: {running}");
}

#[test]
fn a_kubelet_checkpoint_abandoned_at_the_timeout_is_removed_from_the_node_by_the_collector() {
    abandoned(
        "a_kubelet_checkpoint_abandoned_at_the_timeout_is_removed_from_the_node_by_the_collector",
        "abandon-timeout",
        |_| {},
        "40s",
        60,
        true,
    );
}

#[test]
fn a_kubelet_checkpoint_abandoned_by_a_killed_cli_is_removed_at_the_collectors_deadline() {
    // SIGKILL: nobody deletes the collector; its PID 1 sweeps at the pod's deadline (--timeout + 60 s)
    abandoned(
        "a_kubelet_checkpoint_abandoned_by_a_killed_cli_is_removed_at_the_collectors_deadline",
        "abandon-kill",
        |c| {
            c.kill().unwrap();
        },
        "30s",
        150,
        false,
    );
}
