//! Sending one file to S3: a single PutObject up to one part, else a multipart upload with
//! bounded concurrency and bounded memory (at most `concurrency` part buffers alive at once),
//! a SHA-256 checksum per part, and our own SHA-256 of the whole stream checked against the
//! manifest before the upload is completed. The whole-file SHA-256 is stored as object metadata
//! `x-amz-meta-sha256` (servers that keep no part checksums still let us check it later).
//!
//! Bodies are sent with `UNSIGNED-PAYLOAD`: their integrity rests on the signed
//! `x-amz-checksum-sha256` header the server checks against the bytes it receives, so hashing
//! the payload a second time for SigV4 (on both sides) would add cost and no protection.

use super::client::S3;
use super::error::{S3Error, classify};
use super::object::{ObjectKey, Part};
use super::options::{MAX_PART_SIZE, MAX_PARTS, META_SHA256, MIB, MIN_PART_SIZE, UploadOptions};
use super::url::S3Url;
use crate::evidence::EvidenceError;
use crate::evidence::hash::Sha256;
use crate::evidence::progress::Progress;
use aws_sdk_s3::types::{ChecksumMode, CompletedPart};
use base64::Engine;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Semaphore;

pub use crate::evidence::store::LocalObject;

fn open_nofollow(p: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(p)
}

/// Part size actually used for `size` bytes: at least the asked size, and few enough parts.
pub fn part_size_for(size: u64, asked: u64) -> u64 {
    let min_for_count = size.div_ceil(MAX_PARTS).div_ceil(MIB) * MIB;
    asked.max(min_for_count).clamp(MIN_PART_SIZE, MAX_PART_SIZE)
}

fn changed(obj: &LocalObject, actual: String) -> EvidenceError {
    EvidenceError::ChangedWhileSending { path: obj.rel.clone(), expected: obj.sha256.clone(), actual }
}

impl S3 {
    /// The SHA-256 an existing object claims (our metadata, else a full-object checksum), or
    /// None when there is no such object or it claims none.
    pub async fn remote_sha256(&self, url: &S3Url, rel: &str) -> Result<Option<String>, EvidenceError> {
        let key = url.key(rel);
        let target = format!("s3://{}/{key}", url.bucket);
        let head = match self.client.head_object().bucket(&url.bucket).key(&key).checksum_mode(ChecksumMode::Enabled).send().await {
            Ok(h) => h,
            Err(e) => {
                return match classify(&e, &self.op("s3:GetObject", &target, url, false)) {
                    S3Error::NoSuchKey { .. } => Ok(None),
                    other => Err(other.into()),
                };
            }
        };
        if let Some(s) = head.metadata().and_then(|m| m.get(META_SHA256)) {
            return Ok(Some(s.to_ascii_lowercase()));
        }
        let full = head.checksum_sha256().filter(|c| !c.contains('-'));
        Ok(full.and_then(|c| base64::engine::general_purpose::STANDARD.decode(c).ok()).map(hex::encode))
    }

    /// Send one file as `<prefix>/<rel>`; its bytes must hash to `obj.sha256` or nothing is completed.
    pub async fn put_file(
        &self,
        url: &S3Url,
        obj: &LocalObject,
        opts: &UploadOptions,
        progress: &Progress,
        slots: Arc<Semaphore>,
    ) -> Result<(), EvidenceError> {
        let part = part_size_for(obj.size, opts.part_size);
        if obj.size <= part {
            self.put_single(url, obj, opts, progress, slots).await
        } else {
            self.put_multipart(url, obj, opts, part, progress, slots).await
        }
    }

    async fn put_single(
        &self,
        url: &S3Url,
        obj: &LocalObject,
        opts: &UploadOptions,
        progress: &Progress,
        slots: Arc<Semaphore>,
    ) -> Result<(), EvidenceError> {
        let _slot = slots.acquire_owned().await.map_err(std::io::Error::other)?;
        let path = obj.path.clone();
        let size = obj.size;
        let (buf, digest) = tokio::task::spawn_blocking(move || {
            let f = open_nofollow(&path)?;
            let mut buf = vec![0u8; size as usize];
            f.read_exact_at(&mut buf, 0)?;
            let d = Sha256::digest(&buf);
            Ok::<_, std::io::Error>((buf, d))
        })
        .await
        .map_err(std::io::Error::other)?
        .map_err(|e| EvidenceError::file(&obj.path, e))?;
        if hex::encode(digest) != obj.sha256 {
            return Err(changed(obj, hex::encode(digest)));
        }
        let o = ObjectKey { url, rel: &obj.rel, media_type: &obj.media_type };
        self.put_object_whole(&o, buf, &digest, opts).await?;
        progress.inc(size);
        Ok(())
    }

    async fn put_multipart(
        &self,
        url: &S3Url,
        obj: &LocalObject,
        opts: &UploadOptions,
        part: u64,
        progress: &Progress,
        slots: Arc<Semaphore>,
    ) -> Result<(), EvidenceError> {
        let o = ObjectKey { url, rel: &obj.rel, media_type: &obj.media_type };
        let key = o.key();
        let upload_id = self.create_multipart(&o, Some(&obj.sha256), opts).await?;
        match self.send_parts(url, obj, &key, &upload_id, part, progress, slots).await {
            Ok(parts) => self.complete_multipart(&o, &upload_id, parts, (obj.size, &obj.sha256)).await,
            Err(e) => {
                self.abort_multipart(&o, &upload_id).await;
                Err(e)
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_parts(
        &self,
        url: &S3Url,
        obj: &LocalObject,
        key: &str,
        upload_id: &str,
        part: u64,
        progress: &Progress,
        slots: Arc<Semaphore>,
    ) -> Result<Vec<CompletedPart>, EvidenceError> {
        let file = Arc::new(open_nofollow(&obj.path).map_err(|e| EvidenceError::file(&obj.path, e))?);
        let mut whole = Some(Sha256::new());
        let mut tasks = tokio::task::JoinSet::new();
        let mut parts = Vec::new();
        let target = format!("s3://{}/{key}", url.bucket);
        let (mut offset, mut number) = (0u64, 1i32);
        while offset < obj.size {
            let len = part.min(obj.size - offset);
            // a slot bounds the buffers alive at once, across all files being sent
            let slot = slots.clone().acquire_owned().await.map_err(std::io::Error::other)?;
            while let Some(r) = tasks.try_join_next() {
                parts.push(r.map_err(std::io::Error::other)??);
            }
            let (f, mut h) = (file.clone(), whole.take().unwrap_or_default());
            let (buf, h, part_sha) = tokio::task::spawn_blocking(move || {
                let mut buf = vec![0u8; len as usize];
                f.read_exact_at(&mut buf, offset)?;
                h.update(&buf);
                let ps = Sha256::digest(&buf);
                Ok::<_, std::io::Error>((buf, h, ps))
            })
            .await
            .map_err(std::io::Error::other)?
            .map_err(|e| EvidenceError::file(&obj.path, e))?;
            whole = Some(h);
            let part = Part {
                s3: self.clone(),
                bucket: url.bucket.clone(),
                key: key.to_string(),
                upload_id: upload_id.to_string(),
                target: target.clone(),
            };
            let progress = progress.clone();
            tasks.spawn(async move {
                let _slot = slot;
                let done = part.send(number, buf, &part_sha).await?;
                progress.inc(len);
                Ok::<_, EvidenceError>(done)
            });
            offset += len;
            number += 1;
        }
        while let Some(r) = tasks.join_next().await {
            parts.push(r.map_err(std::io::Error::other)??);
        }
        let actual = whole.unwrap_or_default().finalize_hex();
        if actual != obj.sha256 {
            return Err(changed(obj, actual));
        }
        parts.sort_by_key(|p| p.part_number());
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_size_respects_s3_limits() {
        assert_eq!(part_size_for(100 * MIB, 16 * MIB), 16 * MIB);
        assert_eq!(part_size_for(100 * MIB, MIB), MIN_PART_SIZE);
        // 1 TiB in 16 MiB parts would be 65536 parts: grow the parts to stay under 10000
        let p = part_size_for(1 << 40, 16 * MIB);
        assert!((1u64 << 40).div_ceil(p) <= MAX_PARTS, "{p}");
    }
}
