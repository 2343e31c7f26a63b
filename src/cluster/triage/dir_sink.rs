//! `TriageDirSink`: a minimal directory sink for `collect`, used until the evidence module's
//! bundle (manifest, custody log, S3) takes its place. It writes each artifact to
//! `<dest>/<case-id>/<path>`, hashing on the way, and keeps the records and errors in memory; it
//! writes no manifest and no custody log.

use super::TriageError;
use crate::evidence::artifact::check_relative_path;
use crate::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, EvidenceError, HashingWriter};
use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

pub struct TriageDirSink {
    dir: PathBuf,
    pub records: Vec<ArtifactRecord>,
    pub errors: Vec<(Option<String>, String)>,
}

impl TriageDirSink {
    /// Create `<dest>/<case_id>/`; an existing non-empty directory is refused (evidence is never
    /// mixed with an earlier capture).
    pub fn create(dest: &Path, case_id: &str) -> Result<TriageDirSink, TriageError> {
        let dir = dest.join(case_id);
        let mkdir = |p: &Path| fs::create_dir_all(p).map_err(|e| TriageError::CreateDir { path: p.display().to_string(), source: e });
        if dir.exists() {
            let empty = fs::read_dir(&dir).map(|mut d| d.next().is_none()).unwrap_or(false);
            if !empty {
                return Err(TriageError::BundleExists(dir.display().to_string()));
            }
        }
        mkdir(&dir)?;
        Ok(TriageDirSink { dir, records: Vec::new(), errors: Vec::new() })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl ArtifactSink for TriageDirSink {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        check_relative_path(&spec.path)?;
        let path = self.dir.join(&spec.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let started_at = jiff::Timestamp::now();
        let file = fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
        let mut w = HashingWriter::new(BufWriter::with_capacity(256 * 1024, file));
        let result = write(&mut w).and_then(|()| w.flush());
        let (inner, bytes, sha256) = w.finish();
        let synced = inner.into_inner().map_err(|e| e.into_error()).and_then(|f| f.sync_all());
        if let Err(e) = result.and(synced) {
            self.errors.push((Some(spec.path.clone()), format!("incomplete after {bytes} bytes: {e}")));
            return Err(e.into());
        }
        let rec = ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now() };
        self.records.push(rec.clone());
        Ok(rec)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors.push((path.map(str::to_string), message.to_string()));
        Ok(())
    }
}
