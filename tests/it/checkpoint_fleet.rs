//! `kforensic checkpoint deploy/NAME`, `-l`, several pods: one case, one verified sub-bundle per
//! pod, one collector per node at a time, none left; on the real test cluster.

use crate::support::pod::{self, BUSYBOX};
use crate::support::{self, CLUSTER, TestEnv, require, stderr, stdout};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

fn case_id(tag: &str) -> String {
    format!("kf-test-{tag}-{:04x}", fastrand::u16(..))
}

fn capture_args<'a>(env: &TestEnv, ns: &'a str, case: &'a str, dest: &'a Path, target: &[&'a str]) -> Vec<String> {
    let mut args: Vec<String> = ["-n", ns, "--case-id", case, "-o", "json", "checkpoint"].iter().map(|s| s.to_string()).collect();
    args.extend(target.iter().map(|s| s.to_string()));
    for a in ["--image", env.kforensic_image(), "--pull-policy", "never", "--dest", dest.to_str().unwrap(), "--timeout", "3m"] {
        args.push(a.to_string());
    }
    args
}

fn deployment(ns: &str, name: &str, replicas: u32) -> String {
    format!(
        r#"apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: {ns}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: {BUSYBOX}
        command: ["sh", "-c", "echo replica-started; echo planted > /tmp/planted.txt; exec sleep 100000"]
"#
    )
}

fn collectors(env: &TestEnv, case: &str) -> usize {
    let out = env.kubectl_raw(&["-n", "kforensic", "get", "pods", "-l", &format!("kforensic.io/case={case}"), "-o", "name"], None);
    stdout(&out).lines().filter(|l| !l.trim().is_empty()).count()
}

/// Counts the collectors of `case` while the capture runs: the most seen at once.
fn watch_collectors(env: &'static TestEnv, case: &str) -> (Arc<AtomicBool>, std::thread::JoinHandle<usize>) {
    let stop = Arc::new(AtomicBool::new(false));
    let (s, case) = (stop.clone(), case.to_string());
    let h = std::thread::spawn(move || {
        let most = AtomicUsize::new(0);
        while !s.load(Ordering::SeqCst) {
            most.fetch_max(collectors(env, &case), Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(300));
        }
        most.into_inner()
    });
    (stop, h)
}

#[test]
fn a_deployment_is_captured_through_its_owner_chain_into_verified_sub_bundles() {
    let Some(env) = require("a_deployment_is_captured_through_its_owner_chain_into_verified_sub_bundles", CLUSTER) else { return };
    let ns = env.namespace("fleet");
    env.apply(&deployment(&ns.name, "web", 5));
    // a pod with the deployment's labels that the deployment does not own: not part of it
    env.apply(&pod::busybox(&ns.name, "impostor", "exec sleep 100000").label("app", "web").yaml());
    env.kubectl(&["-n", &ns.name, "rollout", "status", "deploy/web", "--timeout=120s"]);
    env.wait_running(&ns.name, "impostor", 60);
    let pods: Vec<String> = env
        .kubectl(&["-n", &ns.name, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"])
        .split_whitespace()
        .filter(|p| *p != "impostor")
        .map(String::from)
        .collect();
    assert_eq!(pods.len(), 5, "{pods:?}");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("fleet");

    // the dry run names every replica, its node and containers, and creates nothing
    let mut dry = capture_args(env, &ns.name, &case, dir.path(), &["deploy/web"]);
    dry.push("--dry-run".into());
    dry.retain(|a| a != "-o" && a != "json");
    let out = env.kforensic(&dry.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    for p in &pods {
        assert!(text.contains(&format!("{}/{p}", ns.name)), "dry run lacks {p}:\n{text}");
    }
    assert!(!text.contains("impostor") && text.contains("5 pod(s) on 1 node(s)") && text.contains("main"), "{text}");
    assert!(!dir.path().join(&case).exists(), "a dry run wrote a bundle");
    assert_eq!(collectors(env, &case), 0);

    let (watching, watcher) = watch_collectors(env, &case);
    let args = capture_args(env, &ns.name, &case, dir.path(), &["deploy/web"]);
    let out = env.kforensic(&args.iter().map(String::as_str).collect::<Vec<_>>());
    watching.store(true, Ordering::SeqCst);
    let most = watcher.join().unwrap();
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], true, "{report:#}");
    let got: Vec<&str> = report["pods"].as_array().unwrap().iter().map(|p| p["pod"].as_str().unwrap()).collect();
    let mut want: Vec<&str> = pods.iter().map(String::as_str).collect();
    want.sort();
    assert_eq!(got, want, "exactly the deployment's pods, by owner, not by label");
    // one node in the test cluster: one collector, shared by the five pods, and none left
    assert_eq!(most, 1, "collectors seen at once");
    assert_eq!(collectors(env, &case), 0, "collector left behind");

    let case_dir = dir.path().join(&case);
    for p in &pods {
        let sub = case_dir.join(format!("pods/{}/{p}", ns.name));
        assert!(support::verify_ok(&sub), "sub-bundle of {p} does not verify on its own");
        let m: Value = serde_json::from_slice(&std::fs::read(sub.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["case_id"], case.as_str());
        assert_eq!(m["complete"], true);
        let diff = std::fs::read_to_string(sub.join(format!("pods/{}/{p}/main/diff.json", ns.name))).unwrap();
        assert!(diff.contains("/tmp/planted.txt"), "{p}: {diff}");
    }
    // the case verifies as a whole: its manifest binds each sub-bundle's manifest
    let top: Value = serde_json::from_slice(&std::fs::read(case_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(top["artifacts"].as_array().unwrap().len(), 5);
    assert!(support::verify_ok(&case_dir));
    // an attacker who edits one pod's evidence is caught from the case, named by pod and file
    let victim = case_dir.join(format!("pods/{}/{}/pods/{}/{}/main/volatile.json", ns.name, pods[2], ns.name, pods[2]));
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[0] ^= 1;
    std::fs::write(&victim, bytes).unwrap();
    let v = support::kforensic(&["verify", "--no-record", case_dir.to_str().unwrap()]);
    assert_ne!(v.status.code(), Some(0));
    let said = format!("{}{}", stdout(&v), stderr(&v));
    assert!(said.contains(&format!("pods/{}/{}", ns.name, pods[2])) && said.contains("volatile.json"), "{said}");
}

#[test]
fn a_selector_or_controller_matching_nothing_is_one_line_and_exit_1() {
    let Some(env) = require("a_selector_or_controller_matching_nothing_is_one_line_and_exit_1", CLUSTER) else { return };
    let ns = env.namespace("fleet-none");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("none");
    for (target, want) in [
        (
            vec!["pod", "-l", "app=nothing-here"],
            format!("error: no pod matches -l app=nothing-here in namespace '{}': nothing to capture", ns.name),
        ),
        (vec!["deploy/nope"], format!("error: deploy/nope not found in namespace '{}'", ns.name)),
        (
            vec!["pod", "-A", "-l", "kforensic-test=nothing-here"],
            "error: no pod matches -l kforensic-test=nothing-here in any namespace: nothing to capture".into(),
        ),
    ] {
        let args = capture_args(env, &ns.name, &case, dir.path(), &target);
        let out = env.kforensic(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(out.status.code(), Some(1), "{target:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim(), want, "{target:?}");
        assert!(!dir.path().join(&case).exists());
    }
}

#[test]
fn a_pod_deleted_mid_run_fails_alone_and_the_others_complete() {
    let Some(env) = require("a_pod_deleted_mid_run_fails_alone_and_the_others_complete", CLUSTER) else { return };
    let ns = env.namespace("fleet-del");
    // captured in name order on the one node: a-big takes a while, c-gone is deleted meanwhile
    let payload = "head -c 157286400 /dev/urandom > /tmp/payload; echo ready; exec sleep 100000";
    env.apply(&pod::busybox(&ns.name, "a-big", payload).label("tier", "f").yaml());
    env.apply(&pod::busybox(&ns.name, "b-ok", "echo ready; exec sleep 100000").label("tier", "f").yaml());
    env.apply(&pod::busybox(&ns.name, "c-gone", "echo ready; exec sleep 100000").label("tier", "f").yaml());
    for p in ["a-big", "b-ok", "c-gone"] {
        env.wait_running(&ns.name, p, 60);
        while !stdout(&env.kubectl_raw(&["-n", &ns.name, "logs", p], None)).contains("ready") {
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("del");
    let args = capture_args(env, &ns.name, &case, dir.path(), &["pod", "-l", "tier=f"]);
    let child = support::kf().kubeconfig(env.admin_kubeconfig()).args(&args).spawn();
    // once the first pod is being captured, c-gone goes (its container really stopped)
    let started = dir.path().join(&case).join(format!("pods/{}/a-big", ns.name));
    for _ in 0..300 {
        if started.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(started.exists(), "the capture never started");
    env.kubectl(&["-n", &ns.name, "delete", "pod", "c-gone", "--grace-period=1", "--wait=true"]);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    let pods = report["pods"].as_array().unwrap();
    let by = |n: &str| pods.iter().find(|p| p["pod"] == n).unwrap_or_else(|| panic!("{n} not in {report:#}"));
    assert_eq!(by("a-big")["complete"], true, "{report:#}");
    assert_eq!(by("b-ok")["complete"], true, "{report:#}");
    assert_eq!(by("c-gone")["complete"], false, "{report:#}");
    assert!(by("c-gone")["error"].as_str().is_some_and(|e| !e.is_empty()), "{report:#}");
    let case_dir = dir.path().join(&case);
    for p in ["a-big", "b-ok"] {
        assert!(support::verify_ok(&case_dir.join(format!("pods/{}/{p}", ns.name))), "{p}");
    }
    // the case says it is incomplete, and why, without hiding the rest
    let top: Value = serde_json::from_slice(&std::fs::read(case_dir.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(top["complete"], false);
    assert!(top["errors"].to_string().contains("c-gone"), "{top:#}");
    assert_eq!(collectors(env, &case), 0, "collector left behind");
}

#[test]
fn ctrl_c_mid_fleet_stops_every_pod_and_leaves_no_collector() {
    let Some(env) = require("ctrl_c_mid_fleet_stops_every_pod_and_leaves_no_collector", CLUSTER) else { return };
    let ns = env.namespace("fleet-int");
    // the first pod's export takes a while: the signal lands in the middle of it
    let payload = "head -c 314572800 /dev/urandom > /tmp/payload; echo ready; exec sleep 100000";
    for p in ["a-big", "b-next", "c-last"] {
        env.apply(&pod::busybox(&ns.name, p, payload).label("tier", "int").yaml());
    }
    for p in ["a-big", "b-next", "c-last"] {
        env.wait_running(&ns.name, p, 60);
        while !stdout(&env.kubectl_raw(&["-n", &ns.name, "logs", p], None)).contains("ready") {
            std::thread::sleep(Duration::from_millis(300));
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("int");
    let args = capture_args(env, &ns.name, &case, dir.path(), &["pod", "-l", "tier=int"]);
    let child = support::kf().kubeconfig(env.admin_kubeconfig()).args(&args).spawn();
    // once the collector runs and the first pod's capture is under way
    let started = dir.path().join(&case).join(format!("pods/{}/a-big", ns.name));
    for _ in 0..600 {
        if started.exists() && collectors(env, &case) == 1 {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(started.exists(), "the capture never started");
    std::thread::sleep(Duration::from_millis(500));
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    // the pods not reached are said not to have started, for the reason given
    let pods = report["pods"].as_array().unwrap();
    let last = pods.iter().find(|p| p["pod"] == "c-last").unwrap();
    assert_eq!(last["complete"], false);
    assert!(last["error"].as_str().is_some_and(|e| e.contains("interrupted by SIGINT")), "{report:#}");
    let top: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(top["complete"], false);
    assert_eq!(collectors(env, &case), 0, "collector left behind");
}

#[test]
fn a_deployment_captured_to_s3_lands_as_one_case_that_verifies_in_the_bucket() {
    let Some(env) = require("a_deployment_captured_to_s3_lands_as_one_case_that_verifies_in_the_bucket", &[CLUSTER, &["s3"]].concat())
    else {
        return;
    };
    let ns = env.namespace("fleet-s3");
    env.apply(&deployment(&ns.name, "web", 2));
    env.kubectl(&["-n", &ns.name, "rollout", "status", "deploy/web", "--timeout=120s"]);
    let pods: Vec<String> = env
        .kubectl(&["-n", &ns.name, "get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].metadata.name}"])
        .split_whitespace()
        .map(String::from)
        .collect();
    assert_eq!(pods.len(), 2, "{pods:?}");
    let aws = crate::checkpoint::s3_of(env);
    let bucket = support::evidence::Bucket::create(&aws, "fleet");
    let case = case_id("fleet-s3");
    let dest = format!("s3://{}/incidents", bucket.name);
    let staging = tempfile::tempdir().unwrap();
    let out = support::kf()
        .current_dir(staging.path())
        .aws(&aws)
        .kubeconfig(env.admin_kubeconfig())
        .args(["-n", &ns.name, "--case-id", &case, "-o", "json", "checkpoint", "deploy/web", "--image", env.kforensic_image()])
        .args(["--pull-policy", "never", "--timeout", "3m", "--dest", &dest, "--endpoint-url", &aws.endpoint])
        .run();
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["bundle"], format!("{dest}/{case}"), "{report:#}");
    // the case as it lies: the case's manifest, and each pod's whole sub-bundle under it
    let keys = support::evidence::list_keys(&aws, &bucket.name, &format!("incidents/{case}/"));
    assert!(keys.contains(&format!("incidents/{case}/manifest.json")), "{keys:#?}");
    for p in &pods {
        let sub = format!("incidents/{case}/pods/{}/{p}", ns.name);
        for f in ["manifest.json", "custody.log", &format!("pods/{}/{p}/main/rootfs.tar.zst", ns.name)] {
            assert!(keys.contains(&format!("{sub}/{f}")), "{sub}/{f} not in the bucket: {keys:#?}");
        }
    }
    let verify = |extra: &[&str]| {
        support::kf().aws(&aws).args(["verify", &format!("{dest}/{case}"), "--endpoint-url", &aws.endpoint]).args(extra).run()
    };
    let v = verify(&[]);
    assert_eq!(v.status.code(), Some(0), "{}{}", stdout(&v), stderr(&v));
    // every sub-bundle's artifacts were checked in the bucket, not only the case's manifest
    let local = staging.path().join("evidence").join(&case);
    let count = |m: &Path| -> u64 {
        let v: Value = serde_json::from_slice(&std::fs::read(m).unwrap()).unwrap();
        v["artifacts"].as_array().unwrap().len() as u64
    };
    let want = count(&local.join("manifest.json"))
        + pods.iter().map(|p| count(&local.join(format!("pods/{}/{p}/manifest.json", ns.name)))).sum::<u64>();
    let vr = verify(&["-o", "json"]);
    let vr: Value = serde_json::from_slice(&vr.stdout).unwrap();
    assert_eq!(vr["artifacts_ok"].as_u64(), Some(want), "{vr:#}");
    // one pod's evidence replaced in the bucket: named from the case, by pod and file
    let key = format!("incidents/{case}/pods/{}/{}/pods/{}/{}/main/volatile.json", ns.name, pods[1], ns.name, pods[1]);
    let c = support::evidence::sdk(&aws);
    support::evidence::rt().block_on(async {
        c.put_object().bucket(&bucket.name).key(&key).body(b"{\"processes\": []}".to_vec().into()).send().await.unwrap();
    });
    let v = verify(&[]);
    assert_eq!(v.status.code(), Some(1), "{}{}", stdout(&v), stderr(&v));
    let said = format!("{}{}", stdout(&v), stderr(&v));
    assert!(said.contains(&format!("pods/{}/{}", ns.name, pods[1])) && said.contains("volatile.json"), "{said}");
}
