//! `kforensic agent capture` of Docker containers: bollard against the real Docker engine
//! (inspect, changes, export) next to the node-side view, running and stopped.

use crate::support::{self, agent::*};
use std::process::Command;

struct DockerContainer {
    host: String,
    id: String,
}

impl DockerContainer {
    fn docker(host: &str, args: &[&str]) -> std::process::Output {
        Command::new("docker").env("DOCKER_HOST", host).args(args).output().expect("docker CLI runs")
    }
    fn run(host: &str, name: &str, script: &str) -> Self {
        let o = Self::docker(host, &["run", "-d", "--name", name, "--network", "none", "test/busybox:1", "sh", "-c", script]);
        assert!(o.status.success(), "docker run: {}", String::from_utf8_lossy(&o.stderr));
        DockerContainer { host: host.into(), id: String::from_utf8_lossy(&o.stdout).trim().to_string() }
    }
    fn pid(&self) -> i32 {
        let o = Self::docker(&self.host, &["inspect", "-f", "{{.State.Pid}}", &self.id]);
        String::from_utf8_lossy(&o.stdout).trim().parse().unwrap()
    }
}

impl Drop for DockerContainer {
    fn drop(&mut self) {
        let _ = Self::docker(&self.host, &["rm", "-f", &self.id]);
    }
}

#[test]
fn docker_container_is_captured_through_bollard_running_and_stopped() {
    let Some(env) = support::require("docker_container_is_captured_through_bollard_running_and_stopped", &["docker"]) else { return };
    let host = env.var("KF_DOCKER_HOST");
    let c = DockerContainer::run(host, &unique("kft-agent-docker"), &suspect_script("/etc/shadow"));
    wait_suspect(c.pid());
    let uri = format!("docker://{}", c.id);

    // running: the overlay diff agrees with Docker's own `docker diff` (container_changes)
    let out = tempfile::tempdir().unwrap();
    let o = support::kforensic(&["agent", "capture", "--container", &uri, "--docker-host", host, "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    check_index(out.path());
    let dir = out.path().join(format!("containers/docker-{}", c.id));
    let inspect = json(&dir.join("inspect.json"));
    assert_eq!(inspect["runtime"]["docker_inspect"]["Id"], c.id.as_str());
    assert_eq!(inspect["runtime"]["docker_inspect"]["State"]["Running"], true);
    assert_eq!(inspect["init"]["pid"], c.pid());
    let diff = json(&dir.join("diff.json"));
    assert_eq!(diff["method"], "overlay upperdir");
    let ours = changes(&diff);
    let theirs: Vec<(String, String)> = diff["docker_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap().to_string(), c["path"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(ours, theirs, "overlay diff and docker diff disagree");
    for want in [("D", "/etc/passwd"), ("A", "/tmp/new.txt"), ("C", "/etc/group"), ("A", "/tmp/evil")] {
        assert!(ours.contains(&(want.0.to_string(), want.1.to_string())), "{want:?} missing: {ours:?}");
    }
    let v = json(&dir.join("volatile.json"));
    assert!(v["processes"].as_array().unwrap().iter().any(|p| p["exe_deleted"] == true && p["cmdline"][0] == "/tmp/sleep"));
    assert!(
        v["sockets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["state"] == "LISTEN" && s["local"].as_str().is_some_and(|l| l.ends_with(":7777")))
    );
    assert!(std::fs::read_to_string(dir.join("logs/node/docker-json.log")).unwrap().contains("suspect-up"));
    let r = tar_zst_entries(&dir.join("rootfs.tar.zst"));
    assert_eq!(r["tmp/evil"].2.as_deref(), Some("/etc/shadow"));
    assert_eq!(r["tmp/new.txt"].1, b"planted-4242\n");

    // stopped: no processes, so the Docker API's view only (inspect, changes, export), and it says so
    let o = DockerContainer::docker(host, &["stop", "-t", "1", &c.id]);
    assert!(o.status.success());
    let out = tempfile::tempdir().unwrap();
    let o = support::kforensic(&["agent", "capture", "--container", &uri, "--docker-host", host, "--out", out.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "partial: {}", support::stderr(&o));
    let idx = check_index(out.path());
    assert!(idx["errors"][0]["message"].as_str().unwrap().contains("is not running (docker state: exited)"), "{idx}");
    let diff = json(&dir_of(out.path(), &c.id).join("diff.json"));
    assert_eq!(diff["method"], "docker changes API");
    assert!(changes(&diff).is_empty(), "no overlay rows without a running container");
    assert!(diff["docker_changes"].as_array().unwrap().iter().any(|c| c["kind"] == "D" && c["path"] == "/etc/passwd"));
    let r = tar_zst_entries(&dir_of(out.path(), &c.id).join("rootfs.tar.zst"));
    assert_eq!(r["tmp/new.txt"].1, b"planted-4242\n", "docker export streamed through zstd");
    assert!(!r.contains_key("etc/passwd"));
    assert!(!dir_of(out.path(), &c.id).join("volatile.json").exists());
}

fn dir_of(out: &std::path::Path, id: &str) -> std::path::PathBuf {
    out.join(format!("containers/docker-{id}"))
}
