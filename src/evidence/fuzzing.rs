//! Entry points for fuzzing what a compromised node or a tampered bundle controls: the evidence
//! stream (the agent's stdout), `manifest.json`, `custody.log`, and a whole bundle given to
//! `verify`. The cargo-fuzz targets under `fuzz/` (feature `evidence`) and the smoke test in
//! `tests/it/evidence_fuzz_smoke.rs` call these. Any input must give `Ok` or `Err`, never a
//! panic, an abort or unbounded allocation; each entry point also asserts an invariant that must
//! hold whatever the input (a failed assertion is a bug, like a panic).

use super::artifact::check_relative_path;
use super::bundle::{BundleMeta, DirBundle};
use super::custody::{CustodyLog, check_chain};
use super::manifest::{Manifest, SUB_BUNDLE_MEDIA};
use super::verify::{VerifyOptions, verify_path};
use super::{ArtifactSink, stream};
use crate::analyze::archive::TempDir;
use std::io::Read;
use std::path::Path;

/// Cap on what [`bundle`] unpacks from its input: entries and bytes.
const MAX_ENTRIES: usize = 1000;
const MAX_BYTES: u64 = 32 << 20;

/// The evidence stream as the CLI receives a capture: into a real bundle directory, which is
/// then finalized (a broken stream recorded as an error, as the CLI does) and verified. Whatever
/// the agent sent, the bundle written from it must verify: the only problems allowed are
/// `complete: false` and artifacts the agent stored elsewhere (not in the directory).
pub fn stream(data: &[u8]) {
    if let Ok(tmp) = TempDir::new() {
        stream_in(&tmp.path, data);
    }
}

/// [`stream`] with its files in `scratch`, an empty directory (a tmpfs makes a smoke run faster:
/// a bundle syncs what it writes).
pub fn stream_in(scratch: &Path, data: &[u8]) {
    let Ok(mut b) = DirBundle::create(scratch, "case", BundleMeta::default()) else { return };
    if let Err(e) = stream::receive(&mut &data[..], &mut b)
        && b.error(None, &e.to_string()).is_err()
    {
        return;
    }
    let remote: Vec<String> = b.artifacts().iter().filter(|a| b.is_remote(&a.spec.path)).map(|a| a.spec.path.clone()).collect();
    // an artifact that says it is a sub-bundle's manifest makes verify check a sub-bundle there
    let sub_bundle = b.artifacts().iter().any(|a| a.spec.media_type == SUB_BUNDLE_MEDIA);
    let dir = b.dir().to_path_buf();
    if b.finalize().is_err() {
        return;
    }
    let report = match verify_path(&dir, VerifyOptions::default()) {
        Ok(r) => r,
        Err(e) => panic!("the bundle written from a stream cannot be verified: {e}"),
    };
    let unexpected: Vec<_> = report
        .problems
        .iter()
        .filter(|p| p.kind != "incomplete")
        .filter(|p| !(p.kind == "missing" && p.path.as_ref().is_some_and(|q| remote.contains(q))))
        .collect();
    assert!(sub_bundle || unexpected.is_empty(), "the bundle written from a stream does not verify: {unexpected:?}");
    // the receiver that stops at the summary (the node's `put`) reads the same stream
    let _ = stream::receive_to_summary(&mut &data[..], &mut Discard);
}

/// A sink that keeps nothing (records only what a real one would be handed).
struct Discard;

impl ArtifactSink for Discard {
    fn put(
        &mut self,
        spec: &super::ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
    ) -> Result<super::ArtifactRecord, super::EvidenceError> {
        check_relative_path(&spec.path)?;
        let started_at = jiff::Timestamp::now();
        let mut w = super::HashingWriter::new(std::io::sink());
        write(&mut w)?;
        let (_, bytes, sha256) = w.finish();
        Ok(super::ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: started_at, encryption: None })
    }
    fn error(&mut self, _: Option<&str>, _: &str) -> Result<(), super::EvidenceError> {
        Ok(())
    }
}

/// `manifest.json` as `verify` reads it. A manifest that parses must survive being written back
/// and read again (what the tool writes, it can read).
pub fn manifest(data: &[u8]) {
    let Ok(m) = Manifest::parse(data, "fuzz") else { return };
    if let Err(e) = Manifest::parse(&m.to_bytes(), "fuzz") {
        panic!("a manifest that parsed does not parse once written back: {e}");
    }
}

/// `custody.log`: the chain check as `verify` runs it, then one event appended as `verify
/// --record` (or a reopened bundle) does: the new line must chain to the log as it was.
pub fn custody(data: &[u8]) {
    if let Ok(tmp) = TempDir::new() {
        custody_in(&tmp.path, data);
    }
}

/// [`custody`] with its file in `scratch`, an empty directory.
pub fn custody_in(scratch: &Path, data: &[u8]) {
    let (check, _) = check_chain(data);
    let _ = check.problems.iter().map(ToString::to_string).count();
    let p = scratch.join("custody.log");
    if std::fs::write(&p, data).is_err() {
        return;
    }
    let Ok(mut log) = CustodyLog::open_append(&p, "fuzz") else { return };
    if log.append("verify", serde_json::json!({"result": "ok"})).is_err() {
        return;
    }
    let Ok(after) = std::fs::read(&p) else { return };
    let (check, _) = check_chain(&after);
    let last = check.lines;
    assert!(
        check.problems.iter().all(|p| p.line() != last),
        "an appended custody line does not chain to the log before it: {:?}",
        check.problems
    );
}

/// A whole bundle given to `verify`: `data` is a tar of one (as `--archive` writes), verified as
/// the `.tar` itself, then unpacked into a directory (regular files under safe paths only,
/// bounded) and verified there with `--record` (which appends to its custody log).
pub fn bundle(data: &[u8]) {
    if let Ok(tmp) = TempDir::new() {
        bundle_in(&tmp.path, data);
    }
}

/// [`bundle`] with its files in `scratch`, an empty directory.
pub fn bundle_in(scratch: &Path, data: &[u8]) {
    let tar = scratch.join("bundle.tar");
    if std::fs::write(&tar, data).is_err() {
        return;
    }
    let _ = verify_path(&tar, VerifyOptions::default());
    let dir = scratch.join("unpacked");
    if super::private::create_dir(&dir).is_err() || unpack(data, &dir).is_err() {
        return;
    }
    let _ = verify_path(&dir, VerifyOptions { record: true, ..Default::default() });
}

/// The regular files of a bundle tar (its top directory stripped) under `dir`.
fn unpack(data: &[u8], dir: &Path) -> std::io::Result<()> {
    let mut ar = tar::Archive::new(data);
    let mut budget = MAX_BYTES;
    for e in ar.entries()?.take(MAX_ENTRIES) {
        let mut e = e?;
        if !e.header().entry_type().is_file() {
            continue;
        }
        let name = e.path()?.to_string_lossy().into_owned();
        let Some((_, rel)) = name.trim_start_matches("./").split_once('/') else { continue };
        let size = e.size();
        if check_relative_path(rel).is_err() || size > budget {
            continue;
        }
        budget -= size;
        let p = dir.join(rel);
        if let Some(parent) = p.parent() {
            super::private::create_dir_all(parent)?;
        }
        let mut v = Vec::new();
        (&mut e).take(size).read_to_end(&mut v)?;
        // a name that is also a directory, or twice in the archive: keep the first
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).create_new(true).open(&p) {
            std::io::Write::write_all(&mut f, &v)?;
        }
    }
    Ok(())
}
