//! Where the agent's artifacts go: a plain directory (`--out DIR`) or the framed stream on stdout
//! (`--stream`, see `evidence::stream`), both wrapped in progress reporting (JSON lines on stderr).

use crate::evidence::artifact::check_relative_path;
use crate::evidence::bundle::write_file_hashed;
use crate::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, EvidenceError};
use crate::evidence::stream::ErrorRecord;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A directory of artifacts plus `index.json` (records and errors), written when finished.
pub struct DirSink {
    root: PathBuf,
    records: Vec<ArtifactRecord>,
    errors: Vec<ErrorRecord>,
}

#[derive(Serialize)]
struct Index<'a> {
    artifacts: &'a [ArtifactRecord],
    errors: &'a [ErrorRecord],
    complete: bool,
}

impl DirSink {
    pub fn new(root: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(root)?;
        Ok(Self { root: root.to_path_buf(), records: vec![], errors: vec![] })
    }

    pub fn finish(self) -> io::Result<()> {
        let idx = Index { artifacts: &self.records, errors: &self.errors, complete: self.errors.is_empty() };
        let s = serde_json::to_vec_pretty(&idx).map_err(io::Error::other)?;
        std::fs::write(self.root.join("index.json"), s)
    }
}

impl ArtifactSink for DirSink {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        check_relative_path(&spec.path)?;
        let dest = self.root.join(&spec.path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let started_at = jiff::Timestamp::now();
        let (bytes, sha256) = write_file_hashed(&dest, write)?;
        let rec = ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now() };
        self.records.push(rec.clone());
        Ok(rec)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors.push(ErrorRecord { path: path.map(str::to_string), message: message.to_string() });
        Ok(())
    }
}

/// Wraps a sink: progress JSON lines on stderr (`{"artifact":…,"bytes":…}` at most every 250 ms
/// per artifact, and a final line with `"done"` and `"sha256"`), and a count of what failed.
pub struct Progress<'a> {
    inner: &'a mut dyn ArtifactSink,
    quiet: bool,
    pub failed: u64,
    pub errors: u64,
    pub artifacts: u64,
}

#[derive(Serialize)]
struct Event<'a> {
    artifact: &'a str,
    bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    done: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sha256: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

fn emit(e: &Event) {
    if let Ok(mut s) = serde_json::to_string(e) {
        s.push('\n');
        let _ = io::stderr().lock().write_all(s.as_bytes());
    }
}

struct Counting<'a> {
    inner: &'a mut dyn Write,
    path: &'a str,
    bytes: u64,
    last: Instant,
    quiet: bool,
}

impl Write for Counting<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(b)?;
        self.bytes += n as u64;
        if !self.quiet && self.last.elapsed() >= Duration::from_millis(250) {
            self.last = Instant::now();
            emit(&Event { artifact: self.path, bytes: self.bytes, done: None, sha256: None, error: None });
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<'a> Progress<'a> {
    pub fn new(inner: &'a mut dyn ArtifactSink, quiet: bool) -> Self {
        Self { inner, quiet, failed: 0, errors: 0, artifacts: 0 }
    }
    /// A note that is not an error (a step skipped for a stated reason).
    pub fn note(&self, message: &str) {
        if !self.quiet {
            #[derive(Serialize)]
            struct Note<'a> {
                note: &'a str,
            }
            if let Ok(mut s) = serde_json::to_string(&Note { note: message }) {
                s.push('\n');
                let _ = io::stderr().lock().write_all(s.as_bytes());
            }
        }
    }
}

impl ArtifactSink for Progress<'_> {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        let quiet = self.quiet;
        let path = spec.path.clone();
        let r = self.inner.put(spec, &mut |w| {
            let mut c = Counting { inner: w, path: &path, bytes: 0, last: Instant::now(), quiet };
            write(&mut c)
        });
        match &r {
            Ok(rec) => {
                self.artifacts += 1;
                if !quiet {
                    emit(&Event { artifact: &rec.spec.path, bytes: rec.bytes, done: Some(true), sha256: Some(&rec.sha256), error: None });
                }
            }
            Err(e) => {
                self.failed += 1;
                let msg = e.to_string();
                if !quiet {
                    emit(&Event { artifact: &spec.path, bytes: 0, done: Some(false), sha256: None, error: Some(&msg) });
                }
            }
        }
        r
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors += 1;
        if !self.quiet {
            #[derive(Serialize)]
            struct Err<'a> {
                #[serde(skip_serializing_if = "Option::is_none")]
                path: Option<&'a str>,
                error: &'a str,
            }
            if let Ok(mut s) = serde_json::to_string(&Err { path, error: message }) {
                s.push('\n');
                let _ = io::stderr().lock().write_all(s.as_bytes());
            }
        }
        self.inner.error(path, message)
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.artifacts += 1;
        self.inner.stored(record, location)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dir_sink_renames_complete_artifacts_and_removes_failed_ones() {
        let d = tempfile::tempdir().unwrap();
        let mut s = DirSink::new(d.path()).unwrap();
        let rec = s.put(&ArtifactSpec::new("a/b.txt", "text/plain", "test"), &mut |w| w.write_all(b"abc")).unwrap();
        assert_eq!((rec.bytes, rec.sha256.as_str()), (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
        assert_eq!(std::fs::read(d.path().join("a/b.txt")).unwrap(), b"abc");
        let failed = s.put(&ArtifactSpec::new("a/c.txt", "text/plain", "test"), &mut |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("source went away"))
        });
        assert!(failed.is_err());
        let mut names: Vec<_> = std::fs::read_dir(d.path().join("a")).unwrap().map(|e| e.unwrap().file_name()).collect();
        names.sort();
        assert_eq!(names, vec!["b.txt"], "no partial file is left");
        assert!(s.put(&ArtifactSpec::new("../x", "text/plain", "test"), &mut |_| Ok(())).is_err());
        s.finish().unwrap();
        let idx: serde_json::Value = serde_json::from_slice(&std::fs::read(d.path().join("index.json")).unwrap()).unwrap();
        assert_eq!(idx["artifacts"].as_array().unwrap().len(), 1);
    }
}
