//! [`DirBundle`]: an evidence bundle being written to a local directory `<dest>/<case-id>/`.

use super::EvidenceError;
use super::artifact::SealedWrite;
use super::artifact::{ArtifactRecord, ArtifactSink, ArtifactSpec, check_relative_path};
use super::custody::CustodyLog;
use super::hash::HashingWriter;
use super::manifest::{BundleErrorRecord, CUSTODY, ClusterInfo, MANIFEST, Manifest, Operator, SCHEMA, Tool};
use super::seal::{Recipients, plain_path, sealed_path, sealed_spec};
use serde_json::json;
use std::collections::HashSet;
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the manifest says about the capture as a whole.
#[derive(Debug, Clone, Default)]
pub struct BundleMeta {
    pub operator: Operator,
    pub cluster: ClusterInfo,
    /// The targets (a JSON array, or one object); recorded as given.
    pub targets: serde_json::Value,
    pub tool: Tool,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct CreateOptions {
    /// Continue an unfinished bundle left in the directory (its custody log goes on) instead of
    /// refusing a non-empty one. A finalized bundle (with a manifest) is never reused.
    pub reuse: bool,
}

pub struct DirBundle {
    dir: PathBuf,
    case_id: String,
    meta: BundleMeta,
    collector: Option<super::manifest::CollectorRecord>,
    custody: CustodyLog,
    planned: Vec<String>,
    written: HashSet<String>,
    /// Artifacts stored elsewhere (by the node agent), not in this directory.
    remote: HashSet<String>,
    artifacts: Vec<ArtifactRecord>,
    errors: Vec<BundleErrorRecord>,
    /// Seal every artifact to these recipients (`--encrypt-to`).
    seal: Option<Arc<Recipients>>,
}

impl DirBundle {
    /// Create `<dest>/<case-id>/` with its custody log; refuses a non-empty existing directory.
    pub fn create(dest: &Path, case_id: &str, meta: BundleMeta) -> Result<DirBundle, EvidenceError> {
        Self::create_with(dest, case_id, meta, CreateOptions::default())
    }

    pub fn create_with(dest: &Path, case_id: &str, meta: BundleMeta, opts: CreateOptions) -> Result<DirBundle, EvidenceError> {
        if check_relative_path(case_id).is_err() || case_id.contains('/') {
            return Err(EvidenceError::Usage(format!("case id '{case_id}' cannot name a bundle directory")));
        }
        Self::open(dest, case_id, case_id, meta, opts)
    }

    /// Create a sub-bundle `<parent>/<name>/` of case `case_id` (one pod of a fleet capture): a
    /// whole bundle of its own, verifiable on its own, that the case's top-level manifest lists.
    pub fn create_sub(parent: &Path, name: &str, case_id: &str, meta: BundleMeta) -> Result<DirBundle, EvidenceError> {
        if check_relative_path(name).is_err() || name.contains('/') {
            return Err(EvidenceError::Usage(format!("'{name}' cannot name a bundle directory")));
        }
        Self::open(parent, name, case_id, meta, CreateOptions::default())
    }

    fn open(dest: &Path, name: &str, case_id: &str, meta: BundleMeta, opts: CreateOptions) -> Result<DirBundle, EvidenceError> {
        super::private::create_dir_all(dest).map_err(|e| EvidenceError::file(dest, e))?;
        let dir = dest.join(name);
        let custody_path = dir.join(CUSTODY);
        let actor = super::identity::local_actor();
        let (custody, event) = match fs::symlink_metadata(&dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                super::private::create_dir(&dir).map_err(|e| EvidenceError::file(&dir, e))?;
                (CustodyLog::create(&custody_path, &actor)?, "bundle_created")
            }
            Err(e) => return Err(EvidenceError::file(&dir, e)),
            Ok(md) if !md.is_dir() => return Err(EvidenceError::BundleExists(dir)),
            Ok(_) => {
                if dir.join(MANIFEST).exists() {
                    return Err(EvidenceError::BundleFinalized(dir));
                }
                let empty = fs::read_dir(&dir).map_err(|e| EvidenceError::file(&dir, e))?.next().is_none();
                if empty {
                    (CustodyLog::create(&custody_path, &actor)?, "bundle_created")
                } else if opts.reuse && custody_path.is_file() {
                    (CustodyLog::open_append(&custody_path, &actor)?, "bundle_reopened")
                } else {
                    return Err(EvidenceError::BundleExists(dir));
                }
            }
        };
        let mut b = DirBundle {
            dir,
            case_id: case_id.into(),
            meta,
            collector: None,
            custody,
            planned: Vec::new(),
            written: HashSet::new(),
            remote: HashSet::new(),
            artifacts: Vec::new(),
            errors: Vec::new(),
            seal: None,
        };
        let details = json!({
            "case_id": b.case_id,
            "tool": b.meta.tool,
            "operator": b.meta.operator,
            "cluster": b.meta.cluster,
            "targets": b.targets(),
        });
        b.custody.append(event, details)?;
        Ok(b)
    }

    /// The bundle directory (`<dest>/<case-id>`).
    /// Record the collector that captured on the node (in the manifest and the custody log).
    pub fn set_collector(&mut self, c: super::manifest::CollectorRecord) -> Result<(), EvidenceError> {
        self.custody.append("collector", serde_json::to_value(&c).unwrap_or_default())?;
        self.collector = Some(c);
        Ok(())
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn case_id(&self) -> &str {
        &self.case_id
    }

    /// Seal every artifact from now on to `r` (stored as `NAME.age`); call before [`plan`](Self::plan).
    /// Artifacts that arrive already sealed (from the node) must carry their encryption record:
    /// one that arrives in plaintext is refused.
    pub fn seal(&mut self, r: Arc<Recipients>) -> Result<(), EvidenceError> {
        self.custody.append("encryption", json!({ "format": super::seal::AGE_FORMAT, "recipients": r.fingerprints() }))?;
        self.seal = Some(r);
        Ok(())
    }

    /// The recipients artifacts are sealed to, if any.
    pub fn recipients(&self) -> Option<&Arc<Recipients>> {
        self.seal.as_ref()
    }

    /// Declare the artifacts this capture expects; `complete` needs every one of them.
    pub fn plan<I, S>(&mut self, paths: I) -> Result<(), EvidenceError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut new = Vec::new();
        for p in paths {
            let p = match self.seal {
                Some(_) => sealed_path(p.as_ref()),
                None => p.as_ref().to_string(),
            };
            let p = p.as_str();
            check_path(p)?;
            if !self.planned.iter().any(|q| q == p) && !new.iter().any(|q| q == p) {
                new.push(p.to_string());
            }
        }
        if !new.is_empty() {
            self.custody.append("artifacts_planned", json!({ "paths": new }))?;
            self.planned.extend(new);
        }
        Ok(())
    }

    /// Artifacts written so far.
    pub fn artifacts(&self) -> &[ArtifactRecord] {
        &self.artifacts
    }

    /// Is this artifact stored elsewhere rather than in this directory?
    pub fn is_remote(&self, path: &str) -> bool {
        self.remote.contains(path)
    }

    fn targets(&self) -> Vec<serde_json::Value> {
        match &self.meta.targets {
            serde_json::Value::Null => vec![],
            serde_json::Value::Array(a) => a.clone(),
            v => vec![v.clone()],
        }
    }

    /// Write `manifest.json` (last), after a `finalized` custody event that carries its SHA-256.
    /// `complete` is true only if every planned artifact arrived and no error was recorded.
    pub fn finalize(mut self) -> Result<Manifest, EvidenceError> {
        let missing: Vec<String> = self
            .planned
            .iter()
            .filter(|p| {
                let plain = plain_path(p);
                !self.written.contains(*p)
                    && !self.errors.iter().any(|e| e.path.as_deref() == Some(p) || (plain.is_some() && e.path.as_deref() == plain))
            })
            .cloned()
            .collect();
        for p in missing {
            self.error(Some(&p), "planned artifact was not captured")?;
        }
        let complete = self.errors.is_empty() && self.planned.iter().all(|p| self.written.contains(p));
        let manifest = Manifest {
            schema: SCHEMA.into(),
            case_id: self.case_id.clone(),
            tool: self.meta.tool.clone(),
            operator: self.meta.operator.clone(),
            cluster: self.meta.cluster.clone(),
            targets: self.targets(),
            artifacts: std::mem::take(&mut self.artifacts),
            errors: std::mem::take(&mut self.errors),
            complete,
            collector: self.collector.clone(),
        };
        // the manifest streams to its partial file, hashed on the way; the custody log records
        // that hash (`finalized`) before the manifest appears under its name
        let path = self.dir.join(MANIFEST);
        let tmp = partial_name(&path);
        let written = write_hashed(&tmp, &mut |w| manifest.write_to(w)).map_err(|e| EvidenceError::file(&tmp, e));
        let total: u64 = manifest.artifacts.iter().map(|a| a.bytes).sum();
        let done = written.and_then(|sha256| {
            self.custody.append(
                "finalized",
                json!({
                    "manifest_sha256": sha256,
                    "artifacts": manifest.artifacts.len(),
                    "bytes": total,
                    "errors": manifest.errors.len(),
                    "complete": complete,
                }),
            )?;
            self.custody.sync()?;
            fs::rename(&tmp, &path).map_err(|e| EvidenceError::file(&path, e))
        });
        if let Err(e) = done {
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        Ok(manifest)
    }

    fn record_error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors.push(BundleErrorRecord { path: path.map(String::from), message: message.into(), time: jiff::Timestamp::now() });
        self.custody.append("error", json!({ "path": path, "message": message }))?;
        Ok(())
    }
}

fn check_path(p: &str) -> Result<(), EvidenceError> {
    check_relative_path(p)?;
    // the bundle's own files, and the temporary names its artifacts are written under (one
    // named so would be overwritten by its namesake's partial file, then vanish)
    if super::manifest::is_reserved(p) || p.ends_with(PARTIAL_SUFFIX) {
        return Err(EvidenceError::Reserved(p.into()));
    }
    Ok(())
}

/// What the temporary name of an artifact being written ends with.
const PARTIAL_SUFFIX: &str = ".kf-partial";

/// The temporary name an artifact is written under before its rename: hidden, same directory.
fn partial_name(final_path: &Path) -> PathBuf {
    let name = final_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    final_path.with_file_name(format!(".{name}{PARTIAL_SUFFIX}"))
}

/// Write the file `final_path` through `write`, hashed and counted on the way: under its partial
/// name, synced, then renamed into place; the partial file is removed when anything fails.
/// Returns the byte count and the lower-case hex SHA-256. Every directory sink writes this way.
pub fn write_file_hashed(final_path: &Path, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<(u64, String)> {
    let tmp = partial_name(final_path);
    let mut bytes = 0;
    let res = write_counted(&tmp, write, &mut bytes).and_then(|sha256| {
        fs::rename(&tmp, final_path)?;
        Ok((bytes, sha256))
    });
    if res.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    res
}

/// Write the new file `path` (0600) through `write`, synced; its lower-case hex SHA-256.
fn write_hashed(path: &Path, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<String> {
    write_counted(path, write, &mut 0)
}

fn write_counted(path: &Path, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>, bytes: &mut u64) -> io::Result<String> {
    let f = super::private::create_file(path)?;
    let mut hw = HashingWriter::new(BufWriter::with_capacity(1 << 20, f));
    write(&mut hw)?;
    hw.flush()?;
    let (bw, n, sha256) = hw.finish();
    let f = bw.into_inner().map_err(|e| e.into_error())?;
    f.sync_data()?;
    *bytes = n;
    Ok(sha256)
}

impl ArtifactSink for DirBundle {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        match self.seal.clone() {
            Some(r) => self.put_sealed(&sealed_spec(spec), &mut |w| r.seal(w, write).map(|e| Some(Box::new(e)))),
            None => self.put_sealed(spec, &mut |w| write(w).map(|()| None)),
        }
    }

    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        check_path(&spec.path)?;
        if self.written.contains(&spec.path) {
            return Err(EvidenceError::Duplicate(spec.path.clone()));
        }
        let final_path = self.dir.join(&spec.path);
        if let Some(parent) = final_path.parent() {
            super::private::create_dir_all(parent).map_err(|e| EvidenceError::file(parent, e))?;
        }
        self.custody.append(
            "artifact_started",
            json!({ "path": spec.path, "media_type": spec.media_type, "source": spec.source, "container": spec.container }),
        )?;
        let started_at = jiff::Timestamp::now();
        let mut encryption = None;
        let (bytes, sha256) = match write_file_hashed(&final_path, &mut |w| {
            encryption = write(w)?;
            Ok(())
        }) {
            Ok(v) => v,
            Err(e) => {
                self.record_error(Some(&spec.path), &format!("capture failed: {e}"))?;
                return Err(EvidenceError::File { path: spec.path.clone().into(), source: e });
            }
        };
        if self.seal.is_some() && encryption.is_none() {
            let _ = fs::remove_file(&final_path);
            let message = "arrived unencrypted although encryption was asked: not kept";
            self.record_error(Some(&spec.path), message)?;
            return Err(EvidenceError::Usage(format!("{}: {message}", spec.path)));
        }
        let rec = ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption };
        let mut details = json!({ "path": rec.spec.path, "bytes": bytes, "sha256": rec.sha256 });
        if let Some(e) = &rec.encryption {
            details["plaintext_sha256"] = json!(e.plaintext_sha256);
        }
        self.custody.append("artifact_finished", details)?;
        self.written.insert(spec.path.clone());
        self.artifacts.push(rec.clone());
        Ok(rec)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.record_error(path, message)
    }

    /// The artifact is in the manifest (and the custody log, with where it is) but not in this
    /// directory: the bundle is complete only where it was sent.
    fn stored(&mut self, rec: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        check_path(&rec.spec.path)?;
        if self.seal.is_some() && rec.encryption.is_none() {
            return Err(EvidenceError::Usage(format!("{}: stored unencrypted at {location} although encryption was asked", rec.spec.path)));
        }
        if self.written.contains(&rec.spec.path) {
            return Err(EvidenceError::Duplicate(rec.spec.path.clone()));
        }
        self.custody.append(
            "artifact_stored",
            json!({ "path": rec.spec.path, "bytes": rec.bytes, "sha256": rec.sha256, "location": location, "source": rec.spec.source }),
        )?;
        self.written.insert(rec.spec.path.clone());
        self.remote.insert(rec.spec.path.clone());
        self.artifacts.push(rec.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::custody::{check_chain, line_sha256};

    fn meta() -> BundleMeta {
        BundleMeta {
            operator: Operator { user: Some("alice".into()), groups: vec!["system:authenticated".into()] },
            cluster: ClusterInfo {
                server: Some("https://127.0.0.1:6443".into()),
                version: Some("v1.20.2".into()),
                context: Some("kf".into()),
            },
            targets: json!([{ "namespace": "ns", "pod": "web" }]),
            tool: Tool::current(),
        }
    }

    fn put_bytes(b: &mut DirBundle, path: &str, data: &[u8]) -> Result<ArtifactRecord, EvidenceError> {
        b.put(&ArtifactSpec::new(path, "application/octet-stream", "test"), &mut |w| w.write_all(data))
    }

    #[test]
    fn a_full_capture_is_complete_and_manifest_comes_last() {
        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "case-1", meta()).unwrap();
        b.plan(["a/one.json", "two.bin"]).unwrap();
        let r = put_bytes(&mut b, "a/one.json", b"abc").unwrap();
        assert_eq!(r.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert_eq!(r.bytes, 3);
        put_bytes(&mut b, "two.bin", &[7u8; 100_000]).unwrap();
        assert!(!d.path().join("case-1/manifest.json").exists(), "manifest before finalize");
        let m = b.finalize().unwrap();
        assert!(m.complete);
        assert_eq!(m.artifacts.len(), 2);
        assert_eq!(m.targets.len(), 1);
        let dir = d.path().join("case-1");
        assert_eq!(fs::read(dir.join("a/one.json")).unwrap(), b"abc");
        let manifest_bytes = fs::read(dir.join("manifest.json")).unwrap();
        assert_eq!(Manifest::parse(&manifest_bytes, "t").unwrap(), m);
        // the custody log is intact and its last event binds the manifest's hash
        let (c, entries) = check_chain(&fs::read(dir.join("custody.log")).unwrap());
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        let events: Vec<&str> = entries.iter().map(|(_, e)| e.event.as_str()).collect();
        assert_eq!(
            events,
            [
                "bundle_created",
                "artifacts_planned",
                "artifact_started",
                "artifact_finished",
                "artifact_started",
                "artifact_finished",
                "finalized"
            ]
        );
        assert_eq!(entries[6].1.details["manifest_sha256"], line_sha256(&manifest_bytes));
        // no temporary files left behind
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(names.iter().all(|n| !n.to_string_lossy().contains("kf-partial")), "{names:?}");
    }

    #[test]
    fn artifacts_stored_elsewhere_are_in_the_manifest_and_the_custody_log_with_their_location() {
        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "case-r", meta()).unwrap();
        b.plan(["pods/a/rootfs.tar.zst", "cluster/pod.json"]).unwrap();
        put_bytes(&mut b, "cluster/pod.json", b"{}").unwrap();
        let rec = ArtifactRecord {
            spec: ArtifactSpec::new("pods/a/rootfs.tar.zst", "application/zstd", "agent"),
            bytes: 5,
            sha256: "0".repeat(64),
            started_at: jiff::Timestamp::now(),
            finished_at: jiff::Timestamp::now(),
            encryption: None,
        };
        b.stored(&rec, "s3://bkt/x/case-r/pods/a/rootfs.tar.zst").unwrap();
        assert!(matches!(b.stored(&rec, "s3://elsewhere"), Err(EvidenceError::Duplicate(_))));
        let mut bad = rec.clone();
        bad.spec.path = "../../etc/passwd".into();
        assert!(b.stored(&bad, "s3://bkt/x").is_err(), "hostile paths are refused for records too");
        assert!(b.is_remote("pods/a/rootfs.tar.zst") && !b.is_remote("cluster/pod.json"));
        let dir = b.dir().to_path_buf();
        let m = b.finalize().unwrap();
        assert!(m.complete, "{:?}", m.errors);
        assert!(m.artifacts.contains(&rec));
        assert!(!dir.join("pods/a/rootfs.tar.zst").exists(), "no local bytes for a stored artifact");
        let (_c, entries) = check_chain(&fs::read(dir.join("custody.log")).unwrap());
        let e = entries.iter().find(|(_, e)| e.event == "artifact_stored").expect("artifact_stored event");
        assert_eq!(e.1.details["location"], "s3://bkt/x/case-r/pods/a/rootfs.tar.zst");
        assert_eq!(e.1.details["sha256"], rec.sha256.as_str());
    }

    #[test]
    fn a_missing_planned_artifact_or_an_error_makes_it_incomplete() {
        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "c", meta()).unwrap();
        b.plan(["x", "y"]).unwrap();
        put_bytes(&mut b, "x", b"1").unwrap();
        let m = b.finalize().unwrap();
        assert!(!m.complete);
        assert_eq!(m.errors.len(), 1);
        assert_eq!(m.errors[0].path.as_deref(), Some("y"));

        let mut b = DirBundle::create(d.path(), "c2", meta()).unwrap();
        b.error(None, "node unreachable").unwrap();
        assert!(!b.finalize().unwrap().complete);
    }

    #[test]
    fn a_failing_producer_leaves_no_file_and_is_recorded() {
        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "c", meta()).unwrap();
        b.plan(["f"]).unwrap();
        let err = b
            .put(&ArtifactSpec::new("f", "text/plain", "test"), &mut |w| {
                w.write_all(b"half")?;
                Err(io::Error::other("stream cut"))
            })
            .unwrap_err();
        assert!(err.to_string().contains("stream cut"), "{err}");
        assert!(!d.path().join("c/f").exists());
        assert!(!d.path().join("c/.f.kf-partial").exists());
        let m = b.finalize().unwrap();
        assert!(!m.complete);
        assert!(m.errors[0].message.contains("stream cut"));
    }

    #[test]
    fn bad_paths_duplicates_and_reserved_names_are_refused() {
        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "c", meta()).unwrap();
        assert!(put_bytes(&mut b, "../escape", b"x").is_err());
        assert!(put_bytes(&mut b, "manifest.json", b"x").is_err());
        assert!(b.plan(["/abs"]).is_err());
        put_bytes(&mut b, "ok", b"x").unwrap();
        assert!(matches!(put_bytes(&mut b, "ok", b"y"), Err(EvidenceError::Duplicate(_))));
        assert!(!d.path().join("escape").exists());
        // the signatures `sign` writes later, and the name another artifact is written under
        // before its rename (it would truncate this one, which would then vanish)
        for p in ["manifest.json.sig", "custody.log.sig", "a/.b.kf-partial"] {
            assert!(matches!(put_bytes(&mut b, p, b"x"), Err(EvidenceError::Reserved(_))), "{p}");
        }
        put_bytes(&mut b, "a/b", b"kept").unwrap();
        assert_eq!(fs::read(d.path().join("c/a/b")).unwrap(), b"kept");
    }

    #[test]
    fn an_existing_bundle_is_not_reused_unless_asked() {
        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "c", meta()).unwrap();
        put_bytes(&mut b, "one", b"1").unwrap();
        drop(b); // interrupted, never finalized
        assert!(matches!(DirBundle::create(d.path(), "c", meta()), Err(EvidenceError::BundleExists(_))));
        let b = DirBundle::create_with(d.path(), "c", meta(), CreateOptions { reuse: true }).unwrap();
        b.finalize().unwrap();
        let (c, entries) = check_chain(&fs::read(d.path().join("c/custody.log")).unwrap());
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        assert!(entries.iter().any(|(_, e)| e.event == "bundle_reopened"));
        // finalized: never again
        assert!(matches!(
            DirBundle::create_with(d.path(), "c", meta(), CreateOptions { reuse: true }),
            Err(EvidenceError::BundleFinalized(_))
        ));
        assert!(DirBundle::create(d.path(), "../x", meta()).is_err());
    }
}
