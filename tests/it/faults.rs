//! The fault matrix: `checkpoint pod` on the real test cluster while the API connection fails
//! (through the fault proxy in front of the API server) or someone else interferes. Every case
//! ends with the suspect running and unfrozen, no collector pod, and a bundle that says what is
//! missing. The other cells of the matrix (signals, a killed CLI or agent while frozen) are in
//! `checkpoint.rs`.

use crate::checkpoint::{Capture, capture_while_exporting, case_id, checkpoint, collector_pods, start_suspect, wait_for};
use crate::support::{self, CLUSTER, TestEnv, require, stderr, stdout};
use serde_json::Value;

fn needs() -> Vec<&'static str> {
    let mut n = CLUSTER.to_vec();
    n.push("faultproxy");
    n
}

/// The API fault proxy's log lines that name a fault applied to a request under `path_part`.
fn faults_applied(env: &TestEnv, path_part: &str) -> Vec<String> {
    support::faults_applied(env, "faultproxy", path_part)
}

fn manifest(dir: &std::path::Path, case: &str) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(case).join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn a_dropped_create_a_dropped_exec_slow_answers_and_a_500_on_delete_are_retried() {
    let Some(env) = require("a_dropped_create_a_dropped_exec_slow_answers_and_a_500_on_delete_are_retried", &needs()) else { return };
    let ns = env.namespace("fault-flaky");
    start_suspect(env, &ns.name, "suspect", "exec sleep 100000");
    // the collector in a namespace of this test's own, so the rules touch nothing else
    let cns = env.namespace("fault-flaky-c");
    let pods = format!("/api/v1/namespaces/{}/pods", cns.name);
    let _f = support::Faults::set(
        env,
        &serde_json::json!([
            {"path": format!("^{pods}(\\?.*)?$"), "method": "POST", "action": "drop", "times": 1},
            {"path": format!("^{pods}/kforensic-collector-[^/]*/exec"), "action": "drop", "times": 1},
            {"path": format!("^{pods}/kforensic-collector-[^/?]*(\\?.*)?$"), "method": "GET", "action": "delay", "seconds": 2, "times": 3},
            {"path": format!("^{pods}/kforensic-collector-[^/?]*(\\?.*)?$"), "method": "DELETE", "action": "status", "status": 500, "times": 2},
        ])
        .to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("flaky");
    let out =
        checkpoint(env, env.var("KF_KUBECONFIG_FAULT"), &ns.name, "suspect", &case, dir.path(), &["--collector-namespace", &cns.name]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], true, "{}", report["manifest"]["errors"]);
    assert!(support::verify_ok(&dir.path().join(&case)));
    // every fault was really met, so the run above proves the retries
    let applied = faults_applied(env, &pods);
    for what in ["fault drop on POST", "fault drop on GET", "fault delay on GET", "fault status on DELETE"] {
        assert!(applied.iter().any(|l| l.contains(what)), "no '{what}' in the proxy's log: {applied:#?}");
    }
    let t = std::time::Instant::now();
    let gone = wait_for(60, || collector_pods(env, &cns.name, &case).is_empty().then_some(()));
    assert!(gone.is_some(), "collector pod left behind");
    assert!(t.elapsed().as_secs() < 2, "collector pod still there {:?} after the command ended", t.elapsed());
}

#[test]
fn an_api_that_never_lets_the_agent_start_is_one_line_and_leaves_nothing() {
    let Some(env) = require("an_api_that_never_lets_the_agent_start_is_one_line_and_leaves_nothing", &needs()) else { return };
    let ns = env.namespace("fault-noexec");
    start_suspect(env, &ns.name, "suspect", "exec sleep 100000");
    let cns = env.namespace("fault-noexec-c");
    let pods = format!("/api/v1/namespaces/{}/pods", cns.name);
    let _f = support::Faults::set(
        env,
        &serde_json::json!([{"path": format!("^{pods}/kforensic-collector-[^/]*/exec"), "action": "drop"}]).to_string(),
    );
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("noexec");
    let out =
        checkpoint(env, env.var("KF_KUBECONFIG_FAULT"), &ns.name, "suspect", &case, dir.path(), &["--collector-namespace", &cns.name]);
    // a failure (exit 1) named in one line; the API-side evidence is kept and the bundle says
    // what is missing
    assert_eq!(out.status.code(), Some(1), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(err.lines().next().is_some_and(|l| l.starts_with("error: exec into collector pod")), "{err}");
    assert!(err.contains("manifest complete: false"), "{err}");
    let m = manifest(dir.path(), &case);
    assert_eq!(m["complete"], false);
    assert!(m["errors"].to_string().contains("exec into collector pod"), "{}", m["errors"]);
    assert!(dir.path().join(&case).join("cluster/pod.json").exists(), "API-side evidence lost");
    assert!(faults_applied(env, &pods).len() >= 4, "the exec was not tried again: {:#?}", faults_applied(env, &pods));
    assert_eq!(collector_pods(env, &cns.name, &case), "", "collector pod left behind");
}

#[test]
fn a_collector_deleted_by_someone_else_mid_capture_leaves_a_partial_bundle() {
    let Some(env) = require("a_collector_deleted_by_someone_else_mid_capture_leaves_a_partial_bundle", CLUSTER) else { return };
    let Capture { ns, dir, case, child, .. } = capture_while_exporting(env, "fault-del");
    let gone = env.kubectl_raw(&["-n", "kforensic", "delete", "pod", "-l", &format!("kforensic.io/case={case}"), "--wait=false"], None);
    assert!(gone.status.success(), "{}", stderr(&gone));
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let m = manifest(dir.path(), &case);
    assert_eq!(m["complete"], false, "a capture cut short is never complete");
    assert!(!m["errors"].as_array().unwrap().is_empty());
    // whatever did arrive still holds up as what it is
    let v = support::kforensic(&["verify", dir.path().join(&case).to_str().unwrap()]);
    assert!(stdout(&v).contains("incomplete") || stderr(&v).contains("incomplete"), "{}{}", stdout(&v), stderr(&v));
    // the suspect runs on, and no collector is left
    assert_eq!(env.kubectl(&["-n", &ns.name, "get", "pod", "suspect", "-o", "jsonpath={.status.phase}"]).trim(), "Running");
    assert!(wait_for(30, || collector_pods(env, "kforensic", &case).is_empty().then_some(())).is_some(), "collector pod left behind");
}
