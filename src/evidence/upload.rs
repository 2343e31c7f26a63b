//! `upload`: ship a finalized local bundle to a store (S3). The bundle is verified first (a broken
//! one is refused); objects already there with the same SHA-256 are skipped (resume); artifacts go
//! first, then — once all of them are confirmed in the store — custody.log (with an `upload` event
//! appended locally) and manifest.json last, so a partial upload never has a manifest.

use super::EvidenceError;
use super::custody::CustodyLog;
use super::destination::Destination;
use super::manifest::{CUSTODY, MANIFEST, Manifest};
use super::progress::Progress;
use super::s3::{ConnectOptions, UploadOptions};
use super::sign::{CUSTODY_SIG, MANIFEST_SIG};
use super::store::{LocalObject, Store};
use super::verify::{Problem, VerifyOptions, verify_dir};
use crate::observe::SharedObserver;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ObjectResult {
    pub path: String,
    pub bytes: u64,
    /// uploaded | skipped
    pub action: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
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

/// A local bundle that verified (apart from being incomplete, or from artifacts the node stored
/// itself): its manifest, and where the node stored what is not here.
struct Checked {
    manifest: Manifest,
    stored: HashMap<String, String>,
}

/// Upload the bundle in `dir` to `dest` (the bundle lands under `<dest>/<case-id>/`). The bundle
/// is checked before the store is reached.
pub async fn upload_bundle(
    dir: &Path,
    dest: &Destination,
    conn: &ConnectOptions,
    opts: &UploadOptions,
    obs: &SharedObserver,
) -> Result<UploadReport, EvidenceError> {
    let started = Instant::now();
    let checked = check_bundle(dir, obs).await?;
    let root = dest.open(conn, opts).await?;
    send_case(dir, &checked, &*root.for_case(&checked.manifest.case_id), obs, started).await
}

/// Upload the bundle in `dir` to a store already opened (it lands under `<root>/<case-id>/`).
pub async fn upload_to(dir: &Path, root: &dyn Store, obs: &SharedObserver) -> Result<UploadReport, EvidenceError> {
    let started = Instant::now();
    let checked = check_bundle(dir, obs).await?;
    send_case(dir, &checked, &*root.for_case(&checked.manifest.case_id), obs, started).await
}

/// A case of several pods (`checkpoint` of a fleet) goes as it lies: every sub-bundle into its
/// own place under the case's (each one's manifest last), then the case's own artifacts (the
/// sub-bundles' manifests, already there), custody log and manifest. The local check of the case
/// covered the sub-bundles. A bundle without sub-bundles is sent as it is.
async fn send_case(
    dir: &Path,
    checked: &Checked,
    store: &dyn Store,
    obs: &SharedObserver,
    started: Instant,
) -> Result<UploadReport, EvidenceError> {
    let mut subs = Vec::new();
    for sub in super::verify::sub_bundles(&checked.manifest) {
        let sub_dir = dir.join(&sub);
        let path = sub_dir.join(MANIFEST);
        let mut f = std::fs::File::open(&path).map_err(|e| EvidenceError::file(&path, e))?;
        let (manifest, _) = super::meta::read_manifest(&mut f, &sub_dir.display().to_string())?;
        let c = Checked { manifest, stored: stored_by_node(&sub_dir) };
        let r = send(&sub_dir, &c, &*store.for_case(&sub), obs, Instant::now()).await?;
        subs.push((sub, r));
    }
    let mut r = send(dir, checked, store, obs, started).await?;
    for (sub, s) in subs {
        r.objects += s.objects;
        r.uploaded += s.uploaded;
        r.skipped += s.skipped;
        r.bytes_uploaded += s.bytes_uploaded;
        r.bytes_skipped += s.bytes_skipped;
        r.files.extend(s.files.into_iter().map(|f| ObjectResult { path: format!("{sub}/{}", f.path), ..f }));
    }
    if r.seconds > 0.0 {
        r.mb_per_s = r.bytes_uploaded as f64 / 1e6 / r.seconds;
    }
    Ok(r)
}

/// Verify the local bundle; refuse one that is broken (being incomplete is not broken).
async fn check_bundle(dir: &Path, obs: &SharedObserver) -> Result<Checked, EvidenceError> {
    if dir.is_file() {
        return Err(EvidenceError::NotABundle {
            path: dir.display().to_string(),
            why: "upload takes a bundle directory, not an archive (extract it first)".into(),
        });
    }
    let owned = dir.to_path_buf();
    let observer = obs.clone();
    let check = tokio::task::spawn_blocking(move || verify_dir(&owned, VerifyOptions { record: false, allowed_signers: None, observer }))
        .await
        .map_err(std::io::Error::other)??;
    // artifacts the node agent stored straight into S3 (`checkpoint --upload-from node` whose
    // last step failed): not here, checked in the bucket instead
    let stored = stored_by_node(dir);
    let remote_only = |p: &Problem| p.kind == "missing" && p.path.as_ref().is_some_and(|x| stored.contains_key(x));
    if !check.problems.iter().all(|p| p.kind == "incomplete" || remote_only(p)) {
        let shown: Vec<&str> = check.problems.iter().filter(|p| !remote_only(p)).take(3).map(|p| p.message.as_str()).collect();
        let more = if check.problems.len() > 3 { format!("; and {} more", check.problems.len() - 3) } else { String::new() };
        return Err(EvidenceError::BrokenBundle { bundle: dir.display().to_string(), problems: format!("{}{more}", shown.join("; ")) });
    }
    let Some(manifest) = check.manifest else {
        return Err(EvidenceError::NotABundle { path: dir.display().to_string(), why: "no manifest".into() });
    };
    Ok(Checked { manifest, stored })
}

/// Artifacts, then (all confirmed) custody log and manifest, into `store` (the bundle's place).
async fn send(
    dir: &Path,
    checked: &Checked,
    store: &dyn Store,
    obs: &SharedObserver,
    started: Instant,
) -> Result<UploadReport, EvidenceError> {
    let existing = sizes(store.list().await?);
    let (mut files, to_send) = sort_artifacts(dir, checked, store, &existing).await?;
    let bar = Progress::new("upload", to_send.iter().map(|o| o.size).sum(), obs);
    if let Err(e) = send_all(store, &to_send, &bar).await {
        bar.finish();
        record_upload(dir, store, "failed", Some(&e.to_string()), &files, &to_send);
        return Err(e);
    }
    files.extend(to_send.iter().map(|o| ObjectResult { path: o.rel.clone(), bytes: o.size, action: "uploaded" }));
    // everything else arrived? only then custody log and manifest
    if let Err(e) = confirm_artifacts(store, &checked.manifest).await {
        bar.finish();
        return Err(e);
    }
    record_upload(dir, store, "artifacts_sent", None, &files, &to_send);
    // the signatures, when the bundle has them, go with the manifest: just before it
    let sigs = [MANIFEST_SIG, CUSTODY_SIG].into_iter().filter(|s| dir.join(s).is_file()).map(|s| (s, "text/plain"));
    let last = [(CUSTODY, "application/x-ndjson")].into_iter().chain(sigs).chain([(MANIFEST, "application/json")]);
    for (rel, media) in last {
        let o = local_object(dir, rel, media)?;
        if rel == MANIFEST && present(store, &existing, &o).await? {
            files.push(ObjectResult { path: o.rel.clone(), bytes: o.size, action: "skipped" });
            continue;
        }
        store.put_file(&o, &bar).await?;
        files.push(ObjectResult { path: o.rel.clone(), bytes: o.size, action: "uploaded" });
    }
    bar.finish();
    Ok(report(dir, store, &checked.manifest, files, started))
}

fn sizes(listed: Vec<super::store::Listed>) -> HashMap<String, u64> {
    listed.into_iter().map(|l| (l.rel, l.size)).collect()
}

/// Is this object already there with the same content? Proven by reading it back and hashing it:
/// what an object claims about itself (`x-amz-meta-sha256`) is set by whoever wrote it, and a
/// bucket writer could plant other bytes under a matching claim.
async fn present(store: &dyn Store, existing: &HashMap<String, u64>, o: &LocalObject) -> Result<bool, EvidenceError> {
    if existing.get(&o.rel) != Some(&o.size) {
        return Ok(false);
    }
    read_back_matches(store, o).await
}

/// The object's bytes, read back from the store, hash to the manifest's SHA-256.
async fn read_back_matches(store: &dyn Store, o: &LocalObject) -> Result<bool, EvidenceError> {
    let (bytes, sha) = store.hash(&o.rel, &Progress::hidden()).await?;
    Ok(bytes == o.size && sha.eq_ignore_ascii_case(&o.sha256))
}

/// The manifest's artifacts: those already in the store (skipped: resumed, or stored there by
/// the node) and those to send.
async fn sort_artifacts(
    dir: &Path,
    checked: &Checked,
    store: &dyn Store,
    existing: &HashMap<String, u64>,
) -> Result<(Vec<ObjectResult>, Vec<LocalObject>), EvidenceError> {
    let mut files = Vec::new();
    let mut to_send = Vec::new();
    for a in &checked.manifest.artifacts {
        let o = LocalObject {
            rel: a.spec.path.clone(),
            path: dir.join(&a.spec.path),
            size: a.bytes,
            sha256: a.sha256.clone(),
            media_type: a.spec.media_type.clone(),
        };
        let there = match checked.stored.get(&o.rel).filter(|_| !o.path.exists()) {
            Some(loc) => check_stored_by_node(dir, store, existing, &o, loc).await.map(|()| true)?,
            None => present(store, existing, &o).await?,
        };
        if there {
            files.push(ObjectResult { path: o.rel.clone(), bytes: o.size, action: "skipped" });
        } else {
            to_send.push(o);
        }
    }
    Ok((files, to_send))
}

/// An artifact the node stored itself must be where this upload puts the bundle, whole.
async fn check_stored_by_node(
    dir: &Path,
    store: &dyn Store,
    existing: &HashMap<String, u64>,
    o: &LocalObject,
    loc: &str,
) -> Result<(), EvidenceError> {
    let here = store.location_of(&o.rel);
    if loc != here {
        return Err(EvidenceError::Usage(format!(
            "{} was stored by the node at {loc}, not under {}: upload to the bucket and prefix the node used",
            o.rel,
            store.location()
        )));
    }
    if existing.get(&o.rel) != Some(&o.size) || !read_back_matches(store, o).await? {
        return Err(EvidenceError::NotABundle {
            path: dir.display().to_string(),
            why: format!(
                "{} was stored by the node at {loc} but is not there with its size and SHA-256: the bundle cannot be completed",
                o.rel
            ),
        });
    }
    Ok(())
}

/// Send the objects, up to the store's concurrency at once; the first failure stops.
async fn send_all(store: &dyn Store, to_send: &[LocalObject], bar: &Progress) -> Result<(), EvidenceError> {
    futures::stream::iter(to_send.iter())
        .map(|o| async move {
            bar.message(&o.rel);
            store.put_file(o, bar).await
        })
        .buffer_unordered(store.concurrency())
        .try_collect::<Vec<()>>()
        .await
        .map(drop)
}

/// Is every artifact of the manifest in the store, with its size?
async fn confirm_artifacts(store: &dyn Store, manifest: &Manifest) -> Result<(), EvidenceError> {
    let now_there = sizes(store.list().await?);
    let absent: Vec<&str> =
        manifest.artifacts.iter().filter(|a| now_there.get(&a.spec.path) != Some(&a.bytes)).map(|a| a.spec.path.as_str()).collect();
    if absent.is_empty() {
        return Ok(());
    }
    Err(store.not_stored(format!("{} object(s) not found after upload ({}); manifest not sent", absent.len(), absent.join(", "))))
}

fn report(dir: &Path, store: &dyn Store, manifest: &Manifest, files: Vec<ObjectResult>, started: Instant) -> UploadReport {
    let seconds = started.elapsed().as_secs_f64();
    let uploaded: Vec<&ObjectResult> = files.iter().filter(|f| f.action == "uploaded").collect();
    let bytes_uploaded: u64 = uploaded.iter().map(|f| f.bytes).sum();
    UploadReport {
        bundle: dir.display().to_string(),
        destination: store.location(),
        endpoint: store.endpoint(),
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
    }
}

fn local_object(dir: &Path, rel: &str, media_type: &str) -> Result<LocalObject, EvidenceError> {
    let path = dir.join(rel);
    let (size, sha256) = std::fs::File::open(&path)
        .and_then(|mut f| super::hash::hash_reader(&mut f, &Progress::hidden()))
        .map_err(|e| EvidenceError::file(&path, e))?;
    Ok(LocalObject { rel: rel.into(), path, size, sha256, media_type: media_type.into() })
}

/// path → location of the artifacts the custody log says the node stored elsewhere.
fn stored_by_node(dir: &Path) -> HashMap<String, String> {
    let Ok(f) = std::fs::File::open(dir.join(CUSTODY)) else {
        return HashMap::new();
    };
    let facts = super::audit::CustodyFacts::read(&mut std::io::BufReader::with_capacity(1 << 20, f), &dir.display().to_string());
    facts.map(|f| f.stored_at).unwrap_or_default()
}

/// Append an `upload` event to the local custody log (before it is itself sent). A failure to
/// record is reported but does not hide the upload's own result.
fn record_upload(dir: &Path, store: &dyn Store, status: &str, error: Option<&str>, skipped: &[ObjectResult], sent: &[LocalObject]) {
    let details = json!({
        "status": status,
        "destination": store.location(),
        "endpoint": store.endpoint(),
        "error": error,
        "skipped": skipped.iter().map(|f| &f.path).collect::<Vec<_>>(),
        "objects": sent.iter().map(|o| json!({"path": o.rel, "bytes": o.size, "sha256": o.sha256})).collect::<Vec<_>>(),
        "options": store.write_options(),
    });
    let res = CustodyLog::open_append(&dir.join(CUSTODY), &super::identity::local_actor())
        .and_then(|mut log| log.append("upload", details).and_then(|_| log.sync()));
    if let Err(e) = res {
        tracing::warn!("cannot record the upload in custody.log: {e}");
    }
}
