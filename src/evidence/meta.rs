//! Reading a bundle's own files — `manifest.json` and `custody.log` — as streams, at any size.
//!
//! Neither file has a size cap: a capture of a million files has a manifest of hundreds of MiB and
//! must still verify. They are read once, front to back, hashed on the way ([`Digests`]), and only
//! the parsed records are kept. What protects the reader from a hostile file is [`JsonGuard`],
//! which watches the JSON text as it passes: no string or bare token longer than
//! [`MAX_JSON_TOKEN`] (no real one comes near it), and no more text than the memory free on this
//! machine can hold once parsed ([`memory_budget`]). Either ends with one clear error, never with
//! the process running out of memory.

use super::EvidenceError;
use super::hash::{Digested, DigestingReader};
use super::manifest::Manifest;
use std::io::{self, BufReader, Read};

/// Longest JSON string (or number, or other bare token) read from a manifest or custody line.
pub const MAX_JSON_TOKEN: u64 = 16 << 20;

/// What one JSON token costs once parsed, beyond its own bytes (a `serde_json::Value`, a map
/// entry or a `String` header): used to estimate the memory a document needs.
const TOKEN_COST: u64 = 48;

/// How many bytes of parsed records this process may hold: half of the memory free now (the
/// machine's available memory, or the cgroup's room when that is less), at least 256 MiB; 4 GiB
/// when neither can be read.
pub fn memory_budget() -> u64 {
    let available = meminfo_available();
    let cgroup = cgroup_room();
    let free = match (available, cgroup) {
        (Some(a), Some(c)) => a.min(c),
        (Some(a), None) => a,
        (None, Some(c)) => c,
        (None, None) => 8 << 30,
    };
    (free / 2).max(256 << 20)
}

fn meminfo_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// cgroup v2: `memory.max - memory.current` of this process's cgroup, when it has a limit.
fn cgroup_room() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let rel = own.lines().find_map(|l| l.strip_prefix("0::"))?;
    let dir = std::path::Path::new("/sys/fs/cgroup").join(rel.trim_start_matches('/'));
    let max: u64 = std::fs::read_to_string(dir.join("memory.max")).ok()?.trim().parse().ok()?;
    let current: u64 = std::fs::read_to_string(dir.join("memory.current")).ok()?.trim().parse().ok()?;
    Some(max.saturating_sub(current))
}

/// A reader that watches the JSON text passing through it and stops it (an I/O error naming
/// why, also kept in [`JsonGuard::tripped`]) at a string or bare token longer than
/// [`MAX_JSON_TOKEN`], or once the text read would need more than `limit` bytes parsed
/// (its bytes plus [`TOKEN_COST`] per value).
pub struct JsonGuard<R> {
    inner: R,
    in_string: bool,
    escaped: bool,
    run: u64,
    bytes: u64,
    tokens: u64,
    limit: u64,
    tripped: Option<String>,
}

impl<R: Read> JsonGuard<R> {
    pub fn new(inner: R, limit: u64) -> Self {
        JsonGuard { inner, in_string: false, escaped: false, run: 0, bytes: 0, tokens: 0, limit, tripped: None }
    }

    /// Why the text was stopped, if it was.
    pub fn tripped(&self) -> Option<&str> {
        self.tripped.as_deref()
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    fn scan(&mut self, data: &[u8]) -> Option<String> {
        let mut i = 0;
        while i < data.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    self.run += 1;
                    i += 1;
                } else {
                    // most of a manifest is strings: jump to the next quote or backslash
                    let rest = &data[i..];
                    match memchr::memchr2(b'"', b'\\', rest) {
                        None => {
                            self.run += rest.len() as u64;
                            i = data.len();
                        }
                        Some(k) => {
                            self.run += k as u64;
                            i += k;
                            if self.run > MAX_JSON_TOKEN {
                                break;
                            }
                            if data[i] == b'"' {
                                self.in_string = false;
                                self.run = 0;
                            } else {
                                self.escaped = true;
                                self.run += 1;
                            }
                            i += 1;
                        }
                    }
                }
            } else {
                match data[i] {
                    b'"' => {
                        self.in_string = true;
                        self.run = 0;
                    }
                    b'[' | b'{' | b',' | b':' => {
                        self.tokens += 1;
                        self.run = 0;
                    }
                    b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t' => self.run = 0,
                    _ => self.run += 1,
                }
                i += 1;
            }
            if self.run > MAX_JSON_TOKEN {
                let what = if self.in_string { "a string" } else { "a value" };
                return Some(format!(
                    "{what} longer than {} MiB at byte {} (no real one is that long)",
                    MAX_JSON_TOKEN >> 20,
                    self.bytes + i as u64
                ));
            }
        }
        if self.in_string && self.run > MAX_JSON_TOKEN {
            return Some(format!(
                "a string longer than {} MiB at byte {} (no real one is that long)",
                MAX_JSON_TOKEN >> 20,
                self.bytes + i as u64
            ));
        }
        self.bytes += data.len() as u64;
        let need = self.bytes.saturating_add(self.tokens.saturating_mul(TOKEN_COST));
        (need > self.limit).then(|| {
            format!(
                "parsing it needs more memory than is free here (about {} MiB after reading {} MiB; {} MiB may be used): \
                 verify it on a machine with more free memory",
                need >> 20,
                self.bytes >> 20,
                self.limit >> 20
            )
        })
    }
}

impl<R: Read> Read for JsonGuard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(why) = &self.tripped {
            return Err(io::Error::other(why.clone()));
        }
        let n = self.inner.read(buf)?;
        if let Some(why) = self.scan(&buf[..n]) {
            self.tripped = Some(why.clone());
            return Err(io::Error::other(why));
        }
        Ok(n)
    }
}

/// Read and check `manifest.json` from `r` (which may be hostile), hashing it on the way:
/// the manifest and the digests of every byte read. No size cap: only what [`JsonGuard`] stops.
pub fn read_manifest(r: &mut dyn Read, origin: &str) -> Result<(Manifest, Digested), EvidenceError> {
    let bad = |why: String| EvidenceError::NotABundle { path: origin.to_string(), why };
    let mut text = BufReader::with_capacity(1 << 16, JsonGuard::new(DigestingReader::new(r), memory_budget()));
    let parsed: Result<Manifest, serde_json::Error> = serde_json::from_reader(&mut text);
    let m = match parsed {
        Ok(m) => m,
        Err(e) => {
            return Err(match text.get_ref().tripped() {
                Some(why) => bad(format!("manifest.json: {why}")),
                None if e.is_io() => bad(format!("cannot read manifest.json: {e}")),
                None => bad(format!("manifest.json is not valid: {e}")),
            });
        }
    };
    // the parser has read to the end (only whitespace may follow a document); make sure every
    // byte is in the digests
    io::copy(&mut text, &mut io::sink()).map_err(|e| bad(format!("cannot read manifest.json: {e}")))?;
    let digests = text.into_inner().into_inner().finish();
    Ok((m.checked(origin)?, digests))
}

/// Read a small file whole (a signature): at most `max` bytes, or an error.
pub fn read_capped(r: &mut dyn Read, max: u64) -> io::Result<Vec<u8>> {
    let mut v = Vec::new();
    r.take(max + 1).read_to_end(&mut v)?;
    if v.len() as u64 > max {
        return Err(io::Error::other(format!("larger than {max} bytes: not a signature")));
    }
    Ok(v)
}

/// A reader over chunks handed over one at a time (`next` returns `None` at the end): how an
/// object arriving asynchronously (S3) or through a channel is parsed on a blocking thread.
pub struct ChunkReader<F> {
    next: F,
    chunk: bytes::Bytes,
}

impl<F: FnMut() -> Option<io::Result<bytes::Bytes>>> ChunkReader<F> {
    pub fn new(next: F) -> Self {
        ChunkReader { next, chunk: bytes::Bytes::new() }
    }
}

impl<F: FnMut() -> Option<io::Result<bytes::Bytes>>> Read for ChunkReader<F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.chunk.is_empty() {
            match (self.next)() {
                None => return Ok(0),
                Some(c) => self.chunk = c?,
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guarded(text: &[u8], limit: u64) -> Result<serde_json::Value, String> {
        let mut g = BufReader::new(JsonGuard::new(text, limit));
        serde_json::from_reader::<_, serde_json::Value>(&mut g)
            .map_err(|e| g.get_ref().tripped().map(str::to_string).unwrap_or(e.to_string()))
    }

    #[test]
    fn the_guard_passes_json_and_stops_long_strings_long_numbers_and_too_many_values() {
        assert_eq!(guarded(br#"{"a": ["x\"y", 1, {"b": null}]}"#, 1 << 20).unwrap()["a"][0], "x\"y");
        let long = format!("[\"{}\"]", "a".repeat((MAX_JSON_TOKEN + 1) as usize));
        assert!(guarded(long.as_bytes(), u64::MAX).unwrap_err().starts_with("a string longer than 16 MiB"));
        let num = format!("[{}]", "1".repeat((MAX_JSON_TOKEN + 1) as usize));
        assert!(guarded(num.as_bytes(), u64::MAX).unwrap_err().starts_with("a value longer than 16 MiB"));
        // an escaped quote does not end a string; a long string of escapes is still one string
        assert!(guarded(br#"["\\", "\""]"#, 1 << 20).is_ok());
        let zeros = format!("[{}0]", "0,".repeat(100_000));
        let e = guarded(zeros.as_bytes(), 1 << 20).unwrap_err();
        assert!(e.starts_with("parsing it needs more memory than is free here"), "{e}");
    }

    #[test]
    fn an_endless_manifest_ends_with_one_clear_error() {
        // a single string that never ends (as a 10 GiB one-line manifest): stopped at 16 MiB
        let mut endless = (&b"{\"schema\": \""[..]).chain(std::io::repeat(b'a'));
        let e = read_manifest(&mut endless, "o").unwrap_err().to_string();
        assert!(e.contains("manifest.json: a string longer than 16 MiB"), "{e}");
    }

    #[test]
    fn a_manifest_is_read_hashed_and_checked_from_a_stream() {
        let d = tempfile::tempdir().unwrap();
        let mut b = crate::evidence::DirBundle::create(d.path(), "case-m", Default::default()).unwrap();
        crate::evidence::ArtifactSink::error(&mut b, None, "x").unwrap();
        let dir = b.dir().to_path_buf();
        b.finalize().unwrap();
        let bytes = std::fs::read(dir.join("manifest.json")).unwrap();
        let (m, dg) = read_manifest(&mut &bytes[..], "o").unwrap();
        assert_eq!(m, Manifest::parse(&bytes, "o").unwrap());
        assert_eq!(dg, crate::evidence::hash::Digests::of(&bytes));
        let e = read_manifest(&mut &bytes[..bytes.len() / 2], "o").unwrap_err().to_string();
        assert!(e.contains("manifest.json is not valid"), "{e}");
        let mut chunks = bytes.chunks(7).map(|c| Ok(bytes::Bytes::copy_from_slice(c)));
        let (m2, _) = read_manifest(&mut ChunkReader::new(|| chunks.next()), "o").unwrap();
        assert_eq!(m2, m);
    }
}
