//! Where finished bundles are kept: one [`Store`] trait, and one implementation per kind of
//! store — a local directory ([`local::LocalStore`]) and S3 (`evidence::s3::S3Store`). `upload`,
//! `verify` of a stored bundle, `finish` and the node's uploader only talk to the trait; a
//! [`Destination`](super::Destination) opens the right one. Adding a store is one implementation
//! (its own folder) plus one arm in `Destination::parse` and `Destination::open`.
//!
//! A store is opened at a root (`s3://bucket/prefix`, a directory); [`Store::for_case`] gives the
//! bundle's own place under it. Object names (`rel`) are bundle paths, relative to that place.

pub mod local;

use super::EvidenceError;
use super::artifact::ArtifactSink;
use super::progress::Progress;
use futures::StreamExt;
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use std::io::{self, Read};
use std::path::PathBuf;
use tokio::runtime::Handle;

/// An object's bytes as they arrive, chunk by chunk.
pub type Chunks<'a> = BoxStream<'a, io::Result<bytes::Bytes>>;

/// One object found under a store's place.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The name relative to the place (a bundle path).
    pub rel: String,
    pub size: u64,
}

/// A local file to store, with the size and SHA-256 the manifest promises.
#[derive(Debug, Clone)]
pub struct LocalObject {
    pub rel: String,
    pub path: PathBuf,
    pub size: u64,
    pub sha256: String,
    pub media_type: String,
}

/// A place that keeps bundles. Every method that touches the store is async (network stores);
/// a local store may do its work inline.
pub trait Store: Send + Sync {
    /// Where this place is, as shown to people and recorded in the custody log
    /// (`s3://bucket/prefix`, a directory path).
    fn location(&self) -> String;

    /// Where the object `rel` is (or would be) in this place.
    fn location_of(&self, rel: &str) -> String;

    /// What the store talks to, for reports and the custody log (an endpoint URL, "AWS S3 (region)").
    fn endpoint(&self) -> String;

    /// The place of bundle `case_id` under this one: `<place>/<case-id>`, unless this place
    /// already ends with the case id.
    fn for_case(&self, case_id: &str) -> Box<dyn Store>;

    /// How objects are written (encryption, retention…), as recorded in an `upload` event.
    fn write_options(&self) -> serde_json::Value;

    /// Objects (or parts of them) written at once.
    fn concurrency(&self) -> usize;

    /// The error for objects that should be there after being written and are not.
    fn not_stored(&self, detail: String) -> EvidenceError;

    /// Every object under this place, with its size.
    fn list(&self) -> BoxFuture<'_, Result<Vec<Listed>, EvidenceError>>;

    /// The SHA-256 an existing object claims (lower-case hex), or None when there is no such
    /// object or it claims none.
    fn claimed_sha256<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<Option<String>, EvidenceError>>;

    /// Store a local file as `obj.rel`. Its bytes must hash to `obj.sha256`, or nothing of it is
    /// left in the store ([`EvidenceError::ChangedWhileSending`]).
    fn put_file<'a>(&'a self, obj: &'a LocalObject, progress: &'a Progress) -> BoxFuture<'a, Result<(), EvidenceError>>;

    /// An object's bytes as a stream of chunks (the manifest, the custody log, a sealed artifact
    /// for `decrypt`: never read whole; checking them is the reader's job).
    fn read<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<Chunks<'a>, EvidenceError>>;

    /// Stream an object through SHA-256: (bytes, lower-case hex digest).
    fn hash<'a>(&'a self, rel: &'a str, progress: &'a Progress) -> BoxFuture<'a, Result<(u64, String), EvidenceError>>;

    /// A sink that stores every artifact here as it is written and hands its record, with its
    /// location, to `report` ([`ArtifactSink::stored`]). Used from a blocking thread: async work
    /// runs on `rt`.
    fn sink<'a>(&self, rt: Handle, report: &'a mut dyn ArtifactSink) -> Box<dyn ArtifactSink + 'a>;
}

/// Read object `rel` of `store` through `parse`, a blocking reader of any size (a manifest, a
/// custody log): the chunks go to it over a small channel as they arrive, so no more than a few
/// of them are ever held; a parser that stops early stops the download.
pub async fn read_with<T: Send + 'static>(
    store: &dyn Store,
    rel: &str,
    parse: impl FnOnce(&mut dyn Read) -> T + Send + 'static,
) -> Result<T, EvidenceError> {
    let mut chunks = store.read(rel).await?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<io::Result<bytes::Bytes>>(4);
    let parser = tokio::task::spawn_blocking(move || parse(&mut super::meta::ChunkReader::new(|| rx.blocking_recv())));
    while let Some(chunk) = chunks.next().await {
        let failed = chunk.is_err();
        if tx.send(chunk).await.is_err() || failed {
            break;
        }
    }
    drop(tx);
    parser.await.map_err(|e| EvidenceError::Io(io::Error::other(e)))
}
