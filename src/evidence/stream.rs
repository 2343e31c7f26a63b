//! The evidence stream: how the node agent (`kforensic agent capture --stream`) sends artifacts
//! to the CLI through one byte stream (an exec's stdout), and how the CLI receives them.
//!
//! # Format, version 1
//!
//! ```text
//! stream  = header frame*
//! header  = "KFSTREAM" (8 bytes)  version: u16 big-endian (= 1)  flags: u16 big-endian (= 0)
//! frame   = kind: u8  length: u32 big-endian  payload: [length bytes]
//! ```
//!
//! | kind | name    | payload |
//! |------|---------|---------|
//! | `B`  | begin   | JSON [`ArtifactSpec`]: `{"path","media_type","source","container"?}`; opens an artifact |
//! | `D`  | data    | 1..=[`MAX_DATA`] raw bytes of the open artifact, in order |
//! | `E`  | end     | JSON [`Trailer`]: `{"bytes","sha256","started_at","finished_at","encryption"?}` computed by the agent; closes it (`encryption`: a sealed artifact's plaintext facts, see `evidence::seal`) |
//! | `A`  | abort   | JSON `{"message"}`: the agent could not finish the open artifact; closes it as failed |
//! | `O`  | stored  | JSON [`StoredRecord`]: an artifact the agent stored itself (uploaded from the node to S3): its manifest record and `location`; no data frames |
//! | `R`  | error   | JSON `{"path"?,"message"}`: something could not be captured (manifest `errors`) |
//! | `S`  | summary | JSON [`Summary`]: counts on the agent side; the last frame, EOF follows |
//!
//! Rules: at most one artifact is open at a time; `D`, `E`, `A` only inside an open artifact,
//! `B`, `O`, `R`, `S` only outside. JSON payloads are at most [`MAX_JSON`] bytes. The receiver
//! re-hashes every artifact as it writes it into its own sink and fails an artifact whose size
//! or SHA-256 differs from the agent's trailer (so hashes are checked on both ends). A stream that
//! ends before `S` — at a frame boundary or inside one — is truncated: an error, never complete.
//! Unknown kinds, bad JSON, oversized frames and anything after `S` are protocol errors.
//! Bulk data goes on stdout only; the agent writes progress and logs on stderr.

use super::EvidenceError;
use super::artifact::{ArtifactRecord, ArtifactSink, ArtifactSpec, MAX_PATH, SealedWrite, SinkTiming, check_relative_path, clip};
use crate::evidence::hash::{ChunkHasher, Sha256};
use serde::{Deserialize, Serialize};
use std::io::{self, Read, Write};
use std::time::Instant;
use thiserror::Error;

/// First bytes of every stream.
pub const MAGIC: &[u8; 8] = b"KFSTREAM";
/// The format version this code writes and reads.
pub const VERSION: u16 = 1;
/// Largest `D` payload.
pub const MAX_DATA: usize = 1 << 20;
/// Largest JSON payload (`B`, `E`, `A`, `R`, `S`).
pub const MAX_JSON: usize = 1 << 20;
/// The encoder cuts data frames at this size.
const CHUNK: usize = 256 << 10;
/// Messages from the agent (`A`, `R`) are kept up to this many bytes: they go into the manifest.
const MAX_MESSAGE: usize = 4096;

const BEGIN: u8 = b'B';
const DATA: u8 = b'D';
const END: u8 = b'E';
const ABORT: u8 = b'A';
const STORED: u8 = b'O';
const ERROR: u8 = b'R';
const SUMMARY: u8 = b'S';

/// An artifact's closing frame, computed by the agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    pub bytes: u64,
    pub sha256: String,
    pub started_at: jiff::Timestamp,
    pub finished_at: jiff::Timestamp,
    /// A sealed artifact: the plaintext's facts (`bytes`/`sha256` are the ciphertext's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Box<crate::evidence::seal::Encryption>>,
}

/// An artifact the agent stored itself: the manifest record, and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredRecord {
    #[serde(flatten)]
    pub record: ArtifactRecord,
    /// e.g. `s3://bucket/prefix/case/pods/ns/pod/c/rootfs.tar.zst`
    pub location: String,
}

/// Something the agent could not capture.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
}

/// The agent's own count of what it sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Artifacts closed with an `E` frame or sent as `O` records.
    pub artifacts: u64,
    /// Artifacts closed with an `A` frame.
    pub failed: u64,
    /// `R` frames.
    pub errors: u64,
    /// Sum of the artifacts' bytes (`E` frames and `O` records).
    pub bytes: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct AbortRecord {
    message: String,
}

/// Why a stream could not be read to its end. Per-artifact problems (hash mismatch, abort) are
/// not errors of the stream: they are in [`StreamReport::failed`].
#[derive(Debug, Error)]
pub enum StreamError {
    #[error("evidence stream truncated {0}: the agent stopped or the connection broke; the evidence is incomplete")]
    Truncated(String),
    #[error("not a kforensic evidence stream (bad magic): is the collector running the same kforensic version?")]
    BadMagic,
    #[error("evidence stream version {0} is not supported (this kforensic reads version {VERSION}): use matching CLI and agent versions")]
    Version(u16),
    #[error("evidence stream protocol error: {0}")]
    Protocol(String),
    #[error("cannot read the evidence stream: {0}")]
    Read(#[source] io::Error),
    #[error("cannot store evidence: {0}")]
    Sink(#[source] EvidenceError),
}

/// A failed artifact on the receiving side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedArtifact {
    pub path: String,
    pub message: String,
}

/// What [`receive`] got.
#[derive(Debug, Default)]
pub struct StreamReport {
    /// Artifacts stored with size and SHA-256 equal on both ends.
    pub artifacts: Vec<ArtifactRecord>,
    /// Artifacts the agent aborted or whose size/hash did not match (recorded as errors in the sink).
    pub failed: Vec<FailedArtifact>,
    /// Error records the agent sent (forwarded to the sink).
    pub errors: Vec<ErrorRecord>,
    /// The agent's closing summary.
    pub summary: Summary,
}

impl StreamReport {
    /// Everything the agent meant to send arrived intact and it reported no error.
    pub fn complete(&self) -> bool {
        self.failed.is_empty() && self.errors.is_empty() && self.summary.failed == 0
    }
}

// ------------------------------------------------------------------------------------ encoder

/// An [`ArtifactSink`] that writes frames to `out` (the agent's stdout). Call [`StreamSink::finish`]
/// at the end: without its summary frame the receiver treats the stream as truncated.
pub struct StreamSink<W: Write + Send> {
    out: W,
    summary: Summary,
    buf: Vec<u8>,
    last_timing: Option<SinkTiming>,
}

impl<W: Write + Send> StreamSink<W> {
    /// Write the stream header.
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(MAGIC)?;
        out.write_all(&VERSION.to_be_bytes())?;
        out.write_all(&0u16.to_be_bytes())?;
        Ok(Self { out, summary: Summary::default(), buf: Vec::with_capacity(CHUNK), last_timing: None })
    }

    /// Write the summary frame, flush, and give the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        let s = serde_json::to_vec(&self.summary).map_err(io::Error::other)?;
        write_frame(&mut self.out, SUMMARY, &s)?;
        self.out.flush()?;
        Ok(self.out)
    }

    pub fn summary(&self) -> &Summary {
        &self.summary
    }
}

fn write_frame(out: &mut dyn Write, kind: u8, payload: &[u8]) -> io::Result<()> {
    let len = u32::try_from(payload.len()).map_err(|_| io::Error::other("frame too large"))?;
    let mut head = [0u8; 5];
    head[0] = kind;
    head[1..].copy_from_slice(&len.to_be_bytes());
    out.write_all(&head)?;
    out.write_all(payload)
}

fn json_frame<T: Serialize>(out: &mut dyn Write, kind: u8, v: &T) -> io::Result<()> {
    let mut s = serde_json::to_vec(v).map_err(io::Error::other)?;
    if s.len() > MAX_JSON {
        // only messages can grow this large; keep the frame readable rather than fail
        s = serde_json::to_vec(&AbortRecord { message: "record too large to send".into() }).map_err(io::Error::other)?;
    }
    write_frame(out, kind, &s)
}

/// Cuts what the producer writes into `D` frames and hashes them, timing both: each full frame
/// is hashed on a thread of its own while it is sent ([`ChunkHasher`]); the last, short one here.
struct FrameWriter<'a> {
    out: &'a mut dyn Write,
    buf: &'a mut Vec<u8>,
    out_failed: bool,
    hasher: ChunkHasher,
    bytes: u64,
    timing: SinkTiming,
}

impl FrameWriter<'_> {
    /// Send the full frame in `buf`, handed to the hasher meanwhile.
    fn send_chunk(&mut self) -> io::Result<()> {
        let chunk = std::sync::Arc::new(std::mem::take(self.buf));
        self.hasher.chunk(chunk.clone());
        let t = Instant::now();
        let r = write_frame(self.out, DATA, &chunk);
        self.timing.send += t.elapsed();
        // the buffer again once the hasher is done with it, else a new one
        *self.buf = std::sync::Arc::try_unwrap(chunk)
            .map(|mut v| {
                v.clear();
                v
            })
            .unwrap_or_else(|_| Vec::with_capacity(CHUNK));
        if r.is_err() {
            self.out_failed = true;
        }
        r
    }

    /// Send what is left (a short frame), then the digest of everything: (sent, bytes, SHA-256,
    /// whether the output failed, timing).
    fn finish(mut self) -> (io::Result<()>, u64, String, bool, SinkTiming) {
        let r = if self.buf.is_empty() {
            Ok(())
        } else {
            let t = Instant::now();
            let r = write_frame(self.out, DATA, self.buf);
            self.timing.send += t.elapsed();
            if r.is_err() {
                self.out_failed = true;
            }
            r
        };
        let tail = std::mem::take(self.buf);
        let (sha, busy) = self.hasher.finish(&tail);
        self.timing.hash = busy;
        *self.buf = tail;
        self.buf.clear();
        (r, self.bytes, sha, self.out_failed, self.timing)
    }
}

impl Write for FrameWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.bytes += n as u64;
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() >= CHUNK {
            self.send_chunk()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write + Send> ArtifactSink for StreamSink<W> {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        self.put_sealed(spec, &mut |w| write(w).map(|()| None))
    }

    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        check_relative_path(&spec.path)?;
        json_frame(&mut self.out, BEGIN, spec)?;
        let started_at = jiff::Timestamp::now();
        self.buf.clear();
        let mut fw = FrameWriter {
            out: &mut self.out,
            buf: &mut self.buf,
            out_failed: false,
            hasher: ChunkHasher::default(),
            bytes: 0,
            timing: SinkTiming::default(),
        };
        let r = write(&mut fw);
        let (sent, bytes, sha, out_failed, timing) = fw.finish();
        let r = r.and_then(|enc| sent.map(|()| enc));
        self.last_timing = Some(timing);
        match r {
            Ok(encryption) => {
                let finished_at = jiff::Timestamp::now();
                let t = Trailer { bytes, sha256: sha.clone(), started_at, finished_at, encryption: encryption.clone() };
                json_frame(&mut self.out, END, &t)?;
                self.summary.artifacts += 1;
                self.summary.bytes += bytes;
                Ok(ArtifactRecord { spec: spec.clone(), bytes, sha256: sha, started_at, finished_at, encryption })
            }
            Err(e) => {
                if !out_failed {
                    self.buf.clear();
                    json_frame(&mut self.out, ABORT, &AbortRecord { message: e.to_string() })?;
                    self.summary.failed += 1;
                }
                Err(EvidenceError::Io(e))
            }
        }
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        json_frame(&mut self.out, ERROR, &ErrorRecord { path: path.map(str::to_string), message: message.to_string() })?;
        self.summary.errors += 1;
        Ok(())
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        check_relative_path(&record.spec.path)?;
        json_frame(&mut self.out, STORED, &StoredRecord { record: record.clone(), location: location.to_string() })?;
        self.out.flush()?;
        self.summary.artifacts += 1;
        self.summary.bytes += record.bytes;
        Ok(())
    }

    fn last_timing(&self) -> Option<SinkTiming> {
        self.last_timing
    }
}

// ------------------------------------------------------------------------------------ decoder

struct Frame {
    kind: u8,
    len: usize,
}

/// Read a frame header; `Ok(None)` at a clean EOF (before any byte of it).
fn read_head(r: &mut dyn Read, at: &str) -> Result<Option<Frame>, StreamError> {
    let mut head = [0u8; 5];
    let mut got = 0;
    while got < head.len() {
        match r.read(&mut head[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => return Err(StreamError::Truncated(format!("inside a frame header {at}"))),
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StreamError::Read(e)),
        }
    }
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let max = if head[0] == DATA { MAX_DATA } else { MAX_JSON };
    if !matches!(head[0], BEGIN | DATA | END | ABORT | STORED | ERROR | SUMMARY) {
        return Err(StreamError::Protocol(format!("unknown frame kind 0x{:02x} {at}", head[0])));
    }
    if len > max || (head[0] == DATA && len == 0) {
        return Err(StreamError::Protocol(format!("frame of {len} bytes out of bounds {at}")));
    }
    Ok(Some(Frame { kind: head[0], len }))
}

fn read_payload(r: &mut dyn Read, len: usize, buf: &mut Vec<u8>, at: &str) -> Result<(), StreamError> {
    buf.clear();
    buf.resize(len, 0);
    r.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => StreamError::Truncated(format!("inside a frame {at}")),
        _ => StreamError::Read(e),
    })
}

/// An artifact record the agent stored itself: it goes into the manifest as sent, so it must be
/// one that `Manifest::parse` accepts (a safe path, a SHA-256, a well-formed encryption record).
fn check_stored(r: &ArtifactRecord) -> Result<(), EvidenceError> {
    let path = &r.spec.path;
    check_relative_path(path)?;
    if !super::manifest::is_sha256_hex(&r.sha256) {
        return Err(EvidenceError::Usage(format!("the agent's record has a malformed sha256 '{}'", clip(&r.sha256, 80))));
    }
    if let Some(e) = &r.encryption {
        super::seal::check_record(path, e).map_err(|why| EvidenceError::Usage(format!("bad encryption record from the agent: {why}")))?;
    }
    Ok(())
}

fn parse<T: for<'de> Deserialize<'de>>(buf: &[u8], what: &str) -> Result<T, StreamError> {
    serde_json::from_slice(buf).map_err(|e| StreamError::Protocol(format!("bad {what} record: {e}")))
}

/// How one artifact's body ended, as seen by the reading closure.
#[derive(Default)]
struct BodyState {
    /// Saw `E` or `A` (the stream is back outside an artifact).
    closed: bool,
    /// A stream-level error: stop reading.
    fatal: Option<StreamError>,
    trailer: Option<Trailer>,
    /// Why the artifact failed (abort, mismatch, sink write error).
    failure: Option<String>,
}

/// Read the open artifact's frames up to its `E`/`A`, writing data into `w` (when given) and
/// hashing what arrives. Sink write errors do not stop the reading (the stream must stay in step).
fn read_body(r: &mut dyn Read, mut w: Option<&mut dyn Write>, path: &str, buf: &mut Vec<u8>, st: &mut BodyState) {
    let at = format!("in artifact {path}");
    let mut hasher = Sha256::new();
    let mut bytes = 0u64;
    loop {
        let frame = match read_head(r, &at) {
            Ok(Some(f)) => f,
            Ok(None) => {
                st.fatal = Some(StreamError::Truncated(format!("{at} (no end frame)")));
                return;
            }
            Err(e) => {
                st.fatal = Some(e);
                return;
            }
        };
        if let Err(e) = read_payload(r, frame.len, buf, &at) {
            st.fatal = Some(e);
            return;
        }
        match frame.kind {
            DATA => {
                hasher.update(&buf[..]);
                bytes += buf.len() as u64;
                if let Some(out) = w.as_mut()
                    && let Err(e) = out.write_all(buf)
                {
                    st.failure.get_or_insert_with(|| format!("cannot store {path}: {e}"));
                    w = None;
                }
            }
            END => {
                st.closed = true;
                let t: Trailer = match parse(buf, "end") {
                    Ok(t) => t,
                    Err(e) => {
                        st.fatal = Some(e);
                        return;
                    }
                };
                let sha = hex::encode(hasher.finalize());
                if let Some(e) = &t.encryption
                    && let Err(why) = super::seal::check_record(path, e)
                {
                    // kept, it would make the manifest one that verify refuses
                    st.failure.get_or_insert_with(|| format!("{path}: bad encryption record from the agent: {why}"));
                }
                if t.bytes != bytes || !t.sha256.eq_ignore_ascii_case(&sha) {
                    st.failure.get_or_insert_with(|| {
                        format!(
                            "{path}: received {bytes} bytes with sha256 {sha}, the agent sent {} bytes with sha256 {}: corrupted in transit",
                            t.bytes, t.sha256
                        )
                    });
                }
                st.trailer = Some(t);
                return;
            }
            ABORT => {
                st.closed = true;
                let a: AbortRecord = parse(buf, "abort").unwrap_or(AbortRecord { message: "no reason given".into() });
                st.failure.get_or_insert_with(|| format!("{path}: the agent could not finish it: {}", clip(&a.message, MAX_MESSAGE)));
                return;
            }
            k => {
                st.fatal = Some(StreamError::Protocol(format!("frame '{}' inside artifact {path}", k as char)));
                return;
            }
        }
    }
}

/// Read a whole evidence stream into `sink`: every artifact re-hashed on arrival and compared with
/// the agent's trailer; mismatches and agent-side aborts become failed artifacts (also recorded as
/// errors in the sink), agent error records are forwarded to `sink.error`. Returns an error when
/// the stream is truncated or malformed — never a report that looks complete.
pub fn receive(reader: &mut dyn Read, sink: &mut dyn ArtifactSink) -> Result<StreamReport, StreamError> {
    receive_stream(reader, sink, true)
}

/// As [`receive`], but return at the summary frame without waiting for the end of the input: for
/// a stream read from an exec's stdin, which cannot always be closed (before Kubernetes 1.29,
/// closing stdin closes the whole connection).
pub fn receive_to_summary(reader: &mut dyn Read, sink: &mut dyn ArtifactSink) -> Result<StreamReport, StreamError> {
    receive_stream(reader, sink, false)
}

fn receive_stream(reader: &mut dyn Read, sink: &mut dyn ArtifactSink, expect_eof: bool) -> Result<StreamReport, StreamError> {
    let mut magic = [0u8; 12];
    reader.read_exact(&mut magic).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => StreamError::Truncated("before its header".into()),
        _ => StreamError::Read(e),
    })?;
    if &magic[..8] != MAGIC {
        return Err(StreamError::BadMagic);
    }
    let version = u16::from_be_bytes([magic[8], magic[9]]);
    if version != VERSION {
        return Err(StreamError::Version(version));
    }
    let mut report = StreamReport::default();
    let mut buf = Vec::with_capacity(CHUNK);
    let mut data_buf = Vec::with_capacity(CHUNK);
    loop {
        let at = format!("after {} artifacts", report.artifacts.len() + report.failed.len());
        let Some(frame) = read_head(reader, &at)? else {
            return Err(StreamError::Truncated(format!("{at} (no summary frame)")));
        };
        read_payload(reader, frame.len, &mut buf, &at)?;
        match frame.kind {
            BEGIN => {
                let spec: ArtifactSpec = parse(&buf, "begin")?;
                let mut st = BodyState::default();
                let path = clip(&spec.path, MAX_PATH);
                let put = sink.put_sealed(&spec, &mut |w| {
                    read_body(reader, Some(w), &path, &mut data_buf, &mut st);
                    match (&st.fatal, &st.failure) {
                        (Some(e), _) => Err(io::Error::other(e.to_string())),
                        (None, Some(f)) => Err(io::Error::new(io::ErrorKind::InvalidData, f.clone())),
                        (None, None) => Ok(st.trailer.as_ref().and_then(|t| t.encryption.clone())),
                    }
                });
                if !st.closed && st.fatal.is_none() {
                    // the sink refused before reading (e.g. a bad path): skip the body to stay in step
                    read_body(reader, None, &path, &mut data_buf, &mut st);
                }
                if let Some(e) = st.fatal {
                    return Err(e);
                }
                let failure = match (put, st.failure, st.trailer) {
                    (Ok(rec), None, Some(t)) if rec.bytes == t.bytes && rec.sha256.eq_ignore_ascii_case(&t.sha256) => {
                        report.artifacts.push(rec);
                        None
                    }
                    (Ok(rec), None, t) => Some(format!(
                        "{path}: the sink stored {} bytes with sha256 {}, the agent sent {:?}",
                        rec.bytes,
                        rec.sha256,
                        t.map(|t| (t.bytes, t.sha256))
                    )),
                    (_, Some(f), _) => Some(f),
                    (Err(e), None, _) => Some(format!("{path}: {e}")),
                };
                if let Some(message) = failure {
                    sink.error(Some(&path), &message).map_err(StreamError::Sink)?;
                    report.failed.push(FailedArtifact { path, message });
                }
            }
            STORED => {
                let s: StoredRecord = parse(&buf, "stored")?;
                let path = clip(&s.record.spec.path, MAX_PATH);
                let r = check_stored(&s.record).and_then(|()| sink.stored(&s.record, &clip(&s.location, MAX_PATH)));
                match r {
                    Ok(()) => report.artifacts.push(s.record),
                    Err(e) => {
                        let message = format!("{path}: {e}");
                        sink.error(Some(&path), &message).map_err(StreamError::Sink)?;
                        report.failed.push(FailedArtifact { path, message });
                    }
                }
            }
            ERROR => {
                let e: ErrorRecord = parse(&buf, "error")?;
                let e = ErrorRecord { path: e.path.map(|p| clip(&p, MAX_PATH)), message: clip(&e.message, MAX_MESSAGE) };
                sink.error(e.path.as_deref(), &e.message).map_err(StreamError::Sink)?;
                report.errors.push(e);
            }
            SUMMARY => {
                report.summary = parse(&buf, "summary")?;
                let mut extra = [0u8; 1];
                if expect_eof {
                    loop {
                        match reader.read(&mut extra) {
                            Ok(0) => break,
                            Ok(_) => return Err(StreamError::Protocol("data after the summary frame".into())),
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(StreamError::Read(e)),
                        }
                    }
                }
                let got = (report.artifacts.len() + report.failed.len()) as u64;
                let sent = report.summary.artifacts + report.summary.failed;
                if got != sent || report.errors.len() as u64 != report.summary.errors {
                    return Err(StreamError::Protocol(format!(
                        "the agent reports {sent} artifacts and {} errors, {got} and {} arrived",
                        report.summary.errors,
                        report.errors.len()
                    )));
                }
                return Ok(report);
            }
            k => return Err(StreamError::Protocol(format!("frame '{}' outside an artifact", k as char))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // an independent implementation checks ours
    use sha2::{Digest, Sha256};
    use std::collections::BTreeMap;

    /// A sink that keeps artifacts in memory, hashing them itself.
    #[derive(Default)]
    struct MemSink {
        files: BTreeMap<String, Vec<u8>>,
        errors: Vec<(Option<String>, String)>,
    }

    impl ArtifactSink for MemSink {
        fn put(
            &mut self,
            spec: &ArtifactSpec,
            write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
        ) -> Result<ArtifactRecord, EvidenceError> {
            check_relative_path(&spec.path)?;
            let started_at = jiff::Timestamp::now();
            let mut w = crate::evidence::HashingWriter::new(Vec::new());
            write(&mut w)?;
            let (v, bytes, sha256) = w.finish();
            self.files.insert(spec.path.clone(), v);
            Ok(ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption: None })
        }
        fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
            self.errors.push((path.map(str::to_string), message.to_string()));
            Ok(())
        }
    }

    #[test]
    fn stored_records_reach_the_sink_without_data_and_bad_paths_fail() {
        let rec = |p: &str| ArtifactRecord {
            spec: spec(p),
            bytes: 42,
            sha256: "ab".repeat(32),
            started_at: jiff::Timestamp::now(),
            finished_at: jiff::Timestamp::now(),
            encryption: None,
        };
        let mut s = StreamSink::new(Vec::new()).unwrap();
        s.stored(&rec("pods/ns/p/c/rootfs.tar.zst"), "s3://b/x/pods/ns/p/c/rootfs.tar.zst").unwrap();
        assert!(s.stored(&rec("../escape"), "s3://b/escape").is_err(), "the sender refuses bad paths too");
        let mut wire = s.finish().unwrap();
        // a hostile agent writes one anyway: hand-made frame, summary fixed up to match
        let cut = wire.len() - (5 + serde_json::to_vec(&Summary { artifacts: 1, bytes: 42, ..Default::default() }).unwrap().len());
        wire.truncate(cut);
        json_frame(&mut wire, STORED, &StoredRecord { record: rec("../escape"), location: "s3://b/escape".into() }).unwrap();
        json_frame(&mut wire, SUMMARY, &Summary { artifacts: 2, bytes: 84, ..Default::default() }).unwrap();

        #[derive(Default)]
        struct Remote(Vec<(String, String)>, Vec<String>);
        impl ArtifactSink for Remote {
            fn put(
                &mut self,
                _: &ArtifactSpec,
                _: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
            ) -> Result<ArtifactRecord, EvidenceError> {
                unreachable!("no bytes travel with stored records")
            }
            fn error(&mut self, _: Option<&str>, m: &str) -> Result<(), EvidenceError> {
                self.1.push(m.into());
                Ok(())
            }
            fn stored(&mut self, r: &ArtifactRecord, loc: &str) -> Result<(), EvidenceError> {
                self.0.push((r.spec.path.clone(), loc.into()));
                Ok(())
            }
        }
        let mut sink = Remote::default();
        let rep = receive(&mut &wire[..], &mut sink).unwrap();
        assert_eq!(sink.0, vec![("pods/ns/p/c/rootfs.tar.zst".to_string(), "s3://b/x/pods/ns/p/c/rootfs.tar.zst".to_string())]);
        assert_eq!(rep.artifacts.len(), 1);
        assert_eq!(rep.failed.len(), 1, "{:?}", rep.failed);
        assert!(sink.1[0].contains("../escape"), "{:?}", sink.1);
        assert!(!rep.complete());
        // a sink that cannot take stored records records the failure instead of pretending
        let mut mem = MemSink::default();
        let rep = receive(&mut &wire[..], &mut mem).unwrap();
        assert!(rep.artifacts.is_empty() && rep.failed.len() == 2, "{rep:?}");
    }

    #[test]
    fn records_no_manifest_could_hold_fail_their_artifact_and_the_bundle_still_verifies() {
        use crate::evidence::seal::Encryption;
        use crate::evidence::{BundleMeta, DirBundle};
        let t = jiff::Timestamp::now();
        let enc =
            |format: &str| Encryption { format: format.into(), recipients: vec![], plaintext_bytes: 2, plaintext_sha256: "ab".repeat(32) };
        let rec = |p: &str, sha256: &str, encryption: Option<Encryption>| ArtifactRecord {
            spec: spec(p),
            bytes: 2,
            sha256: sha256.into(),
            started_at: t,
            finished_at: t,
            encryption: encryption.map(Box::new),
        };
        let mut s = StreamSink::new(Vec::new()).unwrap();
        // records stored by the node: a sha256 that is not one, an encryption format nobody knows
        json_frame(&mut s.out, STORED, &StoredRecord { record: rec("a.bin", "zz", None), location: "s3://b/a".into() }).unwrap();
        let b = rec("b.bin.age", &"ab".repeat(32), Some(enc("rot13")));
        json_frame(&mut s.out, STORED, &StoredRecord { record: b, location: "s3://b/b".into() }).unwrap();
        // an artifact whose trailer says it is sealed, though its name is not a sealed one
        json_frame(&mut s.out, BEGIN, &spec("c.json")).unwrap();
        write_frame(&mut s.out, DATA, b"{}").unwrap();
        let sha256 = hex::encode(Sha256::digest(b"{}"));
        json_frame(&mut s.out, END, &Trailer { bytes: 2, sha256, started_at: t, finished_at: t, encryption: Some(Box::new(enc("age"))) })
            .unwrap();
        // an error record of absurd size
        json_frame(&mut s.out, ERROR, &ErrorRecord { path: Some("p/".repeat(5000)), message: "m".repeat(500_000) }).unwrap();
        s.summary = Summary { artifacts: 3, failed: 0, errors: 1, bytes: 6 };
        let wire = s.finish().unwrap();

        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "c", BundleMeta::default()).unwrap();
        let rep = receive(&mut &wire[..], &mut b).unwrap();
        assert!(rep.artifacts.is_empty() && rep.failed.len() == 3, "{rep:?}");
        assert!(rep.failed[0].message.contains("malformed sha256"), "{:?}", rep.failed);
        assert!(rep.failed[1].message.contains("unknown format 'rot13'"), "{:?}", rep.failed);
        assert!(rep.failed[2].path == "c.json" && rep.failed[2].message.contains("bad encryption record"), "{:?}", rep.failed);
        assert!(rep.errors[0].message.len() < 5000 && rep.errors[0].path.as_ref().unwrap().len() < 5000);
        let dir = b.dir().to_path_buf();
        assert!(!b.finalize().unwrap().complete);
        let v = crate::evidence::verify_path(&dir, Default::default()).unwrap();
        assert!(v.only_incomplete(), "{:?}", v.problems);
        // the fuzz entry point asserts the same of any stream
        crate::evidence::fuzzing::stream(&wire);
    }

    fn big(n: usize) -> Vec<u8> {
        let mut x = 0x2545F4914F6CDD1Du64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    fn spec(p: &str) -> ArtifactSpec {
        ArtifactSpec::new(p, "application/octet-stream", "agent").container("c1")
    }

    /// A stream with an empty artifact, a multi-chunk one, an agent error and an aborted artifact.
    fn sample() -> (Vec<u8>, Vec<u8>) {
        let payload = big(3 * CHUNK + 12345);
        let mut s = StreamSink::new(Vec::new()).unwrap();
        s.put(&spec("pods/ns/p/c/empty.json"), &mut |_w| Ok(())).unwrap();
        let p2 = payload.clone();
        let rec = s.put(&spec("pods/ns/p/c/rootfs.tar.zst"), &mut |w| {
            for part in p2.chunks(7777) {
                w.write_all(part)?;
            }
            Ok(())
        });
        assert_eq!(rec.unwrap().bytes, payload.len() as u64);
        s.error(Some("pods/ns/p/c/diff.json"), "root filesystem is not overlay").unwrap();
        let r = s.put(&spec("pods/ns/p/c/volatile.json"), &mut |w| {
            w.write_all(b"partial")?;
            Err(io::Error::other("process vanished"))
        });
        assert!(r.is_err());
        (s.finish().unwrap(), payload)
    }

    #[test]
    fn round_trip_keeps_bytes_hashes_errors_and_aborts() {
        let (wire, payload) = sample();
        let mut sink = MemSink::default();
        let rep = receive(&mut &wire[..], &mut sink).unwrap();
        assert_eq!(sink.files["pods/ns/p/c/rootfs.tar.zst"], payload);
        assert_eq!(sink.files["pods/ns/p/c/empty.json"], b"");
        assert_eq!(rep.artifacts.len(), 2);
        let sha = hex::encode(Sha256::digest(&payload));
        assert!(rep.artifacts.iter().any(|a| a.sha256 == sha && a.spec.container.as_deref() == Some("c1")));
        assert_eq!(
            rep.errors,
            vec![ErrorRecord { path: Some("pods/ns/p/c/diff.json".into()), message: "root filesystem is not overlay".into() }]
        );
        assert_eq!(rep.failed.len(), 1);
        assert!(rep.failed[0].message.contains("process vanished"), "{:?}", rep.failed);
        assert_eq!(rep.summary, Summary { artifacts: 2, failed: 1, errors: 1, bytes: payload.len() as u64 });
        assert!(!rep.complete());
        // both the forwarded error and the failed artifact reached the sink
        assert_eq!(sink.errors.len(), 2);
    }

    #[test]
    fn clean_stream_is_complete() {
        let mut s = StreamSink::new(Vec::new()).unwrap();
        s.put(&spec("a.json"), &mut |w| w.write_all(b"{}")).unwrap();
        let wire = s.finish().unwrap();
        let mut sink = MemSink::default();
        let rep = receive(&mut &wire[..], &mut sink).unwrap();
        assert!(rep.complete());
        assert_eq!(rep.artifacts[0].sha256, hex::encode(Sha256::digest(b"{}")));
    }

    /// Offsets where each frame starts (cut points exactly at frame boundaries).
    fn frame_starts(wire: &[u8]) -> Vec<usize> {
        let mut at = 12;
        let mut v = vec![];
        while at + 5 <= wire.len() {
            v.push(at);
            at += 5 + u32::from_be_bytes([wire[at + 1], wire[at + 2], wire[at + 3], wire[at + 4]]) as usize;
        }
        v
    }

    #[test]
    fn every_truncation_is_an_error() {
        let (wire, _) = sample();
        // every prefix: inside the header, inside frames, at frame boundaries, just before EOF
        let mut cuts: Vec<usize> = (0..64).collect();
        cuts.extend((64..wire.len()).step_by(wire.len() / 150));
        cuts.extend(frame_starts(&wire));
        cuts.extend(wire.len() - 40..wire.len());
        for cut in cuts {
            let mut sink = MemSink::default();
            match receive(&mut &wire[..cut], &mut sink) {
                Err(StreamError::Truncated(_)) => {}
                other => panic!("cut at {cut}/{}: {other:?}", wire.len()),
            }
        }
    }

    #[test]
    fn corrupted_data_fails_that_artifact_only() {
        let (mut wire, payload) = sample();
        // flip a byte in the middle of the big artifact's data
        let pos = wire.windows(64).position(|w| w == &payload[CHUNK + 100..CHUNK + 164]).unwrap();
        wire[pos + 10] ^= 0x55;
        let mut sink = MemSink::default();
        let rep = receive(&mut &wire[..], &mut sink).unwrap();
        assert_eq!(rep.artifacts.len(), 1, "only the empty artifact is intact");
        assert_eq!(rep.failed.len(), 2);
        assert!(rep.failed.iter().any(|f| f.path.ends_with("rootfs.tar.zst") && f.message.contains("corrupted")));
        assert!(!rep.complete());
        assert!(sink.errors.iter().any(|(p, m)| p.as_deref() == Some("pods/ns/p/c/rootfs.tar.zst") && m.contains("sha256")));
    }

    #[test]
    fn a_lying_trailer_is_caught() {
        let mut s = StreamSink::new(Vec::new()).unwrap();
        s.put(&spec("x.bin"), &mut |w| w.write_all(b"hello")).unwrap();
        let wire = s.finish().unwrap();
        let good = hex::encode(Sha256::digest(b"hello"));
        let mut forged = wire.clone();
        let at = forged.windows(64).position(|w| w == good.as_bytes()).unwrap();
        forged[at..at + 64].copy_from_slice("0".repeat(64).as_bytes());
        let mut sink = MemSink::default();
        let rep = receive(&mut &forged[..], &mut sink).unwrap();
        assert!(rep.artifacts.is_empty());
        assert_eq!(rep.failed[0].path, "x.bin");
    }

    #[test]
    fn garbage_and_hostile_frames_are_refused() {
        let mut sink = MemSink::default();
        assert!(matches!(receive(&mut &b"NOTASTREAM\0\x01"[..], &mut sink), Err(StreamError::BadMagic)));
        let mut head = MAGIC.to_vec();
        head.extend_from_slice(&2u16.to_be_bytes());
        head.extend_from_slice(&[0, 0]);
        assert!(matches!(receive(&mut &head[..], &mut sink), Err(StreamError::Version(2))));
        // an oversized frame is refused before anything is allocated
        let mut w = StreamSink::new(Vec::new()).unwrap().out;
        w.extend_from_slice(&[b'D', 0xff, 0xff, 0xff, 0xff]);
        assert!(matches!(receive(&mut &w[..], &mut sink), Err(StreamError::Protocol(_))));
        // a traversal path is refused by the sink, the stream stays in step, the artifact is failed
        let mut s = StreamSink::new(Vec::new()).unwrap();
        json_frame(&mut s.out, BEGIN, &spec("../../etc/cron.d/x")).unwrap();
        write_frame(&mut s.out, DATA, b"* * * * * root sh").unwrap();
        json_frame(
            &mut s.out,
            END,
            &Trailer {
                bytes: 17,
                sha256: hex::encode(Sha256::digest(b"* * * * * root sh")),
                started_at: jiff::Timestamp::now(),
                finished_at: jiff::Timestamp::now(),
                encryption: None,
            },
        )
        .unwrap();
        s.summary.artifacts = 1;
        s.put(&spec("ok.txt"), &mut |w| w.write_all(b"ok")).unwrap();
        let wire = s.finish().unwrap();
        let rep = receive(&mut &wire[..], &mut sink).unwrap();
        assert_eq!(rep.failed.len(), 1);
        assert!(!sink.files.keys().any(|k| k.contains("..")));
        assert_eq!(sink.files["ok.txt"], b"ok");
        // data after the summary
        let mut s = StreamSink::new(Vec::new()).unwrap().finish().unwrap();
        s.push(b'B');
        assert!(matches!(receive(&mut &s[..], &mut MemSink::default()), Err(StreamError::Protocol(_))));
    }
}
