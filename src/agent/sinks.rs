//! Where the agent's artifacts go: a plain directory (`--out DIR`) or the framed stream on stdout
//! (`--stream`, see `evidence::stream`), both wrapped in progress reporting ([`Event`]s handed to
//! the caller's reporter, which the command layer writes as JSON lines on stderr).

use crate::evidence::artifact::check_relative_path;
use crate::evidence::bundle::write_file_hashed;
use crate::evidence::stream::ErrorRecord;
use crate::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, EvidenceError, SealedWrite};
use crate::protocol::Event;
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
        crate::evidence::private::create_dir_all(root)?;
        Ok(Self { root: root.to_path_buf(), records: vec![], errors: vec![] })
    }

    pub fn finish(self) -> io::Result<()> {
        let idx = Index { artifacts: &self.records, errors: &self.errors, complete: self.errors.is_empty() };
        let s = serde_json::to_vec_pretty(&idx).map_err(io::Error::other)?;
        let mut f = crate::evidence::private::create_file(&self.root.join("index.json"))?;
        f.write_all(&s)
    }
}

impl ArtifactSink for DirSink {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        self.put_sealed(spec, &mut |w| write(w).map(|()| None))
    }

    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        check_relative_path(&spec.path)?;
        let dest = self.root.join(&spec.path);
        if let Some(parent) = dest.parent() {
            crate::evidence::private::create_dir_all(parent)?;
        }
        let started_at = jiff::Timestamp::now();
        let mut encryption = None;
        let (bytes, sha256) = write_file_hashed(&dest, &mut |w| {
            encryption = write(w)?;
            Ok(())
        })?;
        let rec = ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption };
        self.records.push(rec.clone());
        Ok(rec)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors.push(ErrorRecord { path: path.map(str::to_string), message: message.to_string() });
        Ok(())
    }
}

/// Where the agent's [`Event`]s go (the command layer writes them on stderr, or drops them with -q).
pub type Reporter<'a> = &'a (dyn Fn(&Event) + Sync);

/// Wraps a sink: [`Event::Progress`] at most every 250 ms per artifact, [`Event::Done`] or
/// [`Event::Failed`] at its end, [`Event::Error`] for what could not be captured; and counts.
pub struct Progress<'a> {
    inner: &'a mut dyn ArtifactSink,
    report: Reporter<'a>,
    pub failed: u64,
    pub errors: u64,
    pub artifacts: u64,
}

struct Counting<'a> {
    inner: &'a mut dyn Write,
    path: &'a str,
    bytes: u64,
    last: Instant,
    report: Reporter<'a>,
}

impl Write for Counting<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(b)?;
        self.bytes += n as u64;
        if self.last.elapsed() >= Duration::from_millis(250) {
            self.last = Instant::now();
            (self.report)(&Event::Progress { artifact: self.path.to_string(), bytes: self.bytes });
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

impl<'a> Progress<'a> {
    pub fn new(inner: &'a mut dyn ArtifactSink, report: Reporter<'a>) -> Self {
        Self { inner, report, failed: 0, errors: 0, artifacts: 0 }
    }
    /// A note that is not an error (a step skipped for a stated reason).
    pub fn note(&self, message: &str) {
        (self.report)(&Event::Note { message: message.to_string() });
    }
    /// Any other event (a frozen cgroup).
    pub fn reporter(&self) -> Reporter<'a> {
        self.report
    }
}

impl Progress<'_> {
    fn ended(&mut self, spec: &ArtifactSpec, r: Result<ArtifactRecord, EvidenceError>) -> Result<ArtifactRecord, EvidenceError> {
        match &r {
            Ok(rec) => {
                self.artifacts += 1;
                (self.report)(&Event::Done { artifact: rec.spec.path.clone(), bytes: rec.bytes, sha256: rec.sha256.clone() });
            }
            Err(e) => {
                self.failed += 1;
                (self.report)(&Event::Failed { artifact: spec.path.clone(), error: e.to_string() });
            }
        }
        r
    }
}

impl ArtifactSink for Progress<'_> {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        let report = self.report;
        let path = spec.path.clone();
        let r = self.inner.put(spec, &mut |w| {
            let mut c = Counting { inner: w, path: &path, bytes: 0, last: Instant::now(), report };
            write(&mut c)
        });
        self.ended(spec, r)
    }

    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        let report = self.report;
        let path = spec.path.clone();
        let r = self.inner.put_sealed(spec, &mut |w| {
            let mut c = Counting { inner: w, path: &path, bytes: 0, last: Instant::now(), report };
            write(&mut c)
        });
        self.ended(spec, r)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors += 1;
        (self.report)(&Event::Error { path: path.map(str::to_string), message: message.to_string() });
        self.inner.error(path, message)
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.artifacts += 1;
        self.inner.stored(record, location)
    }

    fn last_timing(&self) -> Option<crate::evidence::artifact::SinkTiming> {
        self.inner.last_timing()
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
