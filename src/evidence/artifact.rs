//! The contract every producer of evidence (agent, cluster side, triage) writes through.
//!
//! A producer describes an artifact ([`ArtifactSpec`]) and hands the sink a closure that writes
//! its bytes; the sink hashes and counts them on the way and returns the [`ArtifactRecord`] that
//! goes into the manifest. Nothing is buffered whole, nothing is read twice.

use super::EvidenceError;
use serde::{Deserialize, Serialize};
use std::io::{self, Write};

/// What an artifact is, before it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ArtifactSpec {
    /// Path inside the bundle, '/'-separated, relative (e.g. `pods/ns/pod/ctr/diff.json`).
    pub path: String,
    /// e.g. `application/json`, `application/x-tar+zstd`, `text/plain`.
    pub media_type: String,
    /// Who produced it: `agent`, `api`, `kubelet`, `triage`, …
    pub source: String,
    /// The container it belongs to, when it belongs to one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

impl ArtifactSpec {
    pub fn new(path: impl Into<String>, media_type: &str, source: &str) -> Self {
        Self { path: path.into(), media_type: media_type.into(), source: source.into(), container: None }
    }
    pub fn container(mut self, c: impl Into<String>) -> Self {
        self.container = Some(c.into());
        self
    }
}

/// What an artifact turned out to be, once written: the manifest's entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ArtifactRecord {
    #[serde(flatten)]
    pub spec: ArtifactSpec,
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the bytes as written.
    pub sha256: String,
    pub started_at: jiff::Timestamp,
    pub finished_at: jiff::Timestamp,
    /// Sealed (age) artifacts: the plaintext's size and SHA-256, and to whom it was sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Box<super::seal::Encryption>>,
}

/// A producer whose bytes are stored as they are and who reports, once done, whether they are
/// sealed (and the plaintext's facts): see [`ArtifactSink::put_sealed`].
pub type SealedWrite<'a> = dyn FnMut(&mut dyn Write) -> io::Result<Option<Box<super::seal::Encryption>>> + 'a;

/// Where artifacts go: a bundle directory, the framed stream the agent writes to the CLI, S3…
pub trait ArtifactSink: Send {
    /// Stream one artifact. `write` gets a writer; the sink hashes and counts the bytes as they
    /// pass. If `write` fails, the artifact is recorded as failed (never as complete) and the
    /// error is returned.
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError>;

    /// As [`put`](Self::put), but the bytes are stored exactly as written (never sealed again):
    /// for a producer that writes sealed (encrypted) bytes, or relays bytes someone else produced,
    /// and returns the plaintext's record at its end when they are sealed. Sinks that keep or
    /// forward records take it into them; this default only sets it in the returned record.
    /// A wrapper forwards `put` to `put` and `put_sealed` to `put_sealed`.
    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        let mut sealed = None;
        let mut rec = self.put(spec, &mut |w| {
            sealed = write(w)?;
            Ok(())
        })?;
        rec.encryption = sealed;
        Ok(rec)
    }

    /// Record that something could not be captured (goes to the manifest's `errors` and the custody log).
    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError>;

    /// Record an artifact whose bytes someone else stored at `location` (the node agent uploading
    /// straight to S3): no byte passes through this sink, it only takes the record into its manifest.
    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        let _ = location;
        Err(EvidenceError::Usage(format!("{}: this destination cannot take artifacts stored elsewhere", record.spec.path)))
    }

    /// How long the last artifact's bytes spent being hashed and being sent by this sink, when
    /// it measures that (the evidence stream does); a wrapping sink forwards its inner one's.
    fn last_timing(&self) -> Option<SinkTiming> {
        None
    }
}

/// Where a sink's time went for one artifact.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SinkTiming {
    pub hash: std::time::Duration,
    pub send: std::time::Duration,
}

/// Longest bundle path accepted (Linux's `PATH_MAX`): no longer one can be a file, and a record
/// holding one only bloats the manifest.
pub const MAX_PATH: usize = 4096;

/// Check that a bundle path is relative, '/'-separated, without `..`, empty or `.` components,
/// and at most [`MAX_PATH`] bytes: paths come from the agent and from archives, which a
/// compromised node or workload can shape.
pub fn check_relative_path(p: &str) -> Result<(), EvidenceError> {
    let bad = p.is_empty()
        || p.len() > MAX_PATH
        || p.starts_with('/')
        || p.contains('\\')
        || p.contains('\0')
        || p.split('/').any(|c| c.is_empty() || c == "." || c == "..");
    if bad { Err(EvidenceError::BadPath(clip(p, 512))) } else { Ok(()) }
}

/// `s` cut to at most `max` bytes (at a character boundary), saying how long it was: for text
/// from the agent or a bundle that goes into a message or a record.
pub fn clip(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    format!("{}… ({} bytes)", &s[..s.floor_char_boundary(max)], s.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_paths_are_refused() {
        for p in ["", "/etc/passwd", "a/../b", "./a", "a//b", "a\\b", "..", "a/."] {
            assert!(check_relative_path(p).is_err(), "{p:?} accepted");
        }
        check_relative_path("pods/ns/p/c/diff.json").unwrap();
        // no file can have a longer path; the message does not repeat all of it
        let long = "a/".repeat(MAX_PATH);
        let e = check_relative_path(&long[..MAX_PATH + 1]).unwrap_err().to_string();
        assert!(e.len() < 1000 && e.contains(&format!("({} bytes)", MAX_PATH + 1)), "{e}");
        check_relative_path(&long[..MAX_PATH - 1]).unwrap();
    }
}
