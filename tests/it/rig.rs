//! The test environment itself: if these fail, every other cluster test is suspect.

use crate::support::{self, CLUSTER, pod, require};
use std::io::Write;
use std::process::{Command, Stdio};

#[test]
fn a_pod_reaches_running_and_logs_come_through_the_api() {
    let Some(env) = require("a_pod_reaches_running_and_logs_come_through_the_api", CLUSTER) else { return };
    let ns = env.namespace("rig-run");
    env.apply(&pod::busybox(&ns.name, "hello", "echo rig-hello-4711; sleep 100000").yaml());
    env.wait_running(&ns.name, "hello", 60);
    let mut logs = String::new();
    for _ in 0..50 {
        logs = env.kubectl(&["-n", &ns.name, "logs", "hello"]);
        if !logs.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(logs.trim(), "rig-hello-4711");
}

#[test]
fn exec_through_the_api_server_is_binary_safe() {
    let Some(env) = require("exec_through_the_api_server_is_binary_safe", CLUSTER) else { return };
    let ns = env.namespace("rig-exec");
    env.apply(&pod::busybox(&ns.name, "echo", "sleep 100000").yaml());
    env.wait_running(&ns.name, "echo", 60);
    let data: Vec<u8> = (0..1024 * 1024).map(|_| fastrand::u8(..)).collect();
    let mut child = Command::new(env.var("KF_KUBECTL"))
        .args(["--kubeconfig", env.admin_kubeconfig(), "-n", &ns.name, "exec", "-i", "echo", "--", "cat"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = data.clone();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout.len(), data.len());
    assert!(out.stdout == data, "1 MiB of random bytes came back altered");
}

#[test]
fn the_restricted_user_gets_a_real_403() {
    let Some(env) = require("the_restricted_user_gets_a_real_403", CLUSTER) else { return };
    // viewer may read kft-view but nothing elsewhere: the server answers with a Forbidden Status
    let out = Command::new(env.var("KF_KUBECTL"))
        .args(["--kubeconfig", env.view_kubeconfig(), "get", "--raw", "/api/v1/namespaces/kube-system/secrets"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Forbidden") || err.contains("forbidden"), "{err}");
    let ok = Command::new(env.var("KF_KUBECTL"))
        .args(["--kubeconfig", env.view_kubeconfig(), "-n", "kft-view", "get", "pods"])
        .output()
        .unwrap();
    assert!(ok.status.success(), "viewer cannot list pods in kft-view: {}", String::from_utf8_lossy(&ok.stderr));
}

#[test]
fn the_fault_proxy_injects_a_500_and_kforensic_reports_it_in_one_line() {
    let mut needs = CLUSTER.to_vec();
    needs.push("faultproxy");
    let Some(env) = require("the_fault_proxy_injects_a_500_and_kforensic_reports_it_in_one_line", &needs) else { return };
    let _faults = support::Faults::set(env, r#"[{"path": "^/version", "action": "status", "status": 500}]"#);
    let out = env.kforensic_as(env.var("KF_KUBECONFIG_FAULT"), &["preflight"]);
    assert_eq!(out.status.code(), Some(1));
    let err = support::stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("500") || err.contains("injected fault"), "{err}");
    drop(_faults);
    // without the rule the same path answers
    let out = env.kforensic_as(env.var("KF_KUBECONFIG_FAULT"), &["-o", "json", "preflight"]);
    assert!(out.status.code() == Some(0) || out.status.code() == Some(1), "{}", support::stderr(&out));
    assert!(support::stdout(&out).contains("\"permissions\""));
}
