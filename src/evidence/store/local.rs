//! [`LocalStore`]: a directory as a bundle store. Objects are files under it; symlinks are never
//! followed; a file is written under a temporary name and renamed into place only once its
//! SHA-256 matched, so a failed or altered copy never appears under its own name.

use super::{Listed, LocalObject, ObjectReader, Store};
use crate::evidence::EvidenceError;
use crate::evidence::artifact::{ArtifactRecord, ArtifactSink, ArtifactSpec, check_relative_path};
use crate::evidence::hash::{HashingWriter, hash_reader};
use crate::evidence::manifest::MAX_META_BYTES;
use crate::evidence::progress::Progress;
use futures::future::BoxFuture;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use tokio::runtime::Handle;

/// A directory that keeps bundles (`<dir>/<case-id>/…`).
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

fn open_nofollow(p: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(p)
}

impl LocalStore {
    /// A store at `root`, which must be an existing directory (as a bucket must exist).
    pub fn open(root: &Path) -> Result<LocalStore, EvidenceError> {
        let md = std::fs::metadata(root).map_err(|e| EvidenceError::file(root, e))?;
        if !md.is_dir() {
            return Err(EvidenceError::file(root, io::Error::other("not a directory")));
        }
        Ok(LocalStore { root: root.to_path_buf() })
    }

    /// The file of object `rel` (a checked bundle path).
    fn path(&self, rel: &str) -> Result<PathBuf, EvidenceError> {
        check_relative_path(rel)?;
        Ok(self.root.join(rel))
    }

    fn list_now(&self) -> Result<Vec<Listed>, EvidenceError> {
        let mut out = Vec::new();
        match walk(&self.root, &mut out) {
            Ok(()) => Ok(out),
            // nothing stored here yet, as an empty prefix in a bucket
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(EvidenceError::file(&self.root, e)),
        }
    }

    fn claimed_now(&self, rel: &str) -> Result<Option<String>, EvidenceError> {
        let path = self.path(rel)?;
        let mut f = match open_nofollow(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EvidenceError::file(&path, e)),
        };
        let (_, h) = hash_reader(&mut f, &Progress::hidden()).map_err(|e| EvidenceError::file(&path, e))?;
        Ok(Some(h))
    }

    fn put_now(&self, obj: &LocalObject, progress: &Progress) -> Result<(), EvidenceError> {
        let dest = self.path(&obj.rel)?;
        let mut src = open_nofollow(&obj.path).map_err(|e| EvidenceError::file(&obj.path, e))?;
        write_into_place(
            &dest,
            &mut |w| {
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n = match src.read(&mut buf) {
                        Ok(0) => return Ok(()),
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => return Err(e),
                    };
                    w.write_all(&buf[..n])?;
                    progress.inc(n as u64);
                }
            },
            &mut |bytes, sha256| {
                if sha256 != obj.sha256 || bytes != obj.size {
                    return Err(EvidenceError::ChangedWhileSending {
                        path: obj.rel.clone(),
                        expected: obj.sha256.clone(),
                        actual: sha256.into(),
                    });
                }
                Ok(())
            },
        )?;
        Ok(())
    }

    fn read_small_now(&self, rel: &str) -> Result<Vec<u8>, EvidenceError> {
        let path = self.path(rel)?;
        let f = open_nofollow(&path).map_err(|e| EvidenceError::file(&path, e))?;
        let mut v = Vec::new();
        f.take(MAX_META_BYTES + 1).read_to_end(&mut v).map_err(|e| EvidenceError::file(&path, e))?;
        if v.len() as u64 > MAX_META_BYTES {
            return Err(EvidenceError::NotABundle { path: path.display().to_string(), why: "larger than any real one".into() });
        }
        Ok(v)
    }

    fn hash_now(&self, rel: &str, progress: &Progress) -> Result<(u64, String), EvidenceError> {
        let path = self.path(rel)?;
        let mut f = open_nofollow(&path).map_err(|e| EvidenceError::file(&path, e))?;
        hash_reader(&mut f, progress).map_err(|e| EvidenceError::file(&path, e))
    }
}

/// Write `dest` through a temporary file next to it: `fill` writes the bytes, `accept` sees
/// (bytes, SHA-256) and may refuse them; only accepted, synced bytes are renamed into place.
fn write_into_place(
    dest: &Path,
    fill: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    accept: &mut dyn FnMut(u64, &str) -> Result<(), EvidenceError>,
) -> Result<(u64, String), EvidenceError> {
    if let Some(parent) = dest.parent() {
        crate::evidence::private::create_dir_all(parent).map_err(|e| EvidenceError::file(parent, e))?;
    }
    let mut tmp_name = dest.file_name().unwrap_or_default().to_os_string();
    tmp_name.push(".partial");
    let tmp = dest.with_file_name(tmp_name);
    let file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(crate::evidence::private::FILE_MODE)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&tmp)
        .map_err(|e| EvidenceError::file(&tmp, e))?;
    let mut w = HashingWriter::new(io::BufWriter::with_capacity(1 << 20, file));
    let written = fill(&mut w).and_then(|()| w.flush());
    let (inner, bytes, sha256) = w.finish();
    let done = written
        .and_then(|()| inner.into_inner().map_err(|e| e.into_error()))
        .and_then(|f| f.sync_all())
        .map_err(|e| EvidenceError::file(&tmp, e))
        .and_then(|()| accept(bytes, &sha256))
        .and_then(|()| std::fs::rename(&tmp, dest).map_err(|e| EvidenceError::file(dest, e)));
    if let Err(e) = done {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    Ok((bytes, sha256))
}

/// Every regular file under `dir` (names relative to the root), without following symlinks.
fn walk(dir: &Path, out: &mut Vec<Listed>) -> io::Result<()> {
    crate::evidence::tree::walk(dir, &mut |r, e, ft| {
        if ft.is_file() {
            out.push(Listed { rel: r, size: e.metadata()?.len() });
        }
        Ok(())
    })
}

impl Store for LocalStore {
    fn location(&self) -> String {
        self.root.display().to_string()
    }

    fn location_of(&self, rel: &str) -> String {
        self.root.join(rel).display().to_string()
    }

    fn endpoint(&self) -> String {
        "local filesystem".into()
    }

    fn for_case(&self, case_id: &str) -> Box<dyn Store> {
        let root = if self.root.file_name().is_some_and(|n| n == case_id) { self.root.clone() } else { self.root.join(case_id) };
        Box::new(LocalStore { root })
    }

    fn write_options(&self) -> serde_json::Value {
        serde_json::json!({})
    }

    fn concurrency(&self) -> usize {
        1
    }

    fn not_stored(&self, detail: String) -> EvidenceError {
        EvidenceError::Io(io::Error::other(format!("writing to {}: {detail}", self.location())))
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<Listed>, EvidenceError>> {
        Box::pin(async move { self.list_now() })
    }

    fn claimed_sha256<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<Option<String>, EvidenceError>> {
        Box::pin(async move { self.claimed_now(rel) })
    }

    fn put_file<'a>(&'a self, obj: &'a LocalObject, progress: &'a Progress) -> BoxFuture<'a, Result<(), EvidenceError>> {
        Box::pin(async move { self.put_now(obj, progress) })
    }

    fn read_small<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<Vec<u8>, EvidenceError>> {
        Box::pin(async move { self.read_small_now(rel) })
    }

    fn read<'a>(&'a self, rel: &'a str) -> BoxFuture<'a, Result<ObjectReader, EvidenceError>> {
        Box::pin(async move {
            let path = self.path(rel)?;
            let f = open_nofollow(&path).map_err(|e| EvidenceError::file(&path, e))?;
            Ok(Box::pin(tokio::fs::File::from_std(f)) as ObjectReader)
        })
    }

    fn hash<'a>(&'a self, rel: &'a str, progress: &'a Progress) -> BoxFuture<'a, Result<(u64, String), EvidenceError>> {
        Box::pin(async move { self.hash_now(rel, progress) })
    }

    fn sink<'a>(&self, _rt: Handle, report: &'a mut dyn ArtifactSink) -> Box<dyn ArtifactSink + 'a> {
        Box::new(LocalSink { store: self.clone(), report })
    }
}

/// Artifacts written into the directory as they are produced; their records go to `report`.
struct LocalSink<'a> {
    store: LocalStore,
    report: &'a mut dyn ArtifactSink,
}

impl ArtifactSink for LocalSink<'_> {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        self.put_sealed(spec, &mut |w| write(w).map(|()| None))
    }

    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut crate::evidence::SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        let dest = self.store.path(&spec.path)?;
        let started_at = jiff::Timestamp::now();
        let mut encryption = None;
        let mut produce = |w: &mut dyn Write| {
            encryption = write(w)?;
            Ok(())
        };
        let (bytes, sha256) = write_into_place(&dest, &mut produce, &mut |_, _| Ok(()))?;
        let rec = ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption };
        self.report.stored(&rec, &self.store.location_of(&spec.path))?;
        Ok(rec)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.report.error(path, message)
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.report.stored(record, location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ArtifactSpec, BundleMeta, DirBundle, upload_to, verify_store};

    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(f)
    }

    #[test]
    fn a_bundle_goes_into_a_directory_store_verifies_there_and_resumes() {
        let (src, dst) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut b = DirBundle::create(src.path(), "case-st", BundleMeta::default()).unwrap();
        b.plan(["a.txt", "d/b.bin"]).unwrap();
        b.put(&ArtifactSpec::new("a.txt", "text/plain", "test"), &mut |w| w.write_all(b"hello")).unwrap();
        b.put(&ArtifactSpec::new("d/b.bin", "application/octet-stream", "test"), &mut |w| w.write_all(&[7u8; 3000])).unwrap();
        let dir = b.dir().to_path_buf();
        assert!(b.finalize().unwrap().complete);
        let store = LocalStore::open(dst.path()).unwrap();
        let quiet = crate::observe::quiet();

        let r = block_on(upload_to(&dir, &store, &quiet)).unwrap();
        assert!(r.complete);
        assert_eq!((r.uploaded, r.skipped), (4, 0), "{r:?}");
        assert_eq!(r.destination, dst.path().join("case-st").display().to_string());
        let placed = store.for_case("case-st");
        let v = block_on(verify_store(&*placed, &quiet, None)).unwrap();
        assert!(v.ok, "{:?}", v.problems);
        assert!(!dst.path().join("case-st/a.txt.partial").exists());

        // again: the artifacts and the manifest are there; only the custody log (one more
        // `upload` event) is sent
        let r = block_on(upload_to(&dir, &store, &quiet)).unwrap();
        let sent: Vec<&str> = r.files.iter().filter(|f| f.action == "uploaded").map(|f| f.path.as_str()).collect();
        assert_eq!(sent, ["custody.log"], "{r:?}");
        assert!(block_on(verify_store(&*placed, &quiet, None)).unwrap().ok);

        // an artifact altered in the store is found
        std::fs::write(dst.path().join("case-st/a.txt"), b"HELLO").unwrap();
        let v = block_on(verify_store(&*placed, &quiet, None)).unwrap();
        assert!(!v.ok && v.problems.iter().any(|p| p.kind == "altered"), "{:?}", v.problems);
    }

    #[test]
    fn a_file_that_does_not_hash_as_promised_is_not_stored() {
        let (src, dst) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let path = src.path().join("x");
        std::fs::write(&path, b"data").unwrap();
        let store = LocalStore::open(dst.path()).unwrap();
        let obj = LocalObject { rel: "p/x".into(), path, size: 4, sha256: "00".repeat(32), media_type: "text/plain".into() };
        let e = block_on(store.put_file(&obj, &Progress::hidden())).unwrap_err();
        assert!(matches!(e, EvidenceError::ChangedWhileSending { .. }), "{e}");
        assert!(block_on(store.list()).unwrap().is_empty());
        assert_eq!(block_on(store.claimed_sha256("p/x")).unwrap(), None);
        assert!(block_on(store.claimed_sha256("../x")).is_err());
    }

    #[test]
    fn the_sink_stores_artifacts_and_reports_where() {
        let (dst, rec) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let mut report = DirBundle::create(rec.path(), "case-sink", BundleMeta::default()).unwrap();
        let store = LocalStore::open(dst.path()).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let r = {
            let mut sink = store.sink(rt.handle().clone(), &mut report);
            sink.put(&ArtifactSpec::new("a/b.txt", "text/plain", "test"), &mut |w| w.write_all(b"abc")).unwrap()
        };
        assert_eq!(r.bytes, 3);
        assert_eq!(std::fs::read(dst.path().join("a/b.txt")).unwrap(), b"abc");
        let log = std::fs::read_to_string(report.dir().join("custody.log")).unwrap();
        assert!(log.contains("artifact_stored") && log.contains(&store.location_of("a/b.txt")), "{log}");
    }
}
