//! [`S3Sink`]: artifacts streamed straight into a bucket as they are produced — how the node agent
//! uploads from the node (`checkpoint --upload-from node`). Nothing touches the node's disk and
//! nothing is read twice: each artifact is cut into parts while it is written, every part goes up
//! with its own SHA-256 checksum (checked by the server), at most `concurrency` parts are in
//! flight, and the whole artifact's SHA-256 goes into the record passed on to the `report` sink
//! (the evidence stream back to the CLI, which writes the manifest).
//!
//! An artifact that fits in one part is one PutObject carrying `x-amz-meta-sha256`; a larger one
//! is a multipart upload whose whole-object hash is only known at its end, so it is in the
//! manifest (and checked by `verify`, which re-hashes every object) but not in the metadata.
//! A failed artifact's multipart upload is aborted: no object appears for it; the caller records
//! the failure, as with every sink.

use super::client::S3;
use super::object::{ObjectKey, Part};
use super::options::{MIB, UploadOptions};
use super::url::S3Url;
use crate::evidence::EvidenceError;
use crate::evidence::artifact::{ArtifactRecord, ArtifactSink, ArtifactSpec, SealedWrite, check_relative_path};
use crate::evidence::hash::Sha256;
use aws_sdk_s3::types::CompletedPart;
use std::io::{self, Write};
use std::sync::Arc;
use tokio::runtime::Handle;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

/// Parts are grown (doubled) every this many parts, so that an artifact of unknown size stays
/// under S3's 10 000 parts: 5 MiB parts reach about 300 GiB.
const PARTS_PER_SIZE: i32 = 2000;

/// Uploads every artifact under `url` (the bundle's own prefix) and hands the records to `report`.
/// Used from a blocking thread: it drives the S3 client on `rt`.
pub struct S3Sink<'a> {
    s3: S3,
    url: S3Url,
    opts: UploadOptions,
    rt: Handle,
    report: &'a mut dyn ArtifactSink,
    slots: Arc<Semaphore>,
}

impl<'a> S3Sink<'a> {
    pub fn new(s3: S3, url: S3Url, opts: UploadOptions, rt: Handle, report: &'a mut dyn ArtifactSink) -> Self {
        let slots = Arc::new(Semaphore::new(opts.concurrency.max(1)));
        S3Sink { s3, url, opts, rt, report, slots }
    }

    /// Where an artifact lands.
    pub fn location(&self, rel: &str) -> String {
        format!("s3://{}/{}", self.url.bucket, self.url.key(rel))
    }
}

impl ArtifactSink for S3Sink<'_> {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        self.put_sealed(spec, &mut |w| write(w).map(|()| None))
    }

    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        check_relative_path(&spec.path)?;
        let started_at = jiff::Timestamp::now();
        let mut w = ObjectWriter::new(self, spec);
        let mut encryption = None;
        let r = write(&mut w).map_err(EvidenceError::Io).and_then(|e| {
            encryption = e;
            w.complete()
        });
        let (bytes, sha256) = match r {
            Ok(v) => v,
            Err(e) => {
                // nothing of it may appear; the caller records why (as with every sink)
                w.abort();
                return Err(e);
            }
        };
        let rec = ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption };
        let location = self.location(&spec.path);
        self.report.stored(&rec, &location)?;
        Ok(rec)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.report.error(path, message)
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.report.stored(record, location)
    }
}

/// One object being written: buffers a part, sends full parts in the background.
struct ObjectWriter<'s> {
    s3: &'s S3,
    url: &'s S3Url,
    opts: &'s UploadOptions,
    rt: &'s Handle,
    slots: &'s Arc<Semaphore>,
    rel: String,
    media_type: String,
    buf: Vec<u8>,
    upload_id: Option<String>,
    tasks: JoinSet<Result<CompletedPart, EvidenceError>>,
    parts: Vec<CompletedPart>,
    next_part: i32,
    hasher: Sha256,
    bytes: u64,
}

impl<'s> ObjectWriter<'s> {
    fn new(sink: &'s S3Sink<'_>, spec: &ArtifactSpec) -> Self {
        ObjectWriter {
            rel: spec.path.clone(),
            s3: &sink.s3,
            url: &sink.url,
            opts: &sink.opts,
            rt: &sink.rt,
            slots: &sink.slots,
            media_type: spec.media_type.clone(),
            buf: Vec::new(),
            upload_id: None,
            tasks: JoinSet::new(),
            parts: Vec::new(),
            next_part: 1,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }

    /// Size of the part being filled (grows with the part number, see [`PARTS_PER_SIZE`]).
    fn part_size(&self) -> usize {
        let base = self.opts.part_size.max(5 * MIB);
        let doublings = ((self.next_part - 1) / PARTS_PER_SIZE).min(10) as u32;
        (base << doublings).min(5 * 1024 * MIB) as usize
    }

    fn io(e: EvidenceError) -> io::Error {
        io::Error::other(e.to_string())
    }

    fn object(&self) -> ObjectKey<'_> {
        ObjectKey { url: self.url, rel: &self.rel, media_type: &self.media_type }
    }

    /// Collect finished part uploads; the first failure stops the artifact.
    fn reap(&mut self) -> Result<(), EvidenceError> {
        while let Some(r) = self.tasks.try_join_next() {
            self.parts.push(r.map_err(io::Error::other)??);
        }
        Ok(())
    }

    fn send_part(&mut self) -> Result<(), EvidenceError> {
        if self.upload_id.is_none() {
            // the whole hash is known only at the end: no metadata for it
            let id = self.rt.block_on(self.s3.create_multipart(&self.object(), None, self.opts))?;
            self.upload_id = Some(id);
        }
        // a slot bounds the part buffers alive at once (the one being filled is extra)
        let slot = self.rt.block_on(self.slots.clone().acquire_owned()).map_err(io::Error::other)?;
        self.reap()?;
        let next = self.part_size();
        let body = std::mem::replace(&mut self.buf, Vec::with_capacity(next));
        let number = self.next_part;
        self.next_part += 1;
        let part = Part {
            s3: self.s3.clone(),
            bucket: self.url.bucket.clone(),
            key: self.object().key(),
            upload_id: self.upload_id.clone().unwrap_or_default(),
            target: self.object().target(),
        };
        self.tasks.spawn_on(
            async move {
                let _slot = slot;
                let sha = Sha256::digest(&body);
                part.send(number, body, &sha).await
            },
            self.rt,
        );
        Ok(())
    }

    /// Send what is left and make the object visible: (bytes, SHA-256).
    fn complete(&mut self) -> Result<(u64, String), EvidenceError> {
        let sha256 = std::mem::take(&mut self.hasher).finalize_hex();
        let Some(id) = self.upload_id.clone() else {
            // one part: a single PutObject that carries the whole hash as metadata
            let body = std::mem::take(&mut self.buf);
            // the buffer is the whole object: its hash is the whole hash
            let digest = hex::decode(&sha256).map_err(io::Error::other)?;
            self.rt.block_on(self.s3.put_object_whole(&self.object(), body, &digest, self.opts))?;
            return Ok((self.bytes, sha256));
        };
        if !self.buf.is_empty() {
            self.send_part()?;
        }
        while let Some(r) = self.rt.block_on(self.tasks.join_next()) {
            self.parts.push(r.map_err(io::Error::other)??);
        }
        let parts = std::mem::take(&mut self.parts);
        self.rt.block_on(self.s3.complete_multipart(&self.object(), &id, parts, (self.bytes, &sha256)))?;
        self.upload_id = None;
        Ok((self.bytes, sha256))
    }

    /// Stop: no part left in flight, the multipart upload aborted (best effort).
    fn abort(&mut self) {
        self.tasks.abort_all();
        while self.rt.block_on(self.tasks.join_next()).is_some() {}
        if let Some(id) = self.upload_id.take() {
            self.rt.block_on(self.s3.abort_multipart(&self.object(), &id));
        }
    }
}

impl Write for ObjectWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let room = self.part_size() - self.buf.len();
        let n = data.len().min(room);
        if self.buf.capacity() == 0 {
            self.buf.reserve_exact(self.part_size().min(data.len().max(64 << 10)));
        }
        self.buf.extend_from_slice(&data[..n]);
        self.hasher.update(&data[..n]);
        self.bytes += n as u64;
        if self.buf.len() == self.part_size() {
            self.send_part().map_err(Self::io)?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
