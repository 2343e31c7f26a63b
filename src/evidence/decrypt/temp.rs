//! `analyze --identity`: the plaintext of a sealed archive or bundle in a private temporary
//! directory, removed when dropped.

use super::source::open_nofollow;
use super::{Identities, create_new, decrypt_bundle, why_not};
use crate::evidence::EvidenceError;
use crate::evidence::seal::plain_path;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The first bytes of every age file.
const AGE_MAGIC: &[u8] = b"age-encryption.org/";

/// A plaintext copy in a private temporary directory, removed when dropped.
pub struct TempPlain {
    dir: PathBuf,
    pub path: PathBuf,
}

impl Drop for TempPlain {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn private_temp_dir() -> io::Result<PathBuf> {
    let base = std::env::temp_dir();
    for _ in 0..16 {
        let d = base.join(format!("kforensic-plain-{}-{:016x}", std::process::id(), fastrand::u64(..)));
        match crate::evidence::private::create_dir(&d) {
            Ok(()) => return Ok(d),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("cannot create a private temporary directory"))
}

/// Is the file at `path` an age file (rather than a bundle's `.tar`)?
fn is_age_file(path: &Path) -> bool {
    let mut head = [0u8; AGE_MAGIC.len()];
    open_nofollow(path).and_then(|mut f| f.read_exact(&mut head)).is_ok() && head == AGE_MAGIC
}

/// For `analyze`: the plaintext of a sealed checkpoint archive (`NAME.age`), or of an encrypted
/// bundle (a directory or its `.tar`: decrypted whole, every hash checked; the path is then its
/// one checkpoint archive, or the tree itself, whose ELF cores analyze reads), in a private
/// temporary directory ($TMPDIR, 0700) that is removed when the result is dropped.
pub fn plaintext_archive(path: &Path, ids: &Identities) -> Result<TempPlain, EvidenceError> {
    let usage = |why: String| EvidenceError::Usage(why);
    let dir = private_temp_dir().map_err(|e| EvidenceError::file(std::env::temp_dir(), e))?;
    if path.is_dir() || !is_age_file(path) {
        let mut t = TempPlain { path: dir.join("bundle"), dir };
        let r = decrypt_bundle(path, ids, &t.path)?;
        if let Some(p) = r.problems.first() {
            return Err(usage(format!("{}: {p} ({} problem(s): run kforensic verify / decrypt)", path.display(), r.problems.len())));
        }
        let mut archives = vec![];
        crate::evidence::tree::walk(&t.path, &mut |rel, _, ft| {
            if ft.is_file() && (rel == "checkpoint.tar" || rel.ends_with("/checkpoint.tar")) {
                archives.push(rel);
            }
            Ok(())
        })
        .map_err(|e| EvidenceError::file(&t.path, e))?;
        if let [one] = archives.as_slice() {
            t.path = t.path.join(one);
        }
        return Ok(t);
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("archive.age");
    let plain_name = plain_path(name).unwrap_or("checkpoint.tar").to_string();
    let t = TempPlain { path: dir.join(&plain_name), dir };
    let file = open_nofollow(path).map_err(|e| EvidenceError::file(path, e))?;
    let mut plain = ids.open(file).map_err(|e| usage(format!("{}: {} ({})", path.display(), why_not(&e), ids.origin)))?;
    let mut w = io::BufWriter::with_capacity(1 << 20, create_new(&t.path).map_err(|e| EvidenceError::file(&t.path, e))?);
    io::copy(&mut plain, &mut w).map_err(|e| usage(format!("{}: cannot decrypt: {e} (damaged or tampered ciphertext)", path.display())))?;
    w.flush().map_err(|e| EvidenceError::file(&t.path, e))?;
    Ok(t)
}
