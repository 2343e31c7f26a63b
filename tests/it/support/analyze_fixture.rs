//! The real checkpoint archive the analyze tests read: made once per test run by
//! scripts/make-checkpoint-fixture (real containerd + CRIU), cached under cargo's target tmp dir.

use crate::support;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

pub struct Fixture {
    /// the plain tar in kubelet layout
    pub tar: PathBuf,
    /// facts the script reports (SECRET, SOCKET, IMPLANT, PLANTED, DELETED, …)
    pub facts: HashMap<String, String>,
    pub dir: PathBuf,
}

impl Fixture {
    pub fn fact(&self, k: &str) -> &str {
        self.facts.get(k).map(String::as_str).unwrap_or_else(|| panic!("fixture script did not report {k}"))
    }
}

static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();

/// The fixture, or None (test skipped loudly) when containerd is not up.
pub fn get(test: &str) -> Option<&'static Fixture> {
    let env = support::require(test, &["containerd"])?;
    FIXTURE
        .get_or_init(|| {
            let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
            // earlier runs' fixtures
            for e in std::fs::read_dir(&tmp).into_iter().flatten().flatten() {
                if e.file_name().to_string_lossy().starts_with("analyze-fixture-") {
                    let _ = std::fs::remove_dir_all(e.path());
                }
            }
            let dir = tmp.join(format!("analyze-fixture-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let tar = dir.join("checkpoint-web-7f9c_kft-analyze-app.tar");
            let out = Command::new(support::repo_root().join("scripts/make-checkpoint-fixture"))
                .arg(&tar)
                .env("KF_CONTAINERD_SOCK", env.var("KF_CONTAINERD_SOCK"))
                .env("KF_CONTAINERD_STATE", env.var("KF_CONTAINERD_STATE"))
                .env("KF_BUSYBOX_IMAGE", env.var("KF_BUSYBOX_IMAGE"))
                .output()
                .expect("run scripts/make-checkpoint-fixture");
            assert!(
                out.status.success(),
                "make-checkpoint-fixture failed:\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let facts = String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Some(Fixture { tar, facts, dir })
        })
        .as_ref()
}

/// `kforensic -o json analyze ARGS…`, parsed; panics with stderr on failure.
pub fn analyze_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["-o", "json", "analyze"];
    all.extend_from_slice(args);
    let out = support::kforensic(&all);
    assert!(out.status.success(), "kforensic {all:?} failed: {}", support::stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("kforensic {all:?}: not JSON ({e}): {}", support::stdout(&out)))
}

/// Extract the fixture tar into a fresh directory (with the system tar, as a responder would).
pub fn extracted_copy(f: &Fixture, name: &str) -> PathBuf {
    let d = f.dir.join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    let st = Command::new("tar").arg("-xf").arg(&f.tar).arg("-C").arg(&d).status().unwrap();
    assert!(st.success());
    d
}

/// Re-pack a directory as a plain tar with the system tar.
pub fn pack(dir: &std::path::Path, out: &std::path::Path) {
    let names: Vec<String> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let st = Command::new("tar").arg("-C").arg(dir).arg("-cf").arg(out).args(&names).status().unwrap();
    assert!(st.success());
}
