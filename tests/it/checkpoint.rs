//! `kforensic checkpoint pod` end to end on the real test cluster: a suspect pod really runs in
//! containerd, a real collector pod runs the real agent on the node, the bundle is verified.

use crate::support::pod::{self, BUSYBOX, Pod};
use crate::support::{self, CLUSTER, TestEnv, analyze_fixture, evidence, require, stderr, stdout};
use serde_json::Value;
use sha2::Digest;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub(crate) const SUSPECT: &str = r#"echo suspect-started; echo planted-by-attacker > /tmp/planted.txt; rm /etc/group; mkdir /tmp/.m; cp /bin/busybox /tmp/.m/sh; /tmp/.m/sh -c 'S=kf-sec; S=${S}ret-$((6*7)); while true; do sleep 1; done' & sleep 1; rm -rf /tmp/.m; exec sleep 100000"#;

pub(crate) fn start_suspect(env: &TestEnv, ns: &str, name: &str, cmd: &str) {
    env.apply(&pod::busybox(ns, name, cmd).label("app", "suspect").yaml());
    env.wait_running(ns, name, 60);
    std::thread::sleep(Duration::from_millis(1500)); // let it plant, delete and fork
}

/// `kubectl get pods` of `case`'s collectors in `collector_ns`, printed as `output` (`-o`).
pub(crate) fn case_pods(env: &TestEnv, collector_ns: &str, case: &str, output: &str) -> std::process::Output {
    env.kubectl_raw(&["-n", collector_ns, "get", "pods", "-l", &format!("kforensic.io/case={case}"), "-o", output], None)
}

pub(crate) fn collector_pods(env: &TestEnv, collector_ns: &str, case: &str) -> String {
    stdout(&case_pods(env, collector_ns, case, "name")).trim().to_string()
}

pub(crate) fn checkpoint(
    env: &TestEnv,
    kubeconfig: &str,
    ns: &str,
    pod: &str,
    case: &str,
    dest: &Path,
    extra: &[&str],
) -> std::process::Output {
    // the image `kforensic image push` put in the test registry, pulled by the node
    let (image, pull) = env.collector_image();
    let mut args = vec!["-n", ns, "--case-id", case, "-o", "json", "checkpoint", "pod", pod, "--image", image];
    args.extend_from_slice(pull);
    args.extend_from_slice(&["--dest", dest.to_str().unwrap(), "--timeout", "3m"]);
    args.extend_from_slice(extra);
    env.kforensic_as(kubeconfig, &args)
}

pub(crate) fn case_id(tag: &str) -> String {
    format!("kf-test-{tag}-{:04x}", fastrand::u16(..))
}

fn read_zst_tar_paths(p: &Path) -> Vec<String> {
    let f = std::fs::File::open(p).unwrap();
    let mut ar = tar::Archive::new(zstd::Decoder::new(f).unwrap());
    ar.entries().unwrap().map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned()).collect()
}

#[test]
fn checkpoint_captures_a_live_pod_and_leaves_nothing_behind() {
    let Some(env) = require("checkpoint_captures_a_live_pod_and_leaves_nothing_behind", CLUSTER) else { return };
    let ns = env.namespace("ckpt");
    start_suspect(env, &ns.name, "suspect", SUSPECT);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("ok");
    let keys = tempfile::tempdir().unwrap();
    let (key, allowed) = support::evidence::ssh_key(keys.path(), "responder", "responder@example.org");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &["--sign-key", key.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], true);
    // signed on this machine: stock OpenSSH checks the manifest
    let b = dir.path().join(&case);
    assert!(support::evidence::ssh_keygen_verifies(
        &allowed,
        "responder@example.org",
        &b.join("manifest.json"),
        &b.join("manifest.json.sig"),
        None
    ));
    let v = support::kforensic(&["verify", "--no-record", "--allowed-signers", allowed.to_str().unwrap(), b.to_str().unwrap()]);
    assert!(v.status.success() && stdout(&v).contains("signed by responder@example.org"), "{}", stdout(&v));
    // who and what captured it: the operator (1.20 has no SelfSubjectReview: the kubeconfig's
    // user), this version, and the collector image as the node resolved it
    let m = &report["manifest"];
    assert!(m["operator"]["user"].as_str().is_some_and(|u| !u.is_empty()), "{}", m["operator"]);
    assert_eq!(m["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let (image, _) = env.collector_image();
    assert_eq!(m["collector"]["image"], image);
    let digest = image.rsplit_once('@').map_or("sha256:", |(_, d)| d);
    assert!(m["collector"]["image_id"].as_str().is_some_and(|i| i.contains(digest)), "{}", m["collector"]);
    assert_eq!(m["collector"]["node"], report["manifest"]["targets"][0]["node"]);

    let bundle = dir.path().join(&case);
    let c = bundle.join(format!("pods/{}/suspect/main", ns.name));
    // the diff names exactly what the attacker changed
    let diff: Value = serde_json::from_slice(&std::fs::read(c.join("diff.json")).unwrap()).unwrap();
    let text = diff.to_string();
    assert!(text.contains("/tmp/planted.txt"), "diff lacks the planted file: {text}");
    assert!(text.contains("/etc/group"), "diff lacks the deleted file: {text}");
    // the export holds the merged root filesystem
    let paths = read_zst_tar_paths(&c.join("rootfs.tar.zst"));
    assert!(paths.iter().any(|p| p.ends_with("tmp/planted.txt")), "export lacks tmp/planted.txt");
    assert!(paths.iter().any(|p| p.ends_with("bin/busybox")));
    assert!(!paths.iter().any(|p| p.ends_with("etc/group")), "deleted file still exported");
    // one copy of the changed content: the diff tar is rebuilt from the export, hash-checked
    assert!(!c.join("diff.tar.zst").exists(), "the changed files travel once, in the export");
    let rebuilt = dir.path().join("diff.tar");
    let x = support::kforensic(&["analyze", bundle.to_str().unwrap(), "--extract-diff", "--out", rebuilt.to_str().unwrap()]);
    assert!(x.status.success(), "{}", support::stderr(&x));
    let mut a = tar::Archive::new(std::fs::File::open(&rebuilt).unwrap());
    let mut found = Vec::new();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_str() == Some("tmp/planted.txt") {
            std::io::Read::read_to_end(&mut e, &mut found).unwrap();
        }
    }
    assert_eq!(found, b"planted-by-attacker\n");
    // volatile state: the process running a deleted binary, holding the secret in its arguments
    let volatile: Value = serde_json::from_slice(&std::fs::read(c.join("volatile.json")).unwrap()).unwrap();
    let procs = volatile["processes"].as_array().expect("processes");
    let miner = procs
        .iter()
        .find(|p| p["exe"].as_str().is_some_and(|e| e.starts_with("/tmp/.m/sh")))
        .unwrap_or_else(|| panic!("no process runs the dropped binary: {procs:#?}"));
    assert_eq!(miner["exe_deleted"], true, "{miner}");
    assert!(procs.iter().any(|p| p["cmdline"] == serde_json::json!(["sleep", "100000"])), "{procs:#?}");
    // API-side evidence
    let pod: Value = serde_json::from_slice(&std::fs::read(bundle.join("cluster/pod.json")).unwrap()).unwrap();
    assert_eq!(pod["metadata"]["name"], "suspect");
    let log = std::fs::read_to_string(c.join("logs/current.log")).unwrap();
    assert!(log.contains("suspect-started"), "{log}");
    // the bundle holds up
    let v = support::kforensic(&["verify", bundle.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "verify: {}{}", stdout(&v), stderr(&v));
    // and nothing is left on the cluster
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

fn collector_priority(env: &TestEnv, collector_ns: &str, case: &str) -> String {
    let out = env.kubectl_raw(
        &[
            "-n",
            collector_ns,
            "get",
            "pods",
            "-l",
            &format!("kforensic.io/case={case}"),
            "-o",
            "jsonpath={.items[*].spec.priorityClassName}",
        ],
        None,
    );
    stdout(&out).trim().to_string()
}

#[test]
fn the_collector_runs_critical_where_allowed_and_without_priority_where_a_quota_forbids_it() {
    let Some(env) = require("the_collector_runs_critical_where_allowed_and_without_priority_where_a_quota_forbids_it", CLUSTER) else {
        return;
    };
    let ns = env.namespace("ckpt-prio");
    start_suspect(env, &ns.name, "suspect", "exec sleep 100000");
    let dir = tempfile::tempdir().unwrap();
    // a collector namespace of its own: the default one allows the critical class
    let open = env.namespace("ckpt-prio-open");
    let case = case_id("prio");
    let out = checkpoint(
        env,
        env.admin_kubeconfig(),
        &ns.name,
        "suspect",
        &case,
        dir.path(),
        &["--collector-namespace", &open.name, "--keep-collector"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(collector_priority(env, &open.name, &case), "system-node-critical");
    // a namespace whose quota admits no pod of a critical class: the collector runs without one
    let closed = env.namespace("ckpt-prio-closed");
    env.apply(&format!(
        "apiVersion: v1\nkind: ResourceQuota\nmetadata: {{name: no-critical, namespace: {}}}\nspec:\n  hard: {{pods: \"0\"}}\n  scopeSelector:\n    matchExpressions: [{{scopeName: PriorityClass, operator: In, values: [system-node-critical, system-cluster-critical]}}]\n",
        closed.name
    ));
    let case = case_id("prio2");
    let out = checkpoint(
        env,
        env.admin_kubeconfig(),
        &ns.name,
        "suspect",
        &case,
        dir.path(),
        &["--collector-namespace", &closed.name, "--keep-collector"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pods = collector_pods(env, &closed.name, &case);
    assert!(!pods.is_empty(), "the collector was created");
    assert_eq!(collector_priority(env, &closed.name, &case), "", "no priority class where the quota forbids it");
}

#[test]
fn missing_pod_is_one_line_and_exit_1() {
    let Some(env) = require("missing_pod_is_one_line_and_exit_1", CLUSTER) else { return };
    let ns = env.namespace("ckpt-missing");
    let dir = tempfile::tempdir().unwrap();
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "nope", &case_id("missing"), dir.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.trim(), format!("error: pod 'nope' not found in namespace '{}'", ns.name));
}

#[test]
fn a_missing_image_is_reported_within_seconds_and_cleaned_up() {
    let Some(env) = require("a_missing_image_is_reported_within_seconds_and_cleaned_up", CLUSTER) else { return };
    let ns = env.namespace("ckpt-img");
    start_suspect(env, &ns.name, "suspect", "sleep 100000");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("img");
    let t0 = Instant::now();
    let out = env.kforensic(&[
        "-n",
        &ns.name,
        "--case-id",
        &case,
        "checkpoint",
        "pod",
        "suspect",
        "--image",
        "test.local/does-not-exist:1",
        "--pull-policy",
        "never",
        "--dest",
        dir.path().to_str().unwrap(),
    ]);
    let took = t0.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("ErrImageNeverPull"), "{err}");
    assert!(took < Duration::from_secs(60), "took {took:?}: reported as a timeout, not as the image problem");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
}

#[test]
fn memory_on_a_kubelet_without_checkpoint_api_says_so_and_captures_the_rest() {
    let Some(env) = require("memory_on_a_kubelet_without_checkpoint_api_says_so_and_captures_the_rest", CLUSTER) else { return };
    let ns = env.namespace("ckpt-mem");
    start_suspect(env, &ns.name, "suspect", "sleep 100000");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("mem");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &["--memory=kubelet"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let bundle = dir.path().join(&case);
    let manifest: Value = serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert!(manifest["errors"].to_string().contains("no checkpoint API"), "{}", manifest["errors"]);
    assert!(bundle.join(format!("pods/{}/suspect/main/rootfs.tar.zst", ns.name)).exists());
}

/// The direct kubelet path (`--kubelet-path direct`): the collector calls the node's kubelet with a
/// token of the kforensic-checkpoint ServiceAccount, which may create nodes/checkpoint and nothing
/// else of a node. The 1.20 kubelet has no checkpoint endpoint: named in one line, and `auto`
/// memory falls back to /proc. The kubelet serves a certificate of the cluster CA for the node's
/// name (scripts/testenv): verified with the admin kubeconfig, which trusts that CA; not verified
/// (and said so) with a kubeconfig that names no CA.
#[test]
fn the_direct_kubelet_path_uses_the_narrow_identity_and_names_its_failure_in_one_line() {
    let Some(env) = require("the_direct_kubelet_path_uses_the_narrow_identity_and_names_its_failure_in_one_line", CLUSTER) else {
        return;
    };
    let ns = env.namespace("ckpt-direct");
    start_suspect(env, &ns.name, "suspect", "sleep 100000");
    env.apply(&std::fs::read_to_string(support::repo_root().join("deploy/rbac-checkpoint.yaml")).unwrap());
    let can = |what: &str, sub: &str| {
        let sa = "system:serviceaccount:kforensic:kforensic-checkpoint";
        let out = env.kubectl_raw(&["auth", "can-i", "create", what, &format!("--subresource={sub}"), "--as", sa], None);
        stdout(&out).trim().to_string()
    };
    assert_eq!(can("nodes", "checkpoint"), "yes");
    assert_eq!(can("nodes", "proxy"), "no", "the direct path's identity must not proxy to the kubelet");
    assert_eq!(can("pods", "exec"), "no");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("direct");
    let out = checkpoint(
        env,
        env.admin_kubeconfig(),
        &ns.name,
        "suspect",
        &case,
        dir.path(),
        &["--memory=kubelet", "--kubelet-path", "direct", "--no-triage"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    let said: Vec<&str> = err.lines().filter(|l| l.contains("direct kubelet path")).collect();
    assert_eq!(said.len(), 1, "{err}");
    assert!(said[0].contains("direct kubelet path (127.0.0.1:20250): kubelet on node 127.0.0.1 has no checkpoint API"), "{err}");
    let c = dir.path().join(&case).join(format!("pods/{}/suspect/main", ns.name));
    let plan: Value = serde_json::from_slice(&std::fs::read(c.join("memory-plan.json")).unwrap()).unwrap();
    assert_eq!(plan["kubelet_path"], "direct", "{plan}");
    assert_eq!(plan["kubelet_tls"], "kubelet certificate verified against the cluster CA", "{plan}");
    assert!(c.join("rootfs.tar.zst").exists(), "the rest was not captured");
    // auto memory: the direct path's failure, then /proc; with a kubeconfig that names no CA
    // (insecure-skip-tls-verify), the kubelet is called unverified and the record says why
    let mut kc: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(env.admin_kubeconfig()).unwrap()).unwrap();
    let cluster = kc["clusters"][0]["cluster"].as_mapping_mut().unwrap();
    assert!(cluster.remove("certificate-authority-data").is_some(), "the admin kubeconfig names the cluster CA");
    cluster.insert("insecure-skip-tls-verify".into(), true.into());
    let no_ca = dir.path().join("no-ca.kubeconfig");
    std::fs::write(&no_ca, serde_yaml::to_string(&kc).unwrap()).unwrap();
    let case = case_id("direct-auto");
    let out = checkpoint(
        env,
        no_ca.to_str().unwrap(),
        &ns.name,
        "suspect",
        &case,
        dir.path(),
        &["--memory", "--kubelet-path", "direct", "--no-triage"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let c = dir.path().join(&case).join(format!("pods/{}/suspect/main", ns.name));
    let plan: Value = serde_json::from_slice(&std::fs::read(c.join("memory-plan.json")).unwrap()).unwrap();
    assert!(plan["kubelet"].as_str().is_some_and(|k| k.contains("direct kubelet path")), "{plan}");
    let tls = plan["kubelet_tls"].as_str().unwrap_or_default();
    assert!(tls.starts_with("kubelet certificate NOT verified (") && tls.contains("no usable cluster CA"), "{plan}");
    assert!(
        std::fs::read_dir(c.join("memory")).unwrap().any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".core")),
        "no /proc cores"
    );
}

#[test]
fn restricted_user_without_pods_exec_gets_the_permission_named() {
    let Some(env) = require("restricted_user_without_pods_exec_gets_the_permission_named", CLUSTER) else { return };
    // viewer: view in its own namespace, plus create/get/delete pods (not pods/exec) in a collector namespace
    let target = env.namespace("ckpt-rbac");
    let col = env.namespace("ckpt-col");
    start_suspect(env, &target.name, "suspect", "sleep 100000");
    env.kubectl(&["-n", &target.name, "create", "rolebinding", "viewer-view", "--clusterrole=view", "--user=viewer"]);
    env.kubectl(&["-n", &col.name, "create", "role", "collector", "--verb=get,create,delete", "--resource=pods"]);
    env.kubectl(&["-n", &col.name, "create", "rolebinding", "collector", "--role=collector", "--user=viewer"]);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("rbac");
    let image = env.kforensic_image();
    let out = env.kforensic_as(
        env.view_kubeconfig(),
        &[
            "-n",
            &target.name,
            "--case-id",
            &case,
            "checkpoint",
            "pod",
            "suspect",
            "--image",
            image,
            "--pull-policy",
            "never",
            "--collector-namespace",
            &col.name,
            "--dest",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("pods/exec"), "the message must name pods/exec: {err}");
    assert_eq!(collector_pods(env, &col.name, &case), "", "collector pod left behind");
}

#[test]
fn an_api_500_is_reported_in_one_line() {
    let mut needs = CLUSTER.to_vec();
    needs.push("faultproxy");
    let Some(env) = require("an_api_500_is_reported_in_one_line", &needs) else { return };
    let ns = env.namespace("ckpt-500");
    let _f = support::Faults::set(
        env,
        &format!(r#"[{{"path": "^/api/v1/namespaces/{}/pods/suspect$", "action": "status", "status": 500}}]"#, ns.name),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = env.kforensic_as(
        env.var("KF_KUBECONFIG_FAULT"),
        &["-n", &ns.name, "checkpoint", "pod", "suspect", "--dest", dir.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("injected fault") || err.contains("500"), "{err}");
}

/// Host PIDs of processes whose command line contains `needle`.
fn pids_with(needle: &str) -> Vec<i32> {
    let mut v = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else { continue };
        let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if String::from_utf8_lossy(&cmd).replace('\0', " ").contains(needle) {
            v.push(pid);
        }
    }
    v
}

/// Host PIDs of the agents serving a request in the collector pod of `case` (found by the pod's
/// UID in their cgroup: the agent's command line names no target, the request is on its stdin).
fn agent_pids(env: &TestEnv, case: &str) -> Vec<i32> {
    let out = env.kubectl_raw(
        &["-n", "kforensic", "get", "pods", "-l", &format!("kforensic.io/case={case}"), "-o", "jsonpath={.items[*].metadata.uid}"],
        None,
    );
    let uids: Vec<String> = stdout(&out).split_whitespace().map(str::to_string).collect();
    if uids.is_empty() {
        return vec![];
    }
    pids_with("agent run")
        .into_iter()
        .filter(|pid| {
            let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap_or_default();
            uids.iter().any(|u| cg.contains(u.as_str()) || cg.contains(&u.replace('-', "_")))
        })
        .collect()
}

pub(crate) fn wait_for<T>(secs: u64, mut f: impl FnMut() -> Option<T>) -> Option<T> {
    let end = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < end {
        if let Some(v) = f() {
            return Some(v);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

/// A suspect with a big file, so that its export takes long enough to be interrupted.
pub(crate) const BIG: &str = "dd if=/dev/urandom of=/tmp/big bs=1M count=300 2>/dev/null; echo ready; exec sleep 100000";

/// A checkpoint of a BIG suspect, running in the background, caught while its agent exports.
pub(crate) struct Capture {
    pub ns: support::Namespace,
    pub dir: tempfile::TempDir,
    pub case: String,
    pub child: std::process::Child,
    pub agent_pids: Vec<i32>,
}

pub(crate) fn capture_while_exporting(env: &'static TestEnv, tag: &str) -> Capture {
    capture_while_exporting_to(env, tag, None)
}

/// As [`capture_while_exporting`]; with `to_s3` = (s3://bucket/prefix, secret, endpoint) uploaded from the
/// node (the command then runs in `dir`, its staging directory).
fn capture_while_exporting_to(env: &'static TestEnv, tag: &str, to_s3: Option<(&str, &str, &str)>) -> Capture {
    let ns = env.namespace(&format!("ckpt-{tag}"));
    start_suspect(env, &ns.name, "suspect", BIG);
    wait_for(60, || env.kubectl(&["-n", &ns.name, "logs", "suspect"]).contains("ready").then_some(())).expect("suspect ready");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id(tag);
    let image = env.kforensic_image();
    let cmd = support::kf()
        .kubeconfig(env.admin_kubeconfig())
        .args(["-n", &ns.name, "--case-id", &case, "checkpoint", "pod", "suspect"])
        .args(["--image", image, "--pull-policy", "never"]);
    let cmd = match to_s3 {
        None => cmd.args(["--dest", dir.path().to_str().unwrap()]),
        Some((dest, secret, endpoint)) => cmd
            .current_dir(dir.path())
            .args(["--dest", dest, "--upload-from", "node", "--node-credentials-secret", secret])
            .args(["--endpoint-url", endpoint, "--part-size", "5MiB"]),
    };
    let child = cmd.spawn();
    // this test's agent only (other tests run agents at the same time): `agent run` in this case's collector
    let agent_pids = wait_for(90, || Some(agent_pids(env, &case)).filter(|p| !p.is_empty())).expect("agent started");
    std::thread::sleep(Duration::from_millis(300));
    Capture { ns, dir, case, child, agent_pids }
}

/// A signal once the agent is exporting: the collector goes, the bundle says it is incomplete.
fn signal_mid_capture(env: &'static TestEnv, sig: i32, tag: &str, name: &str) {
    let Capture { ns: _ns, dir, case, child, .. } = capture_while_exporting(env, tag);
    unsafe { libc::kill(child.id() as i32, sig) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("interrupted by {name}")), "{}", stderr(&out));
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert!(manifest["errors"].to_string().contains(&format!("interrupted by {name}")), "{}", manifest["errors"]);
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn sigint_mid_capture_deletes_the_collector_and_marks_the_bundle_incomplete() {
    let Some(env) = require("sigint_mid_capture_deletes_the_collector_and_marks_the_bundle_incomplete", CLUSTER) else { return };
    signal_mid_capture(env, libc::SIGINT, "int", "SIGINT");
}

#[test]
fn a_dropped_ssh_session_sighup_cleans_up_like_sigterm() {
    let Some(env) = require("a_dropped_ssh_session_sighup_cleans_up_like_sigterm", CLUSTER) else { return };
    signal_mid_capture(env, libc::SIGHUP, "hup", "SIGHUP");
}

#[test]
fn an_agent_crash_leaves_a_partial_bundle_and_no_collector() {
    let Some(env) = require("an_agent_crash_leaves_a_partial_bundle_and_no_collector", CLUSTER) else { return };
    let Capture { ns: _ns, dir, case, child, agent_pids: pids } = capture_while_exporting(env, "crash");
    for p in pids {
        unsafe { libc::kill(p, libc::SIGKILL) };
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert!(manifest["errors"].to_string().contains("agent"), "{}", manifest["errors"]);
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

/// Host PID of the suspect's process whose command line contains `needle`.
pub(crate) fn host_pid(needle: &str) -> Option<i32> {
    pids_with(needle).into_iter().next()
}

#[test]
fn memory_auto_falls_back_to_proc_cores_with_the_secret_and_the_deleted_binary() {
    let Some(env) = require("memory_auto_falls_back_to_proc_cores_with_the_secret_and_the_deleted_binary", CLUSTER) else { return };
    let ns = env.namespace("ckpt-core");
    // a deleted 2 MiB executable holding a secret built at run time (never contiguous in the binary)
    let cmd = "mkdir /tmp/.m; cp /bin/busybox /tmp/.m/sh; head -c 1048576 /dev/zero >> /tmp/.m/sh; /tmp/.m/sh -c 'A=kfcore; B=secret; S=\"$A-$B-$((6*7))\"; while true; do sleep 1; done' & sleep 1; rm -rf /tmp/.m; exec sleep 100000";
    start_suspect(env, &ns.name, "suspect", cmd);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("core");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &["--memory"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stderr(&out).contains("no checkpoint API"), "the fallback must say why: {}", stderr(&out));
    let bundle = dir.path().join(&case);
    let c = bundle.join(format!("pods/{}/suspect/main", ns.name));
    let cores: Vec<_> = std::fs::read_dir(c.join("memory")).expect("memory/ dir").flatten().map(|e| e.path()).collect();
    assert!(!cores.is_empty());
    // readelf accepts them and lists load segments
    let re = Command::new("readelf").arg("-l").arg(&cores[0]).output().unwrap();
    assert!(re.status.success() && String::from_utf8_lossy(&re.stdout).contains("LOAD"), "{}", String::from_utf8_lossy(&re.stderr));
    // the secret is in the memory of the process that built it
    let needle = b"kfcore-secret-42";
    let hit = cores.iter().find(|p| {
        let b = std::fs::read(p).unwrap();
        b.windows(needle.len()).any(|w| w == needle)
    });
    assert!(hit.is_some(), "secret not found in any core");
    // `analyze` reads the cores of the whole bundle: the secret, in the right process, inside a mapping
    let r = analyze_fixture::analyze_json(&[bundle.to_str().unwrap(), "--ps-tree", "--search", "kfcore-secret-42"]);
    let hits = r["search"]["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "analyze found no secret in the cores: {r:#}");
    let holder = hit.unwrap().file_stem().unwrap().to_string_lossy().parse::<u64>().unwrap();
    for h in hits {
        assert_eq!(h["pid"].as_u64(), Some(holder), "{h}");
        let a = h["address"].as_u64().unwrap();
        assert!(h["region"]["start"].as_u64().unwrap() <= a && a < h["region"]["end"].as_u64().unwrap(), "{h}");
    }
    let procs = r["processes"].as_array().unwrap();
    assert!(procs.iter().any(|p| p["pid"].as_u64() == Some(holder)), "{procs:#?}");
    // the process running the dropped, deleted binary is named as such, and placed where it waited
    let holder_row = procs.iter().find(|p| p["pid"].as_u64() == Some(holder)).unwrap();
    assert_eq!((holder_row["exe"].as_str(), holder_row["exe_deleted"].as_bool()), (Some("/tmp/.m/sh"), Some(true)), "{holder_row}");
    if cfg!(target_arch = "x86_64") {
        assert!(holder_row["location"].as_str().is_some_and(|l| l.starts_with("syscall ")), "{holder_row}");
    }
    // a consistent cut: the container was frozen while its memory was read
    let mem: Value = serde_json::from_slice(&std::fs::read(c.join("memory.json")).unwrap()).unwrap();
    assert!(mem["freeze"].is_object(), "not frozen during the capture: {}", mem["freeze_error"]);
    assert!(mem["cores"].as_array().unwrap().len() >= 2, "one core per process: {}", mem["cores"]);
    // written to the collector's spool while frozen, shipped once thawed
    assert_eq!(mem["spool"]["cores"], mem["cores"].as_array().unwrap().len(), "{}", mem["spool"]);
    assert_eq!(mem["spool"]["dir"], kforensic::protocol::SPOOL_DIR);
    // the deleted binary is in the bundle, byte for byte busybox + 1 MiB of zeros
    let mut orig = std::fs::read("/bin/busybox").unwrap();
    orig.extend(std::iter::repeat_n(0u8, 1 << 20));
    let sha = hex::encode(sha2::Sha256::digest(&orig));
    assert!(bundle.join("executables").join(&sha).exists(), "executables/{sha} missing");
    // the container runs on, not frozen
    let pid = host_pid("kfcore").or_else(|| host_pid("sleep 100000")).expect("suspect process");
    let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).unwrap();
    if let Some(line) = cg.lines().find(|l| l.split(':').nth(1) == Some("freezer")) {
        let path = line.splitn(3, ':').nth(2).unwrap();
        let state = std::fs::read_to_string(format!("/sys/fs/cgroup/freezer{path}/freezer.state")).unwrap();
        assert_eq!(state.trim(), "THAWED");
    }
    assert!(support::verify_ok(&bundle));
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn memory_kubelet_success_ships_the_real_criu_archive_it_names() {
    let mut needs = CLUSTER.to_vec();
    needs.push("faultproxy");
    let test = "memory_kubelet_success_ships_the_real_criu_archive_it_names";
    let Some(env) = require(test, &needs) else { return };
    // a real CRIU checkpoint archive (containerd + CRIU 4.1.1) on this node, in the kubelet layout
    let Some(fx) = analyze_fixture::get(test) else { return };
    let ns = env.namespace("ckpt-kubelet");
    start_suspect(env, &ns.name, "suspect", "sleep 100000");
    // Kubernetes 1.20 has no checkpoint API: the kubelet's answer (KEP-2008: {"items":[path]}) is
    // replayed by the proxy in front of the API server; everything else, exec included, is real
    let _node = NODE_DIR.lock().unwrap_or_else(|e| e.into_inner());
    std::fs::create_dir_all(KUBELET_CHECKPOINTS).unwrap();
    let archive = format!("{KUBELET_CHECKPOINTS}/checkpoint-suspect_{}-main-2026-11-25T17:00:00Z.tar", ns.name);
    std::fs::copy(&fx.tar, &archive).unwrap();
    let body = serde_json::json!({"items": [archive]}).to_string();
    let rules = serde_json::json!([{
        "method": "POST",
        "path": format!("^/api/v1/nodes/127.0.0.1/proxy/checkpoint/{}/suspect/main", ns.name),
        "action": "respond", "status": 200, "body": body,
    }]);
    let _f = support::Faults::set(env, &rules.to_string());
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("kubelet");
    let out = checkpoint(env, env.var("KF_KUBECONFIG_FAULT"), &ns.name, "suspect", &case, dir.path(), &["--memory=kubelet"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let bundle = dir.path().join(&case);
    let shipped = bundle.join(format!("pods/{}/suspect/main/checkpoint.tar", ns.name));
    let sha = |p: &Path| hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()));
    assert_eq!(sha(&shipped), sha(&fx.tar), "checkpoint.tar differs from the archive the kubelet named");
    // and it is a checkpoint a responder can analyze: the secret is in the memory it holds
    let r = analyze_fixture::analyze_json(&[shipped.to_str().unwrap(), "--search", fx.fact("SECRET")]);
    assert!(!r["search"]["hits"].as_array().unwrap().is_empty(), "{r:#}");
    // shipped and hash-checked: the node's copy is gone, and the bundle says so
    assert!(!Path::new(&archive).exists(), "the kubelet archive was left on the node");
    let plan: Value =
        serde_json::from_slice(&std::fs::read(bundle.join(format!("pods/{}/suspect/main/memory-plan.json", ns.name))).unwrap()).unwrap();
    assert_eq!(plan["removed_from_node"], true, "{plan}");
    assert_eq!(plan["node_space_check"]["ok"], true, "{plan}");
    assert!(support::verify_ok(&bundle));

    // the same, uploaded straight from the node: the archive goes to S3 without crossing the
    // API server, byte-identical, and still leaves the node
    let Some(_) = require(test, &["s3"]) else {
        let _ = std::fs::remove_dir(KUBELET_CHECKPOINTS);
        return;
    };
    std::fs::copy(&fx.tar, &archive).unwrap();
    let aws = s3_of(env);
    let bucket = evidence::Bucket::create(&aws, "kubelet");
    let case = case_id("kubelet-node");
    let secret = format!("{case}-s3");
    node_secret(env, &secret, &aws, &aws.secret_key);
    let dest = format!("s3://{}/incidents", bucket.name);
    let out = support::kf()
        .current_dir(dir.path())
        .kubeconfig(env.var("KF_KUBECONFIG_FAULT"))
        .args(["-n", &ns.name, "--case-id", &case, "-o", "json", "checkpoint", "pod", "suspect"])
        .args(["--image", env.kforensic_image(), "--pull-policy", "never", "--timeout", "3m", "--memory=kubelet", "--dest", &dest])
        .args(["--upload-from", "node", "--node-credentials-secret", &secret, "--endpoint-url", env.var("KF_S3_ENDPOINT")])
        .run();
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "secret", &secret], None);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let key = format!("incidents/{case}/pods/{}/suspect/main/checkpoint.tar", ns.name);
    let (n, remote) = evidence::download_sha256(&aws, &bucket.name, &key);
    assert_eq!(
        (n, remote),
        (std::fs::metadata(&fx.tar).unwrap().len(), sha(&fx.tar)),
        "the archive in S3 differs from the one the kubelet named"
    );
    assert!(!Path::new(&archive).exists(), "the kubelet archive was left on the node");
    let v = support::kf().aws(&aws).args(["verify", &format!("{dest}/{case}"), "--endpoint-url", &aws.endpoint]).run();
    assert_eq!(v.status.code(), Some(0), "{}{}", stdout(&v), stderr(&v));
    let _ = std::fs::remove_dir(KUBELET_CHECKPOINTS); // only if empty: never someone else's
}

/// The kubelet's checkpoint directory on this node (a real path: the agent reaches it through the host).
pub(crate) const KUBELET_CHECKPOINTS: &str = "/var/lib/kubelet/checkpoints";
/// Tests that use that directory take turns.
pub(crate) static NODE_DIR: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_kubelet_checkpoint_that_would_not_fit_on_the_node_is_refused_in_one_line() {
    let test = "a_kubelet_checkpoint_that_would_not_fit_on_the_node_is_refused_in_one_line";
    let Some(env) = require(test, CLUSTER) else { return };
    let _node = NODE_DIR.lock().unwrap_or_else(|e| e.into_inner());
    let ns = env.namespace("ckpt-space");
    start_suspect(env, &ns.name, "suspect", "sleep 100000");
    // the checkpoint directory on a 1 MiB tmpfs: no room for any container's memory + margin
    std::fs::create_dir_all(KUBELET_CHECKPOINTS).unwrap();
    let st = Command::new("mount").args(["-t", "tmpfs", "-o", "size=1m", "tmpfs", KUBELET_CHECKPOINTS]).status().unwrap();
    assert!(st.success(), "cannot mount a tmpfs");
    struct Unmount;
    impl Drop for Unmount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(KUBELET_CHECKPOINTS).status();
            let _ = std::fs::remove_dir(KUBELET_CHECKPOINTS); // only if empty: never someone else's
        }
    }
    let _u = Unmount;
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("space");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &["--memory=kubelet"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let err = stderr(&out);
    let line = err.lines().find(|l| l.contains("not enough free space")).unwrap_or_else(|| panic!("no refusal line: {err}"));
    assert!(line.contains(KUBELET_CHECKPOINTS), "{line}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
    assert!(manifest["errors"].to_string().contains("not enough free space"), "{}", manifest["errors"]);
    // everything else was captured
    assert!(dir.path().join(&case).join(format!("pods/{}/suspect/main/rootfs.tar.zst", ns.name)).exists());
}

/// The S3 server of the test environment, as the node and the test itself reach it.
pub(crate) fn s3_of(env: &TestEnv) -> evidence::Aws {
    evidence::Aws {
        endpoint: env.var("KF_S3_ENDPOINT").to_string(),
        access_key: env.var("KF_S3_ACCESS_KEY").to_string(),
        secret_key: env.var("KF_S3_SECRET_KEY").to_string(),
    }
}

/// The node's credentials: a Secret in the collector namespace (the CLI itself has none).
pub(crate) fn node_secret(env: &TestEnv, name: &str, aws: &evidence::Aws, secret_key: &str) {
    node_secret_with(env, name, aws, secret_key, &[]);
}

pub(crate) fn node_secret_with(env: &TestEnv, name: &str, aws: &evidence::Aws, secret_key: &str, extra: &[&str]) {
    let _ = env.kubectl_raw(&["create", "namespace", "kforensic"], None);
    let (id, key) =
        (format!("--from-literal=AWS_ACCESS_KEY_ID={}", aws.access_key), format!("--from-literal=AWS_SECRET_ACCESS_KEY={secret_key}"));
    let mut args = vec![
        "-n",
        "kforensic",
        "create",
        "secret",
        "generic",
        name,
        &id,
        &key,
        "--from-literal=AWS_REGION=us-east-1",
        // the test node has no instance metadata service: never look for one
        "--from-literal=AWS_EC2_METADATA_DISABLED=true",
    ];
    args.extend_from_slice(extra);
    let out = env.kubectl_raw(&args, None);
    assert!(out.status.success(), "{}", stderr(&out));
}

/// `checkpoint … --dest s3://… --upload-from node`, run from `cwd` without any AWS credentials.
fn checkpoint_from_node(env: &TestEnv, ns: &str, case: &str, dest: &str, secret: &str, cwd: &Path) -> std::process::Output {
    checkpoint_from_node_with(env, ns, case, dest, secret, cwd, &[])
}

/// As [`checkpoint_from_node`], with more arguments.
pub(crate) fn checkpoint_from_node_with(
    env: &TestEnv,
    ns: &str,
    case: &str,
    dest: &str,
    secret: &str,
    cwd: &Path,
    extra: &[&str],
) -> std::process::Output {
    let node = [&["--upload-from", "node", "--node-credentials-secret", secret], extra].concat();
    checkpoint_to_s3(env, env.var("KF_S3_ENDPOINT"), ns, case, dest, cwd).args(node).run()
}

/// `checkpoint … --dest s3://… --endpoint-url ENDPOINT` of pod `suspect`, run from `cwd` (where
/// `./evidence` is staged) without any AWS credentials: add them, or the node's, and run it.
pub(crate) fn checkpoint_to_s3(env: &TestEnv, endpoint: &str, ns: &str, case: &str, dest: &str, cwd: &Path) -> support::run::Kf {
    support::kf()
        .current_dir(cwd)
        .kubeconfig(env.admin_kubeconfig())
        .args(["-n", ns, "--case-id", case, "-o", "json", "checkpoint", "pod", "suspect"])
        .args(["--image", env.kforensic_image(), "--pull-policy", "never", "--timeout", "3m", "--dest", dest])
        .args(["--endpoint-url", endpoint, "--part-size", "5MiB"])
}

#[test]
fn upload_from_node_puts_the_whole_bundle_in_s3_with_the_nodes_credentials() {
    let Some(env) = require("upload_from_node_puts_the_whole_bundle_in_s3_with_the_nodes_credentials", &[CLUSTER, &["s3"]].concat()) else {
        return;
    };
    let ns = env.namespace("ckpt-node-s3");
    // 12 MiB of random data: the export goes up from the node in several parts
    let cmd = format!("head -c 12582912 /dev/urandom > /tmp/payload.bin; {SUSPECT}");
    start_suspect(env, &ns.name, "suspect", &cmd);
    let aws = s3_of(env);
    let bucket = evidence::Bucket::create(&aws, "node");
    let case = case_id("node");
    let secret = format!("{case}-s3");
    node_secret(env, &secret, &aws, &aws.secret_key);
    let cwd = tempfile::tempdir().unwrap();
    let dest = format!("s3://{}/incidents", bucket.name);
    let keys_dir = tempfile::tempdir().unwrap();
    let (key, allowed) = evidence::ssh_key(keys_dir.path(), "responder", "responder@example.org");
    let out = checkpoint_from_node_with(env, &ns.name, &case, &dest, &secret, cwd.path(), &["--sign-key", key.to_str().unwrap()]);
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "secret", &secret], None);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let url = format!("{dest}/{case}");
    assert_eq!(report["bundle"], url.as_str(), "{report}");
    assert_eq!(report["complete"], true);
    // the bundle is in the bucket, holds up and is signed (here: the node only carried the signatures)
    let v = support::kf()
        .aws(&aws)
        .args(["verify", &url, "--endpoint-url", &aws.endpoint, "--allowed-signers", allowed.to_str().unwrap()])
        .run();
    assert_eq!(v.status.code(), Some(0), "verify: {}{}", stdout(&v), stderr(&v));
    assert!(stdout(&v).contains("signed by responder@example.org"), "{}", stdout(&v));
    assert!(!cwd.path().join("evidence").exists(), "local staging copy left behind");
    // the evidence itself: the export with the payload and the planted file, the API side
    let prefix = format!("incidents/{case}/");
    let keys = evidence::list_keys(&aws, &bucket.name, &prefix);
    let c = format!("{prefix}pods/{}/suspect/main/", ns.name);
    for k in ["cluster/pod.json", "manifest.json", "custody.log"] {
        assert!(keys.contains(&format!("{prefix}{k}")), "{k} missing: {keys:?}");
    }
    let sdk = evidence::sdk(&aws);
    let rt = evidence::rt();
    let get = |key: &str| {
        rt.block_on(async {
            sdk.get_object().bucket(&bucket.name).key(key).send().await.unwrap().body.collect().await.unwrap().into_bytes().to_vec()
        })
    };
    let rootfs = get(&format!("{c}rootfs.tar.zst"));
    let mut ar = tar::Archive::new(zstd::Decoder::new(&rootfs[..]).unwrap());
    let mut payload = None;
    let mut planted = false;
    for e in ar.entries().unwrap() {
        let mut e = e.unwrap();
        let p = e.path().unwrap().to_string_lossy().into_owned();
        planted |= p.ends_with("tmp/planted.txt");
        if p.ends_with("tmp/payload.bin") {
            let mut v = Vec::new();
            std::io::Read::read_to_end(&mut e, &mut v).unwrap();
            payload = Some(v.len());
        }
    }
    assert!(planted, "export lacks tmp/planted.txt");
    assert_eq!(payload, Some(12 << 20), "export lacks the 12 MiB payload");
    let volatile = String::from_utf8(get(&format!("{c}volatile.json"))).unwrap();
    assert!(volatile.contains("100000"), "volatile state lacks the suspect's process");
    // the custody log says where each node-side artifact went
    let custody = String::from_utf8(get(&format!("{prefix}custody.log"))).unwrap();
    let stored = custody.lines().filter(|l| l.contains("\"event\":\"artifact_stored\"")).count();
    assert!(stored >= 4, "{custody}");
    assert!(custody.contains(&format!("\"location\":\"s3://{}/{c}rootfs.tar.zst\"", bucket.name)), "{custody}");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn upload_from_node_with_bad_node_credentials_stops_before_capturing() {
    let Some(env) = require("upload_from_node_with_bad_node_credentials_stops_before_capturing", &[CLUSTER, &["s3"]].concat()) else {
        return;
    };
    let ns = env.namespace("ckpt-node-bad");
    start_suspect(env, &ns.name, "suspect", SUSPECT);
    let aws = s3_of(env);
    let bucket = evidence::Bucket::create(&aws, "nodebad");
    let case = case_id("nodebad");
    let cwd = tempfile::tempdir().unwrap();
    let dest = format!("s3://{}/incidents", bucket.name);

    // a wrong secret key: the node is refused, the capture never starts
    let secret = format!("{case}-s3");
    node_secret(env, &secret, &aws, "not-the-secret");
    let started = Instant::now();
    let out = checkpoint_from_node(env, &ns.name, &case, &dest, &secret, cwd.path());
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "secret", &secret], None);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("the node cannot upload to {dest}/{case}")), "{err}");
    assert!(err.contains("ccess denied") || err.contains("Signature"), "the reason is named: {err}");
    assert!(started.elapsed() < Duration::from_secs(90), "took {:?}", started.elapsed());
    assert!(evidence::list_keys(&aws, &bucket.name, "").is_empty(), "nothing may be written");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");

    // a Secret that does not exist: named, within seconds
    let case2 = case_id("nosecret");
    let out = checkpoint_from_node(env, &ns.name, &case2, &dest, "no-such-secret", cwd.path());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("no-such-secret"), "{}", stderr(&out));
    assert_eq!(collector_pods(env, "kforensic", &case2), "", "collector pod left behind");
}

#[test]
fn sigint_while_the_node_uploads_leaves_no_manifest_in_the_bucket_and_no_collector() {
    let Some(env) =
        require("sigint_while_the_node_uploads_leaves_no_manifest_in_the_bucket_and_no_collector", &[CLUSTER, &["s3"]].concat())
    else {
        return;
    };
    let aws = s3_of(env);
    let bucket = evidence::Bucket::create(&aws, "nodeint");
    let secret = format!("nodeint-{:04x}", fastrand::u16(..));
    node_secret(env, &secret, &aws, &aws.secret_key);
    let dest = format!("s3://{}/incidents", bucket.name);
    let Capture { ns: _ns, dir, case, child, .. } =
        capture_while_exporting_to(env, "nodeint", Some((&dest, &secret, env.var("KF_S3_ENDPOINT"))));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "secret", &secret], None);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // what the node had stored is in the bucket, never with a manifest vouching for it
    let keys = evidence::list_keys(&aws, &bucket.name, "incidents/");
    assert!(!keys.iter().any(|k| k.ends_with("manifest.json")), "{keys:?}");
    // this side's part stays here, finalized incomplete, and says where the rest is
    let local = dir.path().join("evidence").join(&case);
    let manifest: Value = serde_json::from_slice(&std::fs::read(local.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert!(local.join("cluster/pod.json").exists());
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn the_s3_server_dying_mid_capture_keeps_this_sides_part_and_says_where_everything_is() {
    let Some(env) =
        require("the_s3_server_dying_mid_capture_keeps_this_sides_part_and_says_where_everything_is", &[CLUSTER, &["s3"]].concat())
    else {
        return;
    };
    // a private S3 server, killed while the node uploads the export
    let port = evidence::free_port();
    let aws = evidence::Aws { endpoint: format!("http://127.0.0.1:{port}"), ..s3_of(env) };
    let data = tempfile::tempdir().unwrap();
    let mut server = evidence::OwnServer::start(env.var("KF_S3S_BIN"), port, data.path(), &aws);
    let bucket = evidence::bucket_name("nodedie");
    evidence::create_bucket(&aws, &bucket);
    let secret = format!("nodedie-{:04x}", fastrand::u16(..));
    node_secret_with(env, &secret, &aws, &aws.secret_key, &["--from-literal=AWS_MAX_ATTEMPTS=2"]);
    let dest = format!("s3://{bucket}/incidents");
    let Capture { ns: _ns, dir, case, child, .. } = capture_while_exporting_to(env, "nodedie", Some((&dest, &secret, &aws.endpoint)));
    // once the node has stored its first artifact (s3s-fs keeps objects as files)
    let stored = data.path().join(&bucket).join(format!("incidents/{case}/pods"));
    wait_for(60, || stored.exists().then_some(())).expect("the node never stored an artifact");
    server.kill();
    let out = child.wait_with_output().unwrap();
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "secret", &secret], None);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let local = std::path::PathBuf::from("evidence").join(&case);
    assert!(err.contains(&format!("could not finish the bundle in {dest}/{case}")) && err.contains(&local.display().to_string()), "{err}");
    // nothing vouches for the bucket's partial content; this side's part is kept, incomplete
    assert!(!data.path().join(&bucket).join(format!("incidents/{case}/manifest.json")).exists());
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&local).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    assert!(dir.path().join(&local).join("cluster/pod.json").exists());
    // verifying this side's part says where the node's artifacts went
    let v = support::kforensic(&["verify", "--no-record", dir.path().join(&local).to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(1));
    assert!(stdout(&v).contains(&format!("stored by the node at s3://{bucket}/incidents/{case}/")), "{}", stdout(&v));

    // S3 is back: this machine finishes the bundle as the message says, the node's objects stay
    let _server = evidence::OwnServer::start(env.var("KF_S3S_BIN"), port, data.path(), &aws);
    let elsewhere = format!("s3://{bucket}/elsewhere");
    let up = support::kf()
        .aws(&aws)
        .args(["upload", dir.path().join(&local).to_str().unwrap(), &elsewhere, "--endpoint-url", &aws.endpoint])
        .run();
    assert_eq!(up.status.code(), Some(2), "{}", stderr(&up));
    assert!(stderr(&up).contains("upload to the bucket and prefix the node used"), "{}", stderr(&up));
    let up = support::kf()
        .aws(&aws)
        .args(["upload", dir.path().join(&local).to_str().unwrap(), &dest, "--endpoint-url", &aws.endpoint, "-o", "json"])
        .run();
    assert_eq!(up.status.code(), Some(3), "partial evidence, uploaded: {}{}", stdout(&up), stderr(&up));
    let r: Value = serde_json::from_slice(&up.stdout).unwrap();
    assert!(
        r["files"].as_array().unwrap().iter().any(|f| f["path"].as_str().unwrap().ends_with("inspect.json") && f["action"] == "skipped"),
        "{r}"
    );
    let v = support::kf().aws(&aws).args(["verify", &format!("{dest}/{case}"), "--endpoint-url", &aws.endpoint, "-o", "json"]).run();
    let rep: Value = serde_json::from_slice(&v.stdout).unwrap_or_else(|_| panic!("{}{}", stdout(&v), stderr(&v)));
    let kinds: Vec<&str> = rep["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert!(!kinds.is_empty() && kinds.iter().all(|k| *k == "incomplete"), "whole but incomplete: {rep}");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn isolate_after_the_capture_quarantines_the_pod_and_release_undoes_it() {
    let Some(env) = require("isolate_after_the_capture_quarantines_the_pod_and_release_undoes_it", CLUSTER) else { return };
    let ns = env.namespace("ckpt-iso");
    start_suspect(env, &ns.name, "suspect", SUSPECT);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("iso");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &["--isolate"]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    // the capture came first and is whole; the isolation record is part of the same bundle
    let bundle = dir.path().join(&case);
    let v = support::kforensic(&["verify", bundle.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "verify: {}{}", stdout(&v), stderr(&v));
    let record: Value = serde_json::from_slice(&std::fs::read(bundle.join("cluster/isolation.json")).unwrap()).unwrap();
    assert!(record.to_string().contains(&format!("kforensic-quarantine-{case}")), "{record}");
    // the pod is quarantined under the same case id, still running
    let np = env.kubectl(&["-n", &ns.name, "get", "networkpolicy", &format!("kforensic-quarantine-{case}"), "-o", "json"]);
    let np: Value = serde_json::from_str(&np).unwrap();
    assert_eq!(np["spec"]["podSelector"]["matchLabels"]["kforensic.io/quarantine"], case.as_str());
    let label = env.kubectl(&["-n", &ns.name, "get", "pod", "suspect", "-o", "jsonpath={.metadata.labels.kforensic\\.io/quarantine}"]);
    assert_eq!(label.trim(), case);
    // and release undoes exactly that
    let r = env.kforensic(&["-n", &ns.name, "--case-id", &case, "release", "pod", "suspect"]);
    assert_eq!(r.status.code(), Some(0), "{}{}", stdout(&r), stderr(&r));
    let left = env.kubectl_raw(&["-n", &ns.name, "get", "networkpolicy", "-o", "name"], None);
    assert_eq!(stdout(&left).trim(), "", "policy left after release");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn every_container_is_captured_and_a_finished_init_container_is_said_to_be_api_side_only() {
    let Some(env) = require("every_container_is_captured_and_a_finished_init_container_is_said_to_be_api_side_only", CLUSTER) else {
        return;
    };
    let ns = env.namespace("ckpt-multi");
    let multi = Pod::new(&ns.name, "multi")
        .grace(1)
        .init_container("init", BUSYBOX)
        .sh("echo init-ran")
        .container("main", BUSYBOX)
        .sh("echo main > /tmp/main.txt; exec sleep 100000")
        .container("side", BUSYBOX)
        .sh("echo side > /tmp/side.txt; exec sleep 100000");
    env.apply(&multi.yaml());
    env.wait_running(&ns.name, "multi", 60);
    std::thread::sleep(Duration::from_millis(500));
    let dir = tempfile::tempdir().unwrap();

    // all containers: both running ones from the node, the finished init container from the API
    let case = case_id("multi");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "multi", &case, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(3), "partial: the init container has nothing live\n{}", stderr(&out));
    let bundle = dir.path().join(&case);
    let pod = bundle.join(format!("pods/{}/multi", ns.name));
    for (c, file) in [("main", "tmp/main.txt"), ("side", "tmp/side.txt")] {
        let paths = read_zst_tar_paths(&pod.join(c).join("rootfs.tar.zst"));
        assert!(paths.iter().any(|p| p.ends_with(file)), "{c}: export lacks {file}");
    }
    assert!(std::fs::read_to_string(pod.join("init/logs/current.log")).unwrap().contains("init-ran"));
    assert!(!pod.join("init/rootfs.tar.zst").exists());
    let manifest: Value = serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let errors = manifest["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0]["message"].as_str().unwrap().contains("container init is terminated"), "{errors:#?}");

    // only the named container: complete
    let case = case_id("multi-c");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "multi", &case, dir.path(), &["-c", "side"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let pod = dir.path().join(&case).join(format!("pods/{}/multi", ns.name));
    assert!(pod.join("side/rootfs.tar.zst").exists());
    assert!(!pod.join("main").exists(), "an unnamed container was captured");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn dry_run_lists_exactly_what_a_real_run_then_captures_and_touches_nothing() {
    let Some(env) = require("dry_run_lists_exactly_what_a_real_run_then_captures_and_touches_nothing", CLUSTER) else { return };
    let ns = env.namespace("ckdry");
    start_suspect(env, &ns.name, "suspect", SUSPECT);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("dry");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let plan: Value = serde_json::from_slice(&out.stdout).unwrap();
    // nothing was created: no bundle, no collector pod
    assert!(!dir.path().join(&case).exists(), "a dry run wrote a bundle");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "a dry run started a collector");
    assert_eq!(plan["containers"][0]["name"], "main");
    assert_eq!(plan["containers"][0]["node_side"], true);
    assert_eq!(plan["collector"]["image"], env.collector_image().0);
    let expected: std::collections::BTreeSet<String> =
        plan["expected"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    let optional: Vec<String> = plan["optional"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(expected.contains(&format!("pods/{}/suspect/main/rootfs.tar.zst", ns.name)), "{expected:?}");

    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let produced: std::collections::BTreeSet<String> =
        report["manifest"]["artifacts"].as_array().unwrap().iter().map(|a| a["path"].as_str().unwrap().to_string()).collect();
    // every expected artifact is there, and everything else there is one of the announced kinds
    let missing: Vec<&String> = expected.difference(&produced).collect();
    assert!(missing.is_empty(), "planned but not produced: {missing:?}");
    let unannounced: Vec<&String> =
        produced.difference(&expected).filter(|p| !optional.iter().any(|o| kforensic::protocol::layout::matches_pattern(o, p))).collect();
    assert!(unannounced.is_empty(), "produced but not planned: {unannounced:?}");
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn mask_env_keeps_secret_values_out_of_the_bundle() {
    let Some(env) = require("mask_env_keeps_secret_values_out_of_the_bundle", CLUSTER) else { return };
    let ns = env.namespace("ckpt-mask");
    let canary = "kf-canary-value-9137";
    // built at run time: the value is never in a command line, only in the environment
    start_suspect(env, &ns.name, "suspect", &format!("export KF_CANARY=kf-canary-value-$((4500*2+137)); {SUSPECT}"));
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("mask");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &["--mask-env"]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let c = dir.path().join(&case).join(format!("pods/{}/suspect/main", ns.name));
    let volatile = std::fs::read_to_string(c.join("volatile.json")).unwrap();
    let inspect = std::fs::read_to_string(c.join("inspect.json")).unwrap();
    assert!(!volatile.contains(canary) && !inspect.contains(canary), "the secret value is in the bundle");
    let hashed = format!("KF_CANARY=sha256:{}", hex::encode(sha2::Sha256::digest(canary.as_bytes())));
    assert!(volatile.contains(&hashed), "the name stays, the value is its hash: {volatile}");
}

/// The freezer state of `pid`'s cgroup, read on the node: "FROZEN", "FREEZING" or "THAWED".
pub(crate) fn freezer_state(pid: i32) -> Option<String> {
    let cg = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    if let Some(line) = cg.lines().find(|l| l.split(':').nth(1).is_some_and(|c| c.split(',').any(|c| c == "freezer"))) {
        let path = line.splitn(3, ':').nth(2)?;
        return Some(std::fs::read_to_string(format!("/sys/fs/cgroup/freezer{path}/freezer.state")).ok()?.trim().to_string());
    }
    let path = cg.lines().find_map(|l| l.strip_prefix("0::"))?;
    let events = std::fs::read_to_string(format!("/sys/fs/cgroup{path}/cgroup.events")).ok()?;
    Some(if events.lines().any(|l| l.trim() == "frozen 1") { "FROZEN" } else { "THAWED" }.into())
}

/// A suspect holding `mib` MiB of random bytes in `dd`'s buffer (blocked on a pipe nobody
/// reads), so that reading its memory keeps it frozen for a while; its host pid.
fn start_big_memory_suspect(env: &TestEnv, ns: &str, marker: u32, mib: u32) -> i32 {
    let cmd = format!("(dd if=/dev/urandom bs={mib}M count=1 | sleep {marker}) & sleep 4; echo ready; exec sleep 100000");
    start_suspect(env, ns, "suspect", &cmd);
    wait_for(60, || env.kubectl(&["-n", ns, "logs", "suspect"]).contains("ready").then_some(())).expect("suspect ready");
    host_pid(&format!("sleep {marker}")).expect("suspect process")
}

/// `checkpoint pod suspect --memory=proc` in the background, and the moment its container is frozen.
fn capture_until_frozen(env: &TestEnv, ns: &str, case: &str, dir: &Path, pid: i32, timeout: &str) -> std::process::Child {
    let child = support::kf()
        .kubeconfig(env.admin_kubeconfig())
        .args(["-n", ns, "--case-id", case, "checkpoint", "pod", "suspect", "--memory=proc", "--timeout", timeout])
        .args(["--image", env.kforensic_image(), "--pull-policy", "never", "--dest", dir.to_str().unwrap()])
        .spawn();
    wait_for(150, || (freezer_state(pid).as_deref() == Some("FROZEN")).then_some(())).expect("the suspect was never frozen");
    child
}

/// Collector pods of `case` still running (a deleted or ended one does not count).
pub(crate) fn running_collectors(env: &TestEnv, case: &str) -> String {
    let out = case_pods(
        env,
        "kforensic",
        case,
        "jsonpath={range .items[?(@.status.phase==\"Running\")]}{.metadata.name} {.metadata.deletionTimestamp}{\"\\n\"}{end}",
    );
    stdout(&out).lines().filter(|l| l.split_whitespace().count() == 1).collect::<Vec<_>>().join(",")
}

#[test]
fn a_cli_killed_while_the_container_is_frozen_leaves_it_thawed_by_the_node() {
    let Some(env) = require("a_cli_killed_while_the_container_is_frozen_leaves_it_thawed_by_the_node", CLUSTER) else { return };
    let ns = env.namespace("ckpt-killcli");
    let pid = start_big_memory_suspect(env, &ns.name, 100_011, 400);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("killcli");
    // --timeout 30s: the collector ends itself 90 s after its creation at the latest
    let mut child = capture_until_frozen(env, &ns.name, &case, dir.path(), pid, "30s");
    let frozen_at = Instant::now();
    child.kill().unwrap();
    let _ = child.wait();
    // nobody on the API side is left to thaw it: the node side does, within the pod's deadline
    let thawed = wait_for(90, || (freezer_state(pid).as_deref() == Some("THAWED")).then_some(()));
    assert!(thawed.is_some(), "still {:?} {:?} after the CLI was killed", freezer_state(pid), frozen_at.elapsed());
    // and the collector ends by its deadline (hold exits, the kubelet ends the pod)
    let gone = wait_for(150, || running_collectors(env, &case).is_empty().then_some(()));
    let left = running_collectors(env, &case);
    let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "pods", "-l", &format!("kforensic.io/case={case}"), "--wait=false"], None);
    assert!(gone.is_some(), "collector still running: {left}");
    assert_eq!(freezer_state(pid).as_deref(), Some("THAWED"));
}

#[test]
fn an_agent_killed_while_the_container_is_frozen_is_thawed_by_hold() {
    let Some(env) = require("an_agent_killed_while_the_container_is_frozen_is_thawed_by_hold", CLUSTER) else { return };
    let ns = env.namespace("ckpt-killagent");
    let pid = start_big_memory_suspect(env, &ns.name, 100_012, 400);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("killagent");
    let child = capture_until_frozen(env, &ns.name, &case, dir.path(), pid, "3m");
    // the CLI is held still: only the node side can thaw
    unsafe { libc::kill(child.id() as i32, libc::SIGSTOP) };
    let agents = agent_pids(env, &case);
    assert!(!agents.is_empty(), "no agent found");
    for p in &agents {
        unsafe { libc::kill(*p, libc::SIGKILL) };
    }
    let killed_at = Instant::now();
    let thawed = wait_for(10, || (freezer_state(pid).as_deref() == Some("THAWED")).then_some(()));
    let state = freezer_state(pid);
    unsafe { libc::kill(child.id() as i32, libc::SIGCONT) };
    let out = child.wait_with_output().unwrap();
    assert!(thawed.is_some(), "still {state:?} {:?} after the agent was killed", killed_at.elapsed());
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn a_device_or_fifo_planted_as_a_history_is_never_opened() {
    let Some(env) = require("a_device_or_fifo_planted_as_a_history_is_never_opened", CLUSTER) else { return };
    let ns = env.namespace("ckpt-hostile");
    let cmd =
        "mkfifo /root/.ash_history; mknod /root/.bash_history c 1 3; echo genuine > /root/.zsh_history; echo ready; exec sleep 100000";
    start_suspect(env, &ns.name, "suspect", cmd);
    wait_for(60, || env.kubectl(&["-n", &ns.name, "logs", "suspect"]).contains("ready").then_some(())).expect("suspect ready");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("hostile");
    let started = Instant::now();
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(3), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(170), "the capture hung: {:?}", started.elapsed());
    let bundle = dir.path().join(&case);
    let manifest: Value = serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let errors = manifest["errors"].to_string();
    assert!(errors.contains(".ash_history") && errors.contains("a FIFO: not read"), "{errors}");
    assert!(errors.contains(".bash_history") && errors.contains("a character device: not read"), "{errors}");
    assert!(!errors.contains("timed out"), "{errors}");
    // the rest of the capture went on: the genuine history and the other evidence are there
    let c = bundle.join(format!("pods/{}/suspect/main", ns.name));
    assert_eq!(std::fs::read_to_string(c.join("history/root/.zsh_history")).unwrap(), "genuine\n");
    assert!(!c.join("history/root/.bash_history").exists() && !c.join("history/root/.ash_history").exists());
    assert!(c.join("volatile.json").exists() && c.join("rootfs.tar.zst").exists());
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}

#[test]
fn histories_behind_a_symlinked_root_in_passwd_homes_and_with_non_utf8_names_are_all_captured() {
    let Some(env) = require("histories_behind_a_symlinked_root_in_passwd_homes_and_with_non_utf8_names_are_all_captured", CLUSTER) else {
        return;
    };
    let ns = env.namespace("ckpt-homes");
    let cmd = "mkdir -p /data/r && echo via-link > /data/r/.ash_history && rm -rf /root && ln -s /data/r /root \
        && mkdir -p /srv/app && echo from-passwd > /srv/app/.sh_history && echo 'app:x:1000:1000::/srv/app:/bin/sh' >> /etc/passwd \
        && mkdir -p /home/u && echo odd > \"/home/u/.$(printf '\\377')_history\" && echo ready; exec sleep 100000";
    start_suspect(env, &ns.name, "suspect", cmd);
    wait_for(60, || env.kubectl(&["-n", &ns.name, "logs", "suspect"]).contains("ready").then_some(())).expect("suspect ready");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("homes");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let c = dir.path().join(&case).join(format!("pods/{}/suspect/main/history", ns.name));
    let read = |rel: &str| std::fs::read_to_string(c.join(rel)).unwrap_or_else(|e| panic!("history/{rel}: {e}"));
    assert_eq!(read("root/.ash_history"), "via-link\n", "a /root that is a symlink is read inside the container");
    assert_eq!(read("srv/app/.sh_history"), "from-passwd\n", "a home only /etc/passwd names");
    assert_eq!(read("home/u/.%FF_history"), "odd\n", "a name that is not UTF-8 keeps its byte, escaped");
    assert!(support::verify_ok(&dir.path().join(&case)));
}

#[test]
fn ctrl_c_while_the_container_is_frozen_ends_promptly_thawed_and_without_a_collector() {
    let Some(env) = require("ctrl_c_while_the_container_is_frozen_ends_promptly_thawed_and_without_a_collector", CLUSTER) else {
        return;
    };
    let ns = env.namespace("ckpt-intfrozen");
    let pid = start_big_memory_suspect(env, &ns.name, 100_013, 400);
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("intfrozen");
    let child = capture_until_frozen(env, &ns.name, &case, dir.path(), pid, "3m");
    let asked = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let took = asked.elapsed();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    // thaw through the agent, the collector deleted with its grace period and waited for
    assert!(took < Duration::from_secs(45), "the CLI took {took:?} to stop");
    assert_eq!(freezer_state(pid).as_deref(), Some("THAWED"));
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
    let manifest: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
}

/// Removes a cluster-wide binding made for one test.
struct DropBinding(&'static TestEnv, String);
impl Drop for DropBinding {
    fn drop(&mut self) {
        let _ = self.0.kubectl_raw(&["delete", "clusterrolebinding", &self.1, "--ignore-not-found"], None);
        let _ = self.0.kubectl_raw(&["-n", "kforensic", "delete", "rolebinding", &self.1, "--ignore-not-found"], None);
    }
}

#[test]
fn the_shipped_checkpoint_roles_are_enough_for_a_capture_that_keeps_its_collector() {
    let Some(env) = require("the_shipped_checkpoint_roles_are_enough", CLUSTER) else { return };
    let ns = env.namespace("ckpt-rbac");
    start_suspect(env, &ns.name, "suspect", SUSPECT);
    env.apply(&std::fs::read_to_string(support::repo_root().join("deploy/rbac-checkpoint.yaml")).unwrap());
    // a responder of its own (a service account bound to exactly the shipped roles)
    env.kubectl(&["-n", &ns.name, "create", "serviceaccount", "responder"]);
    let binding = format!("{}-responder", ns.name);
    let _guard = DropBinding(env, binding.clone());
    let sa = format!("{}:responder", ns.name);
    env.kubectl(&["create", "clusterrolebinding", &binding, "--clusterrole=kforensic-checkpoint", &format!("--serviceaccount={sa}")]);
    env.kubectl(&["-n", "kforensic", "create", "rolebinding", &binding, "--role=kforensic-collector", &format!("--serviceaccount={sa}")]);
    let secret = wait_for(60, || {
        let s = env.kubectl(&["-n", &ns.name, "get", "serviceaccount", "responder", "-o", "jsonpath={.secrets[0].name}"]);
        (!s.trim().is_empty()).then(|| s.trim().to_string())
    })
    .expect("the service account's token secret");
    let token = env.kubectl(&["-n", &ns.name, "get", "secret", &secret, "-o", "jsonpath={.data.token}"]);
    use base64::Engine;
    let token = String::from_utf8(base64::engine::general_purpose::STANDARD.decode(token.trim()).unwrap()).unwrap();
    let admin: serde_yaml::Value = serde_yaml::from_str(&std::fs::read_to_string(env.admin_kubeconfig()).unwrap()).unwrap();
    let server = admin["clusters"][0]["cluster"]["server"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("responder.kubeconfig");
    std::fs::write(
        &kc,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {{server: '{server}', insecure-skip-tls-verify: true}}\nusers:\n- name: responder\n  user: {{token: '{token}'}}\ncontexts:\n- name: r\n  context: {{cluster: c, user: responder}}\ncurrent-context: r\n"
        ),
    )
    .unwrap();
    let case = case_id("rbac");
    let out = checkpoint(env, kc.to_str().unwrap(), &ns.name, "suspect", &case, dir.path(), &["--keep-collector"]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], true, "{report}");
    // kept, and marked as kept (the patch the role grants); then removed by the test
    let kept = collector_pods(env, "kforensic", &case);
    assert!(!kept.is_empty(), "--keep-collector kept nothing");
    let pod = kept.trim_start_matches("pod/");
    let ann = env.kubectl(&["-n", "kforensic", "get", "pod", pod, "-o", "jsonpath={.metadata.annotations.kforensic\\.io/kept}"]);
    assert_eq!(ann.trim(), "true");
    env.kubectl(&["-n", "kforensic", "delete", "pod", pod, "--grace-period=1"]);
}
