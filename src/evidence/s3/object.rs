//! The S3 requests every upload is made of: one-part objects, multipart create / part /
//! complete / abort — with the encryption and Object Lock options applied, SHA-256 checksums the
//! server checks, and failures classified into one line. Used by file uploads (`upload`, the CLI
//! side of `--dest s3://`) and by the node's streaming sink alike.

use super::client::S3;
use super::error::{S3Error, classify};
use super::options::{LockMode, META_SHA256, Sse, UploadOptions, b64};
use super::url::S3Url;
use crate::evidence::EvidenceError;
use aws_sdk_s3::primitives::{ByteStream, DateTime};
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart, ObjectLockMode, ServerSideEncryption};

/// Apply encryption and Object Lock options to a PutObject / CreateMultipartUpload builder.
macro_rules! with_options {
    ($b:expr, $o:expr) => {{
        let mut b = $b;
        if let Some(sse) = $o.sse {
            b = b.server_side_encryption(match sse {
                Sse::Aes256 => ServerSideEncryption::Aes256,
                Sse::Kms => ServerSideEncryption::AwsKms,
            });
        }
        if let Some(k) = &$o.sse_kms_key_id {
            b = b.ssekms_key_id(k);
        }
        if let Some((mode, until)) = $o.lock {
            b = b
                .object_lock_mode(match mode {
                    LockMode::Governance => ObjectLockMode::Governance,
                    LockMode::Compliance => ObjectLockMode::Compliance,
                })
                .object_lock_retain_until_date(DateTime::from_secs(until.as_second()));
        }
        b
    }};
}

/// The object being written: where, and with which content type.
pub(crate) struct ObjectKey<'a> {
    pub url: &'a S3Url,
    pub rel: &'a str,
    pub media_type: &'a str,
}

impl ObjectKey<'_> {
    pub fn key(&self) -> String {
        self.url.key(self.rel)
    }
    pub fn target(&self) -> String {
        format!("s3://{}/{}", self.url.bucket, self.key())
    }
}

/// The requests every upload is made of (one-part objects, multipart create/complete/abort),
/// with the encryption and Object Lock options applied and failures classified.
impl S3 {
    /// One PutObject of a whole object whose SHA-256 (`digest`) is known.
    pub(crate) async fn put_object_whole(
        &self,
        o: &ObjectKey<'_>,
        body: Vec<u8>,
        digest: &[u8],
        opts: &UploadOptions,
    ) -> Result<(), EvidenceError> {
        let req = self
            .client
            .put_object()
            .bucket(&o.url.bucket)
            .key(o.key())
            .content_type(o.media_type)
            .content_length(body.len() as i64)
            .checksum_sha256(b64(digest))
            .metadata(META_SHA256, hex::encode(digest))
            .body(ByteStream::from(body));
        with_options!(req, opts)
            .customize()
            .disable_payload_signing()
            .send()
            .await
            .map_err(|e| classify(&e, &self.op("s3:PutObject", &o.target(), o.url, false)))?;
        Ok(())
    }

    /// Start a multipart upload (SHA-256 part checksums); `sha256` goes into the metadata when known.
    pub(crate) async fn create_multipart(
        &self,
        o: &ObjectKey<'_>,
        sha256: Option<&str>,
        opts: &UploadOptions,
    ) -> Result<String, EvidenceError> {
        let mut req = self
            .client
            .create_multipart_upload()
            .bucket(&o.url.bucket)
            .key(o.key())
            .content_type(o.media_type)
            .checksum_algorithm(ChecksumAlgorithm::Sha256);
        if let Some(h) = sha256 {
            req = req.metadata(META_SHA256, h);
        }
        let created =
            with_options!(req, opts).send().await.map_err(|e| classify(&e, &self.op("s3:PutObject", &o.target(), o.url, false)))?;
        created.upload_id().map(String::from).ok_or_else(|| {
            S3Error::Failed { action: "s3:PutObject", target: o.target(), detail: "CreateMultipartUpload returned no upload id".into() }
                .into()
        })
    }

    /// Make a multipart upload's object visible from its parts (any order). When the server made
    /// the object but its answer was lost, the completion sent again is refused (the upload id is
    /// gone): the object read back with the `expected` size and SHA-256 shows it is done.
    pub(crate) async fn complete_multipart(
        &self,
        o: &ObjectKey<'_>,
        upload_id: &str,
        mut parts: Vec<CompletedPart>,
        expected: (u64, &str),
    ) -> Result<(), EvidenceError> {
        parts.sort_by_key(|p| p.part_number());
        let done = CompletedMultipartUpload::builder().set_parts(Some(parts)).build();
        let Err(e) = self
            .client
            .complete_multipart_upload()
            .bucket(&o.url.bucket)
            .key(o.key())
            .upload_id(upload_id)
            .multipart_upload(done)
            .send()
            .await
        else {
            return Ok(());
        };
        let refused = classify(&e, &self.op("s3:PutObject", &o.target(), o.url, false));
        match self.hash_object(o.url, o.rel, &crate::evidence::progress::Progress::hidden()).await {
            Ok((bytes, sha256)) if bytes == expected.0 && sha256 == expected.1 => Ok(()),
            _ => Err(refused.into()),
        }
    }

    /// Abort a multipart upload, best effort (the server may be why it failed).
    pub(crate) async fn abort_multipart(&self, o: &ObjectKey<'_>, upload_id: &str) {
        let _ = self.client.abort_multipart_upload().bucket(&o.url.bucket).key(o.key()).upload_id(upload_id).send().await;
    }
}

/// One part of a multipart upload, sent with its SHA-256 checksum (checked by the server).
pub(crate) struct Part {
    pub s3: S3,
    pub bucket: String,
    pub key: String,
    pub upload_id: String,
    /// `s3://bucket/key`, for messages.
    pub target: String,
}

impl Part {
    pub async fn send(&self, number: i32, body: Vec<u8>, sha256: &[u8]) -> Result<CompletedPart, EvidenceError> {
        let sum = b64(sha256);
        let r = self
            .s3
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&self.key)
            .upload_id(&self.upload_id)
            .part_number(number)
            .content_length(body.len() as i64)
            .checksum_sha256(&sum)
            .body(ByteStream::from(body))
            .customize()
            .disable_payload_signing()
            .send()
            .await
            .map_err(|e| {
                let op = super::error::Op {
                    action: "s3:PutObject",
                    target: &self.target,
                    endpoint: &self.s3.endpoint,
                    bucket_op: false,
                    bucket: &self.bucket,
                };
                EvidenceError::from(classify(&e, &op))
            })?;
        Ok(CompletedPart::builder().part_number(number).set_e_tag(r.e_tag).checksum_sha256(sum).build())
    }
}
