//! `kforensic image save|push` against the real test registry (Debian's docker-registry, the CNCF
//! distribution registry), and the node pulling what was pushed through the cluster's containerd:
//! the path a responder takes to mirror the collector image into a private registry.

use crate::support::{self, CLUSTER, require, stderr, stdout};
use serde_json::Value;
use std::process::Command;

/// The manifest digest the registry serves for `name:reference` (what `crane digest` says).
fn registry_digest(registry: &str, name: &str, reference: &str) -> String {
    let out = Command::new("curl")
        .args(["-sfI", "-H", "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json"])
        .arg(format!("http://{registry}/v2/{name}/manifests/{reference}"))
        .output()
        .unwrap();
    assert!(out.status.success(), "no manifest {name}:{reference} in the registry");
    let head = String::from_utf8_lossy(&out.stdout).to_string();
    head.lines()
        .find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case("docker-content-digest")).map(|(_, v)| v.trim().to_string()))
        .unwrap_or_else(|| panic!("no digest in {head}"))
}

#[test]
fn image_save_is_reproducible_and_push_gives_the_same_digest_the_registry_serves() {
    let t = "image_save_is_reproducible_and_push_gives_the_same_digest_the_registry_serves";
    let Some(env) = require(t, &["registry"]) else { return };
    let reg = env.var("KF_REGISTRY");
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.tar"), dir.path().join("b.tar"));
    let save = |p: &std::path::Path| {
        let out = support::kforensic(&["-o", "json", "image", "save", "--out", p.to_str().unwrap(), "--name", "kforensic:local"]);
        assert!(out.status.success(), "{}", stderr(&out));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let (ra, rb) = (save(&a), save(&b));
    assert_eq!(ra["kind"], "ImageSaveReport");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "two saves of one binary differ");
    let digest = ra["digest"].as_str().unwrap().to_string();
    assert_eq!(rb["digest"], digest.as_str());
    // a test build is dynamically linked: its loader and libraries are in the image
    let files: Vec<&str> = ra["images"][0]["files"].as_array().unwrap().iter().map(|f| f.as_str().unwrap()).collect();
    assert!(files.contains(&"/usr/local/bin/kforensic"), "{files:?}");
    assert!(ra["images"][0]["linked"] == "static" || files.iter().any(|f| f.contains("libc.so")), "{files:?}");

    let home = tempfile::tempdir().unwrap();
    let reference = format!("{reg}/kforensic-save:{:04x}", fastrand::u16(..));
    let out = support::kf().env("DOCKER_CONFIG", home.path()).args(["image", "push", &reference, "--plain-http"]).run();
    assert!(out.status.success(), "{}", stderr(&out));
    let pinned = stdout(&out).trim().to_string();
    assert_eq!(pinned, format!("{reg}/kforensic-save@{digest}"), "push and save disagree");
    let tag = reference.rsplit_once(':').unwrap().1;
    assert_eq!(registry_digest(reg, "kforensic-save", tag), digest);
    // pushed again: nothing to upload
    let again = support::kf().env("DOCKER_CONFIG", home.path()).args(["-o", "json", "image", "push", &reference, "--plain-http"]).run();
    let r: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!((r["uploaded"].as_u64(), r["present"].as_u64(), r["digest"].as_str()), (Some(0), Some(2), Some(digest.as_str())));

    // without --plain-http this registry does not speak TLS: one line saying which registry
    let out = support::kf().env("DOCKER_CONFIG", home.path()).args(["image", "push", &reference]).run();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.trim().lines().count() == 1 && err.contains(&format!("cannot reach the registry {reg}")), "{err}");
    // a malformed reference is a usage error
    let out = support::kforensic(&["image", "push", "Not/A Ref"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn a_checkpoint_pulls_the_pushed_image_by_digest_and_a_wrong_digest_is_refused() {
    let t = "a_checkpoint_pulls_the_pushed_image_by_digest_and_a_wrong_digest_is_refused";
    let mut need = CLUSTER.to_vec();
    need.push("registry");
    let Some(env) = require(t, &need) else { return };
    let pinned = env.pushed_image();
    let (name, digest) = pinned.rsplit_once('@').unwrap();
    assert_eq!(registry_digest(env.var("KF_REGISTRY"), "kforensic", digest), digest);

    let ns = env.namespace("img");
    env.apply(&support::pod::busybox(&ns.name, "suspect", "echo x > /tmp/planted.txt; sleep 100000").yaml());
    env.wait_running(&ns.name, "suspect", 60);
    let dir = tempfile::tempdir().unwrap();
    let case = format!("kf-test-img-{:04x}", fastrand::u16(..));
    // the default pull policy: the node's containerd pulls the image from the registry
    let out = env.kforensic(&[
        "-n",
        &ns.name,
        "--case-id",
        &case,
        "-o",
        "json",
        "checkpoint",
        "pod",
        "suspect",
        "--image",
        pinned,
        "--dest",
        dir.path().to_str().unwrap(),
        "--timeout",
        "3m",
    ]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &report["manifest"]["collector"];
    assert_eq!(c["image"], pinned);
    // the node ran exactly the pushed image, and the manifest says so
    let image_id = c["image_id"].as_str().unwrap_or_default();
    assert!(image_id.ends_with(digest), "the collector ran {image_id}, not {digest}");
    let m: Value = serde_json::from_slice(&std::fs::read(dir.path().join(&case).join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["collector"]["image_id"], image_id);
    assert_eq!(m["complete"], true);

    // a digest the registry does not have: refused within seconds, in one line naming the image
    let wrong = format!("{name}@sha256:{}", "0".repeat(64));
    let started = std::time::Instant::now();
    let out = env.kforensic(&[
        "-n",
        &ns.name,
        "--case-id",
        &format!("{case}-w"),
        "checkpoint",
        "pod",
        "suspect",
        "--image",
        &wrong,
        "--dest",
        dir.path().to_str().unwrap(),
        "--timeout",
        "2m",
    ]);
    let err = stderr(&out);
    assert_ne!(out.status.code(), Some(0), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error:")).collect();
    assert!(errors.len() == 1 && errors[0].contains(&wrong), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(90), "took {:?}", started.elapsed());
}

#[test]
fn installed_as_kubectl_kforensic_it_runs_as_a_kubectl_plugin() {
    let Some(env) = require("installed_as_kubectl_kforensic_it_runs_as_a_kubectl_plugin", &["apiserver"]) else { return };
    // what krew does: the binary on PATH under the plugin's name
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(support::kforensic_bin(), dir.path().join("kubectl-kforensic")).unwrap();
    let path = format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default());
    let run = |args: &[&str]| Command::new(env.var("KF_KUBECTL")).args(args).env("PATH", &path).output().unwrap();
    let out = run(&["kforensic", "--version"]);
    assert!(out.status.success() && stdout(&out).starts_with("kforensic "), "{}{}", stdout(&out), stderr(&out));
    let out = run(&["kforensic", "verify", "--help"]);
    assert!(stdout(&out).contains("Usage: kubectl kforensic verify"), "{}", stdout(&out));
    let out = run(&["plugin", "list"]);
    assert!(stdout(&out).contains("kubectl-kforensic"), "{}{}", stdout(&out), stderr(&out));
}

/// A registry that wants a login (htpasswd, bcrypt), on its own port; ended on drop.
struct LoginRegistry {
    child: std::process::Child,
    addr: String,
    _dir: tempfile::TempDir,
}

impl Drop for LoginRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn login_registry(user: &str, password: &str) -> LoginRegistry {
    let dir = tempfile::tempdir().unwrap();
    let hash = Command::new("python3")
        .args(["-c", "import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))", password])
        .output()
        .unwrap();
    let hash = String::from_utf8_lossy(&hash.stdout).trim().to_string();
    assert!(hash.starts_with("$2"), "no bcrypt hash from python3's crypt: {hash:?}");
    std::fs::write(dir.path().join("htpasswd"), format!("{user}:{hash}\n")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let addr = format!("127.0.0.1:{port}");
    let config = format!(
        "version: 0.1\nlog: {{level: error, accesslog: {{disabled: true}}}}\nstorage: {{filesystem: {{rootdirectory: {d}/data}}}}\nhttp: {{addr: {addr}}}\nauth: {{htpasswd: {{realm: kf-test, path: {d}/htpasswd}}}}\n",
        d = dir.path().display()
    );
    std::fs::write(dir.path().join("config.yml"), config).unwrap();
    let child = Command::new("docker-registry")
        .arg("serve")
        .arg(dir.path().join("config.yml"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let r = LoginRegistry { child, addr, _dir: dir };
    for _ in 0..100 {
        if std::net::TcpStream::connect(&r.addr).is_ok() {
            return r;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("the login registry did not start on {}", r.addr);
}

#[test]
fn push_logs_in_with_dockers_credentials_and_says_so_when_there_are_none() {
    let Some(_env) = require("push_logs_in_with_dockers_credentials_and_says_so_when_there_are_none", &["registry"]) else { return };
    let reg = login_registry("responder", "s3cret-pw");
    let reference = format!("{}/kforensic:login", reg.addr);
    // no credentials: one line naming the registry and what to do
    let empty = tempfile::tempdir().unwrap();
    let out = support::kf().env("DOCKER_CONFIG", empty.path()).args(["image", "push", &reference, "--plain-http"]).run();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.trim().lines().count() == 1 && err.contains(&reg.addr) && err.contains("docker login"), "{err}");
    // wrong password: refused, naming the registry
    let cfg = tempfile::tempdir().unwrap();
    let write = |user: &str, pw: &str| {
        use base64::Engine;
        let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pw}"));
        std::fs::write(cfg.path().join("config.json"), format!(r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#, reg.addr)).unwrap();
    };
    write("responder", "wrong");
    let out = support::kf().env("DOCKER_CONFIG", cfg.path()).args(["image", "push", &reference, "--plain-http"]).run();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("HTTP 401"), "{}", stderr(&out));
    // `docker login`'s entry: pushed, and the registry serves it
    write("responder", "s3cret-pw");
    let out = support::kf().env("DOCKER_CONFIG", cfg.path()).args(["image", "push", &reference, "--plain-http"]).run();
    assert!(out.status.success(), "{}", stderr(&out));
    let pinned = stdout(&out).trim().to_string();
    let digest = pinned.rsplit_once('@').unwrap().1;
    let head = Command::new("curl")
        .args(["-sfI", "-u", "responder:s3cret-pw", "-H", "Accept: application/vnd.oci.image.manifest.v1+json"])
        .arg(format!("http://{}/v2/kforensic/manifests/login", reg.addr))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&head.stdout).to_ascii_lowercase().contains(&format!("docker-content-digest: {digest}")));
}
