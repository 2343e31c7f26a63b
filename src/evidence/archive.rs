//! `--archive`: one `.tar` of a bundle directory, next to it (`<dir>.tar`), entries under
//! `<case-id>/`, `manifest.json` last. `verify` reads such an archive in one pass; [`TarIndex`]
//! reads its files in place, in any order (`decrypt`).

use super::EvidenceError;
use super::manifest::MANIFEST;
use std::collections::BTreeMap;
use std::io::{self, Read, Seek};
use std::os::unix::fs::OpenOptionsExt;
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

/// Where one name of a bundle archive is.
#[derive(Debug, Clone, Copy)]
enum Entry {
    /// A regular file: its data's offset in the archive and its size.
    File { offset: u64, size: u64 },
    /// Anything but a regular file (a link, a device…): never read.
    NotAFile,
    /// The name appears more than once: which copy counts is ambiguous, so none is read.
    Twice,
}

/// A bundle `.tar` indexed by one pass over its headers (the data is skipped, not read): each
/// file is then read in place, in any order.
pub struct TarIndex {
    path: PathBuf,
    entries: BTreeMap<String, Entry>,
}

impl TarIndex {
    /// Index the archive at `path`; it must hold one top-level directory (the case id).
    pub fn open(path: &Path) -> Result<TarIndex, EvidenceError> {
        let bad = |why: String| EvidenceError::Archive { path: path.display().to_string(), why };
        let f =
            std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path).map_err(|e| EvidenceError::file(path, e))?;
        let mut archive = tar::Archive::new(io::BufReader::new(f));
        let mut entries = BTreeMap::new();
        let mut root: Option<String> = None;
        for entry in archive.entries_with_seek().map_err(|e| bad(e.to_string()))? {
            let e = entry.map_err(|e| bad(e.to_string()))?;
            let name = e.path().map_err(|e| bad(e.to_string()))?.to_string_lossy().into_owned();
            let name = name.trim_start_matches("./").trim_end_matches('/');
            let (top, rel) = name.split_once('/').unwrap_or((name, ""));
            match &root {
                None => root = Some(top.to_string()),
                Some(r) if r != top => return Err(bad("it holds more than one top-level directory: not a bundle archive".into())),
                Some(_) => {}
            }
            let kind = e.header().entry_type();
            if kind.is_dir() || rel.is_empty() {
                continue;
            }
            let this = if kind.is_file() { Entry::File { offset: e.raw_file_position(), size: e.size() } } else { Entry::NotAFile };
            entries.entry(rel.to_string()).and_modify(|x| *x = Entry::Twice).or_insert(this);
        }
        Ok(TarIndex { path: path.to_path_buf(), entries })
    }

    /// Where the archive is, as shown to people.
    pub fn location(&self) -> String {
        self.path.display().to_string()
    }

    /// The size of file `rel` (errors as for [`TarIndex::read`]).
    pub fn size(&self, rel: &str) -> io::Result<u64> {
        self.find(rel).map(|(_, size)| size)
    }

    fn find(&self, rel: &str) -> io::Result<(u64, u64)> {
        match self.entries.get(rel) {
            Some(Entry::File { offset, size }) => Ok((*offset, *size)),
            Some(Entry::NotAFile) => Err(io::Error::new(io::ErrorKind::InvalidData, "not a regular file in the archive")),
            Some(Entry::Twice) => Err(io::Error::new(io::ErrorKind::InvalidData, "appears twice in the archive")),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "not in the archive")),
        }
    }

    /// The bytes of file `rel`: NotFound when the archive has no such file, InvalidData when the
    /// name is not a regular file or appears twice.
    pub fn read(&self, rel: &str) -> io::Result<impl Read + Send + use<>> {
        let (offset, size) = self.find(rel)?;
        let mut f = std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(&self.path)?;
        f.seek(io::SeekFrom::Start(offset))?;
        Ok(f.take(size))
    }
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
        // read in place, in any order
        let idx = TarIndex::open(&tar).unwrap();
        let mut v = Vec::new();
        idx.read("b.json").unwrap().read_to_end(&mut v).unwrap();
        assert_eq!(v, b"{}");
        v.clear();
        idx.read("pods/a.bin").unwrap().read_to_end(&mut v).unwrap();
        assert_eq!(v, vec![1u8; 70_000]);
        assert_eq!(idx.read("pods/none").err().unwrap().kind(), io::ErrorKind::NotFound);

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
