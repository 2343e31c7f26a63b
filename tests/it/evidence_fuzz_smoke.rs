//! Fuzz smoke run for CI (no cluster): thousands of mutations of REAL evidence inputs go through
//! the entry points the cargo-fuzz targets in `fuzz/` call (`kforensic::evidence::fuzzing`): a
//! stream written by the library's own encoder (plain, sealed, stored and aborted artifacts, an
//! error record), the manifest and custody log of the bundle in `tests/data/bundles/old-layout-2026`
//! and of a bundle received from that stream, and both bundles whole, given to `verify`. A
//! panic, or a broken invariant the entry points assert (a bundle written from any stream
//! verifies; an appended custody line chains), fails the test with the seed that replays it
//! (`KF_FUZZ_SEED=…`). Deeper runs: `cargo fuzz run --features evidence evidence_stream` (fuzz/README.md).

use crate::support::mutate::{Rng, mutate, seed, smoke};
use crate::support::repo_root;
use kforensic::evidence::fuzzing;
use kforensic::evidence::seal::{Recipients, SealingSink};
use kforensic::evidence::stream::StreamSink;
use kforensic::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, BundleMeta, DirBundle};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A fresh empty directory for one input, on a tmpfs when there is one (bundles sync what they write).
fn scratch() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let shm = Path::new("/dev/shm");
    let base = if shm.is_dir() { shm.to_path_buf() } else { PathBuf::from(env!("CARGO_TARGET_TMPDIR")) };
    let d = base.join(format!("kf-evidence-fuzz-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Run `f` in a scratch directory that is removed afterwards, even when `f` panics.
fn in_scratch(data: &[u8], f: fn(&Path, &[u8])) {
    let d = scratch();
    let r = catch_unwind(AssertUnwindSafe(|| f(&d, data)));
    let _ = std::fs::remove_dir_all(&d);
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
}

fn spec(p: &str, media: &str) -> ArtifactSpec {
    ArtifactSpec::new(p, media, "agent").container("main")
}

/// Streams as the agent writes them: JSON and zstd artifacts, an agent error, an aborted artifact,
/// a record stored by the node; the same sealed to an age key; a clean one; one whose artifact
/// spans two data frames.
#[allow(deprecated)] // an X25519 recipient, as `--encrypt-to age1…` gives
fn real_streams() -> Vec<Vec<u8>> {
    let id = age::x25519::Identity::generate();
    let recipients = Arc::new(Recipients::parse(&[id.to_public().to_string()]).unwrap());
    let inspect =
        std::fs::read(repo_root().join("tests/data/bundles/old-layout-2026/pods/kft-speed-old/suspect/main/volatile.json")).unwrap();
    let diff = std::fs::read(repo_root().join("tests/data/bundles/old-layout-2026/pods/kft-speed-old/suspect/main/diff.tar.zst")).unwrap();
    let big: Vec<u8> = (0..(256 << 10) + 777).map(|i| (i * 7 % 251) as u8).collect();
    let mut out = Vec::new();
    for sealed in [false, true] {
        let mut s = StreamSink::new(Vec::new()).unwrap();
        {
            let mut sealing;
            let sink: &mut dyn ArtifactSink = if sealed {
                sealing = SealingSink::new(&mut s, recipients.clone());
                &mut sealing
            } else {
                &mut s
            };
            sink.put(&spec("pods/ns/p/main/volatile.json", "application/json"), &mut |w| w.write_all(&inspect)).unwrap();
            sink.put(&spec("pods/ns/p/main/diff.tar.zst", "application/zstd"), &mut |w| w.write_all(&diff)).unwrap();
            sink.error(Some("pods/ns/p/main/memory.json"), "memory: the container's cgroup is gone").unwrap();
            let aborted = sink.put(&spec("pods/ns/p/main/logs/current.log", "text/plain"), &mut |w| {
                w.write_all(b"partial line")?;
                Err(std::io::Error::other("the log rotated away"))
            });
            assert!(aborted.is_err());
        }
        if !sealed {
            let t = jiff::Timestamp::now();
            let rec = ArtifactRecord {
                spec: spec("pods/ns/p/main/rootfs.tar.zst", "application/zstd"),
                bytes: 4096,
                sha256: "ab".repeat(32),
                started_at: t,
                finished_at: t,
                encryption: None,
            };
            s.stored(&rec, "s3://evidence/cases/c1/pods/ns/p/main/rootfs.tar.zst").unwrap();
        }
        out.push(s.finish().unwrap());
    }
    // a clean one: one small artifact, nothing else
    let mut s = StreamSink::new(Vec::new()).unwrap();
    s.put(&spec("cluster/pod.json", "application/json"), &mut |w| w.write_all(b"{\"kind\":\"Pod\"}")).unwrap();
    out.push(s.finish().unwrap());
    // one artifact of two data frames (the encoder cuts them at 256 KiB)
    let mut s = StreamSink::new(Vec::new()).unwrap();
    s.put(&spec("pods/ns/p/main/rootfs.tar", "application/x-tar"), &mut |w| w.write_all(&big)).unwrap();
    out.push(s.finish().unwrap());
    out
}

/// A bundle received from `stream` and finalized, as the CLI leaves one: its directory.
fn bundle_from(stream: &[u8], dir: &Path) -> PathBuf {
    let mut b = DirBundle::create(dir, "fuzz-case", BundleMeta::default()).unwrap();
    let rep = kforensic::evidence::stream::receive(&mut &stream[..], &mut b).unwrap();
    assert!(!rep.artifacts.is_empty());
    let d = b.dir().to_path_buf();
    b.finalize().unwrap();
    d
}

/// The files of a bundle directory: (path relative to it, bytes).
fn members(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                stack.push(e.path());
            } else {
                let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// A tar of a bundle as `--archive` writes one: everything under one top directory.
fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o600);
        h.set_entry_type(tar::EntryType::Regular);
        // a mutated name the tar format cannot hold is left out
        let _ = b.append_data(&mut h, format!("case/{name}"), &data[..]);
    }
    b.into_inner().unwrap()
}

#[test]
fn mutated_real_evidence_streams_never_panic_and_their_bundles_verify() {
    let streams = real_streams();
    // the unmutated streams hold to the invariant too
    for s in &streams {
        in_scratch(s, fuzzing::stream_in);
    }
    smoke("evidence stream", &streams, 4, 500, &|d| in_scratch(d, fuzzing::stream_in));
}

#[test]
fn mutated_real_manifests_and_custody_logs_never_panic() {
    let real = repo_root().join("tests/data/bundles/old-layout-2026");
    let scratch_dir = scratch();
    let received = bundle_from(&real_streams()[0], &scratch_dir);
    let manifests = vec![std::fs::read(real.join("manifest.json")).unwrap(), std::fs::read(received.join("manifest.json")).unwrap()];
    let logs = vec![std::fs::read(real.join("custody.log")).unwrap(), std::fs::read(received.join("custody.log")).unwrap()];
    let _ = std::fs::remove_dir_all(&scratch_dir);
    for m in &manifests {
        kforensic::evidence::Manifest::parse(m, "seed").expect("the seed manifests are valid");
        fuzzing::manifest(m);
    }
    smoke("manifest.json", &manifests, 2, 3000, &fuzzing::manifest);
    smoke("custody.log", &logs, 2, 1000, &|d| in_scratch(d, fuzzing::custody_in));
}

#[test]
fn mutated_real_bundles_never_panic_in_verify() {
    let real = members(&repo_root().join("tests/data/bundles/old-layout-2026"));
    let scratch_dir = scratch();
    let received = members(&bundle_from(&real_streams()[0], &scratch_dir));
    let _ = std::fs::remove_dir_all(&scratch_dir);
    let bundles = [real, received];
    let seed = seed(0x6a09_e667_f3bc_c908);
    let mut r = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(4);
    let mut n = 0u64;
    while Instant::now() < deadline || n < 100 {
        // the small received bundle most of the time; the real one (1 MiB of rootfs) now and then
        let mut files = bundles[usize::from(r.below(4) == 0)].clone();
        for _ in 0..1 + r.below(2) {
            let i = match r.below(5) {
                0 | 1 => files.iter().position(|f| f.0 == "manifest.json").unwrap_or(0),
                2 | 3 => files.iter().position(|f| f.0 == "custody.log").unwrap_or(0),
                _ => r.below(files.len()),
            };
            match r.below(10) {
                0 => {
                    files.remove(i);
                }
                1 => files[i].0 = String::from_utf8_lossy(&mutate(&mut r, files[i].0.as_bytes())).into_owned(),
                2 => files.push(files[i].clone()),
                _ => files[i].1 = mutate(&mut r, &files[i].1),
            }
            if files.is_empty() {
                break;
            }
        }
        let tar = tar_of(&files);
        // and now and then the archive's own bytes (headers) too
        let tar = if r.below(8) == 0 { mutate(&mut r, &tar[..tar.len().min(4096)]) } else { tar };
        if catch_unwind(AssertUnwindSafe(|| in_scratch(&tar, fuzzing::bundle_in))).is_err() {
            let keep = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("crash-bundle.tar");
            std::fs::write(&keep, &tar).unwrap();
            panic!(
                "panic verifying a mutated bundle (seed {seed:#x}, iteration {n}; KF_FUZZ_SEED={seed:x} replays it); input saved to {}",
                keep.display()
            );
        }
        n += 1;
    }
    eprintln!("fuzz smoke: {n} mutated bundles verified without a panic (seed {seed:#x})");
}
