//! [`S3Store`]: S3 (or an S3-compatible server) as a bundle [`Store`]: a bucket and a prefix,
//! reached with the standard credential chain, written with the encryption, Object Lock, part
//! size and concurrency of its [`UploadOptions`].

use super::S3Error;
use super::client::{ConnectOptions, S3, connect};
use super::options::{Sse, UploadOptions};
use super::sink::S3Sink;
use super::url::S3Url;
use crate::evidence::EvidenceError;
use crate::evidence::artifact::ArtifactSink;
use crate::evidence::progress::Progress;
use crate::evidence::store::{Listed, LocalObject, ObjectReader, Store};
use futures::future::BoxFuture;
use serde_json::json;
use std::sync::Arc;
use tokio::runtime::Handle;
use tokio::sync::Semaphore;

/// A bucket and prefix, with the client that reaches it and how objects are written there.
#[derive(Clone)]
pub struct S3Store {
    s3: S3,
    url: S3Url,
    opts: UploadOptions,
    /// Bounds the part buffers alive at once, across every file being sent.
    slots: Arc<Semaphore>,
}

impl S3Store {
    /// Reach the bucket of `url` (fails fast, one line: credentials, region, bucket, access).
    pub async fn open(url: &S3Url, conn: &ConnectOptions, opts: &UploadOptions) -> Result<S3Store, EvidenceError> {
        let s3 = connect(conn).await?;
        s3.check_bucket(url).await?;
        Ok(S3Store::new(s3, url.clone(), opts.clone()))
    }

    pub fn new(s3: S3, url: S3Url, opts: UploadOptions) -> S3Store {
        let slots = Arc::new(Semaphore::new(opts.concurrency.max(1)));
        S3Store { s3, url, opts, slots }
    }
}

impl Store for S3Store {
    fn location(&self) -> String {
        self.url.to_string()
    }

    fn location_of(&self, rel: &str) -> String {
        format!("s3://{}/{}", self.url.bucket, self.url.key(rel))
    }

    fn endpoint(&self) -> String {
        self.s3.endpoint.clone()
    }

    fn for_case(&self, case_id: &str) -> Box<dyn Store> {
        Box::new(S3Store { url: self.url.for_case(case_id), ..self.clone() })
    }

    fn write_options(&self) -> serde_json::Value {
        let o = &self.opts;
        json!({
            "sse": o.sse.map(|s| match s { Sse::Aes256 => "AES256", Sse::Kms => "aws:kms" }),
            "sse_kms_key_id": o.sse_kms_key_id,
            "object_lock": o.lock.map(|(m, t)| json!({"mode": format!("{m:?}").to_uppercase(), "retain_until": t})),
        })
    }

    fn concurrency(&self) -> usize {
        self.opts.concurrency.max(1)
    }

    fn not_stored(&self, detail: String) -> EvidenceError {
        S3Error::Failed { action: "s3:PutObject", target: self.url.to_string(), detail }.into()
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<Listed>, EvidenceError>> {
        Box::pin(self.s3.list(&self.url))
    }

    fn claimed_sha256<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<Option<String>, EvidenceError>> {
        Box::pin(self.s3.remote_sha256(&self.url, rel))
    }

    fn put_file<'a>(&'a self, obj: &'a LocalObject, progress: &'a Progress) -> BoxFuture<'a, Result<(), EvidenceError>> {
        Box::pin(self.s3.put_file(&self.url, obj, &self.opts, progress, self.slots.clone()))
    }

    fn read_small<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<Vec<u8>, EvidenceError>> {
        Box::pin(self.s3.get_small(&self.url, rel))
    }

    fn read<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<ObjectReader, EvidenceError>> {
        Box::pin(self.s3.open_object(&self.url, rel))
    }

    fn hash<'a>(&'a self, rel: &'a str, progress: &'a Progress) -> BoxFuture<'a, Result<(u64, String), EvidenceError>> {
        Box::pin(self.s3.hash_object(&self.url, rel, progress))
    }

    fn sink<'a>(&self, rt: Handle, report: &'a mut dyn ArtifactSink) -> Box<dyn ArtifactSink + 'a> {
        Box::new(S3Sink::new(self.s3.clone(), self.url.clone(), self.opts.clone(), rt, report))
    }
}
