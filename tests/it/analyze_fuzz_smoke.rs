//! Fuzz smoke run for CI: thousands of mutations of the REAL CRIU images and archive from the
//! fixture go through the same entry points as the cargo-fuzz targets in `fuzz/`
//! (`kforensic::analyze::fuzzing`). Any panic fails the test and prints the input's seed.
//! Deeper runs: `cd fuzz && cargo fuzz run criu_image` / `archive` (see fuzz/README.md).

use crate::support::analyze_fixture;
use crate::support::mutate::{Rng, mutate, seed, smoke};
use kforensic::analyze::fuzzing;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

#[test]
fn mutated_real_criu_images_never_panic() {
    let Some(f) = analyze_fixture::get("mutated_real_criu_images_never_panic") else { return };
    let dir = analyze_fixture::extracted_copy(f, "fuzz-images");
    let mut images = Vec::new();
    for e in std::fs::read_dir(dir.join("checkpoint")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".img") && !name.starts_with("pages-") && !name.starts_with("ghost-") && !name.starts_with("tmpfs-") {
            images.push((name, std::fs::read(&p).unwrap()));
        }
    }
    assert!(images.iter().any(|(n, _)| n == "pstree.img") && images.len() > 10, "{:?}", images.iter().map(|i| &i.0).collect::<Vec<_>>());
    let seed = seed(0x9e37_79b9_7f4a_7c15);
    let mut r = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut n = 0u64;
    while Instant::now() < deadline {
        let (name, data) = &images[r.below(images.len())];
        let m = mutate(&mut r, data);
        if catch_unwind(AssertUnwindSafe(|| fuzzing::criu_image_named(name, &m))).is_err() {
            let keep = f.dir.join(format!("crash-{name}"));
            std::fs::write(&keep, &m).unwrap();
            panic!("panic decoding a mutated {name} (seed {seed:#x}, iteration {n}); input saved to {}", keep.display());
        }
        n += 1;
    }
    eprintln!("fuzz smoke: {n} mutated CRIU images decoded without a panic (seed {seed:#x})");
    assert!(n > 1000, "too few iterations: {n}");
}

#[test]
fn mutated_real_archives_never_panic() {
    let Some(f) = analyze_fixture::get("mutated_real_archives_never_panic") else { return };
    let tar = std::fs::read(&f.tar).unwrap();
    // mutate mostly where the structure is: tar headers and the small CRIU images
    let seed = seed(0x2545_f491_4f6c_dd1d);
    let mut r = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut n = 0u64;
    while Instant::now() < deadline {
        let m = if r.below(4) == 0 {
            mutate(&mut r, &tar)
        } else {
            // flip bytes inside one 512-byte block (a header or a small member)
            let mut v = tar.clone();
            let blocks = v.len() / 512;
            let b = r.below(blocks.min(64)) * 512 + r.below(2) * (r.below(blocks) * 512);
            for _ in 0..1 + r.below(8) {
                let at = (b + r.below(512)).min(v.len() - 1);
                v[at] = r.next() as u8;
            }
            v
        };
        if catch_unwind(AssertUnwindSafe(|| fuzzing::archive(&m))).is_err() {
            let keep = f.dir.join("crash-archive.tar");
            std::fs::write(&keep, &m).unwrap();
            panic!("panic on a mutated archive (seed {seed:#x}, iteration {n}); input saved to {}", keep.display());
        }
        n += 1;
    }
    eprintln!("fuzz smoke: {n} mutated archives analysed without a panic (seed {seed:#x})");
    assert!(n > 50, "too few iterations: {n}");
}

/// Members of the genuine archives in tests/data (no cluster needed).
fn genuine_member(archive: &str, member: &str) -> Vec<u8> {
    use std::io::Read;
    let p = crate::support::repo_root().join("tests/data/checkpoints").join(archive);
    let mut a = tar::Archive::new(std::fs::File::open(&p).unwrap());
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        if e.path().unwrap().to_string_lossy() == member {
            let mut v = Vec::new();
            e.read_to_end(&mut v).unwrap();
            return v;
        }
    }
    panic!("{archive} has no {member}");
}

#[test]
fn mutated_ghost_images_stats_network_status_rootfs_diffs_and_cores_never_panic() {
    let ghosts = vec![
        genuine_member("kubelet-containerd2-cart.tar", "checkpoint/ghost-file-1.img"),
        genuine_member("crio-1.37-web.tar", "checkpoint/ghost-file-1.img"),
    ];
    // a chunked (sparse) ghost as CRIU writes one with --ghost-fiemap
    let mut sparse = ghosts[0][..8].to_vec();
    let entry = [0x08, 0x00, 0x10, 0x00, 0x18, 0xa4, 0x83, 0x02, 0x48, 0x01, 0x50, 0x80, 0x20];
    sparse.extend((entry.len() as u32).to_le_bytes());
    sparse.extend(entry);
    let chunk = [0x08, 0x05, 0x10, 0x80, 0x08];
    sparse.extend((chunk.len() as u32).to_le_bytes());
    sparse.extend(chunk);
    sparse.extend(b"hello");
    let mut all_ghosts = ghosts.clone();
    all_ghosts.push(sparse);
    smoke("ghost-file", &all_ghosts, 2, 3000, &fuzzing::ghost_image);

    let stats = vec![genuine_member("kubelet-containerd2-cart.tar", "stats-dump"), genuine_member("crio-1.37-web.tar", "stats-dump")];
    smoke("stats-dump", &stats, 1, 3000, &fuzzing::stats_dump);

    let net = vec![
        br#"{"podman":{"interfaces":{"eth0":{"subnets":[{"ipnet":"198.51.100.5/16","gateway":"198.51.100.1"}],"mac_address":"0a:58:0a:58:00:05"}}}}"#.to_vec(),
        br#"[{"cniVersion":"0.4.0","interfaces":[{"name":"eth0","mac":"0a:0b:0c:0d:0e:0f","sandbox":"/x"}],"ips":[{"version":"4","interface":0,"address":"198.51.100.7/16","gateway":"198.51.100.1"}]}]"#.to_vec(),
    ];
    smoke("network.status", &net, 1, 3000, &fuzzing::network_status);

    // rootfs-diff.tar: containerd 2.x's gzip one, CRI-O's plain one, and the plain one as zstd
    let gz = genuine_member("kubelet-containerd2-cart.tar", "rootfs-diff.tar");
    let plain = genuine_member("crio-1.37-web.tar", "rootfs-diff.tar");
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    smoke("rootfs-diff.tar", &[gz, plain, zst], 3, 1000, &fuzzing::rootfs_diff);
}

#[test]
fn mutated_elf_cores_never_panic() {
    // a real core: gcore of a process of this test's own (gdb is in the test environment's tools)
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("fuzz-core-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
    let base = dir.join("sleep");
    let out = std::process::Command::new("gcore").arg("-o").arg(&base).arg(child.id().to_string()).output();
    let _ = child.kill();
    let _ = child.wait();
    let core = std::fs::read(format!("{}.{}", base.display(), child.id()));
    let (Ok(out), Ok(core)) = (out, core) else {
        eprintln!("SKIP mutated_elf_cores_never_panic: gcore is not available");
        return;
    };
    assert!(out.status.success() && core.starts_with(b"\x7fELF"), "{}", String::from_utf8_lossy(&out.stderr));
    // mutate the headers and notes (the first 64 KiB), keep the size bounded
    let head = core[..core.len().min(64 << 10)].to_vec();
    smoke("ELF core", &[head], 3, 300, &fuzzing::elf_core);
}
