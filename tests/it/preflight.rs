//! `kforensic preflight` against the real test cluster: its ✔/✘ must be the server's own answers.

use crate::support::{self, CLUSTER, require, stderr, stdout};
use serde_json::Value;
use std::process::Command;

fn preflight_json(env: &support::TestEnv, kubeconfig: &str, ns: &str) -> (Option<i32>, Value) {
    let out = env.kforensic_as(kubeconfig, &["-n", ns, "-o", "json", "preflight"]);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("preflight -o json is not JSON ({e}): {}\n{}", stdout(&out), stderr(&out)));
    (out.status.code(), v)
}

/// What `kubectl auth can-i` says for one permission row of the report.
fn kubectl_can_i(env: &support::TestEnv, kubeconfig: &str, p: &Value) -> bool {
    let mut resource = p["resource"].as_str().unwrap().to_string();
    let group = p["group"].as_str().unwrap();
    if !group.is_empty() {
        resource = format!("{resource}.{group}");
    }
    let mut args = vec!["--kubeconfig".to_string(), kubeconfig.to_string(), "auth".into(), "can-i".into()];
    args.push(p["verb"].as_str().unwrap().into());
    args.push(resource);
    if let Some(sub) = p["subresource"].as_str() {
        args.push(format!("--subresource={sub}"));
    }
    match p["namespace"].as_str() {
        Some(ns) => args.extend(["-n".to_string(), ns.to_string()]),
        None => args.push("--all-namespaces".into()),
    }
    let out = Command::new(env.var("KF_KUBECTL")).args(&args).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim() == "yes"
}

#[test]
fn admin_is_ready_and_every_row_matches_the_server() {
    let Some(env) = require("admin_is_ready_and_every_row_matches_the_server", CLUSTER) else { return };
    let (code, v) = preflight_json(env, env.admin_kubeconfig(), "default");
    assert_eq!(code, Some(0), "admin not ready: {}", v["problems"]);
    assert_eq!(v["ready"], true);
    assert_eq!(v["cluster"]["version"], "v1.20.2");
    let perms = v["permissions"].as_array().unwrap();
    assert!(perms.len() > 20);
    for p in perms {
        assert_eq!(p["allowed"], true, "admin denied {p}");
    }
    let node = v["nodes"].as_array().unwrap().iter().find(|n| n["name"] == "127.0.0.1").expect("node 127.0.0.1 listed");
    assert_eq!(node["kubelet"], "v1.20.2");
    assert!(node["runtime"].as_str().unwrap().starts_with("containerd://"));
    assert_eq!(node["checkpoint_api"], "no", "kubelet 1.20 has no checkpoint API");
    // the kubelet path auto takes: direct once the narrow account exists, the proxy before
    let account = env.kubectl_raw(&["-n", "kforensic", "get", "serviceaccount", "kforensic-checkpoint"], None).status.success();
    let want = if account { "direct" } else { "proxy" };
    assert_eq!(v["kubelet_path"]["path"], want, "{}", v["kubelet_path"]);
    if !account {
        assert!(v["kubelet_path"]["why"].as_str().unwrap().contains("deploy/rbac-checkpoint.yaml"), "{}", v["kubelet_path"]);
    } else {
        // the admin kubeconfig trusts the test cluster's CA, which signed the kubelet's certificate
        assert!(v["kubelet_path"]["why"].as_str().unwrap().ends_with("checked against the cluster CA"), "{}", v["kubelet_path"]);
    }
}

#[test]
fn restricted_user_gets_matching_checks_and_exit_1() {
    let Some(env) = require("restricted_user_gets_matching_checks_and_exit_1", CLUSTER) else { return };
    let view = env.view_kubeconfig();
    let (code, v) = preflight_json(env, view, "kft-view");
    assert_eq!(code, Some(1));
    assert_eq!(v["ready"], false);
    let perms = v["permissions"].as_array().unwrap();
    let mut allowed = 0;
    for p in perms {
        let expected = kubectl_can_i(env, view, p);
        assert_eq!(p["allowed"].as_bool().unwrap(), expected, "preflight and `kubectl auth can-i` disagree on {p}");
        allowed += expected as usize;
    }
    // view in kft-view: reading pods there is allowed, exec / isolate / cluster-wide lists are not
    assert!(allowed > 0 && allowed < perms.len(), "{allowed} of {}", perms.len());
    assert!(v["problems"].as_array().unwrap().iter().any(|p| p.as_str().unwrap().contains("pods/exec")));
}

#[test]
fn table_output_marks_granted_and_denied() {
    let Some(env) = require("table_output_marks_granted_and_denied", CLUSTER) else { return };
    let out = env.kforensic_as(env.view_kubeconfig(), &["-n", "kft-view", "preflight"]);
    assert_eq!(out.status.code(), Some(1));
    let t = stdout(&out);
    assert!(t.contains("✔") && t.contains("✘"), "{t}");
    assert!(t.contains("NOT READY") && t.contains("create") && t.contains("pods/exec"), "{t}");
}
