//! Reading a bundle back: an object re-hashed as it streams down (`verify`: never stored, never
//! buffered whole), an object as a byte stream (`decrypt`), and the small ones (manifest, custody
//! log) read whole.

use super::client::S3;
use super::error::classify;
use super::url::S3Url;
use crate::evidence::EvidenceError;
use crate::evidence::hash::Sha256;
use crate::evidence::manifest::MAX_META_BYTES;
use crate::evidence::progress::Progress;
use crate::evidence::store::ObjectReader;

impl S3 {
    /// Stream an object through SHA-256: (bytes, hex digest).
    pub async fn hash_object(&self, url: &S3Url, rel: &str, progress: &Progress) -> Result<(u64, String), EvidenceError> {
        let key = url.key(rel);
        let target = format!("s3://{}/{key}", url.bucket);
        let op = self.op("s3:GetObject", &target, url, false);
        let resp = self.client.get_object().bucket(&url.bucket).key(&key).send().await.map_err(|e| classify(&e, &op))?;
        let mut body = resp.body;
        let mut h = Sha256::new();
        let mut n = 0u64;
        while let Some(chunk) = body.try_next().await.map_err(|e| super::S3Error::Failed {
            action: "s3:GetObject",
            target: target.clone(),
            detail: e.to_string(),
        })? {
            h.update(&chunk);
            n += chunk.len() as u64;
            progress.inc(chunk.len() as u64);
        }
        Ok((n, h.finalize_hex()))
    }

    /// An object's bytes as they stream down.
    pub async fn open_object(&self, url: &S3Url, rel: &str) -> Result<ObjectReader, EvidenceError> {
        let key = url.key(rel);
        let target = format!("s3://{}/{key}", url.bucket);
        let op = self.op("s3:GetObject", &target, url, false);
        let resp = self.client.get_object().bucket(&url.bucket).key(&key).send().await.map_err(|e| classify(&e, &op))?;
        Ok(Box::pin(resp.body.into_async_read()))
    }

    /// A small object (manifest, custody log) read whole.
    pub async fn get_small(&self, url: &S3Url, rel: &str) -> Result<Vec<u8>, EvidenceError> {
        let key = url.key(rel);
        let target = format!("s3://{}/{key}", url.bucket);
        let op = self.op("s3:GetObject", &target, url, false);
        let resp = self.client.get_object().bucket(&url.bucket).key(&key).send().await.map_err(|e| classify(&e, &op))?;
        if resp.content_length().unwrap_or(0) as u64 > MAX_META_BYTES {
            return Err(EvidenceError::NotABundle { path: target, why: "larger than any real one".into() });
        }
        let data = resp.body.collect().await.map_err(|e| super::S3Error::Failed {
            action: "s3:GetObject",
            target: target.clone(),
            detail: e.to_string(),
        })?;
        Ok(data.into_bytes().to_vec())
    }
}
