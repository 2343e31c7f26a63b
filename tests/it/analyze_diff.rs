//! `analyze diff` on two real checkpoints of one container (containerd + CRIU 4.1.1) taken
//! before and after it starts a process that listens on a socket and drops a file; and
//! `analyze list` on a directory of genuine archives, a file that is not one and a symlink.

use crate::support;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

fn json(args: &[&str]) -> (Option<i32>, Value, String) {
    let mut all = vec!["-o", "json", "analyze"];
    all.extend_from_slice(args);
    let out = support::kforensic(&all);
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{all:?}: not JSON ({e}): {}", support::stderr(&out)));
    (out.status.code(), v, support::stderr(&out))
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("analyze-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn diff_of_two_checkpoints_names_exactly_the_new_process_socket_and_file() {
    let Some(env) = support::require("diff_of_two_checkpoints_names_exactly_the_new_process_socket_and_file", &["containerd"]) else {
        return;
    };
    let dir = scratch("real");
    let (a, b) = (dir.join("checkpoint-before.tar"), dir.join("checkpoint-after.tar"));
    let out = Command::new(support::repo_root().join("scripts/make-diff-fixture"))
        .arg(&a)
        .arg(&b)
        .env("KF_CONTAINERD_SOCK", env.var("KF_CONTAINERD_SOCK"))
        .env("KF_CONTAINERD_STATE", env.var("KF_CONTAINERD_STATE"))
        .env("KF_BUSYBOX_IMAGE", env.var("KF_BUSYBOX_IMAGE"))
        .output()
        .expect("run scripts/make-diff-fixture");
    assert!(out.status.success(), "make-diff-fixture failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let facts: HashMap<String, String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();

    let (code, r, err) = json(&["diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "exactly three changes: {items:#?}");
    assert!(items.iter().all(|i| i["change"] == "added"), "{items:#?}");
    let of = |view: &str| items.iter().find(|i| i["view"] == view).unwrap_or_else(|| panic!("no {view} change: {items:#?}"));
    assert!(of("process")["key"].as_str().unwrap().contains(&facts["PROCESS"]));
    let sock = of("socket");
    assert!(sock["key"].as_str().unwrap().contains(&facts["SOCKET"]) && sock["after"] == "LISTEN", "{sock}");
    assert_eq!(of("rootfs")["key"], facts["DROPPED"].as_str());
    assert_eq!(r["counts"]["added"], 3);
    assert!(r["counts"]["unchanged"].as_u64().unwrap() > 0);

    // the other way round: the same three, removed; --show-unchanged lists the rest as well
    let (_, back, _) = json(&["diff", b.to_str().unwrap(), a.to_str().unwrap()]);
    assert_eq!(back["counts"]["removed"], 3);
    assert_eq!(back["counts"]["added"], 0);
    let (_, all, _) = json(&["diff", "--show-unchanged", a.to_str().unwrap(), b.to_str().unwrap()]);
    let n = all["items"].as_array().unwrap().len() as u64;
    assert_eq!(n, 3 + r["counts"]["unchanged"].as_u64().unwrap());
    assert!(all["items"].as_array().unwrap().iter().any(|i| i["view"] == "process" && i["change"] == "unchanged"));

    // the table a person reads
    let t = support::kforensic(&["analyze", "diff", a.to_str().unwrap(), b.to_str().unwrap()]);
    let t = support::stdout(&t);
    assert!(t.contains(&facts["DROPPED"]) && t.contains("3 added, 0 removed, 0 changed"), "{t}");
}

#[test]
fn list_shows_every_archive_with_engine_pod_and_time_and_skips_the_rest() {
    let dir = scratch("list");
    let data = support::repo_root().join("tests/data/checkpoints");
    for n in ["kubelet-containerd2-cart.tar", "crio-1.37-web.tar"] {
        std::fs::copy(data.join(n), dir.join(n)).unwrap();
    }
    std::fs::write(dir.join("notes.txt"), "\x1b[31mnot an archive").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", dir.join("checkpoint-evil.tar")).unwrap();

    let (code, r, err) = json(&["list", dir.to_str().unwrap(), "--sort", "time"]);
    assert_eq!(code, Some(0), "{err}");
    let ar = r["archives"].as_array().unwrap();
    let names: Vec<&str> = ar.iter().map(|a| a["name"].as_str().unwrap()).collect();
    // the containerd archive was checkpointed first
    assert_eq!(names, vec!["kubelet-containerd2-cart.tar", "crio-1.37-web.tar"]);
    assert_eq!(ar[0]["engine"], "containerd");
    assert_eq!(ar[0]["pod"], "cart-7d9f6-x2k4p");
    assert_eq!(ar[1]["namespace"], "crio-lab");
    assert_eq!(ar[1]["size"], std::fs::metadata(data.join("crio-1.37-web.tar")).unwrap().len());
    let skipped: Vec<&str> = r["skipped"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(skipped, vec!["checkpoint-evil.tar", "notes.txt"]);
    assert!(r["skipped"][0]["reason"].as_str().unwrap().contains("symbolic link"));

    let (_, by_size, _) = json(&["list", dir.to_str().unwrap(), "--sort", "size"]);
    let sizes: Vec<u64> = by_size["archives"].as_array().unwrap().iter().map(|a| a["size"].as_u64().unwrap()).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "{sizes:?}");

    let t = support::stdout(&support::kforensic(&["analyze", "list", dir.to_str().unwrap()]));
    assert!(t.contains("cart-7d9f6-x2k4p") && t.contains("skipped 2 entries"), "{t}");
    assert!(!t.contains('\x1b'));
    let missing = support::kforensic(&["analyze", "list", dir.join("nope").to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(1));
}
