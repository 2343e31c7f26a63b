//! `rootfs-diff.tar` (files the container added or changed) and `deleted.files` (paths it
//! removed from its image): listing, and extracting one file safely.
//!
//! The diff is the container's own upper layer: hostile. Names are only displayed; extraction
//! writes one regular file's bytes to a new file (O_EXCL, never through a symlink) named after
//! the member's last component inside the directory the user gave.

use super::archive::{normalize, Archive, Limits};
use super::AnalyzeError;
use serde::Serialize;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub const DIFF_TAR: &str = "rootfs-diff.tar";

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DiffEntry {
    /// "/"-rooted path inside the container
    pub path: String,
    /// file, dir, symlink, hardlink, char, block, fifo, other
    pub kind: &'static str,
    pub size: u64,
    pub mode: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
}

fn kind(t: tar::EntryType) -> &'static str {
    match t {
        tar::EntryType::Regular | tar::EntryType::Continuous => "file",
        tar::EntryType::Directory => "dir",
        tar::EntryType::Symlink => "symlink",
        tar::EntryType::Link => "hardlink",
        tar::EntryType::Char => "char",
        tar::EntryType::Block => "block",
        tar::EntryType::Fifo => "fifo",
        _ => "other",
    }
}

fn shown(raw: &Path) -> String {
    let s = raw.to_string_lossy();
    let s = s.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
    format!("/{s}")
}

fn open_diff(ar: &Archive) -> Result<Option<io::Take<std::fs::File>>, AnalyzeError> {
    let Some(m) = ar.get(DIFF_TAR) else { return Ok(None) };
    m.open().map(Some).map_err(|e| AnalyzeError::Read { file: DIFF_TAR.into(), source: e })
}

fn diff_err(e: io::Error) -> AnalyzeError {
    AnalyzeError::Archive { archive: DIFF_TAR.into(), what: super::error::one_line(&e.to_string()) }
}

/// Every member of rootfs-diff.tar (empty if the archive has none).
pub fn list(ar: &Archive) -> Result<Vec<DiffEntry>, AnalyzeError> {
    let Some(r) = open_diff(ar)? else { return Ok(vec![]) };
    let limits: &Limits = ar.limits();
    let mut out = Vec::new();
    let mut t = tar::Archive::new(r);
    for e in t.entries().map_err(diff_err)? {
        let e = e.map_err(diff_err)?;
        if out.len() as u64 >= limits.max_entries {
            return Err(AnalyzeError::Hostile { archive: DIFF_TAR.into(), what: format!("more than {} members (cap)", limits.max_entries) });
        }
        let raw = e.path().map_err(diff_err)?.into_owned();
        let h = e.header();
        let k = kind(h.entry_type());
        if matches!(h.entry_type(), tar::EntryType::XHeader | tar::EntryType::XGlobalHeader) {
            continue;
        }
        let path = shown(&raw);
        if path == "/" {
            continue;
        }
        out.push(DiffEntry {
            path,
            kind: k,
            size: e.size(),
            mode: h.mode().map(|m| format!("{:04o}", m & 0o7777)).unwrap_or_default(),
            link_target: e.link_name().ok().flatten().map(|l| l.to_string_lossy().into_owned()),
        });
    }
    Ok(out)
}

/// Extract the regular file `want` ("/etc/x" or "etc/x") from rootfs-diff.tar into `out_dir`.
/// Returns the path written and its size.
pub fn extract(ar: &Archive, want: &str, out_dir: &Path) -> Result<(PathBuf, u64), AnalyzeError> {
    let want_norm = normalize(Path::new(want.trim_start_matches('/')))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AnalyzeError::NotFound(format!("--extract {want:?}: not a path inside the container")))?;
    let no_diff = || AnalyzeError::NotFound(format!("{}: the archive has no {DIFF_TAR}", ar.source.display()));
    // a hard link's data lives in the member it names: at most one hop
    let mut target = want_norm.clone();
    for _hop in 0..2 {
        let r = open_diff(ar)?.ok_or_else(no_diff)?;
        let mut t = tar::Archive::new(r);
        let mut link = None;
        for e in t.entries().map_err(diff_err)? {
            let mut e = e.map_err(diff_err)?;
            let raw = e.path().map_err(diff_err)?.into_owned();
            if normalize(&raw).as_deref() != Some(target.as_str()) {
                continue;
            }
            match e.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => return write_out(&mut e, &target, out_dir),
                tar::EntryType::Link => {
                    link = e.link_name().ok().flatten().and_then(|l| normalize(&l));
                }
                tar::EntryType::Symlink => {
                    let to = e.link_name().ok().flatten().map(|l| l.display().to_string()).unwrap_or_default();
                    return Err(AnalyzeError::NotFound(format!(
                        "{:?} is a symlink (to {to:?}) in {DIFF_TAR}; links are never followed: extract its target path instead", format!("/{target}")
                    )));
                }
                other => {
                    return Err(AnalyzeError::NotFound(format!("{:?} in {DIFF_TAR} is not a regular file ({})", format!("/{target}"), kind(other))));
                }
            }
        }
        match link {
            Some(l) if l != target => target = l,
            Some(_) | None => break,
        }
    }
    Err(AnalyzeError::NotFound(format!("{:?} is not a regular file in {DIFF_TAR} (see --rootfs-diff)", format!("/{want_norm}"))))
}

fn write_out(r: &mut impl Read, name: &str, out_dir: &Path) -> Result<(PathBuf, u64), AnalyzeError> {
    use std::os::unix::fs::OpenOptionsExt;
    let base = name.rsplit('/').next().unwrap_or(name);
    let dest = out_dir.join(base);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&dest)
        .map_err(|e| AnalyzeError::Write { path: dest.clone(), source: e })?;
    let n = io::copy(r, &mut f).map_err(|e| AnalyzeError::Write { path: dest.clone(), source: e })?;
    Ok((dest, n))
}
