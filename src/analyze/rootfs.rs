//! `rootfs-diff.tar` (files the container added or changed, and the overlay whiteouts that mark
//! what it deleted) and `deleted.files` (paths it removed from its image): listing, and
//! extracting one file safely.
//!
//! The diff is the container's own upper layer: hostile. Names are only displayed; extraction
//! writes one regular file's bytes to a new file (O_EXCL, never through a symlink) named after
//! the member's last component inside the directory the user gave.
//!
//! Engines store the diff plain (CRI-O, Podman) or compressed (containerd 2.x: gzip); the
//! compression is told from the member's first bytes, never from its name.

use super::AnalyzeError;
use super::archive::{Archive, Limits, normalize};
use serde::Serialize;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

pub const DIFF_TAR: &str = "rootfs-diff.tar";

/// Overlay whiteouts: `.wh.NAME` deletes NAME, `.wh..wh..opq` makes its directory opaque.
const WHITEOUT_PREFIX: &str = ".wh.";
const OPAQUE_MARKER: &str = ".wh..wh..opq";

/// How rootfs-diff.tar is stored inside the checkpoint archive.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// Tell the compression from a member's first bytes (gzip and zstd magic; anything else is
    /// read as a plain tar).
    pub fn detect(head: &[u8]) -> Compression {
        match head {
            [0x1f, 0x8b, ..] => Compression::Gzip,
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// A reader of the decompressed bytes.
    pub fn reader<'a>(self, r: impl Read + 'a) -> io::Result<Box<dyn Read + 'a>> {
        Ok(match self {
            Compression::None => Box::new(r),
            Compression::Gzip => Box::new(flate2::read::GzDecoder::new(io::BufReader::new(r))),
            Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(r)?),
        })
    }
}

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

/// What rootfs-diff.tar holds: changes, and the deletions its whiteouts record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffListing {
    pub compression: Option<Compression>,
    /// files, directories, links the container added or changed (whiteouts excluded)
    pub changed: Vec<DiffEntry>,
    /// paths a `.wh.NAME` whiteout marks deleted
    pub deleted: Vec<String>,
    /// directories a `.wh..wh..opq` marker made opaque (the image's content below is hidden)
    pub opaque: Vec<String>,
}

/// What a diff member means for the container's file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Whiteout {
    /// `dir/.wh.NAME`: `dir/NAME` was deleted
    Deleted(String),
    /// `dir/.wh..wh..opq`: `dir` was made opaque
    Opaque(String),
}

/// The whiteout a "/"-rooted diff path stands for, if it is one. Other `.wh..wh.*` names
/// (aufs bookkeeping) are not deletions and are listed as they are.
pub fn whiteout(path: &str) -> Option<Whiteout> {
    let (dir, base) = path.rsplit_once('/')?;
    let name = base.strip_prefix(WHITEOUT_PREFIX)?;
    if base == OPAQUE_MARKER {
        return Some(Whiteout::Opaque(if dir.is_empty() { "/".into() } else { dir.to_string() }));
    }
    if name.is_empty() || name.starts_with(WHITEOUT_PREFIX) || name == "." || name == ".." {
        return None;
    }
    Some(Whiteout::Deleted(format!("{dir}/{name}")))
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

/// A member's name as the rows spell it: `/`-rooted, its bytes kept (`protocol::name`).
fn shown(raw: &Path) -> String {
    let s = crate::protocol::name::escape(raw.as_os_str().as_encoded_bytes());
    let s = s.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
    format!("/{s}")
}

/// The decompressed bytes of rootfs-diff.tar and how it was stored.
type OpenDiff = (Box<dyn Read>, Compression);

/// The diff, or None when the archive has none.
fn open_diff(ar: &Archive) -> Result<Option<OpenDiff>, AnalyzeError> {
    let Some(m) = ar.get(DIFF_TAR) else { return Ok(None) };
    let read_err = |e| AnalyzeError::Read { file: DIFF_TAR.into(), source: e };
    let mut head = Vec::with_capacity(4);
    m.open().and_then(|r| r.take(4).read_to_end(&mut head)).map_err(read_err)?;
    let c = Compression::detect(&head);
    let r = m.open().and_then(|r| c.reader(r)).map_err(read_err)?;
    Ok(Some((r, c)))
}

/// The tar reader's message without what it quotes of the header (the diff's own bytes).
fn diff_err(e: io::Error) -> AnalyzeError {
    AnalyzeError::Archive { archive: DIFF_TAR.into(), what: super::error::tar_message(&e) }
}

/// Every member of rootfs-diff.tar, whiteouts as deletions (empty if the archive has none).
pub fn list(ar: &Archive) -> Result<DiffListing, AnalyzeError> {
    let Some((r, c)) = open_diff(ar)? else { return Ok(DiffListing::default()) };
    let mut l = list_from(r, ar.limits())?;
    l.compression = Some(c);
    Ok(l)
}

/// List a (decompressed) diff tar.
pub fn list_from(r: impl Read, limits: &Limits) -> Result<DiffListing, AnalyzeError> {
    let mut out = DiffListing::default();
    let mut count = 0u64;
    let mut t = tar::Archive::new(r);
    for e in t.entries().map_err(diff_err)? {
        let e = e.map_err(diff_err)?;
        count += 1;
        if count > limits.max_entries {
            return Err(AnalyzeError::Hostile {
                archive: DIFF_TAR.into(),
                what: format!("more than {} members (cap)", limits.max_entries),
            });
        }
        let raw = e.path().map_err(diff_err)?.into_owned();
        let h = e.header();
        if matches!(h.entry_type(), tar::EntryType::XHeader | tar::EntryType::XGlobalHeader) {
            continue;
        }
        let path = shown(&raw);
        if path == "/" {
            continue;
        }
        match whiteout(&path) {
            Some(Whiteout::Deleted(p)) => out.deleted.push(p),
            Some(Whiteout::Opaque(d)) => out.opaque.push(d),
            None => out.changed.push(DiffEntry {
                path,
                kind: kind(h.entry_type()),
                size: e.size(),
                mode: h.mode().map(|m| format!("{:04o}", m & 0o7777)).unwrap_or_default(),
                link_target: e.link_name().ok().flatten().map(|l| l.to_string_lossy().into_owned()),
            }),
        }
    }
    Ok(out)
}

/// Extract the regular file `want` ("/etc/x" or "etc/x") from rootfs-diff.tar into `out_dir`.
/// Returns the path written and its size. Whiteouts are never extracted.
pub fn extract(ar: &Archive, want: &str, out_dir: &Path) -> Result<(PathBuf, u64), AnalyzeError> {
    let want_norm = normalize(Path::new(want.trim_start_matches('/')))
        .filter(|s| !s.is_empty())
        .ok_or_else(|| AnalyzeError::NotFound(format!("--extract {want:?}: not a path inside the container")))?;
    let no_diff = || AnalyzeError::NotFound(format!("{}: the archive has no {DIFF_TAR}", ar.source.display()));
    let cap = ar.limits().max_extract_bytes;
    // a hard link's data lives in the member it names: at most one hop
    let mut target = want_norm.clone();
    let mut deleted = false;
    for _hop in 0..2 {
        let (r, _) = open_diff(ar)?.ok_or_else(no_diff)?;
        let mut t = tar::Archive::new(r);
        let mut link = None;
        for e in t.entries().map_err(diff_err)? {
            let mut e = e.map_err(diff_err)?;
            let raw = e.path().map_err(diff_err)?.into_owned();
            let Some(name) = normalize(&raw) else { continue };
            if whiteout(&format!("/{name}")) == Some(Whiteout::Deleted(format!("/{target}"))) {
                deleted = true;
            }
            if name != target {
                continue;
            }
            if let Some(w) = whiteout(&format!("/{name}")) {
                let what = match w {
                    Whiteout::Deleted(p) => format!("marks {p:?} deleted"),
                    Whiteout::Opaque(d) => format!("makes {d:?} opaque"),
                };
                return Err(AnalyzeError::NotFound(format!("{:?} is an overlay whiteout (it {what}), not a file", format!("/{target}"))));
            }
            match e.header().entry_type() {
                tar::EntryType::Regular | tar::EntryType::Continuous => return write_out(&mut e, &target, out_dir, cap),
                tar::EntryType::Link => {
                    link = e.link_name().ok().flatten().and_then(|l| normalize(&l));
                }
                tar::EntryType::Symlink => {
                    let to = e.link_name().ok().flatten().map(|l| l.display().to_string()).unwrap_or_default();
                    return Err(AnalyzeError::NotFound(format!(
                        "{:?} is a symlink (to {to:?}) in {DIFF_TAR}; links are never followed: extract its target path instead",
                        format!("/{target}")
                    )));
                }
                other => {
                    return Err(AnalyzeError::NotFound(format!(
                        "{:?} in {DIFF_TAR} is not a regular file ({})",
                        format!("/{target}"),
                        kind(other)
                    )));
                }
            }
        }
        match link {
            Some(l) if l != target => target = l,
            Some(_) | None => break,
        }
    }
    if deleted {
        return Err(AnalyzeError::NotFound(format!(
            "{:?} was deleted by the container (an overlay whiteout in {DIFF_TAR}): its content is not in the diff",
            format!("/{want_norm}")
        )));
    }
    Err(AnalyzeError::NotFound(format!("{:?} is not a regular file in {DIFF_TAR} (see --rootfs-diff)", format!("/{want_norm}"))))
}

/// Write one member's bytes to a new file in `out_dir`, at most `cap` bytes (a compressed diff
/// may hold a bomb).
fn write_out(r: &mut impl Read, name: &str, out_dir: &Path, cap: u64) -> Result<(PathBuf, u64), AnalyzeError> {
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
    let n = io::copy(&mut r.take(cap.saturating_add(1)), &mut f).map_err(|e| AnalyzeError::Write { path: dest.clone(), source: e })?;
    if n > cap {
        drop(f);
        let _ = std::fs::remove_file(&dest);
        return Err(AnalyzeError::Hostile {
            archive: DIFF_TAR.into(),
            what: format!("/{name} is more than {cap} bytes (cap; raise it with --max-extract-bytes)"),
        });
    }
    Ok((dest, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A diff tar as an engine writes it: directories, files, whiteouts.
    fn diff_tar(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in members {
            let mut h = tar::Header::new_gnu();
            if name.ends_with('/') {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
            } else {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(if name.contains(".wh.") { 0 } else { 0o644 });
                h.set_size(data.len() as u64);
            }
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn sample() -> Vec<u8> {
        diff_tar(&[
            ("bin/", b""),
            ("bin/.wh.nc", b""),
            ("tmp/", b""),
            ("tmp/payload.sh", b"#!/bin/sh\n"),
            ("var/cache/", b""),
            ("var/cache/.wh..wh..opq", b""),
            (".wh.setup", b""),
            ("srv/.wh..wh.plnk", b""),
        ])
    }

    #[test]
    fn whiteout_names() {
        assert_eq!(whiteout("/bin/.wh.nc"), Some(Whiteout::Deleted("/bin/nc".into())));
        assert_eq!(whiteout("/.wh.setup"), Some(Whiteout::Deleted("/setup".into())));
        assert_eq!(whiteout("/var/cache/.wh..wh..opq"), Some(Whiteout::Opaque("/var/cache".into())));
        assert_eq!(whiteout("/.wh..wh..opq"), Some(Whiteout::Opaque("/".into())));
        assert_eq!(whiteout("/srv/.wh..wh.plnk"), None);
        assert_eq!(whiteout("/bin/.wh."), None);
        assert_eq!(whiteout("/bin/nc.wh.x"), None);
        assert_eq!(whiteout("/tmp/payload.sh"), None);
    }

    #[test]
    fn compression_is_told_by_content() {
        let plain = sample();
        let gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            io::Write::write_all(&mut e, &plain).unwrap();
            e.finish().unwrap()
        };
        let zst = zstd::encode_all(&plain[..], 3).unwrap();
        assert_eq!(Compression::detect(&plain), Compression::None);
        assert_eq!(Compression::detect(&gz), Compression::Gzip);
        assert_eq!(Compression::detect(&zst), Compression::Zstd);
        assert_eq!(Compression::detect(b""), Compression::None);
        let limits = Limits::default();
        let want = list_from(&plain[..], &limits).unwrap();
        for bytes in [&gz, &zst] {
            let r = Compression::detect(bytes).reader(&bytes[..]).unwrap();
            assert_eq!(list_from(r, &limits).unwrap(), want);
        }
    }

    #[test]
    fn whiteouts_are_deletions_never_files() {
        let l = list_from(&sample()[..], &Limits::default()).unwrap();
        assert_eq!(l.deleted, vec!["/bin/nc".to_string(), "/setup".into()]);
        assert_eq!(l.opaque, vec!["/var/cache".to_string()]);
        let paths: Vec<&str> = l.changed.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["/bin", "/tmp", "/tmp/payload.sh", "/var/cache", "/srv/.wh..wh.plnk"]);
        assert!(l.changed.iter().all(|e| !e.path.contains("/.wh.") || e.path.ends_with("plnk")));
    }

    #[test]
    fn a_corrupt_compressed_diff_is_an_error_not_a_panic() {
        let mut gz = {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            io::Write::write_all(&mut e, &sample()).unwrap();
            e.finish().unwrap()
        };
        gz.truncate(gz.len() / 2);
        let r = Compression::detect(&gz).reader(&gz[..]).unwrap();
        let e = list_from(r, &Limits::default()).unwrap_err();
        assert!(e.to_string().starts_with("cannot read rootfs-diff.tar as a tar archive"), "{e}");
    }
}
