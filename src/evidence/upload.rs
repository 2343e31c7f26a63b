//! `upload`: ship a finalized local bundle to S3. The bundle is verified first (a broken one is
//! refused); objects already there with the same SHA-256 are skipped (resume); artifacts go first,
//! then — once all of them are confirmed in the bucket — custody.log (with an `upload` event
//! appended locally) and manifest.json last, so a partial upload never has a manifest.

use super::custody::{line_sha256, CustodyLog};
use super::destination::S3Url;
use super::manifest::{CUSTODY, MANIFEST};
use super::progress::Progress;
use crate::observe::SharedObserver;
use super::s3::upload::LocalObject;
use super::s3::{connect, ConnectOptions, Sse, UploadOptions, S3};
use super::verify::{verify_dir, VerifyOptions};
use super::EvidenceError;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Clone, Serialize)]
pub struct ObjectResult {
    pub path: String,
    pub bytes: u64,
    /// uploaded | skipped
    pub action: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct UploadReport {
    pub bundle: String,
    pub destination: String,
    pub endpoint: String,
    pub case_id: String,
    pub complete: bool,
    pub objects: usize,
    pub uploaded: usize,
    pub skipped: usize,
    pub bytes_uploaded: u64,
    pub bytes_skipped: u64,
    pub seconds: f64,
    pub mb_per_s: f64,
    pub files: Vec<ObjectResult>,
}


struct Sender<'a> {
    s3: &'a S3,
    url: &'a S3Url,
    opts: &'a UploadOptions,
    slots: Arc<tokio::sync::Semaphore>,
    existing: HashMap<String, u64>,
}

impl Sender<'_> {
    /// Is this object already there with the same size and SHA-256?
    async fn present(&self, o: &LocalObject) -> Result<bool, EvidenceError> {
        if self.existing.get(&o.rel) != Some(&o.size) {
            return Ok(false);
        }
        Ok(self.s3.remote_sha256(self.url, &o.rel).await?.as_deref() == Some(o.sha256.as_str()))
    }
}

fn local_object(dir: &Path, rel: &str, media_type: &str) -> Result<LocalObject, EvidenceError> {
    let path = dir.join(rel);
    let bytes = std::fs::read(&path).map_err(|e| EvidenceError::file(&path, e))?;
    Ok(LocalObject {
        rel: rel.into(),
        path,
        size: bytes.len() as u64,
        sha256: line_sha256(&bytes),
        media_type: media_type.into(),
    })
}

fn describe_options(opts: &UploadOptions) -> serde_json::Value {
    json!({
        "sse": opts.sse.map(|s| match s { Sse::Aes256 => "AES256", Sse::Kms => "aws:kms" }),
        "sse_kms_key_id": opts.sse_kms_key_id,
        "object_lock": opts.lock.map(|(m, t)| json!({"mode": format!("{m:?}").to_uppercase(), "retain_until": t})),
    })
}

/// Upload the bundle in `dir` to `dest` (the bundle lands under `<dest>/<case-id>/`).
pub async fn upload_bundle(
    dir: &Path,
    dest: &S3Url,
    conn: &ConnectOptions,
    opts: &UploadOptions,
    obs: &SharedObserver,
) -> Result<UploadReport, EvidenceError> {
    let started = std::time::Instant::now();
    if dir.is_file() {
        return Err(EvidenceError::NotABundle {
            path: dir.display().to_string(),
            why: "upload takes a bundle directory, not an archive (extract it first)".into(),
        });
    }
    let owned = dir.to_path_buf();
    let observer = obs.clone();
    let check = tokio::task::spawn_blocking(move || verify_dir(&owned, VerifyOptions { record: false, observer }))
        .await
        .map_err(std::io::Error::other)??;
    // artifacts the node agent stored straight into S3 (`checkpoint --upload-from node` whose
    // last step failed): not here, checked in the bucket instead
    let stored = stored_by_node(dir);
    let remote_only = |p: &super::verify::Problem| p.kind == "missing" && p.path.as_ref().is_some_and(|x| stored.contains_key(x));
    if !check.problems.iter().all(|p| p.kind == "incomplete" || remote_only(p)) {
        let shown: Vec<&str> = check.problems.iter().filter(|p| !remote_only(p)).take(3).map(|p| p.message.as_str()).collect();
        let more = if check.problems.len() > 3 { format!("; and {} more", check.problems.len() - 3) } else { String::new() };
        return Err(EvidenceError::BrokenBundle { bundle: dir.display().to_string(), problems: format!("{}{more}", shown.join("; ")) });
    }
    let Some(manifest) = check.manifest.clone() else {
        return Err(EvidenceError::NotABundle { path: dir.display().to_string(), why: "no manifest".into() });
    };
    let s3 = connect(conn).await?;
    s3.check_bucket(dest).await?;
    let url = dest.for_case(&manifest.case_id);
    let existing: HashMap<String, u64> = s3.list(&url).await?.into_iter().map(|l| (l.rel, l.size)).collect();
    let sender = Sender {
        s3: &s3,
        url: &url,
        opts,
        slots: Arc::new(tokio::sync::Semaphore::new(opts.concurrency.max(1))),
        existing,
    };
    let artifacts: Vec<LocalObject> = manifest
        .artifacts
        .iter()
        .map(|a| LocalObject {
            rel: a.spec.path.clone(),
            path: dir.join(&a.spec.path),
            size: a.bytes,
            sha256: a.sha256.clone(),
            media_type: a.spec.media_type.clone(),
        })
        .collect();

    let mut files = Vec::new();
    let mut to_send = Vec::new();
    for o in artifacts {
        if let Some(loc) = stored.get(&o.rel).filter(|_| !o.path.exists()) {
            // the node's copy must be where this upload puts the bundle, whole
            let here = format!("s3://{}/{}", url.bucket, url.key(&o.rel));
            if *loc != here {
                return Err(EvidenceError::Usage(format!(
                    "{} was stored by the node at {loc}, not under {url}: upload to the bucket and prefix the node used",
                    o.rel
                )));
            }
            let claimed = s3.remote_sha256(&url, &o.rel).await?;
            if sender.existing.get(&o.rel) != Some(&o.size) || claimed.as_deref().is_some_and(|h| h != o.sha256) {
                return Err(EvidenceError::NotABundle {
                    path: dir.display().to_string(),
                    why: format!("{} was stored by the node at {loc} but is not there with its size and SHA-256: the bundle cannot be completed", o.rel),
                });
            }
            files.push(ObjectResult { path: o.rel.clone(), bytes: o.size, action: "skipped" });
            continue;
        }
        if sender.present(&o).await? {
            files.push(ObjectResult { path: o.rel.clone(), bytes: o.size, action: "skipped" });
        } else {
            to_send.push(o);
        }
    }
    let bar = Progress::new("upload", to_send.iter().map(|o| o.size).sum(), obs);
    let sent = futures::stream::iter(to_send.iter())
        .map(|o| {
            let (sender, bar) = (&sender, &bar);
            async move {
                bar.message(&o.rel);
                sender.s3.put_file(sender.url, o, sender.opts, bar, sender.slots.clone()).await
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .try_collect::<Vec<()>>()
        .await;
    if let Err(e) = sent {
        bar.finish();
        record_upload(dir, &url, &s3, opts, "failed", Some(&e.to_string()), &files, &to_send);
        return Err(e);
    }
    files.extend(to_send.iter().map(|o| ObjectResult { path: o.rel.clone(), bytes: o.size, action: "uploaded" }));

    // everything else arrived? only then custody log and manifest
    let now_there: HashMap<String, u64> = s3.list(&url).await?.into_iter().map(|l| (l.rel, l.size)).collect();
    let absent: Vec<&str> = manifest
        .artifacts
        .iter()
        .filter(|a| now_there.get(&a.spec.path) != Some(&a.bytes))
        .map(|a| a.spec.path.as_str())
        .collect();
    if !absent.is_empty() {
        bar.finish();
        let e = super::s3::S3Error::Failed {
            action: "s3:PutObject",
            target: url.to_string(),
            detail: format!("{} object(s) not found after upload ({}); manifest not sent", absent.len(), absent.join(", ")),
        };
        return Err(e.into());
    }
    record_upload(dir, &url, &s3, opts, "artifacts_sent", None, &files, &to_send);

    for (rel, media) in [(CUSTODY, "application/x-ndjson"), (MANIFEST, "application/json")] {
        let o = local_object(dir, rel, media)?;
        if rel == MANIFEST && sender.present(&o).await? {
            files.push(ObjectResult { path: o.rel.clone(), bytes: o.size, action: "skipped" });
            continue;
        }
        s3.put_file(&url, &o, opts, &bar, sender.slots.clone()).await?;
        files.push(ObjectResult { path: o.rel.clone(), bytes: o.size, action: "uploaded" });
    }
    bar.finish();
    let seconds = started.elapsed().as_secs_f64();
    let uploaded: Vec<&ObjectResult> = files.iter().filter(|f| f.action == "uploaded").collect();
    let bytes_uploaded: u64 = uploaded.iter().map(|f| f.bytes).sum();
    Ok(UploadReport {
        bundle: dir.display().to_string(),
        destination: url.to_string(),
        endpoint: s3.endpoint.clone(),
        case_id: manifest.case_id.clone(),
        complete: manifest.complete,
        objects: files.len(),
        uploaded: uploaded.len(),
        skipped: files.len() - uploaded.len(),
        bytes_uploaded,
        bytes_skipped: files.iter().filter(|f| f.action == "skipped").map(|f| f.bytes).sum(),
        seconds,
        mb_per_s: if seconds > 0.0 { bytes_uploaded as f64 / 1e6 / seconds } else { 0.0 },
        files,
    })
}

/// path → location of the artifacts the custody log says the node stored elsewhere.
fn stored_by_node(dir: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read(dir.join(CUSTODY)) else { return HashMap::new() };
    super::custody::check_chain(&text)
        .entries
        .into_iter()
        .filter(|(_, e)| e.event == "artifact_stored")
        .filter_map(|(_, e)| Some((e.details["path"].as_str()?.to_string(), e.details["location"].as_str()?.to_string())))
        .collect()
}

/// Append an `upload` event to the local custody log (before it is itself sent). A failure to
/// record is reported but does not hide the upload's own result.
#[allow(clippy::too_many_arguments)]
fn record_upload(
    dir: &Path,
    url: &S3Url,
    s3: &S3,
    opts: &UploadOptions,
    status: &str,
    error: Option<&str>,
    skipped: &[ObjectResult],
    sent: &[LocalObject],
) {
    let details = json!({
        "status": status,
        "destination": url.to_string(),
        "endpoint": s3.endpoint,
        "error": error,
        "skipped": skipped.iter().map(|f| &f.path).collect::<Vec<_>>(),
        "objects": sent.iter().map(|o| json!({"path": o.rel, "bytes": o.size, "sha256": o.sha256})).collect::<Vec<_>>(),
        "options": describe_options(opts),
    });
    let res = CustodyLog::open_append(&dir.join(CUSTODY), &super::identity::local_actor())
        .and_then(|mut log| log.append("upload", details).and_then(|_| log.sync()));
    if let Err(e) = res {
        tracing::warn!("cannot record the upload in custody.log: {e}");
    }
}
