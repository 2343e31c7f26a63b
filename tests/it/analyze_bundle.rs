//! `analyze --extract-diff` and `verify` on capture bundles of both layouts: the diff's content
//! in its own diff.tar.zst (bundles made before the one-pass capture: `tests/data/bundles/
//! old-layout-2026`, captured by that version from a pod of the test cluster) or in the export.

use crate::support::{self, agent::tar_entries, stderr, stdout};
use kforensic::analyze::bundle_diff::{Content, read_diff};
use std::path::{Path, PathBuf};

fn old_bundle() -> PathBuf {
    support::repo_root().join("tests/data/bundles/old-layout-2026")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn analyze_bundle_of_the_old_layout_still_verifies_and_gives_its_diff() {
    let b = old_bundle();
    let v = support::kforensic(&["verify", "--no-record", b.to_str().unwrap()]);
    assert!(v.status.success(), "{}{}", stdout(&v), stderr(&v));
    assert!(stdout(&v).contains("complete"), "{}", stdout(&v));

    // the diff's rows, whatever the layout
    let d = read_diff(&b).unwrap();
    assert_eq!(d.content, Content::DiffTar);
    assert!(d.rows.iter().any(|r| r.kind == "D" && r.path == "/etc/group"));
    assert!(d.rows.iter().any(|r| r.kind == "A" && r.path == "/tmp/planted.txt" && r.sha256.is_some()));

    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("diff.tar");
    let o = support::kforensic(&["-o", "json", "analyze", b.to_str().unwrap(), "--extract-diff", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["content"], "diff-tar");
    assert_eq!(r["hashes_checked"], r["files"], "{r}");
    let e = tar_entries(std::fs::File::open(&out).unwrap());
    assert_eq!(e["tmp/planted.txt"].1, b"planted-old-layout\n");
    assert!(e.contains_key("etc/.wh.group"), "{:?}", e.keys());
    assert_eq!(e["opt/x/blob-link"].0, tar::EntryType::Link);

    // an existing file is never overwritten
    let again = support::kforensic(&["analyze", b.to_str().unwrap(), "--extract-diff", "--out", out.to_str().unwrap()]);
    assert_ne!(again.status.code(), Some(0));
    assert!(stderr(&again).contains(out.to_str().unwrap()), "{}", stderr(&again));
}

#[test]
fn analyze_bundle_diff_that_lies_about_a_hash_is_reported() {
    let t = tempfile::tempdir().unwrap();
    let b = t.path().join("b");
    copy_dir(&old_bundle(), &b);
    let c = b.join("pods/kft-speed-old/suspect/main");
    // someone edits diff.json to vouch for other content
    let p = c.join("diff.json");
    let mut j: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    for row in j["changes"].as_array_mut().unwrap() {
        if row["path"] == "/tmp/planted.txt" {
            row["sha256"] = "0".repeat(64).into();
        }
    }
    std::fs::write(&p, serde_json::to_vec(&j).unwrap()).unwrap();
    let v = support::kforensic(&["verify", "--no-record", b.to_str().unwrap()]);
    assert!(!v.status.success(), "verify catches the edit: {}", stdout(&v));
    let out = t.path().join("diff.tar");
    let o = support::kforensic(&["analyze", c.to_str().unwrap(), "--extract-diff", "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "partial: {}", stderr(&o));
    assert!(stderr(&o).contains("tmp/planted.txt: sha256"), "{}", stderr(&o));
    // a directory that is no bundle
    let o = support::kforensic(&["analyze", t.path().to_str().unwrap(), "--extract-diff", "--out", t.path().join("x").to_str().unwrap()]);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("no container directory with a diff.json"), "{}", stderr(&o));
}
