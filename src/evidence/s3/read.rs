//! Reading a bundle back (for `verify`): an object re-hashed as it streams down, or handed on
//! chunk by chunk (manifest, custody log: parsed as they stream); never stored, never buffered whole.

use super::client::S3;
use super::error::classify;
use super::url::S3Url;
use crate::evidence::EvidenceError;
use crate::evidence::hash::Sha256;
use crate::evidence::progress::Progress;
use crate::evidence::store::Chunks;

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

    /// An object as a stream of chunks, as they arrive.
    pub async fn get_stream(&self, url: &S3Url, rel: &str) -> Result<Chunks<'static>, EvidenceError> {
        let key = url.key(rel);
        let target = format!("s3://{}/{key}", url.bucket);
        let op = self.op("s3:GetObject", &target, url, false);
        let resp = self.client.get_object().bucket(&url.bucket).key(&key).send().await.map_err(|e| classify(&e, &op))?;
        let chunks = futures::stream::unfold(Some(resp.body), move |body| {
            let target = target.clone();
            async move {
                let mut body = body?;
                match body.try_next().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), Some(body))),
                    Ok(None) => None,
                    Err(e) => Some((Err(std::io::Error::other(format!("s3:GetObject {target}: {e}"))), None)),
                }
            }
        });
        Ok(Box::pin(chunks))
    }
}
