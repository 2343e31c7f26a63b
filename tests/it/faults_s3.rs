//! The fault matrix between kforensic and S3: the real S3 server of the test environment
//! (s3s-fs) reached through the fault proxy in front of it (`s3faultproxy`, rules in
//! `KF_S3_FAULT_RULES`), while `upload` and `checkpoint --dest s3://` (from this machine and from
//! the node) send a bundle. A fault that passes is retried and the bundle verifies in the bucket;
//! one that stays ends the command with one line naming the object, and the bucket never holds a
//! manifest presenting the bundle as complete. The test reads the bucket back through the server
//! itself, not through the proxy.

use crate::checkpoint::{case_id, checkpoint_to_s3, collector_pods, node_secret_with, s3_of, start_suspect, wait_for};
use crate::support::evidence::{Aws, Bucket, MIB, list_keys, make_bundle, text};
use crate::support::{self, CLUSTER, Faults, TestEnv, kf, require};
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;

/// The test environment with S3 behind its fault proxy: the server as it is (`direct`) and as
/// the commands under test reach it (`faulty`, same credentials).
struct S3Faulty {
    env: &'static TestEnv,
    direct: Aws,
    faulty: Aws,
}

fn s3_faulty(test: &str, cluster: bool) -> Option<S3Faulty> {
    let mut needs = vec!["s3", "s3faultproxy"];
    if cluster {
        needs.extend_from_slice(CLUSTER);
    }
    let env = require(test, &needs)?;
    let direct = s3_of(env);
    let faulty = Aws { endpoint: env.var("KF_S3_FAULT_ENDPOINT").to_string(), ..direct.clone() };
    Some(S3Faulty { env, direct, faulty })
}

impl S3Faulty {
    /// The proxy's log lines of the faults applied to requests in `bucket`.
    fn applied(&self, bucket: &str) -> Vec<String> {
        support::faults_applied(self.env, "s3faultproxy", &format!(" /{bucket}/"))
    }
    /// Every fault `what` (e.g. "fault drop on PUT") was met.
    fn assert_met(&self, bucket: &str, what: &[&str]) {
        let applied = self.applied(bucket);
        for w in what {
            assert!(applied.iter().any(|l| l.contains(w)), "no '{w}' in the proxy's log: {applied:#?}");
        }
    }
    /// `kforensic verify URL` against the server itself.
    fn verify(&self, url: &str) -> Output {
        kf().aws(&self.direct).args(["verify", url, "--endpoint-url", &self.direct.endpoint]).run()
    }
    fn assert_verifies(&self, url: &str, artifacts: usize) {
        let v = self.verify(url);
        assert_eq!(v.status.code(), Some(0), "verify {url}: {}{}", text(&v.stdout), text(&v.stderr));
        assert!(text(&v.stdout).starts_with(&format!("OK {url}: {artifacts} artifacts")), "{}", text(&v.stdout));
    }
    fn manifest_in_bucket(&self, bucket: &str) -> bool {
        list_keys(&self.direct, bucket, "").iter().any(|k| k.ends_with("/manifest.json"))
    }
}

/// A real bundle `<d>/case-<tag>`: the API side, a 12 MiB export (three 5 MiB parts) and a small
/// one-part artifact.
fn bundle(d: &Path, tag: &str) -> std::path::PathBuf {
    let arts =
        [("cluster/pod.json", 700), ("pods/shop/web-1/app/rootfs.tar.zst", 12 * MIB + 1234), ("pods/shop/web-1/app/volatile.json", 3000)];
    make_bundle(d, &format!("case-{tag}"), &arts).0
}

/// `kforensic upload DIR DEST` through the fault proxy, 5 MiB parts, JSON report.
fn upload(s: &S3Faulty, dir: &Path, dest: &str, extra: &[&str]) -> Output {
    kf().aws(&s.faulty)
        .args(["upload", dir.to_str().unwrap(), dest, "--endpoint-url", &s.faulty.endpoint, "--part-size", "5MiB", "-o", "json"])
        .args(extra)
        .run()
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)))
}

/// What the upload report says it did with `path`.
fn action(report: &Value, path: &str) -> Option<String> {
    report["files"].as_array()?.iter().find(|f| f["path"] == path).and_then(|f| f["action"].as_str()).map(String::from)
}

/// A request path rule: `suffix` (a regex) of an object key in `bucket`.
fn object(bucket: &str, suffix: &str) -> String {
    format!("^/{bucket}/.*{suffix}")
}

#[test]
fn dropped_connections_on_a_part_an_object_and_two_answers_are_sent_again_and_the_bundle_verifies() {
    let Some(s) = s3_faulty("dropped_connections_on_a_part_an_object_and_two_answers_are_sent_again_and_the_bundle_verifies", false) else {
        return;
    };
    let b = Bucket::create(&s.direct, "s3drop");
    let d = tempfile::tempdir().unwrap();
    let dir = bundle(d.path(), "drop");
    let _f = Faults::s3(
        s.env,
        &json!([
            // the second part of the export: the connection is cut while it is sent
            {"path": object(&b.name, r"rootfs\.tar\.zst\?(.*&)?partNumber=2(&|$)"), "method": "PUT", "action": "drop", "times": 1},
            // a whole one-part object
            {"path": object(&b.name, r"volatile\.json(\?|$)"), "method": "PUT", "action": "drop", "times": 1},
            // the export is made whole from its parts, but the answer is lost: the completion sent
            // again is refused (its upload is gone), and the export read back shows it is there
            {"path": object(&b.name, r"rootfs\.tar\.zst\?uploadId="), "method": "POST", "action": "drop", "after": true, "times": 1},
            // the manifest is stored, but its answer is lost: sent again over the one stored
            {"path": object(&b.name, r"manifest\.json(\?|$)"), "method": "PUT", "action": "drop", "after": true, "times": 1},
        ]),
    );
    let dest = format!("s3://{}/ir", b.name);
    let out = upload(&s, &dir, &dest, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let r = json_of(&out);
    assert_eq!((r["complete"].as_bool(), r["uploaded"].as_u64()), (Some(true), Some(5)), "{r}");
    let applied = s.applied(&b.name);
    assert_eq!(applied.iter().filter(|l| l.contains("fault drop on PUT")).count(), 3, "{applied:#?}");
    assert_eq!(applied.iter().filter(|l| l.contains("fault drop on POST")).count(), 1, "{applied:#?}");
    s.assert_verifies(&format!("{dest}/case-drop"), 3);
}

#[test]
fn a_part_that_always_fails_is_named_leaves_no_manifest_and_a_rerun_resumes_and_verifies() {
    let Some(s) = s3_faulty("a_part_that_always_fails_is_named_leaves_no_manifest_and_a_rerun_resumes_and_verifies", false) else {
        return;
    };
    let b = Bucket::create(&s.direct, "s3fail");
    let d = tempfile::tempdir().unwrap();
    let dir = bundle(d.path(), "fail");
    let f = Faults::s3(
        s.env,
        &json!([{"path": object(&b.name, r"rootfs\.tar\.zst\?(.*&)?partNumber=2(&|$)"), "method": "PUT", "action": "status", "status": 500}]),
    );
    let dest = format!("s3://{}/ir", b.name);
    // one object at a time, in the manifest's order: the one before the export is in the bucket
    let out = upload(&s, &dir, &dest, &["--concurrency", "1"]);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}{err}", text(&out.stdout));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&format!("s3://{}/ir/case-fail/pods/shop/web-1/app/rootfs.tar.zst", b.name)) && err.contains("HTTP 500"), "{err}");
    // nothing presents the bucket's part as a bundle, let alone a complete one
    assert!(!s.manifest_in_bucket(&b.name), "{:?}", list_keys(&s.direct, &b.name, ""));
    let v = s.verify(&format!("{dest}/case-fail"));
    assert_eq!(v.status.code(), Some(1), "{}", text(&v.stdout));
    assert!(text(&v.stderr).contains("is not an evidence bundle"), "{}{}", text(&v.stdout), text(&v.stderr));
    // the custody log kept here records the failed attempt and what failed
    let log = std::fs::read_to_string(dir.join("custody.log")).unwrap();
    assert!(log.lines().any(|l| l.contains("\"status\":\"failed\"") && l.contains("rootfs.tar.zst")), "{log}");

    // the fault is gone: the same command resumes, sends what is missing, and the bundle verifies
    f.clear();
    let out = upload(&s, &dir, &dest, &["--concurrency", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    let r = json_of(&out);
    assert_eq!(action(&r, "cluster/pod.json").as_deref(), Some("skipped"), "{r}");
    assert_eq!(action(&r, "pods/shop/web-1/app/rootfs.tar.zst").as_deref(), Some("uploaded"), "{r}");
    assert_eq!(action(&r, "manifest.json").as_deref(), Some("uploaded"), "{r}");
    s.assert_verifies(&format!("{dest}/case-fail"), 3);
}

#[test]
fn slow_s3_answers_slow_the_upload_down_but_it_completes_and_verifies() {
    let Some(s) = s3_faulty("slow_s3_answers_slow_the_upload_down_but_it_completes_and_verifies", false) else { return };
    let b = Bucket::create(&s.direct, "s3slow");
    let d = tempfile::tempdir().unwrap();
    let dir = bundle(d.path(), "slow");
    // every kind of request answers late: listing, reading back, parts, objects, completion
    let _f = Faults::s3(s.env, &json!([{"path": format!("^/{}[/?]", b.name), "action": "delay", "seconds": 2, "times": 12}]));
    let dest = format!("s3://{}/ir", b.name);
    let out = upload(&s, &dir, &dest, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    s.assert_met(&b.name, &["fault delay on GET", "fault delay on PUT", "fault delay on POST"]);
    s.assert_verifies(&format!("{dest}/case-slow"), 3);
}

/// A suspect whose export (12 MiB of random bytes) goes up in several parts.
fn start_big_suspect(s: &S3Faulty, tag: &str) -> support::Namespace {
    let ns = s.env.namespace(tag);
    start_suspect(s.env, &ns.name, "suspect", "head -c 12582912 /dev/urandom > /tmp/payload.bin; exec sleep 100000");
    ns
}

/// The suspect runs on, and no collector of the case is left.
fn assert_no_harm(s: &S3Faulty, ns: &str, case: &str) {
    assert_eq!(s.env.kubectl(&["-n", ns, "get", "pod", "suspect", "-o", "jsonpath={.status.phase}"]).trim(), "Running");
    assert_eq!(collector_pods(s.env, "kforensic", case), "", "collector pod left behind");
}

/// The export's object in the bucket, as a rule's path.
fn export_rule(bucket: &str, action: Value) -> Value {
    let mut r = json!({"path": object(bucket, r"/suspect/main/rootfs\.tar\.zst(\?|$)"), "method": "PUT"});
    r.as_object_mut().unwrap().extend(action.as_object().unwrap().clone());
    r
}

#[test]
fn checkpoint_uploading_from_here_retries_a_dropped_put_and_names_a_persistent_failure() {
    let Some(s) = s3_faulty("checkpoint_uploading_from_here_retries_a_dropped_put_and_names_a_persistent_failure", true) else {
        return;
    };
    let ns = start_big_suspect(&s, "s3f-client");
    let b = Bucket::create(&s.direct, "s3ckc");
    let dest = format!("s3://{}/incidents", b.name);
    let cwd = tempfile::tempdir().unwrap();

    // a dropped connection on a part of the export: sent again, the bundle is whole in the bucket
    let f = Faults::s3(s.env, &json!([export_rule(&b.name, json!({"action": "drop", "times": 1}))]));
    let case = case_id("s3c-drop");
    let out = checkpoint_to_s3(s.env, &s.faulty.endpoint, &ns.name, &case, &dest, cwd.path()).aws(&s.faulty).run();
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(json_of(&out)["complete"], true);
    s.assert_met(&b.name, &["fault drop on PUT"]);
    let v = s.verify(&format!("{dest}/{case}"));
    assert_eq!(v.status.code(), Some(0), "{}{}", text(&v.stdout), text(&v.stderr));
    assert_no_harm(&s, &ns.name, &case);

    // every PUT of the export fails: one line naming it and where the whole bundle is kept here
    f.replace(&json!([export_rule(&b.name, json!({"action": "status", "status": 500}))]));
    let case = case_id("s3c-fail");
    let out = checkpoint_to_s3(s.env, &s.faulty.endpoint, &ns.name, &case, &dest, cwd.path()).aws(&s.faulty).run();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}{err}", text(&out.stdout));
    assert_eq!(err.lines().count(), 1, "{err}");
    let local = cwd.path().join("evidence").join(&case);
    assert!(err.contains(&format!("{dest}/{case}/pods/{}/suspect/main/rootfs.tar.zst", ns.name)), "{err}");
    assert!(err.contains(&format!("evidence/{case}")), "the kept bundle is not named: {err}");
    assert!(!list_keys(&s.direct, &b.name, &format!("incidents/{case}/")).iter().any(|k| k.ends_with("manifest.json")));
    // what is kept here is whole, and finishes the upload once S3 answers again
    assert!(support::verify_ok(&local));
    f.clear();
    let up = upload(&s, &local, &dest, &[]);
    assert_eq!(up.status.code(), Some(0), "{}{}", text(&up.stdout), text(&up.stderr));
    let v = s.verify(&format!("{dest}/{case}"));
    assert_eq!(v.status.code(), Some(0), "{}{}", text(&v.stdout), text(&v.stderr));
    assert_no_harm(&s, &ns.name, &case);
}

#[test]
fn checkpoint_uploading_from_the_node_retries_a_dropped_put_and_keeps_an_incomplete_bundle_on_a_persistent_failure() {
    let test = "checkpoint_uploading_from_the_node_retries_a_dropped_put_and_keeps_an_incomplete_bundle_on_a_persistent_failure";
    let Some(s) = s3_faulty(test, true) else { return };
    let ns = start_big_suspect(&s, "s3f-node");
    let b = Bucket::create(&s.direct, "s3ckn");
    let dest = format!("s3://{}/incidents", b.name);
    let cwd = tempfile::tempdir().unwrap();
    // the node's credentials; two attempts per request, as the CLI's in these tests
    let secret = format!("s3f-node-{:04x}", fastrand::u16(..));
    node_secret_with(s.env, &secret, &s.direct, &s.direct.secret_key, &["--from-literal=AWS_MAX_ATTEMPTS=2"]);
    let from_node = |case: &str| {
        checkpoint_to_s3(s.env, &s.faulty.endpoint, &ns.name, case, &dest, cwd.path())
            .args(["--upload-from", "node", "--node-credentials-secret", &secret])
            .run()
    };

    // a dropped connection while the node sends the export: sent again by the node
    let f = Faults::s3(s.env, &json!([export_rule(&b.name, json!({"action": "drop", "times": 1}))]));
    let case = case_id("s3n-drop");
    let out = from_node(&case);
    assert_eq!(out.status.code(), Some(0), "{}{}", text(&out.stdout), text(&out.stderr));
    assert_eq!(json_of(&out)["complete"], true);
    s.assert_met(&b.name, &["fault drop on PUT"]);
    let v = s.verify(&format!("{dest}/{case}"));
    assert_eq!(v.status.code(), Some(0), "{}{}", text(&v.stdout), text(&v.stderr));
    assert!(!cwd.path().join("evidence").join(&case).exists(), "local staging copy left behind");
    assert_no_harm(&s, &ns.name, &case);

    // the export can never be stored: the bundle says so and names it
    f.replace(&json!([export_rule(&b.name, json!({"action": "status", "status": 500}))]));
    let case = case_id("s3n-fail");
    let out = from_node(&case);
    let _ = s.env.kubectl_raw(&["-n", "kforensic", "delete", "secret", &secret], None);
    drop(f);
    let (code, err) = (out.status.code(), text(&out.stderr));
    assert_eq!(code, Some(3), "{}{err}", text(&out.stdout));
    let report = json_of(&out);
    assert_eq!(report["complete"], false, "{report}");
    let rootfs = format!("pods/{}/suspect/main/rootfs.tar.zst", ns.name);
    assert!(report["manifest"]["errors"].to_string().contains(&rootfs), "{report}");
    // in the bucket: a bundle that verifies as incomplete, naming the export
    let v = kf().aws(&s.direct).args(["verify", &format!("{dest}/{case}"), "--endpoint-url", &s.direct.endpoint, "-o", "json"]).run();
    let rep = json_of(&v);
    let problems = rep["problems"].as_array().unwrap();
    assert!(!problems.is_empty() && problems.iter().all(|p| p["kind"] == "incomplete"), "{rep}");
    assert!(rep["problems"].to_string().contains(&rootfs), "{rep}");
    assert!(!list_keys(&s.direct, &b.name, &format!("incidents/{case}/")).iter().any(|k| k.ends_with(&rootfs)), "a failed export stored");
    assert_no_harm(&s, &ns.name, &case);
}

#[test]
fn ctrl_c_while_s3_does_not_answer_after_a_checkpoint_gives_the_upload_up_and_names_the_whole_bundle_kept_here() {
    let test = "ctrl_c_while_s3_does_not_answer_after_a_checkpoint_gives_the_upload_up_and_names_the_whole_bundle_kept_here";
    let Some(s) = s3_faulty(test, true) else { return };
    let ns = s.env.namespace("s3f-stall");
    start_suspect(s.env, &ns.name, "suspect", "exec sleep 100000");
    let b = Bucket::create(&s.direct, "s3stall");
    let dest = format!("s3://{}/incidents", b.name);
    let cwd = tempfile::tempdir().unwrap();
    // the upload's first listing of the bucket gets no answer (longer than the client waits for one)
    let _f = Faults::s3(
        s.env,
        &json!([{"path": format!("^/{}/\\?list-type=2", b.name), "method": "GET", "action": "delay", "seconds": 150, "times": 1}]),
    );
    let case = case_id("s3c-stall");
    let child = checkpoint_to_s3(s.env, &s.faulty.endpoint, &ns.name, &case, &dest, cwd.path()).aws(&s.faulty).spawn();
    wait_for(180, || (!s.applied(&b.name).is_empty()).then_some(())).expect("the upload never started");
    // while this machine waits for S3, the capture has left nothing running on the cluster
    let out = crate::checkpoint::case_pods(
        s.env,
        "kforensic",
        &case,
        "jsonpath={range .items[*]}{.metadata.name}={.metadata.deletionTimestamp} {end}",
    );
    assert!(out.status.success(), "kubectl: {}", text(&out.stderr));
    let collectors = text(&out.stdout);
    assert!(collectors.split_whitespace().all(|p| !p.ends_with('=')), "the collector still runs during the upload: {collectors}");
    // the responder gives up on S3: the command ends, saying where the evidence is
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let out = child.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}{err}", text(&out.stdout));
    assert_eq!(err.lines().count(), 1, "{err}");
    let kept = format!("evidence/{case}");
    assert!(err.contains(&format!("could not upload the bundle to {dest}: interrupted by SIGINT")), "{err}");
    assert!(err.contains(&format!("kforensic upload {kept} {dest}")), "{err}");
    assert!(support::verify_ok(&cwd.path().join(&kept)), "the bundle kept here is not whole");
    assert!(!s.manifest_in_bucket(&b.name));
    assert_no_harm(&s, &ns.name, &case);
}
