//! Mutation fuzzing on stable Rust for the fuzz smoke tests: a reproducible generator, the
//! mutations libFuzzer starts with, and a bounded run that names the seed of a failing input.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// A small xorshift generator: reproducible from the printed seed.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// One random mutation: bit flips, interesting values over length fields, truncation,
/// duplication of a slice, insertion of random bytes.
pub fn mutate(r: &mut Rng, input: &[u8]) -> Vec<u8> {
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

/// The seed of a run: `KF_FUZZ_SEED` (hex, as a failing run prints it) replays one; otherwise
/// `base` mixed with the process id, so each run explores new inputs.
pub fn seed(base: u64) -> u64 {
    match std::env::var("KF_FUZZ_SEED") {
        Ok(s) => u64::from_str_radix(s.trim_start_matches("0x"), 16).expect("KF_FUZZ_SEED is hex"),
        Err(_) => base ^ std::process::id() as u64,
    }
}

/// Mutate `seeds` for `secs` seconds (and at least `min` times) through `target`; a panic fails
/// with the seed and keeps the input.
pub fn smoke(what: &str, seeds: &[Vec<u8>], secs: u64, min: u64, target: &dyn Fn(&[u8])) {
    let seed = seed(0x51_7cc1_b727_220a ^ what.len() as u64);
    let mut r = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut n = 0u64;
    while Instant::now() < deadline || n < min {
        let pick = r.below(seeds.len());
        let m = mutate(&mut r, &seeds[pick]);
        if catch_unwind(AssertUnwindSafe(|| target(&m))).is_err() {
            let keep = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("crash-{what}"));
            std::fs::write(&keep, &m).unwrap();
            panic!(
                "panic on a mutated {what} (seed {seed:#x}, iteration {n}; KF_FUZZ_SEED={seed:x} replays it); input saved to {}",
                keep.display()
            );
        }
        n += 1;
        if n >= 200_000 {
            break;
        }
    }
    eprintln!("fuzz smoke: {n} mutated {what} inputs without a panic (seed {seed:#x})");
}
