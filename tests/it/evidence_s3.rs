//! `kforensic upload` / `verify s3://` against a real S3-compatible server (s3s-fs, SigV4).

use crate::support::{self, evidence::*, kf, kforensic};

fn shared_s3(test: &str) -> Option<Aws> {
    let env = support::require(test, &["s3"])?;
    Some(Aws {
        endpoint: env.var("KF_S3_ENDPOINT").to_string(),
        access_key: env.var("KF_S3_ACCESS_KEY").to_string(),
        secret_key: env.var("KF_S3_SECRET_KEY").to_string(),
    })
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}{}", text(&out.stdout), text(&out.stderr)))
}

#[test]
fn upload_multipart_then_verify_from_s3() {
    let Some(aws) = shared_s3("upload_multipart_then_verify_from_s3") else { return };
    let guard = Bucket::create(&aws, "up");
    let bucket = guard.name.clone();
    let d = tempfile::tempdir().unwrap();
    let big = 12 * MIB + 1234; // 5 MiB parts: 3 parts
    let (dir, manifest) =
        make_bundle(d.path(), "case-up", &[("cluster/pod.json", 700), ("pods/shop/web-1/app/rootfs.tar.zst", big), ("empty.log", 0)]);
    let dest = format!("s3://{bucket}/incidents");
    let out = kf()
        .aws(&aws)
        .args(["upload", dir.to_str().unwrap(), &dest, "--endpoint-url", &aws.endpoint, "--part-size", "5MiB", "-o", "json"])
        .run();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let r = json(&out);
    assert_eq!(r["destination"], format!("s3://{bucket}/incidents/case-up"));
    assert_eq!(r["uploaded"], 5, "{r}");
    assert_eq!(r["skipped"], 0);

    // everything is there, byte for byte; the big one went up in 3 parts
    let prefix = "incidents/case-up/";
    let mut keys = list_keys(&aws, &bucket, prefix);
    keys.sort();
    assert_eq!(keys.len(), 5, "{keys:?}");
    for a in &manifest.artifacts {
        let (n, sha) = download_sha256(&aws, &bucket, &format!("{prefix}{}", a.spec.path));
        assert_eq!((n, sha.as_str()), (a.bytes, a.sha256.as_str()), "{}", a.spec.path);
    }
    let c = sdk(&aws);
    let head = rt().block_on(c.head_object().bucket(&bucket).key(format!("{prefix}pods/shop/web-1/app/rootfs.tar.zst")).send()).unwrap();
    assert!(head.e_tag().unwrap_or("").trim_matches('"').ends_with("-3"), "etag {:?}", head.e_tag());
    assert_eq!(head.metadata().unwrap().get("sha256").map(String::as_str), Some(manifest.artifacts[1].sha256.as_str()));
    // the uploaded custody log records the upload and is the local one
    let (_, remote_log) = download_sha256(&aws, &bucket, &format!("{prefix}custody.log"));
    let local_log = std::fs::read(dir.join("custody.log")).unwrap();
    assert_eq!(remote_log, kforensic::evidence::custody::line_sha256(&local_log));
    assert!(String::from_utf8_lossy(&local_log).contains("\"event\":\"upload\""));

    let url = format!("s3://{bucket}/incidents/case-up");
    let v = kf().aws(&aws).args(["verify", &url, "--endpoint-url", &aws.endpoint]).run();
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    assert!(text(&v.stdout).starts_with(&format!("OK {url}: 3 artifacts")), "{}", text(&v.stdout));

    // again: everything but the custody log (one more upload event) is skipped
    let again = kf().aws(&aws).args(["upload", dir.to_str().unwrap(), &dest, "--endpoint-url", &aws.endpoint, "-o", "json"]).run();
    assert!(again.status.success(), "{}", text(&again.stderr));
    let r = json(&again);
    assert_eq!((r["uploaded"].as_u64(), r["skipped"].as_u64()), (Some(1), Some(4)), "{r}");
}

#[test]
fn an_altered_object_in_the_bucket_fails_verify() {
    let Some(aws) = shared_s3("an_altered_object_in_the_bucket_fails_verify") else { return };
    let guard = Bucket::create(&aws, "alt");
    let bucket = guard.name.clone();
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-alt", &[("a.json", 100), ("b.bin", 5000)]);
    let out = kf().aws(&aws).args(["upload", dir.to_str().unwrap(), &format!("s3://{bucket}"), "--endpoint-url", &aws.endpoint]).run();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let c = sdk(&aws);
    rt().block_on(c.put_object().bucket(&bucket).key("case-alt/b.bin").body(pseudo_random(99, 5000).into()).send()).unwrap();
    let v = kf().aws(&aws).args(["verify", &format!("s3://{bucket}/case-alt"), "--endpoint-url", &aws.endpoint]).run();
    assert_eq!(v.status.code(), Some(1), "{}", text(&v.stdout));
    assert!(text(&v.stdout).lines().any(|l| l.starts_with("altered: b.bin (sha256")), "{}", text(&v.stdout));
}

#[test]
fn a_broken_bundle_is_not_uploaded() {
    let Some(aws) = shared_s3("a_broken_bundle_is_not_uploaded") else { return };
    let guard = Bucket::create(&aws, "brk");
    let bucket = guard.name.clone();
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-brk", &[("a.bin", 1000)]);
    let mut b = std::fs::read(dir.join("a.bin")).unwrap();
    b[10] ^= 0xff;
    std::fs::write(dir.join("a.bin"), b).unwrap();
    let out = kf().aws(&aws).args(["upload", dir.to_str().unwrap(), &format!("s3://{bucket}"), "--endpoint-url", &aws.endpoint]).run();
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("refusing to upload") && e.contains("altered: a.bin"), "{e}");
    assert!(list_keys(&aws, &bucket, "").is_empty());
}

#[test]
fn bad_input_gives_one_line_errors() {
    let Some(aws) = shared_s3("bad_input_gives_one_line_errors") else { return };
    let guard = Bucket::create(&aws, "err");
    let bucket = guard.name.clone();
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-err", &[("a.bin", 10)]);
    let dir = dir.to_str().unwrap();
    let ep = aws.endpoint.as_str();
    let one_line = |out: &std::process::Output, code: i32, needles: &[&str]| {
        let e = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{e}");
        assert_eq!(e.lines().count(), 1, "{e}");
        for n in needles {
            assert!(e.contains(n), "{n:?} not in {e}");
        }
    };
    let wrong = Aws { secret_key: "not-the-secret".into(), ..aws.clone() };
    let out = kf().aws(&wrong).args(["upload", dir, &format!("s3://{bucket}/p"), "--endpoint-url", ep]).run();
    one_line(&out, 1, &["access denied: s3:ListBucket", "SignatureDoesNotMatch"]);
    let out = kf().aws(&wrong).args(["verify", &format!("s3://{bucket}/p"), "--endpoint-url", ep]).run();
    one_line(&out, 1, &["access denied: s3:ListBucket"]);

    let out = kf().aws(&aws).args(["upload", dir, "s3://kft-no-such-bucket-x/p", "--endpoint-url", ep]).run();
    one_line(&out, 1, &["bucket 'kft-no-such-bucket-x' does not exist"]);

    let out = kf().aws(&aws).args(["upload", dir, "s3://Not_A_Bucket/p", "--endpoint-url", ep]).run();
    one_line(&out, 2, &["invalid destination", "not a valid bucket name"]);
    let out = kf().aws(&aws).args(["upload", dir, &format!("s3://{bucket}/p"), "--endpoint-url", "127.0.0.1:1"]).run();
    one_line(&out, 2, &["invalid destination '127.0.0.1:1'"]);

    let out = kforensic(&["upload", dir, &format!("s3://{bucket}/p"), "--endpoint-url", ep]);
    one_line(&out, 1, &["no AWS credentials found"]);

    let out = kf().aws(&aws).args(["upload", d.path().to_str().unwrap(), &format!("s3://{bucket}/p"), "--endpoint-url", ep]).run();
    one_line(&out, 1, &["is not an evidence bundle"]);

    let out = kf().aws(&aws).args(["verify", &format!("s3://{bucket}/nothing-here"), "--endpoint-url", ep]).run();
    one_line(&out, 1, &["is not an evidence bundle"]);
    assert!(list_keys(&aws, &bucket, "").is_empty());
}

#[test]
fn killed_server_mid_upload_leaves_no_manifest_and_a_rerun_resumes() {
    let Some(shared) = shared_s3("killed_server_mid_upload_leaves_no_manifest_and_a_rerun_resumes") else { return };
    let bin = support::require("killed_server", &["s3"]).unwrap().var("KF_S3S_BIN").to_string();
    let port = free_port();
    let aws = Aws { endpoint: format!("http://127.0.0.1:{port}"), ..shared };
    let data = tempfile::tempdir().unwrap();
    let mut server = OwnServer::start(&bin, port, data.path(), &aws);
    let bucket = bucket_name("kill");
    create_bucket(&aws, &bucket);

    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-kill", &[("a-small.json", 2000), ("rootfs.tar.zst", 32 * MIB)]);
    let dest = format!("s3://{bucket}/res");
    let args = [
        "upload",
        dir.to_str().unwrap(),
        &dest,
        "--endpoint-url",
        &aws.endpoint,
        "--part-size",
        "5MiB",
        "--concurrency",
        "1",
        "-o",
        "json",
    ];
    let upload = kf().aws(&aws).args(args).spawn();

    // objects go one at a time in manifest order: once the small one is complete, the big one is on its way
    let c = sdk(&aws);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while rt().block_on(c.head_object().bucket(&bucket).key("res/case-kill/a-small.json").send()).is_err() {
        assert!(std::time::Instant::now() < deadline, "first object never arrived");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    server.kill();
    let out = upload.wait_with_output().unwrap();
    let err = text(&out.stderr);
    assert!(!out.status.success(), "upload survived a dead server: {}", text(&out.stdout));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("cannot reach S3"), "{err}");
    assert!(!data.path().join(&bucket).join("res/case-kill/manifest.json").exists(), "manifest in the bucket after a failed upload");

    // same data, same port: the re-run skips what is there and completes
    let _server = OwnServer::start(&bin, port, data.path(), &aws);
    assert!(!list_keys(&aws, &bucket, "res/").iter().any(|k| k.ends_with("manifest.json")));
    let out = kf().aws(&aws).args(args).run();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let action = |p: &str| r["files"].as_array().unwrap().iter().find(|f| f["path"] == p).map(|f| f["action"].clone());
    assert_eq!(action("a-small.json"), Some("skipped".into()), "{r}");
    assert_eq!(action("rootfs.tar.zst"), Some("uploaded".into()), "{r}");
    assert_eq!(action("manifest.json"), Some("uploaded".into()), "{r}");
    let v = kf().aws(&aws).args(["verify", &format!("{dest}/case-kill"), "--endpoint-url", &aws.endpoint]).run();
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    // the custody log records the failed attempt and the good one
    let log = std::fs::read_to_string(dir.join("custody.log")).unwrap();
    assert!(log.contains("\"status\":\"failed\"") && log.contains("\"status\":\"artifacts_sent\""), "{log}");
}

#[test]
fn encryption_and_object_lock_options_are_sent_and_recorded() {
    let Some(aws) = shared_s3("encryption_and_object_lock_options_are_sent_and_recorded") else { return };
    let guard = Bucket::create(&aws, "sse");
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-sse", &[("a.bin", 6 * MIB)]);
    let out = kf()
        .aws(&aws)
        .args([
            "upload",
            dir.to_str().unwrap(),
            &format!("s3://{}/p", guard.name),
            "--endpoint-url",
            &aws.endpoint,
            "--part-size",
            "5MiB",
            "--sse",
            "AES256",
            "--object-lock-mode",
            "GOVERNANCE",
            "--retain-until",
            "2999-01-01T00:00:00Z",
        ])
        .run();
    // the server parses these headers (a malformed one is a 400) though it does not enforce them
    assert!(out.status.success(), "{}", text(&out.stderr));
    let log = std::fs::read_to_string(dir.join("custody.log")).unwrap();
    let upload = log.lines().find(|l| l.contains("\"event\":\"upload\"")).unwrap();
    let e: serde_json::Value = serde_json::from_str(upload).unwrap();
    assert_eq!(e["details"]["options"]["sse"], "AES256");
    assert_eq!(e["details"]["options"]["object_lock"]["mode"], "GOVERNANCE");

    // flags that do not make sense together are usage errors (exit 2) before anything is sent
    for bad in [
        vec!["--object-lock-mode", "COMPLIANCE"],
        vec!["--object-lock-mode", "COMPLIANCE", "--retain-until", "2001-01-01T00:00:00Z"],
        vec!["--sse-kms-key-id", "k"],
        vec!["--part-size", "1MiB"],
    ] {
        let mut args = vec!["upload", dir.to_str().unwrap(), "s3://kft-x/p"];
        args.extend(bad.iter().copied());
        let out = kf().aws(&aws).args(args).run();
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out.stderr));
    }
}

#[test]
fn an_incomplete_bundle_is_uploaded_with_the_partial_exit_code() {
    let Some(aws) = shared_s3("an_incomplete_bundle_is_uploaded_with_the_partial_exit_code") else { return };
    let guard = Bucket::create(&aws, "part");
    let d = tempfile::tempdir().unwrap();
    let mut b = kforensic::evidence::DirBundle::create(d.path(), "case-part", Default::default()).unwrap();
    b.plan(["never.json"]).unwrap();
    let dir = b.dir().to_path_buf();
    assert!(!b.finalize().unwrap().complete);
    let out =
        kf().aws(&aws).args(["upload", dir.to_str().unwrap(), &format!("s3://{}", guard.name), "--endpoint-url", &aws.endpoint]).run();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(list_keys(&aws, &guard.name, "case-part/").iter().any(|k| k.ends_with("manifest.json")));
}

/// Collects what an evidence stream of records says.
#[derive(Default)]
struct Records {
    stored: Vec<(kforensic::evidence::ArtifactRecord, String)>,
    errors: Vec<String>,
}

impl kforensic::evidence::ArtifactSink for Records {
    fn put(
        &mut self,
        spec: &kforensic::evidence::ArtifactSpec,
        _: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<kforensic::evidence::ArtifactRecord, kforensic::evidence::EvidenceError> {
        panic!("bytes of {} crossed the stream: uploads from the node send records only", spec.path)
    }
    fn error(&mut self, path: Option<&str>, m: &str) -> Result<(), kforensic::evidence::EvidenceError> {
        self.errors.push(format!("{path:?}: {m}"));
        Ok(())
    }
    fn stored(&mut self, r: &kforensic::evidence::ArtifactRecord, loc: &str) -> Result<(), kforensic::evidence::EvidenceError> {
        self.stored.push((r.clone(), loc.to_string()));
        Ok(())
    }
}

#[test]
fn the_node_sink_streams_artifacts_into_the_bucket_and_leaves_nothing_of_a_failed_one() {
    use kforensic::evidence::s3::{S3, S3Sink, UploadOptions};
    use kforensic::evidence::stream::{StreamSink, receive};
    use kforensic::evidence::{ArtifactSink, ArtifactSpec, S3Url};
    let Some(aws) = shared_s3("the_node_sink_streams_artifacts_into_the_bucket_and_leaves_nothing_of_a_failed_one") else { return };
    let guard = Bucket::create(&aws, "sink");
    let bucket = guard.name.clone();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let s3 = S3 { client: sdk(&aws), endpoint: aws.endpoint.clone() };
    let url = S3Url::parse(&format!("s3://{bucket}/cases/c1")).unwrap();
    let opts = UploadOptions { part_size: 5 * MIB as u64, concurrency: 2, ..Default::default() };
    let big = pseudo_random(7, 12 * MIB + 4321);
    let mut wire = StreamSink::new(Vec::new()).unwrap();
    {
        let mut sink = S3Sink::new(s3, url, opts, rt.handle().clone(), &mut wire);
        // written in odd-sized pieces, as an exporter writes
        let spec = ArtifactSpec::new("pods/ns/p/c/rootfs.tar.zst", "application/zstd", "agent");
        let rec = sink
            .put(&spec, &mut |w| {
                for piece in big.chunks(100_003) {
                    w.write_all(piece)?;
                }
                Ok(())
            })
            .unwrap();
        assert_eq!(
            (rec.bytes, rec.sha256.as_str()),
            (big.len() as u64, hex::encode(kforensic::evidence::hash::Sha256::digest(&big)).as_str())
        );
        sink.put(&ArtifactSpec::new("pods/ns/p/c/inspect.json", "application/json", "agent"), &mut |w| w.write_all(b"{\"id\":1}")).unwrap();
        // an artifact that fails after two parts went up: no object may appear for it
        let failed = sink.put(&ArtifactSpec::new("pods/ns/p/c/volatile.json", "application/json", "agent"), &mut |w| {
            w.write_all(&big[..11 * MIB])?;
            Err(std::io::Error::other("process vanished"))
        });
        assert!(failed.is_err());
    }
    let wire = wire.finish().unwrap();
    let mut got = Records::default();
    let rep = receive(&mut &wire[..], &mut got).unwrap();
    assert!(wire.len() < 4096, "records only, no bytes: {} bytes on the wire", wire.len());
    assert_eq!(got.stored.len(), 2);
    assert_eq!(got.stored[0].1, format!("s3://{bucket}/cases/c1/pods/ns/p/c/rootfs.tar.zst"));
    assert!(got.errors.is_empty(), "the caller records failures, not the sink: {:?}", got.errors);
    assert!(rep.complete());

    let mut keys = list_keys(&aws, &bucket, "cases/c1/");
    keys.sort();
    assert_eq!(keys, ["cases/c1/pods/ns/p/c/inspect.json", "cases/c1/pods/ns/p/c/rootfs.tar.zst"]);
    for (r, _) in &got.stored {
        let (n, sha) = download_sha256(&aws, &bucket, &format!("cases/c1/{}", r.spec.path));
        assert_eq!((n, sha.as_str()), (r.bytes, r.sha256.as_str()), "{}", r.spec.path);
    }
    let c = sdk(&aws);
    let head = rt.block_on(c.head_object().bucket(&bucket).key("cases/c1/pods/ns/p/c/rootfs.tar.zst").send()).unwrap();
    assert!(head.e_tag().unwrap_or("").trim_matches('"').ends_with("-3"), "three 5 MiB parts: etag {:?}", head.e_tag());
    let small = rt.block_on(c.head_object().bucket(&bucket).key("cases/c1/pods/ns/p/c/inspect.json").send()).unwrap();
    assert_eq!(small.metadata().and_then(|m| m.get("sha256")), Some(&got.stored[1].0.sha256), "one-part objects carry their hash");
}

/// `kforensic agent put` fed `files` of the bundle in `dir` as an evidence stream on stdin, as the
/// CLI feeds it through exec: (exit code, the records it sent back).
fn agent_put(aws: &Aws, dest: &str, dir: &std::path::Path, files: &[&str]) -> (Option<i32>, Records, String) {
    use kforensic::evidence::stream::{StreamSink, receive};
    use kforensic::evidence::{ArtifactSink, ArtifactSpec};
    use std::io::Write;
    let mut wire = StreamSink::new(Vec::new()).unwrap();
    for f in files {
        let data = std::fs::read(dir.join(f)).unwrap();
        wire.put(&ArtifactSpec::new(*f, "application/octet-stream", "cli"), &mut |w| w.write_all(&data)).unwrap();
    }
    let wire = wire.finish().unwrap();
    let mut child = kf()
        .aws(aws)
        .args(["agent", "put", "--dest", dest, "--endpoint-url", &aws.endpoint, "--part-size", "5MiB"])
        .stdin(std::process::Stdio::piped())
        .spawn();
    // the stream ends with its summary frame; stdin stays open, as through an exec that cannot close it
    let mut stdin = child.stdin.take().unwrap();
    // (an agent that cannot reach the bucket exits without reading: a broken pipe here)
    let _ = stdin.write_all(&wire).and_then(|()| stdin.flush());
    let out = child.wait_with_output().unwrap();
    drop(stdin);
    let mut got = Records::default();
    // no reply at all when the bucket could not be reached
    if !out.stdout.is_empty() {
        receive(&mut &out.stdout[..], &mut got).unwrap_or_else(|e| panic!("reply: {e}; stderr: {}", text(&out.stderr)));
    }
    (out.status.code(), got, text(&out.stderr))
}

#[test]
fn agent_put_writes_the_manifest_only_when_every_listed_object_is_in_the_bucket() {
    let Some(aws) = shared_s3("agent_put_writes_the_manifest_only_when_every_listed_object_is_in_the_bucket") else { return };
    let guard = Bucket::create(&aws, "put");
    let bucket = guard.name.clone();
    let d = tempfile::tempdir().unwrap();
    let (dir, manifest) = make_bundle(d.path(), "case-put", &[("cluster/pod.json", 900), ("pods/ns/p/c/rootfs.tar.zst", 6 * MIB + 7)]);

    // the manifest lists rootfs.tar.zst, which never went up: refused, no manifest in the bucket
    let dest = format!("s3://{bucket}/cases/case-put");
    let (code, got, err) = agent_put(&aws, &dest, &dir, &["cluster/pod.json", "custody.log", "manifest.json"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        got.errors.iter().any(|e| e.contains("manifest.json not written") && e.contains("pods/ns/p/c/rootfs.tar.zst")),
        "{:?}",
        got.errors
    );
    let keys = list_keys(&aws, &bucket, "cases/case-put/");
    assert!(!keys.iter().any(|k| k.ends_with("manifest.json")), "{keys:?}");

    // everything sent: stored, confirmed with the hashes that were sent, and the bundle verifies
    let all = ["cluster/pod.json", "pods/ns/p/c/rootfs.tar.zst", "custody.log", "manifest.json"];
    let (code, got, err) = agent_put(&aws, &dest, &dir, &all);
    assert_eq!(code, Some(0), "{err} {:?}", got.errors);
    assert_eq!(got.stored.len(), 4);
    for a in &manifest.artifacts {
        let (r, loc) = got.stored.iter().find(|(r, _)| r.spec.path == a.spec.path).unwrap();
        assert_eq!((r.bytes, r.sha256.as_str()), (a.bytes, a.sha256.as_str()));
        assert_eq!(loc, &format!("{dest}/{}", a.spec.path));
    }
    let v = kf().aws(&aws).args(["verify", &dest, "--endpoint-url", &aws.endpoint]).run();
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));

    // a node whose credentials are refused says so in one line before reading anything
    let bad = Aws { secret_key: "wrong".into(), ..aws.clone() };
    let (code, got, err) = agent_put(&bad, &dest, &dir, &all);
    assert_eq!((code, got.stored.len()), (Some(1), 0), "{err}");
    assert!(err.contains("access denied") && err.trim().lines().count() == 1, "{err}");
}

#[test]
fn a_planted_object_claiming_the_right_hash_is_resent_not_skipped() {
    let Some(aws) = shared_s3("a_planted_object_claiming_the_right_hash_is_resent_not_skipped") else { return };
    let guard = Bucket::create(&aws, "plant");
    let bucket = guard.name.clone();
    let d = tempfile::tempdir().unwrap();
    let (dir, manifest) = make_bundle(d.path(), "case-plant", &[("pods/shop/web-1/app/volatile.json", 4096), ("cluster/pod.json", 300)]);
    let real = manifest.artifacts.iter().find(|a| a.spec.path.ends_with("volatile.json")).unwrap();
    // someone who can write the bucket plants other bytes of the same size under the real hash's claim
    let c = sdk(&aws);
    let key = "ir/case-plant/pods/shop/web-1/app/volatile.json";
    rt().block_on(c.put_object().bucket(&bucket).key(key).metadata("sha256", &real.sha256).body(vec![b'x'; 4096].into()).send()).unwrap();
    let out = kf()
        .aws(&aws)
        .args(["upload", dir.to_str().unwrap(), &format!("s3://{bucket}/ir"), "--endpoint-url", &aws.endpoint, "-o", "json"])
        .run();
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    let r = json(&out);
    let action = r["files"].as_array().unwrap().iter().find(|f| f["path"] == real.spec.path.as_str()).map(|f| f["action"].clone());
    assert_eq!(action, Some("uploaded".into()), "the planted object was trusted: {r}");
    assert_eq!(download_sha256(&aws, &bucket, key), (4096, real.sha256.clone()), "the bucket holds the evidence's bytes again");
}
