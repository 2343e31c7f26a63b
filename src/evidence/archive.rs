//! `--archive`: one `.tar` of a bundle directory, next to it (`<dir>.tar`), entries under
//! `<case-id>/`, `manifest.json` last. `verify` reads such an archive in one pass.

use super::EvidenceError;
use super::manifest::MANIFEST;
use std::path::{Path, PathBuf};

/// Write `<dir>.tar` holding the bundle in `dir` and return its path.
pub fn archive_bundle(dir: &Path) -> Result<PathBuf, EvidenceError> {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .ok_or_else(|| EvidenceError::NotABundle { path: dir.display().to_string(), why: "no directory name".into() })?;
    if !dir.join(MANIFEST).is_file() {
        return Err(EvidenceError::NotABundle {
            path: dir.display().to_string(),
            why: "it has no manifest.json (finalize it first)".into(),
        });
    }
    let out = dir.with_file_name(format!("{name}.tar"));
    let tmp = dir.with_file_name(format!(".{name}.tar.kf-partial"));
    let res = (|| {
        let f = super::private::create_file(&tmp)?;
        let mut b = tar::Builder::new(std::io::BufWriter::with_capacity(1 << 20, f));
        b.follow_symlinks(false);
        b.mode(tar::HeaderMode::Deterministic);
        let mut files = Vec::new();
        collect(dir, &mut files)?;
        files.sort();
        // manifest.json last, like in the directory
        files.retain(|f| f != MANIFEST);
        files.push(MANIFEST.to_string());
        for rel in files {
            b.append_path_with_name(dir.join(&rel), format!("{name}/{rel}"))?;
        }
        let w = b.into_inner()?;
        let f = w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &out)
    })();
    res.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        EvidenceError::file(&out, e)
    })?;
    Ok(out)
}

/// Regular files under `dir` (relative paths); anything else is left out.
fn collect(dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    super::tree::walk(dir, &mut |r, _, ft| {
        if ft.is_file() {
            out.push(r);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::bundle::{BundleMeta, DirBundle};
    use crate::evidence::verify::{VerifyOptions, verify_path};
    use crate::evidence::{ArtifactSink, ArtifactSpec};

    #[test]
    fn an_archive_verifies_and_a_flipped_byte_in_it_is_named() {
        let d = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(d.path(), "case-t", BundleMeta::default()).unwrap();
        b.plan(["pods/a.bin", "b.json"]).unwrap();
        b.put(&ArtifactSpec::new("pods/a.bin", "application/octet-stream", "t"), &mut |w| w.write_all(&[1u8; 70_000])).unwrap();
        b.put(&ArtifactSpec::new("b.json", "application/json", "t"), &mut |w| w.write_all(b"{}")).unwrap();
        let dir = b.dir().to_path_buf();
        assert!(b.finalize().unwrap().complete);
        let tar = archive_bundle(&dir).unwrap();
        assert_eq!(tar, d.path().join("case-t.tar"));
        let r = verify_path(&tar, VerifyOptions::default()).unwrap();
        assert!(r.ok, "{:?}", r.problems);
        assert_eq!(r.artifacts_ok, 2);

        // flip one byte inside pods/a.bin's data in the archive
        let mut bytes = std::fs::read(&tar).unwrap();
        let at = bytes.windows(64).position(|w| w.iter().all(|&b| b == 1)).unwrap() + 10;
        bytes[at] = 2;
        std::fs::write(&tar, &bytes).unwrap();
        let r = verify_path(&tar, VerifyOptions::default()).unwrap();
        assert!(!r.ok);
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.problems[0].kind, "altered");
        assert_eq!(r.problems[0].path.as_deref(), Some("pods/a.bin"));
    }
}
