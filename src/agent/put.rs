//! Uploading from the node (`checkpoint --upload-from node`): the agent writes evidence straight
//! into the destination's store (S3), through `evidence::store::Store`, with the node's credentials (instance role, web identity, or the keys of a Secret given
//! to the collector pod), so bulk data never crosses the API server or the responder's laptop.
//!
//! - a capture with an [`S3Destination`]: artifacts go to S3 as they are produced; the evidence
//!   stream carries only their records (`O` frames) and errors.
//! - [`put`]: an evidence stream (the CLI's API-side artifacts, custody log and manifest) is
//!   uploaded the same way; the records go back as a stream. The manifest is only written once
//!   every artifact it lists is in the bucket with its size.

use crate::evidence::manifest::{MANIFEST, MAX_META_BYTES, Manifest};
use crate::evidence::stream::{self, StreamSink};
use crate::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, Destination, EvidenceError, Store};
use crate::protocol::S3Destination;
use std::io::{self, BufRead, Write};
use tokio::runtime::Handle;

/// Parse the bundle's place and reach its store with this node's credentials (fails fast, one
/// line). A local directory is refused: the node has no place to keep a bundle.
pub async fn open(dest: &S3Destination) -> Result<Box<dyn Store>, EvidenceError> {
    let parsed = Destination::parse(&dest.url)?;
    if let Destination::Local(_) = parsed {
        return Err(EvidenceError::BadUrl { url: dest.url.clone(), why: "expected s3://bucket/prefix".into() });
    }
    parsed.open(&dest.connect, &dest.upload).await
}

/// An evidence stream from `input` → the store, the records → `out`. Ok(true) when everything was stored.
pub fn put(store: &dyn Store, input: &mut dyn BufRead, out: &mut (dyn Write + Send), rt: Handle) -> Result<bool, EvidenceError> {
    let mut reply = StreamSink::new(io::BufWriter::new(out))?;
    let report = {
        let mut sink = store.sink(rt.clone(), &mut reply);
        let mut gate = ManifestGate { inner: &mut *sink, store, rt };
        stream::receive_to_summary(input, &mut gate)
    };
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            reply.error(None, &format!("input: {e}"))?;
            reply.finish()?;
            return Ok(false);
        }
    };
    reply.finish()?;
    Ok(report.complete())
}

/// Lets `manifest.json` through only when the store holds every artifact it lists, with the
/// listed size: a manifest never vouches for an object that is not there.
struct ManifestGate<'a, 'b> {
    inner: &'a mut (dyn ArtifactSink + 'b),
    store: &'a dyn Store,
    rt: Handle,
}

impl ManifestGate<'_, '_> {
    fn check(&self, manifest: &Manifest) -> Result<(), String> {
        let listed = self.rt.block_on(self.store.list()).map_err(|e| e.to_string())?;
        let sizes: std::collections::HashMap<&str, u64> = listed.iter().map(|l| (l.rel.as_str(), l.size)).collect();
        let bad: Vec<String> =
            manifest.artifacts.iter().filter(|a| sizes.get(a.spec.path.as_str()) != Some(&a.bytes)).map(|a| a.spec.path.clone()).collect();
        match bad.first() {
            None => Ok(()),
            Some(first) => {
                Err(format!("{} listed artifact(s) are not in {} with their size (first: {first})", bad.len(), self.store.location()))
            }
        }
    }
}

impl ArtifactSink for ManifestGate<'_, '_> {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        if spec.path != MANIFEST {
            return self.inner.put(spec, write);
        }
        let mut buf = Vec::new();
        write(&mut Capped { buf: &mut buf, cap: MAX_META_BYTES as usize })?;
        let refused = match Manifest::parse(&buf, MANIFEST) {
            Ok(m) => self.check(&m).err(),
            Err(e) => Some(e.to_string()),
        };
        if let Some(why) = refused {
            let message = format!("manifest.json not written: {why}");
            self.inner.error(Some(MANIFEST), &message)?;
            return Err(EvidenceError::Usage(message));
        }
        self.inner.put(spec, &mut |w| w.write_all(&buf))
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.inner.error(path, message)
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.inner.stored(record, location)
    }
}

/// A Vec that refuses to grow past `cap` (a manifest is never that large).
struct Capped<'a> {
    buf: &'a mut Vec<u8>,
    cap: usize,
}

impl Write for Capped<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buf.len() + data.len() > self.cap {
            return Err(io::Error::other("larger than any real manifest"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
