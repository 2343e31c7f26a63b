//! Where `decrypt` reads a bundle: a directory, a `.tar` made by `--archive` (read in place), or a
//! [`Store`] (S3), whose objects stream in. Every source answers the same three questions: the
//! small files whole, an object's stored size, and an object's bytes.

use crate::evidence::EvidenceError;
use crate::evidence::archive::TarIndex;
use crate::evidence::artifact::check_relative_path;
use crate::evidence::store::Store;
use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use tokio::runtime::Handle;

/// A bundle to read back.
pub enum Source {
    Dir(PathBuf),
    Tar(TarIndex),
    /// A store at the bundle's own place, its objects listed once (name → size).
    Store {
        store: Box<dyn Store>,
        rt: Handle,
        listed: BTreeMap<String, u64>,
    },
}

pub(super) fn open_nofollow(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)
}

fn not_found() -> io::Error {
    io::Error::new(io::ErrorKind::NotFound, "no such object")
}

impl Source {
    /// A local bundle: a directory, or a `.tar` of one.
    pub fn local(path: &Path) -> Result<Source, EvidenceError> {
        let md = std::fs::metadata(path).map_err(|e| EvidenceError::file(path, e))?;
        if md.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        if !md.is_file() {
            return Err(EvidenceError::NotABundle { path: path.display().to_string(), why: "not a directory or .tar file".into() });
        }
        TarIndex::open(path).map(Source::Tar)
    }

    /// A bundle in a store (at its own place), its objects listed; `rt` runs the store's
    /// requests, as this source is then read from a blocking thread.
    pub async fn store(store: Box<dyn Store>, rt: Handle) -> Result<Source, EvidenceError> {
        let listed = store.list().await?.into_iter().map(|l| (l.rel, l.size)).collect();
        Ok(Source::Store { store, rt, listed })
    }

    /// Where the bundle is, as shown to people.
    pub fn location(&self) -> String {
        match self {
            Source::Dir(d) => d.display().to_string(),
            Source::Tar(t) => t.location(),
            Source::Store { store, .. } => store.location(),
        }
    }

    /// A small file (manifest, custody log, signature) read whole; None when the bundle has none.
    /// (It is parsed at once; memory follows its size, as parsing it would anyway.)
    pub fn read_meta(&self, rel: &str) -> Result<Option<Vec<u8>>, EvidenceError> {
        let mut v = Vec::new();
        match self.open(rel) {
            Ok(mut r) => {
                r.read_to_end(&mut v).map_err(|e| self.error(rel, e))?;
                Ok(Some(v))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.error(rel, e)),
        }
    }

    fn error(&self, rel: &str, e: io::Error) -> EvidenceError {
        EvidenceError::NotABundle { path: self.location(), why: format!("cannot read {rel}: {e}") }
    }

    /// The stored size of `rel` (NotFound when the bundle has no such file).
    pub fn size(&self, rel: &str) -> io::Result<u64> {
        match self {
            Source::Dir(d) => {
                check_relative_path(rel).map_err(io::Error::other)?;
                let md = d.join(rel).symlink_metadata()?;
                if !md.is_file() {
                    return Err(io::Error::new(io::ErrorKind::InvalidData, "not a regular file"));
                }
                Ok(md.len())
            }
            Source::Tar(t) => t.size(rel),
            Source::Store { listed, .. } => listed.get(rel).copied().ok_or_else(not_found),
        }
    }

    /// The stored bytes of `rel`, as they come (for a store: streamed, never buffered whole).
    pub fn open<'s>(&'s self, rel: &'s str) -> io::Result<Box<dyn Read + Send + 's>> {
        match self {
            Source::Dir(d) => {
                check_relative_path(rel).map_err(io::Error::other)?;
                Ok(Box::new(open_nofollow(&d.join(rel))?))
            }
            Source::Tar(t) => Ok(Box::new(t.read(rel)?)),
            Source::Store { store, rt, listed } => {
                if !listed.contains_key(rel) {
                    return Err(not_found());
                }
                let chunks = rt.block_on(store.read(rel)).map_err(io::Error::other)?;
                let r = tokio_util::io::StreamReader::new(chunks);
                Ok(Box::new(tokio_util::io::SyncIoBridge::new_with_handle(r, rt.clone())))
            }
        }
    }
}
