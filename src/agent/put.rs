//! Uploading from the node (`checkpoint --upload-from node`): the agent writes evidence straight
//! into the destination's store (S3), through `evidence::store::Store`, with the node's credentials (instance role, web identity, or the keys of a Secret given
//! to the collector pod), so bulk data never crosses the API server or the responder's laptop.
//!
//! - a capture with an [`S3Destination`]: artifacts go to S3 as they are produced; the evidence
//!   stream carries only their records (`O` frames) and errors.
//! - [`put`]: an evidence stream (the CLI's API-side artifacts, custody log and manifest) is
//!   uploaded the same way; the records go back as a stream. The manifest is only written once
//!   every artifact it lists is in the bucket with its size: it streams into the store (any
//!   size, never held whole) while a thread parses it, and the upload completes only once the
//!   parsed manifest has been checked against the store's listing.

use crate::evidence::manifest::{MANIFEST, Manifest};
use crate::evidence::meta::{ChunkReader, read_manifest};
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

/// Does the store hold every artifact `manifest` lists, with its size?
fn check_listed(store: &dyn Store, rt: &Handle, manifest: &Manifest) -> Result<(), String> {
    let listed = rt.block_on(store.list()).map_err(|e| e.to_string())?;
    let sizes: std::collections::HashMap<&str, u64> = listed.iter().map(|l| (l.rel.as_str(), l.size)).collect();
    let bad: Vec<String> =
        manifest.artifacts.iter().filter(|a| sizes.get(a.spec.path.as_str()) != Some(&a.bytes)).map(|a| a.spec.path.clone()).collect();
    match bad.first() {
        None => Ok(()),
        Some(first) => Err(format!("{} listed artifact(s) are not in {} with their size (first: {first})", bad.len(), store.location())),
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
        let (store, rt) = (self.store, self.rt.clone());
        let mut refused = None;
        let stored = self.inner.put(spec, &mut |w| {
            // the bytes go to the store and, copied, to a parser on its own thread
            let (tx, rx) = std::sync::mpsc::sync_channel::<bytes::Bytes>(8);
            let parser = std::thread::spawn(move || read_manifest(&mut ChunkReader::new(|| rx.recv().ok().map(Ok)), MANIFEST));
            let written = write(&mut Tee { out: w, copy: Some(tx) });
            let parsed = parser.join().map_err(|_| io::Error::other("the manifest parser panicked"))?;
            written?;
            let why = match parsed {
                Ok((m, _)) => check_listed(store, &rt, &m).err(),
                Err(e) => Some(e.to_string()),
            };
            match why {
                None => Ok(()),
                Some(why) => {
                    refused = Some(why.clone());
                    // an error here aborts the object: nothing of it is left in the store
                    Err(io::Error::other(why))
                }
            }
        });
        if let Some(why) = refused {
            let message = format!("manifest.json not written: {why}");
            self.inner.error(Some(MANIFEST), &message)?;
            return Err(EvidenceError::Usage(message));
        }
        stored
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.inner.error(path, message)
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.inner.stored(record, location)
    }
}

/// Writes to `out`, and a copy of each write to the parser (until it stops reading: then only
/// to `out`; dropping the writer ends the parser's input).
struct Tee<'a> {
    out: &'a mut dyn Write,
    copy: Option<std::sync::mpsc::SyncSender<bytes::Bytes>>,
}

impl Write for Tee<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = self.out.write(data)?;
        if let Some(tx) = &self.copy
            && tx.send(bytes::Bytes::copy_from_slice(&data[..n])).is_err()
        {
            self.copy = None;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}
