//! Fuzz smoke run for CI: thousands of mutations of the REAL CRIU images and archive from the
//! fixture go through the same entry points as the cargo-fuzz targets in `fuzz/`
//! (`kforensic::analyze::fuzzing`). Any panic fails the test and prints the input's seed.
//! Deeper runs: `cd fuzz && cargo fuzz run criu_image` / `archive` (see fuzz/README.md).

use crate::support::analyze_fixture;
use kforensic::analyze::fuzzing;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// A small xorshift generator: reproducible from the printed seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// One random mutation: bit flips, interesting values over length fields, truncation,
/// duplication of a slice, insertion of random bytes.
fn mutate(r: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..1 + r.below(4) {
        if v.is_empty() {
            v.push(r.next() as u8);
            continue;
        }
        let at = r.below(v.len());
        match r.below(6) {
            0 => v[at] ^= 1 << r.below(8),
            1 => {
                let vals: [u32; 6] = [0, 1, 0x7f, 0xffff_ffff, 0x8000_0000, v.len() as u32];
                let x = vals[r.below(vals.len())].to_le_bytes();
                for (i, b) in x.iter().enumerate() {
                    if at + i < v.len() {
                        v[at + i] = *b;
                    }
                }
            }
            2 => v.truncate(at),
            3 => {
                let end = (at + 1 + r.below(64)).min(v.len());
                let s = v[at..end].to_vec();
                let to = r.below(v.len());
                v.splice(to..to, s);
            }
            4 => v[at] = r.next() as u8,
            _ => {
                let n = 1 + r.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| r.next() as u8).collect();
                v.splice(at..at, bytes);
            }
        }
    }
    v
}

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
    let seed = 0x9e37_79b9_7f4a_7c15u64 ^ std::process::id() as u64;
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
    let seed = 0x2545_f491_4f6c_dd1du64 ^ std::process::id() as u64;
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
