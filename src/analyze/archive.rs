//! Reading a checkpoint archive safely: a plain tar (members indexed in place, nothing copied),
//! a `.tar.gz` / `.tar.zst` (regular files extracted into a private temporary directory, under
//! caps), or an already extracted directory.
//!
//! Archives come from compromised workloads. Member names are normalised and must stay inside
//! the archive (`..`, absolute names: refused); links, devices and FIFOs are refused (never
//! followed); the number of members and the bytes written are capped.

use super::AnalyzeError;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Component, Path, PathBuf};

/// Caps for hostile input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most members (files and directories) an archive may have.
    pub max_entries: u64,
    /// Most bytes we write when a compressed archive must be extracted.
    pub max_extract_bytes: u64,
    /// Largest metadata file or CRIU image (not pages) read into memory.
    pub max_small_file: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_entries: 100_000, max_extract_bytes: 64 << 30, max_small_file: 256 << 20 }
    }
}

/// Where a member's bytes are: a byte range of a real file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub file: PathBuf,
    pub offset: u64,
    pub size: u64,
}

impl Member {
    /// A reader of exactly this member's bytes.
    pub fn open(&self) -> io::Result<io::Take<File>> {
        let mut f = open_nofollow(&self.file)?;
        f.seek(SeekFrom::Start(self.offset))?;
        Ok(f.take(self.size))
    }
}

#[derive(Debug)]
pub struct Archive {
    /// What the user named (for messages).
    pub source: PathBuf,
    pub format: &'static str,
    members: BTreeMap<String, Member>,
    limits: Limits,
    _tmp: Option<TempDir>,
}

impl Archive {
    pub fn open(path: &Path, limits: Limits) -> Result<Archive, AnalyzeError> {
        let io_err = |e: io::Error| AnalyzeError::Open { path: path.to_path_buf(), source: e };
        let md = std::fs::metadata(path).map_err(io_err)?;
        if md.is_dir() {
            if !looks_like_checkpoint_dir(path) {
                return Err(not_a_checkpoint(path));
            }
            let mut members = BTreeMap::new();
            walk_dir(path, path, &mut members, &limits)?;
            return Ok(Archive { source: path.into(), format: "directory", members, limits, _tmp: None });
        }
        let mut f = File::open(path).map_err(io_err)?;
        let mut head = [0u8; 512];
        let n = read_up_to(&mut f, &mut head).map_err(io_err)?;
        f.seek(SeekFrom::Start(0)).map_err(io_err)?;
        match &head[..n] {
            [0x1f, 0x8b, ..] => {
                let dec = flate2::read::GzDecoder::new(io::BufReader::new(f));
                Self::extract(path, "tar.gz", dec, limits)
            }
            [0x28, 0xb5, 0x2f, 0xfd, ..] => {
                let dec = zstd::stream::read::Decoder::new(f).map_err(io_err)?;
                Self::extract(path, "tar.zst", dec, limits)
            }
            block if !is_tar_header(block) => Err(not_a_checkpoint(path)),
            _ => {
                let members = index_tar(path, f, &limits)?;
                Ok(Archive { source: path.into(), format: "tar", members, limits, _tmp: None })
            }
        }
    }

    fn extract(path: &Path, format: &'static str, r: impl Read, limits: Limits) -> Result<Archive, AnalyzeError> {
        let tmp = TempDir::new().map_err(|e| AnalyzeError::Open { path: std::env::temp_dir(), source: e })?;
        let mut members = BTreeMap::new();
        let mut written = 0u64;
        let mut count = 0u64;
        let bad = |what: String| AnalyzeError::Hostile { archive: path.to_path_buf(), what };
        let mut ar = tar::Archive::new(r);
        let entries = ar.entries().map_err(|e| tar_err(path, e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| tar_err(path, e))?;
            count += 1;
            if count > limits.max_entries {
                return Err(bad(format!("more than {} members (cap)", limits.max_entries)));
            }
            let raw = entry.path().map_err(|e| tar_err(path, e))?.into_owned();
            let Some(name) = check_member(path, &raw, entry.header().entry_type(), &entry)? else { continue };
            let dest = tmp.path.join(&name);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(|e| AnalyzeError::Open { path: parent.into(), source: e })?;
            }
            // A member we already wrote (duplicate name): the later one wins, as with tar.
            let _ = std::fs::remove_file(&dest);
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dest)
                .map_err(|e| AnalyzeError::Open { path: dest.clone(), source: e })?;
            let room = limits.max_extract_bytes - written;
            let n = io::copy(&mut (&mut entry).take(room + 1), &mut out).map_err(|e| tar_err(path, e))?;
            written += n;
            if written > limits.max_extract_bytes {
                return Err(bad(format!(
                    "decompresses to more than {} bytes (cap; raise it with --max-extract-bytes)",
                    limits.max_extract_bytes
                )));
            }
            members.insert(name, Member { file: dest, offset: 0, size: n });
        }
        Ok(Archive { source: path.into(), format, members, limits, _tmp: Some(tmp) })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn get(&self, name: &str) -> Option<&Member> {
        self.members.get(name)
    }

    pub fn members(&self) -> impl Iterator<Item = (&String, &Member)> {
        self.members.iter()
    }

    /// Members directly under `dir` ("" = the top): (file name, member).
    pub fn children<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = (&'a str, &'a Member)> + 'a {
        self.members.iter().filter_map(move |(k, m)| {
            let rest = if dir.is_empty() { Some(k.as_str()) } else { k.strip_prefix(dir).and_then(|r| r.strip_prefix('/')) };
            rest.filter(|r| !r.contains('/')).map(|r| (r, m))
        })
    }

    /// Read a (small) member whole: metadata files and CRIU images other than pages.
    pub fn read(&self, name: &str) -> Result<Option<Vec<u8>>, AnalyzeError> {
        let Some(m) = self.members.get(name) else { return Ok(None) };
        if m.size > self.limits.max_small_file {
            return Err(AnalyzeError::Hostile {
                archive: self.source.clone(),
                what: format!("{name} is {} bytes, more than the {} a metadata file may have", m.size, self.limits.max_small_file),
            });
        }
        let mut buf = Vec::with_capacity(m.size as usize);
        m.open().and_then(|mut r| r.read_to_end(&mut buf)).map_err(|e| AnalyzeError::Read { file: name.to_string(), source: e })?;
        Ok(Some(buf))
    }
}

/// What the user named is neither a tar (plain or compressed) nor a checkpoint directory. Says
/// nothing of the content: the file may be anything (`/etc/shadow`).
fn not_a_checkpoint(path: &Path) -> AnalyzeError {
    AnalyzeError::NotACheckpoint(format!(
        "{}: not a checkpoint archive (neither a tar, .tar.gz, .tar.zst nor a directory with config.dump, spec.dump or CRIU images)",
        path.display()
    ))
}

/// A directory worth walking: the engine's metadata or CRIU images at its top (never follows a
/// symlink to decide).
fn looks_like_checkpoint_dir(dir: &Path) -> bool {
    let is = |name: &str, dir_wanted: bool| {
        std::fs::symlink_metadata(dir.join(name)).is_ok_and(|m| if dir_wanted { m.is_dir() } else { m.is_file() })
    };
    ["config.dump", "spec.dump", "inventory.img", "pstree.img"].iter().any(|n| is(n, false)) || is("checkpoint", true)
}

/// The first 512 bytes of a file are a tar header (its checksum matches), or the zero block
/// of an empty tar.
fn is_tar_header(block: &[u8]) -> bool {
    if block.len() < 512 {
        return false;
    }
    if block.iter().all(|&b| b == 0) {
        return true;
    }
    let field = &block[148..156];
    let digits: String = field.iter().map(|&b| b as char).filter(|c| !matches!(c, ' ' | '\0')).collect();
    let Ok(stored) = u32::from_str_radix(&digits, 8) else { return false };
    let (mut unsigned, mut signed) = (0u32, 0i32);
    for (i, &b) in block[..512].iter().enumerate() {
        let b = if (148..156).contains(&i) { b' ' } else { b };
        unsigned += b as u32;
        signed += b as i8 as i32;
    }
    stored == unsigned || stored as i32 == signed
}

fn tar_err(path: &Path, e: io::Error) -> AnalyzeError {
    AnalyzeError::Archive { archive: path.to_path_buf(), what: super::error::tar_message(&e) }
}

/// Index a plain tar in place: name → byte range of the tar file itself.
fn index_tar(path: &Path, f: File, limits: &Limits) -> Result<BTreeMap<String, Member>, AnalyzeError> {
    let mut members = BTreeMap::new();
    let mut ar = tar::Archive::new(f);
    let entries = ar.entries_with_seek().map_err(|e| tar_err(path, e))?;
    let mut count = 0u64;
    for entry in entries {
        let entry = entry.map_err(|e| tar_err(path, e))?;
        count += 1;
        if count > limits.max_entries {
            return Err(AnalyzeError::Hostile { archive: path.into(), what: format!("more than {} members (cap)", limits.max_entries) });
        }
        let raw = entry.path().map_err(|e| tar_err(path, e))?.into_owned();
        let Some(name) = check_member(path, &raw, entry.header().entry_type(), &entry)? else { continue };
        members.insert(name, Member { file: path.to_path_buf(), offset: entry.raw_file_position(), size: entry.size() });
    }
    Ok(members)
}

/// Decide what to do with one member of the outer archive: `Some(name)` for a regular file to
/// keep, `None` for a directory (nothing to keep), an error for anything hostile.
fn check_member<R: Read>(
    archive: &Path,
    raw: &Path,
    kind: tar::EntryType,
    entry: &tar::Entry<'_, R>,
) -> Result<Option<String>, AnalyzeError> {
    let shown = raw.display().to_string();
    let bad = |what: String| AnalyzeError::Hostile { archive: archive.to_path_buf(), what };
    let name = normalize(raw).ok_or_else(|| bad(format!("member {shown:?} escapes the archive (absolute path or '..')")))?;
    match kind {
        tar::EntryType::Directory => Ok(None),
        tar::EntryType::Regular | tar::EntryType::Continuous => {
            if name.is_empty() {
                return Err(bad(format!("member {shown:?} has no name")));
            }
            Ok(Some(name))
        }
        tar::EntryType::Symlink | tar::EntryType::Link => {
            let target = entry.link_name().ok().flatten().map(|t| t.display().to_string()).unwrap_or_default();
            Err(bad(format!("member {shown:?} is a link (to {target:?}); links in a checkpoint archive are never followed")))
        }
        // pax / GNU long-name headers are consumed by the tar crate; anything else is unexpected
        tar::EntryType::XGlobalHeader | tar::EntryType::XHeader | tar::EntryType::GNULongName | tar::EntryType::GNULongLink => Ok(None),
        other => Err(bad(format!("member {shown:?} is not a regular file ({other:?})"))),
    }
}

/// A member name as a clean relative path ("a/b"), or None if it would leave the archive.
pub fn normalize(p: &Path) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_str()?),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

fn walk_dir(root: &Path, dir: &Path, out: &mut BTreeMap<String, Member>, limits: &Limits) -> Result<(), AnalyzeError> {
    let rd = std::fs::read_dir(dir).map_err(|e| AnalyzeError::Open { path: dir.into(), source: e })?;
    for e in rd {
        let e = e.map_err(|e| AnalyzeError::Open { path: dir.into(), source: e })?;
        let p = e.path();
        let md = std::fs::symlink_metadata(&p).map_err(|e| AnalyzeError::Open { path: p.clone(), source: e })?;
        let rel = p.strip_prefix(root).ok().and_then(normalize).unwrap_or_default();
        if out.len() as u64 >= limits.max_entries {
            return Err(AnalyzeError::Hostile { archive: root.into(), what: format!("more than {} files (cap)", limits.max_entries) });
        }
        let ft = md.file_type();
        if ft.is_dir() {
            walk_dir(root, &p, out, limits)?;
        } else if ft.is_file() {
            out.insert(rel, Member { file: p, offset: 0, size: md.len() });
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&p).map(|t| t.display().to_string()).unwrap_or_default();
            return Err(AnalyzeError::Hostile {
                archive: root.into(),
                what: format!("{rel:?} is a symlink (to {target:?}); links in a checkpoint directory are never followed"),
            });
        }
        // sockets, fifos, devices in an extracted directory: ignored (never opened)
    }
    Ok(())
}

/// Open a file without following a symlink in its last component.
pub fn open_nofollow(p: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(p)
}

fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A private (0700) temporary directory, removed on drop.
#[derive(Debug)]
pub struct TempDir {
    pub path: PathBuf,
}

impl TempDir {
    pub fn new() -> io::Result<TempDir> {
        use std::os::unix::fs::DirBuilderExt;
        let base = std::env::temp_dir();
        for _ in 0..16 {
            let p = base.join(format!("kforensic-analyze-{}-{:08x}", std::process::id(), fastrand::u32(..)));
            match std::fs::DirBuilder::new().mode(0o700).create(&p) {
                Ok(()) => return Ok(TempDir { path: p }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
        Err(io::Error::other("cannot create a unique temporary directory"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_keeps_inside_names_and_refuses_escapes() {
        assert_eq!(normalize(Path::new("./checkpoint/pstree.img")).as_deref(), Some("checkpoint/pstree.img"));
        assert_eq!(normalize(Path::new("config.dump")).as_deref(), Some("config.dump"));
        assert_eq!(normalize(Path::new("../etc/passwd")), None);
        assert_eq!(normalize(Path::new("a/../../b")), None);
        assert_eq!(normalize(Path::new("/etc/passwd")), None);
    }

    #[test]
    fn tar_headers_are_told_from_other_files() {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        b.append_data(&mut h, "config.dump", &b"{}"[..]).unwrap();
        let t = b.into_inner().unwrap();
        assert!(is_tar_header(&t[..512]));
        assert!(is_tar_header(&[0u8; 512]));
        let mut text = b"root:x:0:0:root:/root:/bin/bash\n".repeat(20);
        text.truncate(512);
        assert!(!is_tar_header(&text));
        assert!(!is_tar_header(b"short"));
    }
}
