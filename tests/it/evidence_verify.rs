//! `kforensic verify` on local bundles (directory and --archive .tar), with the real binary.

use crate::support::{evidence::*, kforensic};

#[test]
fn an_intact_bundle_verifies_and_records_the_check() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-ok", &[("pods/shop/web-1/app/inspect.json", 2000), ("cluster/pod.json", 10)]);
    let before = std::fs::read_to_string(dir.join("custody.log")).unwrap().lines().count();
    let out = kforensic(&["verify", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
    assert!(text(&out.stdout).starts_with("OK "), "{}", text(&out.stdout));
    // the check itself is in the custody log, and the chain still holds
    let log = std::fs::read_to_string(dir.join("custody.log")).unwrap();
    assert_eq!(log.lines().count(), before + 1);
    assert!(log.lines().last().unwrap().contains("\"event\":\"verify\""));
    let again = kforensic(&["verify", "--no-record", "-o", "json", dir.to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again.stdout));
    let v: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["artifacts_ok"], 2);
    assert_eq!(std::fs::read_to_string(dir.join("custody.log")).unwrap().lines().count(), before + 1);
}

#[test]
fn a_flipped_byte_is_named() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-flip", &[("a.json", 100), ("pods/ns/p/c/rootfs.tar.zst", 300_000)]);
    let victim = dir.join("pods/ns/p/c/rootfs.tar.zst");
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[123_456] ^= 0x01;
    std::fs::write(&victim, &bytes).unwrap();
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let stdout = text(&out.stdout);
    let problems: Vec<&str> = stdout.lines().filter(|l| !l.starts_with("FAILED")).collect();
    assert_eq!(problems.len(), 1, "{stdout}");
    assert!(problems[0].starts_with("altered: pods/ns/p/c/rootfs.tar.zst (sha256 "), "{stdout}");
}

#[test]
fn missing_extra_and_resized_files_are_each_reported() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-mx", &[("one", 10), ("two", 20), ("three", 30)]);
    std::fs::remove_file(dir.join("one")).unwrap();
    std::fs::write(dir.join("planted.sh"), b"#!/bin/sh\n").unwrap();
    std::fs::write(dir.join("three"), b"short").unwrap();
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(s.lines().any(|l| l == "missing: one"), "{s}");
    assert!(s.lines().any(|l| l.starts_with("extra: planted.sh")), "{s}");
    assert!(s.lines().any(|l| l.starts_with("altered: three (5 bytes, manifest says 30)")), "{s}");
}

#[test]
fn a_deleted_custody_line_breaks_the_chain_at_that_line() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-chain", &[("x", 10), ("y", 10)]);
    let log = dir.join("custody.log");
    let mut lines: Vec<String> = std::fs::read_to_string(&log).unwrap().lines().map(String::from).collect();
    lines.remove(2);
    std::fs::write(&log, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(s.lines().any(|l| l.starts_with("custody.log: chain broken at line 3")), "{s}");
}

#[test]
fn an_edited_manifest_no_longer_matches_the_custody_log() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-man", &[("x", 10)]);
    let m = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    std::fs::write(dir.join("manifest.json"), m.replace("responder@example", "someone-else")).unwrap();
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).lines().any(|l| l.starts_with("altered: manifest.json")), "{}", text(&out.stdout));
}

#[test]
fn an_archive_made_by_the_library_verifies_with_the_binary() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-tar", &[("a", 1000), ("b/c", 70_000)]);
    let tar = kforensic::evidence::archive_bundle(&dir).unwrap();
    let out = kforensic(&["verify", tar.to_str().unwrap()]);
    assert!(out.status.success(), "{}{}", text(&out.stdout), text(&out.stderr));
}

#[test]
fn a_path_that_is_not_a_bundle_is_one_line_and_non_zero() {
    let d = tempfile::tempdir().unwrap();
    let out = kforensic(&["verify", d.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let e = text(&out.stderr);
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(e.contains("is not an evidence bundle"), "{e}");
    // an unfinished capture (custody log, no manifest) says so
    let mut b = kforensic::evidence::DirBundle::create(d.path(), "unfinished", Default::default()).unwrap();
    kforensic::evidence::ArtifactSink::error(&mut b, None, "interrupted").unwrap();
    drop(b);
    let out = kforensic(&["verify", d.path().join("unfinished").to_str().unwrap()]);
    assert!(text(&out.stderr).contains("not finalized"), "{}", text(&out.stderr));
}

#[test]
fn an_incomplete_bundle_fails_verify() {
    let d = tempfile::tempdir().unwrap();
    let mut b = kforensic::evidence::DirBundle::create(d.path(), "partial", Default::default()).unwrap();
    b.plan(["wanted.json"]).unwrap();
    let dir = b.dir().to_path_buf();
    b.finalize().unwrap();
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).lines().any(|l| l.starts_with("incomplete: ")), "{}", text(&out.stdout));
}

#[test]
fn a_planted_file_name_with_escape_sequences_is_shown_inert() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-esc", &[("one", 10)]);
    // a name that would retitle the terminal and clear the screen if printed raw
    std::fs::write(dir.join("x\u{1b}]2;owned\u{7}\u{1b}[2J\u{202e}hs.txt"), b"#!/bin/sh\n").unwrap();
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(s.lines().any(|l| l.starts_with("extra: x\u{fffd}]2;owned\u{fffd}\u{fffd}[2J\u{fffd}hs.txt")), "{s:?}");
    assert!(!out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07), "{s:?}");
    assert!(!s.contains('\u{202e}'));
}

/// Append one custody event chained to the last line, as an attacker with write access would.
fn append_chained(log: &std::path::Path, event: &str, details: serde_json::Value) {
    let text = std::fs::read_to_string(log).unwrap();
    let last = text.lines().last().unwrap();
    let prev: serde_json::Value = serde_json::from_str(last).unwrap();
    let line = serde_json::json!({
        "seq": prev["seq"].as_u64().unwrap() + 1,
        "time": prev["time"],
        "event": event,
        "actor": prev["actor"],
        "details": details,
        "prev_sha256": kforensic::evidence::custody::line_sha256(last.as_bytes()),
    });
    std::fs::write(log, format!("{text}{line}\n")).unwrap();
}

#[test]
fn an_edited_artifact_with_a_rewritten_manifest_and_an_appended_chain_is_caught() {
    // the three-step tamper: edit an artifact, put its new hash into the manifest, append a
    // chained artifact_finished and a finalized that binds the new manifest
    let d = tempfile::tempdir().unwrap();
    let path = "pods/shop/web-1/app/volatile.json";
    let (dir, _) = make_bundle(d.path(), "case-tamper", &[(path, 300), ("pods/shop/web-1/app/inspect.json", 50)]);
    let forged = br#"{"processes":[]}"#;
    std::fs::write(dir.join(path), forged).unwrap();
    let sha = kforensic::evidence::custody::line_sha256(forged);
    let mut m: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap();
    for a in m["artifacts"].as_array_mut().unwrap() {
        if a["path"] == path {
            a["sha256"] = sha.clone().into();
            a["bytes"] = forged.len().into();
        }
    }
    let manifest = serde_json::to_vec_pretty(&m).unwrap();
    std::fs::write(dir.join("manifest.json"), &manifest).unwrap();
    let log = dir.join("custody.log");
    let before = std::fs::read_to_string(&log).unwrap().lines().count();
    append_chained(&log, "artifact_finished", serde_json::json!({"path": path, "bytes": forged.len(), "sha256": sha}));
    append_chained(&log, "finalized", serde_json::json!({"manifest_sha256": kforensic::evidence::custody::line_sha256(&manifest)}));

    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{s}");
    assert!(!s.contains("intact"), "{s}");
    let (l1, l2) = (before + 1, before + 2);
    assert!(s.contains(&format!("custody.log line {l1}: 'artifact_finished' after the bundle was finalized")), "{s}");
    assert!(s.contains(&format!("custody.log line {l2}: a second 'finalized' event")), "{s}");
    assert!(s.lines().any(|l| l.starts_with("altered: manifest.json")), "the first finalized binds the manifest: {s}");
    assert!(s.contains(&format!("{path} recorded with 300 bytes")), "the original record disagrees with the manifest: {s}");
}

#[test]
fn a_truncated_custody_log_and_an_unrecorded_artifact_are_caught() {
    let d = tempfile::tempdir().unwrap();
    let (dir, _) = make_bundle(d.path(), "case-trunc", &[("x", 10), ("y", 10)]);
    let log = dir.join("custody.log");
    let lines: Vec<String> = std::fs::read_to_string(&log).unwrap().lines().map(String::from).collect();
    // cut the log before its finalized line: nothing binds the manifest any more
    std::fs::write(&log, lines[..lines.len() - 1].iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("no 'finalized' event binds this manifest"), "{}", text(&out.stdout));
}

#[test]
fn a_signed_bundle_verifies_with_ssh_keygen_and_with_kforensic_and_names_the_signer() {
    let d = tempfile::tempdir().unwrap();
    let (key, allowed) = ssh_key(d.path(), "responder", "responder@example.org");
    let (_, other_allowed) = ssh_key(d.path(), "stranger", "stranger@example.org");
    let (dir, _) = make_bundle(d.path(), "case-signed", &[("pods/shop/web-1/app/volatile.json", 500)]);
    kforensic::evidence::sign::Signer::from_file(&key, &|_| Err("no passphrase".into())).unwrap().sign_bundle(&dir).unwrap();
    // a third party needs nothing but OpenSSH: the manifest, and the custody log up to its finalized line
    assert!(ssh_keygen_verifies(&allowed, "responder@example.org", &dir.join("manifest.json"), &dir.join("manifest.json.sig"), None));
    let sealed = std::fs::read_to_string(dir.join("custody.log")).unwrap().lines().count();
    // verify records itself in the log afterwards: the signed part stays what it was
    let out = kforensic(&["verify", "--allowed-signers", allowed.to_str().unwrap(), dir.to_str().unwrap()]);
    let s = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{s}");
    assert!(s.contains("signed by responder@example.org (key SHA256:"), "{s}");
    assert!(ssh_keygen_verifies(&allowed, "responder@example.org", &dir.join("custody.log"), &dir.join("custody.log.sig"), Some(sealed)));
    // without allowed signers: whether and by which key
    let out = kforensic(&["verify", "--no-record", dir.to_str().unwrap()]);
    assert!(out.status.success() && text(&out.stdout).contains("signed by key SHA256:"), "{}", text(&out.stdout));
    // a key the verifier does not trust
    let out = kforensic(&["verify", "--no-record", "--allowed-signers", other_allowed.to_str().unwrap(), dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("a key not in the allowed signers"), "{}", text(&out.stdout));
}

#[test]
fn a_signed_manifest_changed_afterwards_and_an_unsigned_bundle_fail_when_a_signer_is_required() {
    let d = tempfile::tempdir().unwrap();
    let (key, allowed) = ssh_key(d.path(), "responder", "responder@example.org");
    let (dir, _) = make_bundle(d.path(), "case-resigned", &[("x", 50)]);
    kforensic::evidence::sign::Signer::from_file(&key, &|_| Err("no passphrase".into())).unwrap().sign_bundle(&dir).unwrap();
    let m = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    std::fs::write(dir.join("manifest.json"), m.replace("responder@example", "someone-else")).unwrap();
    let out = kforensic(&["verify", "--no-record", "--allowed-signers", allowed.to_str().unwrap(), dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("manifest.json.sig does not match"), "{}", text(&out.stdout));
    assert!(!ssh_keygen_verifies(&allowed, "responder@example.org", &dir.join("manifest.json"), &dir.join("manifest.json.sig"), None));

    let (plain, _) = make_bundle(d.path(), "case-unsigned", &[("x", 50)]);
    let out = kforensic(&["verify", "--no-record", "--allowed-signers", allowed.to_str().unwrap(), plain.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("the bundle is not signed"), "{}", text(&out.stdout));
    let out = kforensic(&["verify", "--no-record", plain.to_str().unwrap()]);
    assert!(out.status.success() && text(&out.stdout).contains("not signed"), "{}", text(&out.stdout));
}
