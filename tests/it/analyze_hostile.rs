//! `kforensic analyze` on hostile archives: every one is refused with a one-line error and
//! exit code 1, nothing is written outside the output directory, nothing panics.
//! (The hostile archives are built here on purpose; the real ones come from the fixture script.)

use crate::support::{self, analyze_fixture};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One raw tar member: the name is written as given (no sanitising, unlike tar::Builder).
fn member(out: &mut Vec<u8>, name: &str, kind: u8, data: &[u8], link: &str) {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name.as_bytes());
    h[100..107].copy_from_slice(b"0000644");
    h[108..115].copy_from_slice(b"0000000");
    h[116..123].copy_from_slice(b"0000000");
    h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
    h[136..147].copy_from_slice(b"00000000000");
    h[156] = kind;
    h[157..157 + link.len()].copy_from_slice(link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| b as u32).sum();
    h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
    out.extend_from_slice(&h);
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn finish(mut t: Vec<u8>) -> Vec<u8> {
    t.resize(t.len() + 1024, 0);
    t
}

fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("analyze-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

const CONFIG: &[u8] = br#"{"id":"x","name":"x"}"#;

/// Run analyze, expect a clean refusal: exit 1, one line on stderr containing `want`.
fn refused(args: &[&str], want: &str) -> String {
    let mut all = vec!["analyze"];
    all.extend_from_slice(args);
    let out = support::kforensic(&all);
    let err = support::stderr(&out);
    assert_eq!(out.status.code(), Some(1), "kforensic {all:?}: exit {:?}, stderr {err}", out.status.code());
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("error: ") && err.contains(want), "wanted {want:?} in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn traversal_and_absolute_member_names_are_refused() {
    let d = scratch("traversal");
    for (i, name) in ["../../../tmp/kf-owned", "/etc/cron.d/kf-owned", "checkpoint/../../kf-owned"].iter().enumerate() {
        let mut t = Vec::new();
        member(&mut t, "config.dump", b'0', CONFIG, "");
        member(&mut t, name, b'0', b"owned", "");
        let p = d.join(format!("t{i}.tar"));
        std::fs::write(&p, finish(t.clone())).unwrap();
        refused(&[p.to_str().unwrap()], "escapes the archive");
        // compressed, the same archive is refused before anything is written
        let gz = d.join(format!("t{i}.tar.gz"));
        let mut e = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
        e.write_all(&finish(t)).unwrap();
        e.finish().unwrap();
        refused(&[gz.to_str().unwrap()], "escapes the archive");
    }
    assert!(!Path::new("/tmp/kf-owned").exists());
}

#[test]
fn links_in_the_archive_are_refused_never_followed() {
    let d = scratch("links");
    let mut t = Vec::new();
    member(&mut t, "config.dump", b'0', CONFIG, "");
    member(&mut t, "checkpoint/pstree.img", b'2', b"", "/etc/shadow");
    let p = d.join("symlink.tar");
    std::fs::write(&p, finish(t)).unwrap();
    refused(&[p.to_str().unwrap()], "is a link (to \"/etc/shadow\")");

    let mut t = Vec::new();
    member(&mut t, "config.dump", b'0', CONFIG, "");
    member(&mut t, "spec.dump", b'1', b"", "config.dump");
    let p = d.join("hardlink.tar");
    std::fs::write(&p, finish(t)).unwrap();
    refused(&[p.to_str().unwrap()], "is a link");

    // an extracted directory with a symlink planted in it
    let dir = d.join("dir");
    std::fs::create_dir_all(dir.join("checkpoint")).unwrap();
    std::fs::write(dir.join("config.dump"), CONFIG).unwrap();
    std::os::unix::fs::symlink("/etc/shadow", dir.join("checkpoint/pstree.img")).unwrap();
    refused(&[dir.to_str().unwrap()], "symlink");
}

#[test]
fn member_count_and_decompressed_size_are_capped() {
    let d = scratch("caps");
    let mut t = Vec::new();
    member(&mut t, "config.dump", b'0', CONFIG, "");
    for i in 0..150 {
        member(&mut t, &format!("junk/{i}"), b'0', b"", "");
    }
    let p = d.join("many.tar");
    std::fs::write(&p, finish(t)).unwrap();
    refused(&[p.to_str().unwrap(), "--max-entries", "100"], "more than 100 members");

    // 64 MiB of zeros compress to ~64 KiB: a small bomb against a 1 MiB cap
    let mut t = Vec::new();
    member(&mut t, "config.dump", b'0', CONFIG, "");
    member(&mut t, "checkpoint/pages-1.img", b'0', &vec![0u8; 64 << 20], "");
    let zst = d.join("bomb.tar.zst");
    std::fs::write(&zst, zstd::encode_all(&finish(t)[..], 3).unwrap()).unwrap();
    assert!(std::fs::metadata(&zst).unwrap().len() < 1 << 20);
    refused(&[zst.to_str().unwrap(), "--max-extract-bytes", "1048576"], "decompresses to more than 1048576 bytes");
}

#[test]
fn garbage_and_empty_inputs_are_not_checkpoints() {
    let d = scratch("garbage");
    let p = d.join("random.bin");
    std::fs::write(&p, (0..100_000u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect::<Vec<_>>()).unwrap();
    let out = support::kforensic(&["analyze", p.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(support::stderr(&out).lines().count(), 1, "{}", support::stderr(&out));
    let empty = d.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    refused(&[empty.to_str().unwrap()], "not a checkpoint archive");
    refused(&[d.join("missing.tar").to_str().unwrap()], "cannot open");
}

#[test]
fn hostile_rootfs_diff_never_writes_through_links_or_outside_out_dir() {
    let d = scratch("rootfs");
    let mut diff = Vec::new();
    member(&mut diff, "tmp/evil.txt", b'2', b"", "/etc/passwd");
    member(&mut diff, "../../../tmp/kf-diff-owned", b'0', b"owned", "");
    member(&mut diff, "tmp/hard", b'1', b"", "../../../etc/passwd");
    member(&mut diff, "tmp/ok.txt", b'0', b"fine\n", "");
    let mut t = Vec::new();
    member(&mut t, "config.dump", b'0', CONFIG, "");
    member(&mut t, "rootfs-diff.tar", b'0', &finish(diff), "");
    let p = d.join("diff.tar");
    std::fs::write(&p, finish(t)).unwrap();
    let out = d.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let (a, o) = (p.to_str().unwrap(), out.to_str().unwrap());

    // listed as they are, links shown but not followed
    let r = analyze_fixture::analyze_json(&[a, "--rootfs-diff"]);
    let changed = r["rootfs_diff"]["changed"].as_array().unwrap();
    let evil = changed.iter().find(|e| e["path"] == "/tmp/evil.txt").unwrap();
    assert_eq!(evil["kind"], "symlink");
    assert_eq!(evil["link_target"], "/etc/passwd");

    refused(&[a, "--extract", "/tmp/evil.txt", "--out", o], "symlink");
    refused(&[a, "--extract", "../../../tmp/kf-diff-owned", "--out", o], "not a path inside the container");
    refused(&[a, "--extract", "/tmp/hard", "--out", o], "not a regular file");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 0, "something was written");
    assert!(!Path::new("/tmp/kf-diff-owned").exists());

    // a planted symlink in the output directory is not written through
    std::os::unix::fs::symlink("/tmp/kf-diff-target", out.join("ok.txt")).unwrap();
    refused(&[a, "--extract", "/tmp/ok.txt", "--out", o], "cannot write");
    assert!(!Path::new("/tmp/kf-diff-target").exists());
    std::fs::remove_file(out.join("ok.txt")).unwrap();
    let x = analyze_fixture::analyze_json(&[a, "--extract", "/tmp/ok.txt", "--out", o]);
    assert_eq!(x["extracted"]["bytes"], 5);
    assert_eq!(std::fs::read(out.join("ok.txt")).unwrap(), b"fine\n");
}

#[test]
fn truncated_and_malformed_criu_images_name_the_file_and_offset() {
    let Some(f) = analyze_fixture::get("truncated_and_malformed_criu_images_name_the_file_and_offset") else { return };
    // truncated core image of pid 1
    let dir = analyze_fixture::extracted_copy(f, "truncated");
    let core = dir.join("checkpoint/core-1.img");
    let len = std::fs::metadata(&core).unwrap().len();
    std::fs::OpenOptions::new().write(true).open(&core).unwrap().set_len(len - 7).unwrap();
    let tar = f.dir.join("truncated.tar");
    let _ = std::fs::remove_file(&tar);
    analyze_fixture::pack(&dir, &tar);
    refused(&[tar.to_str().unwrap()], "checkpoint/core-1.img: offset 8: truncated entry");

    // a pstree entry whose length claims 4 GiB
    let dir = analyze_fixture::extracted_copy(f, "badlen");
    let ps = dir.join("checkpoint/pstree.img");
    let mut b = std::fs::read(&ps).unwrap();
    b[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
    std::fs::write(&ps, &b).unwrap();
    refused(&[dir.to_str().unwrap()], "checkpoint/pstree.img: offset 8: entry length 4294967295 is implausible");

    // a malformed protobuf inside a well-framed entry
    let dir = analyze_fixture::extracted_copy(f, "badproto");
    let mm = dir.join("checkpoint/mm-1.img");
    let mut b = std::fs::read(&mm).unwrap();
    let n = b.len();
    b[12..n].fill(0xff);
    std::fs::write(&mm, &b).unwrap();
    refused(&[dir.to_str().unwrap(), "--ps-tree"], "checkpoint/mm-1.img: offset 8: malformed MmEntry entry");

    // pages image shorter than its pagemap says
    let dir = analyze_fixture::extracted_copy(f, "shortpages");
    for e in std::fs::read_dir(dir.join("checkpoint")).unwrap() {
        let p = e.unwrap().path();
        if p.file_name().unwrap().to_string_lossy().starts_with("pages-") {
            std::fs::OpenOptions::new().write(true).open(&p).unwrap().set_len(4096).unwrap();
        }
    }
    refused(&[dir.to_str().unwrap()], "(truncated pages image?)");
}
