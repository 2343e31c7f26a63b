//! `verify s3://…`: list the bundle's objects, fetch manifest and custody log, and re-hash every
//! artifact as it streams down (never stored, never buffered whole).

use super::client::{connect, ConnectOptions, S3};
use super::error::classify;
use crate::evidence::destination::S3Url;
use crate::evidence::manifest::{Manifest, CUSTODY, MANIFEST, MAX_META_BYTES};
use crate::evidence::progress::Progress;
use crate::evidence::verify::{assess, Observed, VerifyReport};
use crate::evidence::EvidenceError;
use futures::StreamExt;
use crate::evidence::hash::Sha256;
use std::collections::BTreeMap;

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
        while let Some(chunk) = body
            .try_next()
            .await
            .map_err(|e| super::S3Error::Failed { action: "s3:GetObject", target: target.clone(), detail: e.to_string() })?
        {
            h.update(&chunk);
            n += chunk.len() as u64;
            progress.inc(chunk.len() as u64);
        }
        Ok((n, h.finalize_hex()))
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
        let data = resp
            .body
            .collect()
            .await
            .map_err(|e| super::S3Error::Failed { action: "s3:GetObject", target: target.clone(), detail: e.to_string() })?;
        Ok(data.into_bytes().to_vec())
    }
}

pub async fn verify_s3(url: &S3Url, conn: &ConnectOptions, obs: &crate::observe::SharedObserver) -> Result<VerifyReport, EvidenceError> {
    let s3 = connect(conn).await?;
    s3.check_bucket(url).await?;
    let listed = s3.list(url).await?;
    let origin = url.to_string();
    if !listed.iter().any(|l| l.rel == MANIFEST) {
        let why = if listed.is_empty() {
            "there are no objects under it".to_string()
        } else if listed.iter().any(|l| l.rel.ends_with(&format!("/{MANIFEST}"))) {
            "no manifest.json directly under it (give the bundle's own prefix, e.g. s3://bucket/prefix/<case-id>)".to_string()
        } else {
            "no manifest.json under it (an upload that did not finish never has one)".to_string()
        };
        return Err(EvidenceError::NotABundle { path: origin, why });
    }
    let manifest_bytes = s3.get_small(url, MANIFEST).await?;
    let manifest = Manifest::parse(&manifest_bytes, &origin)?;
    let custody = if listed.iter().any(|l| l.rel == CUSTODY) { Some(s3.get_small(url, CUSTODY).await?) } else { None };
    let mut observed: BTreeMap<String, Observed> =
        listed.iter().map(|l| (l.rel.clone(), Observed { size: l.size, sha256: None, irregular: false })).collect();
    let todo: Vec<String> = manifest
        .artifacts
        .iter()
        .filter(|a| observed.get(&a.spec.path).is_some_and(|o| o.size == a.bytes))
        .map(|a| a.spec.path.clone())
        .collect();
    let bar = Progress::new("verify", manifest.artifacts.iter().map(|a| a.bytes).sum(), obs);
    type Hashed = (String, Result<(u64, String), EvidenceError>);
    let hashed: Vec<Hashed> = futures::stream::iter(todo)
        .map(|p| {
            let (s3, bar) = (&s3, &bar);
            async move {
                let r = s3.hash_object(url, &p, bar).await;
                (p, r)
            }
        })
        .buffer_unordered(4)
        .collect()
        .await;
    bar.finish();
    for (p, r) in hashed {
        let (n, h) = r?;
        if let Some(o) = observed.get_mut(&p) {
            o.size = n;
            o.sha256 = Some(h);
        }
    }
    Ok(assess(&origin, manifest, &manifest_bytes, custody.as_deref(), &observed))
}
