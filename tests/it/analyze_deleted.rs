//! Deleted-file recovery from a real checkpoint (containerd + CRIU 4.1.1): a container runs a
//! deleted executable and holds a deleted file open; `analyze --deleted` names both with the
//! processes that held them, and `--extract-deleted` gives back byte-identical files (SHA-256
//! computed before deletion by the fixture script).

use crate::support;
use crate::support::analyze_fixture::{self, analyze_json};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn entry<'a>(list: &'a [Value], path: &str) -> &'a Value {
    list.iter().find(|d| d["path"] == path).unwrap_or_else(|| panic!("{path} not among the deleted files: {list:#?}"))
}

fn held_as(d: &Value, how: &str) -> Vec<u64> {
    d["holders"].as_array().unwrap().iter().filter(|h| h["as"] == how).map(|h| h["pid"].as_u64().unwrap()).collect()
}

fn fresh_dir(f: &analyze_fixture::Fixture, name: &str) -> std::path::PathBuf {
    let d = f.dir.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn deleted_executable_and_open_file_are_listed_with_their_holders_and_recovered_byte_identical() {
    let Some(f) = analyze_fixture::get("deleted_executable_and_open_file_are_listed_with_their_holders_and_recovered_byte_identical")
    else {
        return;
    };
    let tar = f.tar.to_str().unwrap();
    let r = analyze_json(&[tar, "--deleted", "--ps-tree"]);
    let procs = r["processes"].as_array().unwrap();
    let pid_of =
        |comm: &str| procs.iter().find(|p| p["comm"] == comm).unwrap_or_else(|| panic!("no {comm}: {procs:#?}"))["pid"].as_u64().unwrap();
    let (sh, kworker) = (pid_of("sh"), pid_of("kworker"));
    let list = r["deleted"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:#?}");

    let exe = entry(list, f.fact("IMPLANT"));
    assert_eq!(exe["source"], "ghost-file");
    assert_eq!(exe["sha256"], f.fact("IMPLANT_SHA256"));
    // the "deleted 100 KiB executable": ~100 KiB of real file content, whole
    let bytes: u64 = f.fact("IMPLANT_BYTES").parse().unwrap();
    assert_eq!(exe["size"], bytes);
    assert!((90 << 10..=110 << 10).contains(&bytes), "implant of {bytes} bytes");
    assert_eq!(exe["complete"], true);
    assert_eq!(exe["mode"], "0755");
    assert_eq!(held_as(exe, "exe"), vec![kworker]);
    assert!(held_as(exe, "mapping").iter().all(|&p| p == kworker) && !held_as(exe, "mapping").is_empty(), "{exe:#}");

    let stash = entry(list, f.fact("STASH"));
    assert_eq!(stash["sha256"], f.fact("STASH_SHA256"));
    assert_eq!(stash["size"], 49152 + "stash-marker-\n".len() as u64 + stash_digits(stash));
    let fds: Vec<&Value> = stash["holders"].as_array().unwrap().iter().filter(|h| h["as"] == "fd").collect();
    assert!(fds.iter().any(|h| h["pid"] == sh && h["fd"] == 7), "the shell holds it on fd 7: {stash:#}");
    assert!(held_as(stash, "exe").is_empty());

    // the table a person reads names both, with their hashes
    let out = support::kforensic(&["analyze", tar, "--deleted"]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let t = support::stdout(&out);
    for want in [f.fact("IMPLANT"), f.fact("IMPLANT_SHA256"), f.fact("STASH"), f.fact("STASH_SHA256"), "fd 7", "exe"] {
        assert!(t.contains(want), "table lacks {want}:\n{t}");
    }

    // --extract-deleted --all: both files, byte-identical, 0600
    let dir = fresh_dir(f, "deleted-all");
    let x = analyze_json(&[tar, "--extract-deleted", "--all", "--out", dir.to_str().unwrap()]);
    let written = x["extracted_deleted"].as_array().unwrap();
    assert_eq!(written.len(), 2, "{x:#}");
    for w in written {
        let p = std::path::Path::new(w["written"].as_str().unwrap());
        assert_eq!(p.parent(), Some(dir.as_path()), "{w}");
        let bytes = std::fs::read(p).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), w["sha256"].as_str().unwrap());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(p).unwrap().permissions().mode() & 0o777, 0o600);
    }
    let hashes: Vec<&str> = written.iter().map(|w| w["sha256"].as_str().unwrap()).collect();
    assert!(hashes.contains(&f.fact("IMPLANT_SHA256")) && hashes.contains(&f.fact("STASH_SHA256")), "{hashes:?}");

    // again into the same directory: nothing is overwritten, the run fails and says why
    let again = support::kforensic(&["analyze", tar, "--extract-deleted", "--all", "--out", dir.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1), "{}", support::stderr(&again));
    assert!(support::stderr(&again).contains("exists"), "{}", support::stderr(&again));

    // one by path; a path that was never deleted is one clear line
    let one = fresh_dir(f, "deleted-one");
    let x = analyze_json(&[tar, "--extract-deleted", f.fact("STASH"), "--out", one.to_str().unwrap()]);
    assert_eq!(x["extracted_deleted"].as_array().unwrap().len(), 1);
    assert_eq!(std::fs::read_dir(&one).unwrap().count(), 1);
    let none = support::kforensic(&["analyze", tar, "--extract-deleted", "/etc/hostname", "--out", one.to_str().unwrap()]);
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(support::stderr(&none).lines().count(), 1, "{}", support::stderr(&none));
    assert!(support::stderr(&none).contains("--deleted"), "{}", support::stderr(&none));
}

/// The digits `$RANDOM` added to the stash's marker line (0 to 5 of them).
fn stash_digits(stash: &Value) -> u64 {
    let size = stash["size"].as_u64().unwrap();
    let base = 49152 + "stash-marker-\n".len() as u64;
    assert!((base + 1..=base + 5).contains(&size), "stash size {size}");
    size - base
}

#[test]
fn a_deleted_executable_without_its_ghost_is_reassembled_from_memory_and_says_what_is_missing() {
    let Some(f) = analyze_fixture::get("a_deleted_executable_without_its_ghost_is_reassembled_from_memory_and_says_what_is_missing") else {
        return;
    };
    // the archive as a responder may get it: CRIU's ghost images stripped
    let dir = analyze_fixture::extracted_copy(f, "no-ghosts");
    for e in std::fs::read_dir(dir.join("checkpoint")).unwrap().flatten() {
        if e.file_name().to_string_lossy().starts_with("ghost-file-") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
    let r = analyze_json(&[dir.to_str().unwrap(), "--deleted"]);
    let list = r["deleted"].as_array().unwrap();
    // the open file had no other copy: gone; the executable's mapped pages are still there
    assert!(list.iter().all(|d| d["path"] != f.fact("STASH")), "{list:#?}");
    let exe = entry(list, f.fact("IMPLANT"));
    assert_eq!(exe["source"], "memory");
    assert_eq!(exe["complete"], false, "CRIU stores only the pages a process changed: {exe:#}");
    let missing = exe["missing"].as_array().unwrap();
    assert!(!missing.is_empty());
    let size = exe["size"].as_u64().unwrap();
    for m in missing {
        assert!(m["start"].as_u64().unwrap() < m["end"].as_u64().unwrap() && m["end"].as_u64().unwrap() <= size, "{m}");
    }
    assert_ne!(exe["sha256"], f.fact("IMPLANT_SHA256"));

    // extracting it writes what is there and repeats what is missing
    let out = fresh_dir(f, "deleted-memory");
    let x = support::kforensic(&["analyze", dir.to_str().unwrap(), "--extract-deleted", f.fact("IMPLANT"), "--out", out.to_str().unwrap()]);
    assert!(x.status.success(), "{}", support::stderr(&x));
    let t = support::stdout(&x);
    assert!(t.contains("partial") && t.contains("missing"), "{t}");
    let written: Vec<_> = std::fs::read_dir(&out).unwrap().flatten().collect();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].metadata().unwrap().len(), size);
}
