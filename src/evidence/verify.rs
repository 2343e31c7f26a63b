//! `verify`: re-hash every artifact (streaming), check sizes, the custody chain, the manifest's
//! binding to the custody log, and `complete`. Works on a bundle directory, a `.tar` of one
//! (made by `--archive`) and, through the [`Store`] trait, on a bundle kept in a store (S3).

use super::EvidenceError;
use super::artifact::check_relative_path;
use super::audit::CustodyFacts;
use super::custody::CustodyLog;
use super::hash::Digested;
pub use super::hash::hash_reader;
use super::manifest::{CUSTODY, MANIFEST, Manifest, SUB_BUNDLE_MEDIA, is_reserved};
use super::meta::{read_capped, read_manifest};
use super::progress::Progress;
use super::sign::{AllowedSigners, CUSTODY_SIG, MANIFEST_SIG, MAX_SIG_BYTES, SignatureReport};
use super::store::{Store, read_with};
use crate::observe::SharedObserver;
use futures::StreamExt;
use serde::Serialize;
use std::collections::{BTreeMap, HashSet};
use std::io::BufReader;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// One thing wrong with a bundle; `message` is the line printed for it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Problem {
    /// missing | extra | altered | chain | custody | manifest | incomplete
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    fn at(kind: &'static str, path: &str, message: String) -> Problem {
        Problem { kind, path: Some(path.into()), line: None, message }
    }
    fn general(kind: &'static str, message: String) -> Problem {
        Problem { kind, path: None, line: None, message }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct VerifyReport {
    pub bundle: String,
    pub case_id: String,
    pub ok: bool,
    pub complete: bool,
    /// Artifacts whose bytes matched the manifest.
    pub artifacts_ok: usize,
    pub artifacts: usize,
    pub bytes: u64,
    pub custody_lines: usize,
    pub problems: Vec<Problem>,
    /// Whether and by whom the manifest and custody log are signed.
    pub signature: SignatureReport,
    #[serde(skip)]
    pub manifest: Option<Manifest>,
}

impl VerifyReport {
    /// True when the only problem is that the capture itself was incomplete (an honest partial bundle).
    pub fn only_incomplete(&self) -> bool {
        self.problems.iter().all(|p| p.kind == "incomplete")
    }
}

/// What was found at one bundle path.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub size: u64,
    /// Lower-case hex SHA-256, when the content was hashed.
    pub sha256: Option<String>,
    /// Not a regular file (symlink, device…): never followed, never trusted.
    pub irregular: bool,
}

/// Compare what was found with the manifest (and its digests) and the custody log.
pub fn assess(
    origin: &str,
    manifest: Manifest,
    manifest_digests: &Digested,
    custody: Option<&CustodyFacts>,
    observed: &BTreeMap<String, Observed>,
) -> VerifyReport {
    let mut problems = Vec::new();
    let mut ok_count = 0;
    // artifacts the node agent stored straight into S3: where they are, for the message
    let no_stored = Default::default();
    let stored_at = custody.map_or(&no_stored, |c| &c.stored_at);
    for a in &manifest.artifacts {
        let p = &a.spec.path;
        match observed.get(p) {
            None => problems.push(Problem::at(
                "missing",
                p,
                match stored_at.get(p) {
                    Some(loc) if !origin.starts_with("s3://") => {
                        format!("missing: {p} (stored by the node at {loc}: verify the bundle there)")
                    }
                    _ => format!("missing: {p}"),
                },
            )),
            Some(o) if o.irregular => problems.push(Problem::at("altered", p, format!("altered: {p} (not a regular file)"))),
            Some(o) if o.size != a.bytes => {
                problems.push(Problem::at("altered", p, format!("altered: {p} ({} bytes, manifest says {})", o.size, a.bytes)))
            }
            Some(o) => match &o.sha256 {
                Some(h) if *h == a.sha256 => ok_count += 1,
                Some(h) => problems.push(Problem::at("altered", p, format!("altered: {p} (sha256 {h}, manifest says {})", a.sha256))),
                None => problems.push(Problem::at("altered", p, format!("altered: {p} (could not be read)"))),
            },
        }
    }
    let listed: HashSet<&str> = manifest.artifacts.iter().map(|a| a.spec.path.as_str()).collect();
    for (p, _) in observed.iter() {
        if !is_reserved(p) && !listed.contains(p.as_str()) {
            problems.push(Problem::at("extra", p, format!("extra: {p} (not in the manifest)")));
        }
    }
    let mut custody_lines = 0;
    match custody {
        None => problems.push(Problem::general("custody", "missing: custody.log".into())),
        Some(c) => {
            custody_lines = c.chain.lines;
            problems.extend(c.audit(&manifest, &manifest_digests.sha256_hex()));
        }
    }
    if !manifest.complete {
        let first = manifest.errors.first().map(|e| format!(": {}", e.message)).unwrap_or_default();
        problems.push(Problem::general(
            "incomplete",
            format!("incomplete: the manifest says complete: false ({} error(s){first})", manifest.errors.len()),
        ));
    }
    VerifyReport {
        bundle: origin.into(),
        case_id: manifest.case_id.clone(),
        ok: problems.is_empty(),
        complete: manifest.complete,
        artifacts_ok: ok_count,
        artifacts: manifest.artifacts.len(),
        bytes: manifest.artifacts.iter().map(|a| a.bytes).sum(),
        custody_lines,
        problems,
        signature: SignatureReport::default(),
        manifest: Some(manifest),
    }
}

/// Check the bundle's signatures and add what does not hold to the report's problems.
fn with_signatures(mut report: VerifyReport, files: Signed<'_>, allowed: Option<&AllowedSigners>) -> VerifyReport {
    let s = super::sign::check(
        files.manifest,
        files.custody.and_then(|c| c.chain.sealed.as_ref()),
        files.manifest_sig,
        files.custody_sig,
        allowed,
    );
    for p in &s.problems {
        report.problems.push(Problem::general("signature", p.clone()));
    }
    report.ok = report.problems.is_empty();
    report.signature = s;
    report
}

/// What a signature check reads: the digests of the manifest and of the sealed custody log.
struct Signed<'a> {
    manifest: &'a Digested,
    custody: Option<&'a CustodyFacts>,
    manifest_sig: Option<&'a [u8]>,
    custody_sig: Option<&'a [u8]>,
}

#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Append a `verify` event to the bundle's custody log (local directories only).
    pub record: bool,
    /// Require a valid signature by one of these keys.
    pub allowed_signers: Option<AllowedSigners>,
    /// Where hashing progress goes.
    pub observer: SharedObserver,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { record: false, allowed_signers: None, observer: crate::observe::quiet() }
    }
}

/// Verify a local bundle: a directory, or a `.tar` made by `--archive`.
pub fn verify_path(path: &Path, opts: VerifyOptions) -> Result<VerifyReport, EvidenceError> {
    let md = std::fs::metadata(path).map_err(|e| EvidenceError::file(path, e))?;
    if md.is_file() {
        return verify_tar(path, opts);
    }
    verify_dir(path, opts)
}

fn not_a_bundle(path: &Path, why: &str) -> EvidenceError {
    EvidenceError::NotABundle { path: path.display().to_string(), why: why.into() }
}

/// Open a file of the bundle itself (manifest, custody log, signatures), never through a symlink.
fn open_meta(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)
}

/// A signature file, when it is there and small enough to be one.
fn read_sig(path: &Path) -> Option<Vec<u8>> {
    open_meta(path).and_then(|mut f| read_capped(&mut f, MAX_SIG_BYTES)).ok()
}

pub fn verify_dir(dir: &Path, opts: VerifyOptions) -> Result<VerifyReport, EvidenceError> {
    verify_dir_at(dir, opts, true)
}

/// The sub-bundles a top-level manifest lists: the directories of its sub-bundle manifests.
pub(crate) fn sub_bundles(manifest: &Manifest) -> Vec<String> {
    manifest
        .artifacts
        .iter()
        .filter(|a| a.spec.media_type == SUB_BUNDLE_MEDIA)
        .filter_map(|a| a.spec.path.strip_suffix(&format!("/{MANIFEST}")).map(str::to_string))
        .collect()
}

/// Is `path` one of a sub-bundle's own files (below one of `subs`, other than its listed manifest)?
/// Looked up by the path's parent directories, so a case of many pods costs no more per file.
fn in_sub_bundle(path: &str, subs: &HashSet<&str>) -> bool {
    path.match_indices('/').any(|(i, _)| subs.contains(&path[..i]) && &path[i + 1..] != MANIFEST)
}

/// Verify each sub-bundle on its own (one level: a sub-bundle's own sub-bundles are not followed)
/// and add what they found to the top-level report, their paths under the sub-bundle's directory.
fn with_sub_bundles(
    mut report: VerifyReport,
    dir: &Path,
    subs: &[String],
    observed: &BTreeMap<String, Observed>,
    opts: &VerifyOptions,
) -> VerifyReport {
    for sub in subs {
        // only a sub-bundle whose listed manifest is a regular file here (a missing or altered
        // one is already a problem of the top-level bundle)
        if observed.get(&format!("{sub}/{MANIFEST}")).is_none_or(|o| o.irregular) {
            continue;
        }
        merge_sub(&mut report, sub, verify_dir_at(&dir.join(sub), opts.clone(), false));
    }
    report.ok = report.problems.is_empty();
    report
}

fn verify_dir_at(dir: &Path, opts: VerifyOptions, top: bool) -> Result<VerifyReport, EvidenceError> {
    let origin = dir.display().to_string();
    if !dir.is_dir() {
        return Err(not_a_bundle(dir, "not a directory or .tar file"));
    }
    let mut manifest_file = match open_meta(&dir.join(MANIFEST)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let why = if dir.join(CUSTODY).exists() {
                "it has no manifest.json (the capture was not finalized)"
            } else {
                "it has no manifest.json or custody.log"
            };
            return Err(not_a_bundle(dir, why));
        }
        Err(e) => return Err(not_a_bundle(dir, &format!("cannot read manifest.json: {e}"))),
    };
    let (manifest, digests) = read_manifest(&mut manifest_file, &origin)?;
    drop(manifest_file);
    let custody = match open_meta(&dir.join(CUSTODY)) {
        Ok(f) => Some(CustodyFacts::read(&mut BufReader::with_capacity(1 << 20, f), &origin)?),
        Err(_) => None,
    };
    let mut observed = BTreeMap::new();
    walk(dir, &mut observed).map_err(|e| EvidenceError::file(dir, e))?;
    // a sub-bundle's files are its own manifest's business: here only its manifest is checked
    let subs = if top { sub_bundles(&manifest) } else { Vec::new() };
    let all_observed = observed.clone();
    let sub_dirs: HashSet<&str> = subs.iter().map(String::as_str).collect();
    observed.retain(|p, _| !in_sub_bundle(p, &sub_dirs));
    // hash the artifacts whose size matches (a wrong size is already an alteration)
    let todo: Vec<(String, u64)> = manifest
        .artifacts
        .iter()
        .filter(|a| observed.get(&a.spec.path).is_some_and(|o: &Observed| !o.irregular && o.size == a.bytes))
        .map(|a| (a.spec.path.clone(), a.bytes))
        .collect();
    let progress = Progress::new("verify", todo.iter().map(|t| t.1).sum(), &opts.observer);
    let hashes = hash_files(dir, &todo, &progress);
    progress.finish();
    for (p, h) in hashes {
        if let Some(o) = observed.get_mut(&p) {
            o.sha256 = h;
        }
    }
    let (msig, csig) = (read_sig(&dir.join(MANIFEST_SIG)), read_sig(&dir.join(CUSTODY_SIG)));
    let report = assess(&origin, manifest, &digests, custody.as_ref(), &observed);
    let files = Signed { manifest: &digests, custody: custody.as_ref(), manifest_sig: msig.as_deref(), custody_sig: csig.as_deref() };
    let report = with_signatures(report, files, opts.allowed_signers.as_ref());
    let report = with_sub_bundles(report, dir, &subs, &all_observed, &opts);
    if opts.record {
        let details = serde_json::json!({
            "result": if report.ok { "ok" } else { "failed" },
            "problems": report.problems.iter().map(|p| &p.message).collect::<Vec<_>>(),
            "artifacts_ok": report.artifacts_ok,
            "artifacts": report.artifacts,
        });
        // a read-only copy of the evidence can still be checked: say so, keep the verdict
        let recorded =
            CustodyLog::open_append(&dir.join(CUSTODY), &super::identity::local_actor()).and_then(|mut log| log.append("verify", details));
        if let Err(e) = recorded {
            tracing::warn!("verify not recorded in custody.log: {e}");
        }
    }
    Ok(report)
}

/// Verify a bundle kept in a store, at its own place (e.g. `s3://bucket/prefix/<case-id>`): list
/// its objects, read manifest and custody log, and re-hash every artifact as it streams down.
pub async fn verify_store(
    store: &dyn Store,
    obs: &SharedObserver,
    allowed: Option<&AllowedSigners>,
) -> Result<VerifyReport, EvidenceError> {
    verify_store_at(store, obs, allowed, true).await
}

/// [`verify_store`]; `top`: also verify the sub-bundles a case lists (one level).
async fn verify_store_at(
    store: &dyn Store,
    obs: &SharedObserver,
    allowed: Option<&AllowedSigners>,
    top: bool,
) -> Result<VerifyReport, EvidenceError> {
    let listed = store.list().await?;
    let origin = store.location();
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
    let at = origin.clone();
    let (manifest, digests) = read_with(store, MANIFEST, move |r| read_manifest(r, &at)).await??;
    let custody = if listed.iter().any(|l| l.rel == CUSTODY) {
        let at = origin.clone();
        Some(read_with(store, CUSTODY, move |r| CustodyFacts::read(&mut BufReader::with_capacity(1 << 20, r), &at)).await??)
    } else {
        None
    };
    let mut observed: BTreeMap<String, Observed> =
        listed.iter().map(|l| (l.rel.clone(), Observed { size: l.size, sha256: None, irregular: false })).collect();
    let todo: Vec<String> = manifest
        .artifacts
        .iter()
        .filter(|a| observed.get(&a.spec.path).is_some_and(|o| o.size == a.bytes))
        .map(|a| a.spec.path.clone())
        .collect();
    let bar = Progress::new("verify", manifest.artifacts.iter().map(|a| a.bytes).sum(), obs);
    let hashed = hash_stored(store, todo, &bar).await;
    bar.finish();
    for (p, r) in hashed {
        let (n, h) = r?;
        if let Some(o) = observed.get_mut(&p) {
            o.size = n;
            o.sha256 = Some(h);
        }
    }
    let read_sig = async |rel: &'static str| {
        if !listed.iter().any(|l| l.rel == rel) {
            return None;
        }
        read_with(store, rel, |r| read_capped(r, MAX_SIG_BYTES).ok()).await.ok().flatten()
    };
    let (msig, csig) = (read_sig(MANIFEST_SIG).await, read_sig(CUSTODY_SIG).await);
    // a case of several pods: each sub-bundle's objects are its own manifest's business
    let subs = if top { sub_bundles(&manifest) } else { Vec::new() };
    let all_observed = observed.clone();
    observed.retain(|p, _| !subs.iter().any(|s| p.starts_with(&format!("{s}/")) && *p != format!("{s}/{MANIFEST}")));
    let report = assess(&origin, manifest, &digests, custody.as_ref(), &observed);
    let files = Signed { manifest: &digests, custody: custody.as_ref(), manifest_sig: msig.as_deref(), custody_sig: csig.as_deref() };
    let mut report = with_signatures(report, files, allowed);
    for sub in subs {
        if !all_observed.contains_key(&format!("{sub}/{MANIFEST}")) {
            continue;
        }
        let r = Box::pin(verify_store_at(&*store.for_case(&sub), obs, allowed, false)).await;
        merge_sub(&mut report, &sub, r);
    }
    report.ok = report.problems.is_empty();
    Ok(report)
}

/// Add what a sub-bundle's verification found to the case's report, under the sub-bundle's path.
fn merge_sub(report: &mut VerifyReport, sub: &str, r: Result<VerifyReport, EvidenceError>) {
    match r {
        Ok(r) => {
            report.artifacts += r.artifacts;
            report.artifacts_ok += r.artifacts_ok;
            report.bytes += r.bytes;
            for mut p in r.problems {
                p.message = format!("{sub}: {}", p.message);
                p.path = Some(match p.path {
                    Some(q) => format!("{sub}/{q}"),
                    None => sub.to_string(),
                });
                report.problems.push(p);
            }
        }
        Err(e) => report.problems.push(Problem::at("manifest", sub, format!("{sub}: {e}"))),
    }
}

/// Hash stored objects, four at a time.
async fn hash_stored(store: &dyn Store, todo: Vec<String>, bar: &Progress) -> Vec<(String, Result<(u64, String), EvidenceError>)> {
    futures::stream::iter(todo)
        .map(|p| async move {
            let r = store.hash(&p, bar).await;
            (p, r)
        })
        .buffer_unordered(4)
        .collect()
        .await
}

/// Every entry under `dir`, without following symlinks.
fn walk(dir: &Path, out: &mut BTreeMap<String, Observed>) -> std::io::Result<()> {
    super::tree::walk(dir, &mut |r, e, ft| {
        let size = if ft.is_file() { e.metadata()?.len() } else { 0 };
        out.insert(r, Observed { size, sha256: None, irregular: !ft.is_file() });
        Ok(())
    })
}

/// Hash files (paths relative to `dir`, checked) on a few threads.
fn hash_files(dir: &Path, todo: &[(String, u64)], progress: &Progress) -> Vec<(String, Option<String>)> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let results = std::sync::Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 4).min(todo.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some((p, _)) = todo.get(i) else { break };
                    let h = check_relative_path(p)
                        .ok()
                        .and_then(|_| std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(dir.join(p)).ok())
                        .and_then(|mut f| hash_reader(&mut f, progress).ok())
                        .map(|(_, h)| h);
                    results.lock().unwrap_or_else(|e| e.into_inner()).push((p.clone(), h));
                }
            });
        }
    });
    results.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// Verify a `.tar` of a bundle in one pass: every entry is hashed as it streams by.
pub fn verify_tar(path: &Path, opts: VerifyOptions) -> Result<VerifyReport, EvidenceError> {
    let origin = path.display().to_string();
    let arch_err = |why: String| EvidenceError::Archive { path: origin.clone(), why };
    let f = std::fs::File::open(path).map_err(|e| EvidenceError::file(path, e))?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = Progress::new("verify", total, &opts.observer);
    let mut archive = tar::Archive::new(std::io::BufReader::with_capacity(1 << 20, f));
    let mut observed = BTreeMap::new();
    let (mut manifest, mut custody) = (None, None);
    let mut root: Option<String> = None;
    let mut duplicates = Vec::new();
    let mut sigs: (Option<Vec<u8>>, Option<Vec<u8>>) = (None, None);
    let entries = archive.entries().map_err(|e| arch_err(e.to_string()))?;
    for entry in entries {
        let mut e = entry.map_err(|e| arch_err(e.to_string()))?;
        let name = e.path().map_err(|e| arch_err(e.to_string()))?.to_string_lossy().into_owned();
        let name = name.trim_start_matches("./").trim_end_matches('/').to_string();
        let (top, rel) = name.split_once('/').unwrap_or((name.as_str(), ""));
        match &root {
            None => root = Some(top.to_string()),
            Some(r) if r != top => {
                return Err(not_a_bundle(path, "the archive holds more than one top-level directory"));
            }
            Some(_) => {}
        }
        let kind = e.header().entry_type();
        if kind.is_dir() || rel.is_empty() {
            continue;
        }
        let rel = rel.to_string();
        if observed.contains_key(&rel) {
            duplicates.push(rel.clone());
        }
        if !kind.is_file() {
            observed.insert(rel, Observed { size: 0, sha256: None, irregular: true });
            continue;
        }
        if rel == MANIFEST {
            // parsed as it streams by; a broken one is reported once the archive is read
            let read = read_manifest(&mut e, &origin);
            let size = read.as_ref().map_or(0, |(_, d)| d.bytes);
            observed.insert(rel, Observed { size, sha256: None, irregular: false });
            manifest = Some(read);
            continue;
        }
        if rel == CUSTODY {
            let facts = CustodyFacts::read(&mut BufReader::with_capacity(1 << 20, &mut e), &origin)?;
            observed.insert(rel, Observed { size: facts.chain.bytes, sha256: None, irregular: false });
            custody = Some(facts);
            continue;
        }
        if rel == MANIFEST_SIG || rel == CUSTODY_SIG {
            let v = read_capped(&mut e, MAX_SIG_BYTES).ok();
            observed.insert(rel.clone(), Observed { size: v.as_ref().map_or(0, |v| v.len() as u64), sha256: None, irregular: false });
            if rel == MANIFEST_SIG {
                sigs.0 = v;
            } else {
                sigs.1 = v;
            }
            continue;
        }
        let (n, h) = hash_reader(&mut e, &progress).map_err(|e| arch_err(e.to_string()))?;
        observed.insert(rel, Observed { size: n, sha256: Some(h), irregular: false });
    }
    progress.finish();
    let Some(read) = manifest else {
        return Err(not_a_bundle(path, "the archive has no manifest.json"));
    };
    let (manifest, digests) = read?;
    let report = assess(&origin, manifest, &digests, custody.as_ref(), &observed);
    let files = Signed { manifest: &digests, custody: custody.as_ref(), manifest_sig: sigs.0.as_deref(), custody_sig: sigs.1.as_deref() };
    let mut report = with_signatures(report, files, opts.allowed_signers.as_ref());
    for d in duplicates {
        report.problems.push(Problem::at("extra", &d, format!("extra: {d} (appears twice in the archive)")));
        report.ok = false;
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ArtifactSink, ArtifactSpec, BundleMeta, DirBundle};

    /// A case of two pods: each sub-bundle whole, the top-level one listing their manifests.
    fn case(root: &Path) -> std::path::PathBuf {
        let mut top = DirBundle::create(root, "case-f", BundleMeta::default()).unwrap();
        let subs = ["pods/ns/a", "pods/ns/b"];
        top.plan(subs.iter().map(|s| format!("{s}/{MANIFEST}"))).unwrap();
        for s in subs {
            let (parent, name) = s.rsplit_once('/').unwrap();
            let mut b = DirBundle::create_sub(&top.dir().join(parent), name, "case-f", BundleMeta::default()).unwrap();
            b.plan(["x/volatile.json"]).unwrap();
            b.put(&ArtifactSpec::new("x/volatile.json", "application/json", "test"), &mut |w| w.write_all(b"{\"pid\":1}")).unwrap();
            b.finalize().unwrap();
            let bytes = std::fs::read(top.dir().join(s).join(MANIFEST)).unwrap();
            top.put(&ArtifactSpec::new(format!("{s}/{MANIFEST}"), SUB_BUNDLE_MEDIA, "cli"), &mut |w| w.write_all(&bytes)).unwrap();
        }
        let dir = top.dir().to_path_buf();
        assert!(top.finalize().unwrap().complete);
        dir
    }

    #[test]
    fn a_case_verifies_with_every_sub_bundle_and_names_what_was_altered_in_one() {
        let d = tempfile::tempdir().unwrap();
        let dir = case(d.path());
        let r = verify_dir(&dir, VerifyOptions::default()).unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!((r.artifacts, r.artifacts_ok), (4, 4), "2 sub-bundle manifests + 2 artifacts");
        // each sub-bundle stands on its own
        assert!(verify_dir(&dir.join("pods/ns/a"), VerifyOptions::default()).unwrap().ok);

        // an artifact altered inside a sub-bundle: named under the sub-bundle
        std::fs::write(dir.join("pods/ns/b/x/volatile.json"), b"{\"pid\":2}").unwrap();
        let r = verify_dir(&dir, VerifyOptions::default()).unwrap();
        assert!(!r.ok);
        assert!(
            r.problems.iter().any(|p| p.kind == "altered" && p.path.as_deref() == Some("pods/ns/b/x/volatile.json")),
            "{:?}",
            r.problems
        );
    }

    #[test]
    fn a_sub_bundle_rewritten_whole_is_caught_by_the_case() {
        let d = tempfile::tempdir().unwrap();
        let dir = case(d.path());
        // the attacker re-makes pod b's bundle with other evidence: it verifies on its own...
        std::fs::remove_dir_all(dir.join("pods/ns/b")).unwrap();
        let mut b = DirBundle::create_sub(&dir.join("pods/ns"), "b", "case-f", BundleMeta::default()).unwrap();
        b.put(&ArtifactSpec::new("x/volatile.json", "application/json", "test"), &mut |w| w.write_all(b"{\"pid\":99}")).unwrap();
        b.finalize().unwrap();
        assert!(verify_dir(&dir.join("pods/ns/b"), VerifyOptions::default()).unwrap().ok);
        // ...but not as part of the case, whose manifest holds the original's SHA-256
        let r = verify_dir(&dir, VerifyOptions::default()).unwrap();
        assert!(r.problems.iter().any(|p| p.kind == "altered" && p.path.as_deref() == Some("pods/ns/b/manifest.json")), "{:?}", r.problems);
        // and a file dropped next to the sub-bundles is extra
        std::fs::write(dir.join("pods/ns/note.txt"), b"x").unwrap();
        let r = verify_dir(&dir, VerifyOptions::default()).unwrap();
        assert!(r.problems.iter().any(|p| p.kind == "extra" && p.path.as_deref() == Some("pods/ns/note.txt")), "{:?}", r.problems);
    }
}
