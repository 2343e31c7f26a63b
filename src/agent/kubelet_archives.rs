//! Kubelet checkpoint archives the collector expects: before the API side asks the kubelet for a
//! checkpoint, the collector records which archive may appear (`checkpoint-<pod>_<ns>-<container>-`
//! in the kubelet's directory, from now on) in its ledger directory (the collector's own
//! memory-backed volume, [`crate::protocol::LEDGER_ENV`]). The agent that ships the archive
//! removes it, shipped or not, and settles the record; `agent hold` (the collector's PID 1)
//! removes what is still expected when the pod is ended (SIGTERM, its deadline): an archive the
//! client abandoned (killed, timed out, stopped while the kubelet wrote it) never stays on the node.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// An archive the kubelet may write for this collector's case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveRecord {
    /// The kubelet's checkpoint directory (host path).
    pub dir: String,
    /// The archive's name starts with this (`checkpoint-<pod>_<namespace>-<container>-`).
    pub prefix: String,
    /// When the record was written (seconds since the epoch): older archives are not ours.
    pub since: u64,
}

/// The archive name prefix the kubelet uses for a container (KEP-2008:
/// `checkpoint-<pod>_<namespace>-<container>-<time>.tar`).
pub fn prefix(namespace: &str, pod: &str, container: &str) -> String {
    format!("checkpoint-{pod}_{namespace}-{container}-")
}

fn record_file(ledger: &Path, dir: &str, prefix: &str) -> PathBuf {
    let h = crate::evidence::hash::Sha256::digest(format!("{dir}\n{prefix}").as_bytes());
    ledger.join(format!("archive-{}.json", &hex::encode(h)[..16]))
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Record that an archive `dir/prefix*` may appear from now on (written whole or not at all; an
/// earlier record of the same archive is kept, with its earlier time).
pub fn expect(ledger: &Path, dir: &str, prefix: &str) -> std::io::Result<()> {
    let file = record_file(ledger, dir, prefix);
    if file.exists() {
        return Ok(());
    }
    let rec = ArchiveRecord { dir: dir.into(), prefix: prefix.into(), since: now() };
    let tmp = ledger.join(format!(".archive-{}.tmp", std::process::id()));
    let mut f = std::fs::OpenOptions::new().write(true).create(true).truncate(true).open(&tmp)?;
    f.write_all(&serde_json::to_vec(&rec).map_err(std::io::Error::other)?)?;
    f.sync_all()?;
    std::fs::rename(&tmp, &file)
}

/// The archive at `path` (in `dir`) is dealt with: removed, or kept because the responder asked.
pub fn settle(ledger: &Path, dir: &str, path: &str) {
    let Some(name) = path.rsplit('/').next() else { return };
    for (file, rec) in records(ledger) {
        if rec.dir == dir && name.starts_with(&rec.prefix) {
            let _ = std::fs::remove_file(file);
        }
    }
}

/// Every archive record (file, record); unreadable ones are skipped.
pub fn records(ledger: &Path) -> Vec<(PathBuf, ArchiveRecord)> {
    let Ok(rd) = std::fs::read_dir(ledger) else { return Vec::new() };
    let mut out: Vec<_> = rd
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("archive-") && n.ends_with(".json")))
        .filter_map(|p| Some((p.clone(), serde_json::from_slice::<ArchiveRecord>(&std::fs::read(&p).ok()?).ok()?)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Remove every expected archive that is there, through `host_root` (the node's filesystem as
/// the collector reaches it): only regular files named `prefix*.tar` directly in the recorded
/// directory, written since the record (a second of slack for the file system's clock). Records
/// are removed once nothing is left to remove. One line per archive removed or failure.
pub fn sweep(ledger: &Path, host_root: &Path) -> Vec<String> {
    let mut log = Vec::new();
    for (file, rec) in records(ledger) {
        let dir = host_root.join(rec.dir.trim_start_matches('/'));
        let mut failed = false;
        let entries = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.flatten().collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                log.push(format!("cannot read {} through {}: {e}", rec.dir, host_root.display()));
                continue;
            }
        };
        for e in entries {
            let name = e.file_name();
            let Some(name) = name.to_str() else { continue };
            let path = format!("{}/{name}", rec.dir.trim_end_matches('/'));
            if !name.starts_with(&rec.prefix) || !crate::protocol::layout::kubelet_archive_ok_in(&path, &rec.dir) {
                continue;
            }
            let Ok(meta) = std::fs::symlink_metadata(e.path()) else { continue };
            if !meta.is_file() || (meta.mtime().max(0) as u64) + 1 < rec.since {
                continue;
            }
            match std::fs::remove_file(e.path()) {
                Ok(()) => log.push(format!("removed the abandoned kubelet checkpoint {path} ({} bytes)", meta.len())),
                Err(err) => {
                    failed = true;
                    log.push(format!("could not remove the kubelet checkpoint {path}: {err}"));
                }
            }
        }
        if !failed {
            let _ = std::fs::remove_file(file);
        }
    }
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_expected_archive_written_since_is_removed() {
        let t = tempfile::tempdir().unwrap();
        let (ledger, host) = (t.path().join("ledger"), t.path().join("host"));
        let dir = "/var/lib/kubelet/checkpoints";
        let kd = host.join(dir.trim_start_matches('/'));
        std::fs::create_dir_all(&ledger).unwrap();
        std::fs::create_dir_all(&kd).unwrap();
        let p = prefix("ns", "web", "main");
        // an older archive of the same container (someone kept it), written before the record
        std::fs::write(kd.join(format!("{p}2020-01-01T00:00:00Z.tar")), "old").unwrap();
        let old = std::fs::File::options().write(true).open(kd.join(format!("{p}2020-01-01T00:00:00Z.tar"))).unwrap();
        old.set_modified(std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000)).unwrap();
        expect(&ledger, dir, &p).unwrap();
        expect(&ledger, dir, &p).unwrap();
        assert_eq!(records(&ledger).len(), 1);
        std::fs::write(kd.join(format!("{p}2026-12-07T18:00:00Z.tar")), "new").unwrap();
        std::fs::write(kd.join("checkpoint-other_ns-main-2026-12-07T18:00:00Z.tar"), "another pod").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", kd.join(format!("{p}link.tar"))).unwrap();
        let log = sweep(&ledger, &host);
        assert_eq!(log.len(), 1, "{log:?}");
        assert!(log[0].contains("2026-12-07T18:00:00Z.tar"), "{log:?}");
        assert!(!kd.join(format!("{p}2026-12-07T18:00:00Z.tar")).exists());
        for kept in
            [format!("{p}2020-01-01T00:00:00Z.tar"), "checkpoint-other_ns-main-2026-12-07T18:00:00Z.tar".into(), format!("{p}link.tar")]
        {
            assert!(kd.join(&kept).symlink_metadata().is_ok(), "{kept} removed");
        }
        assert!(records(&ledger).is_empty(), "the record goes once its archive is gone");
        // settled (shipped and removed, or kept on request): nothing is swept
        expect(&ledger, dir, &p).unwrap();
        settle(&ledger, dir, &format!("{dir}/{p}2026-12-07T18:05:00Z.tar"));
        assert!(records(&ledger).is_empty());
    }
}
