//! SHA-256 for evidence: aws-lc's implementation (SHA-NI / AVX2 assembly), fast in every build.
//! The one hasher of the crate, and the one writer that hashes and counts what passes through it.
//! [`Digests`] adds the SHA-512 an SSHSIG signature is made over, so that the manifest and the
//! custody log are hashed in the same single pass that reads them.

use std::io::{self, Write};

/// An incremental SHA-256.
#[derive(Clone)]
pub struct Sha256(aws_lc_rs::digest::Context);

impl Default for Sha256 {
    fn default() -> Self {
        Sha256::new()
    }
}

impl Sha256 {
    pub fn new() -> Self {
        Sha256(aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256))
    }
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    /// The 32-byte digest.
    pub fn finalize(self) -> [u8; 32] {
        let d = self.0.finish();
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }
    /// Lower-case hex digest.
    pub fn finalize_hex(self) -> String {
        hex::encode(self.finalize())
    }
    /// Digest of one buffer.
    pub fn digest(data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(data);
        h.finalize()
    }
}

/// SHA-256 of a stream sent in chunks, computed on a thread of its own while the caller sends:
/// each chunk is handed over shared, in order, and at most two wait. Started with the first
/// chunk; a stream that never fills one is hashed here, on the caller's thread.
pub struct ChunkHasher {
    state: ChunkState,
}

enum ChunkState {
    /// Hashing on the caller's thread; `tried`: a thread was asked for (and none was had).
    Here {
        h: Sha256,
        busy: std::time::Duration,
        tried: bool,
    },
    Thread(std::sync::mpsc::SyncSender<std::sync::Arc<Vec<u8>>>, std::thread::JoinHandle<(Sha256, std::time::Duration)>),
}

impl Default for ChunkHasher {
    fn default() -> Self {
        ChunkHasher { state: ChunkState::Here { h: Sha256::new(), busy: std::time::Duration::ZERO, tried: false } }
    }
}

impl ChunkHasher {
    /// Hash this chunk (after every chunk before it).
    pub fn chunk(&mut self, chunk: std::sync::Arc<Vec<u8>>) {
        if let ChunkState::Here { tried: tried @ false, .. } = &mut self.state {
            // the first chunk: nothing is hashed yet, so the thread starts from a new hasher
            *tried = true;
            let (tx, rx) = std::sync::mpsc::sync_channel::<std::sync::Arc<Vec<u8>>>(2);
            let spawned = std::thread::Builder::new().name("hash".into()).spawn(move || {
                let (mut h, mut busy) = (Sha256::new(), std::time::Duration::ZERO);
                for c in rx {
                    let t = std::time::Instant::now();
                    h.update(&c);
                    busy += t.elapsed();
                }
                (h, busy)
            });
            // no thread to be had: the stream is hashed here (the same digest, slower)
            if let Ok(handle) = spawned {
                self.state = ChunkState::Thread(tx, handle);
            }
        }
        match &mut self.state {
            // the thread ends only once `tx` is dropped (or it panicked: `finish` says so)
            ChunkState::Thread(tx, _) => {
                let _ = tx.send(chunk);
            }
            ChunkState::Here { h, busy, .. } => {
                let t = std::time::Instant::now();
                h.update(&chunk);
                *busy += t.elapsed();
            }
        }
    }

    /// Hash the last bytes after every chunk: the hex digest and the time spent hashing. (A
    /// panic of the hashing thread goes on here, as if the hashing had run here.)
    pub fn finish(self, tail: &[u8]) -> (String, std::time::Duration) {
        let (mut h, mut busy) = match self.state {
            ChunkState::Here { h, busy, .. } => (h, busy),
            ChunkState::Thread(tx, handle) => {
                drop(tx);
                handle.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
            }
        };
        let t = std::time::Instant::now();
        h.update(tail);
        busy += t.elapsed();
        (h.finalize_hex(), busy)
    }
}

/// SHA-256 and SHA-512 of one message, computed together (a signature names either one).
#[derive(Clone)]
pub struct Digests {
    sha256: Sha256,
    sha512: aws_lc_rs::digest::Context,
    bytes: u64,
}

/// The finished [`Digests`] of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digested {
    pub bytes: u64,
    pub sha256: [u8; 32],
    pub sha512: Vec<u8>,
}

impl Digested {
    /// Lower-case hex SHA-256.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }
}

impl Default for Digests {
    fn default() -> Self {
        Digests::new()
    }
}

impl Digests {
    pub fn new() -> Self {
        Digests { sha256: Sha256::new(), sha512: aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA512), bytes: 0 }
    }
    pub fn update(&mut self, data: &[u8]) {
        self.sha256.update(data);
        self.sha512.update(data);
        self.bytes += data.len() as u64;
    }
    pub fn finish(self) -> Digested {
        Digested { bytes: self.bytes, sha256: self.sha256.finalize(), sha512: self.sha512.finish().as_ref().to_vec() }
    }
    /// Digests of one buffer.
    pub fn of(data: &[u8]) -> Digested {
        let mut d = Digests::new();
        d.update(data);
        d.finish()
    }
}

/// A reader that feeds [`Digests`] with every byte read through it.
pub struct DigestingReader<R> {
    inner: R,
    digests: Digests,
}

impl<R: io::Read> DigestingReader<R> {
    pub fn new(inner: R) -> Self {
        DigestingReader { inner, digests: Digests::new() }
    }
    /// The digests of what was read so far.
    pub fn finish(self) -> Digested {
        self.digests.finish()
    }
}

impl<R: io::Read> io::Read for DigestingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digests.update(&buf[..n]);
        Ok(n)
    }
}

/// Bytes a [`HashingWriter`] gathers before it hands them to its hashing thread (under the
/// allocator's mapping threshold, so the chunks come from its free lists, not new mappings).
const HASH_CHUNK: usize = 512 << 10;

/// A writer that hashes (SHA-256) and counts what passes through it. Past its first 512 KiB the
/// hashing runs on a thread of its own ([`ChunkHasher`]), 512 KiB at a time, while the writing
/// goes on here: a large artifact is hashed and written at once rather than one after the other.
pub struct HashingWriter<W> {
    inner: W,
    hasher: ChunkHasher,
    pending: Vec<u8>,
    bytes: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        Self { inner, hasher: ChunkHasher::default(), pending: Vec::new(), bytes: 0 }
    }
    pub fn bytes(&self) -> u64 {
        self.bytes
    }
    /// The inner writer (what is written to it directly is not hashed).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.inner
    }
    /// The inner writer, the byte count and the lower-case hex SHA-256.
    pub fn finish(self) -> (W, u64, String) {
        let (sha, _) = self.hasher.finish(&self.pending);
        (self.inner, self.bytes, sha)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        let mut rest = &buf[..n];
        while !rest.is_empty() {
            let take = rest.len().min(HASH_CHUNK - self.pending.len());
            self.pending.extend_from_slice(&rest[..take]);
            rest = &rest[take..];
            if self.pending.len() == HASH_CHUNK {
                let full = std::mem::replace(&mut self.pending, Vec::with_capacity(HASH_CHUNK));
                self.hasher.chunk(std::sync::Arc::new(full));
            }
        }
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// SHA-256 of one stream, 1 MiB at a time.
pub fn hash_reader(r: &mut dyn std::io::Read, progress: &super::progress::Progress) -> std::io::Result<(u64, String)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..k]);
        n += k as u64;
        progress.inc(k as u64);
    }
    Ok((n, h.finalize_hex()))
}

#[cfg(test)]
mod tests {
    use super::HashingWriter;
    use std::io::Write;

    #[test]
    fn chunks_hashed_on_a_thread_give_the_digest_of_the_whole() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let want = hex::encode(super::Sha256::digest(&data));
        for (chunk, tail) in [(256 << 10, 1234), (4097, 0), (100_000, 0), (0, data.len())] {
            let mut h = super::ChunkHasher::default();
            let body = &data[..data.len() - tail];
            if chunk > 0 {
                for c in body.chunks(chunk) {
                    h.chunk(std::sync::Arc::new(c.to_vec()));
                }
            }
            let (got, _) = h.finish(&data[data.len() - tail..]);
            assert_eq!(got, want, "chunks of {chunk}, tail of {tail}");
        }
    }

    #[test]
    fn matches_the_reference_implementation() {
        use sha2::Digest;
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut h = super::Sha256::new();
        h.update(&data[..333]);
        h.update(&data[333..]);
        assert_eq!(h.finalize_hex(), hex::encode(sha2::Sha256::digest(&data)));
        assert_eq!(hex::encode(super::Sha256::digest(b"")), super::super::custody::GENESIS);
    }

    #[test]
    fn digests_match_the_reference_implementations() {
        use sha2::Digest;
        let data = b"kforensic manifest";
        let d = super::Digests::of(data);
        assert_eq!(d.sha256.to_vec(), sha2::Sha256::digest(data).to_vec());
        assert_eq!(d.sha512, sha2::Sha512::digest(data).to_vec());
        assert_eq!(d.bytes, data.len() as u64);
    }

    #[test]
    fn hashing_writer_matches_sha256_of_the_bytes() {
        let mut w = HashingWriter::new(Vec::new());
        w.write_all(b"abc").unwrap();
        assert_eq!(w.bytes(), 3);
        let (v, n, h) = w.finish();
        assert_eq!(v, b"abc");
        assert_eq!(n, 3);
        assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        // past 512 KiB the hashing goes to its thread: same digest, whatever the write sizes
        let data: Vec<u8> = (0..5_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect();
        for step in [1 << 20, 333_333, 4096 * 1024 + 1] {
            let mut w = HashingWriter::new(Vec::new());
            for c in data.chunks(step) {
                w.write_all(c).unwrap();
            }
            let (v, n, h) = w.finish();
            assert!(v == data && n == data.len() as u64);
            assert_eq!(h, hex::encode(super::Sha256::digest(&data)), "writes of {step}");
        }
    }
}
