//! Walk a directory tree from an fd, one component at a time without following symlinks, and
//! write it as tar: the merged root (export), an overlay upper layer (diff), any directory
//! (`agent export-dir`). Mount points are not crossed unless allowed; symlinks are stored as
//! links; hardlinks as links to the first path; xattrs as PAX records.

use crate::agent::safefs;
use crate::agent::steps::tarwriter::{Meta, TarWriter};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use tar::EntryType;

/// How deep a tree may go before the walk stops descending (a hostile tree can be very deep).
const MAX_DEPTH: usize = 512;
/// How many per-entry problems are kept verbatim (the rest are counted).
const MAX_PROBLEMS: usize = 200;

#[derive(Debug, Default)]
pub struct WalkConfig {
    /// Relative paths (`proc`, `var/lib/data`) written as empty directories, never descended.
    pub no_descend: HashSet<Vec<u8>>,
    /// Mount points that may be descended although they are another filesystem (volumes).
    pub allow_mounts: HashSet<Vec<u8>>,
    /// SHA-256 of every regular file (for diff.json).
    pub hash_files: bool,
    /// Overlay upper layer: whiteouts become `.wh.<name>`, opaque directories get `.wh..wh..opq`,
    /// overlay's own xattrs are not stored.
    pub layer: bool,
    /// Metadata only: no file is opened or read (the tar output gets headers of empty files);
    /// used to list what an overlay upper layer changed before the one pass over the root.
    pub list_only: bool,
    /// Relative paths whose entries carry their offset in the archive (`tar_offset`) and, for
    /// regular files, the SHA-256 of the bytes stored: the diff's rows located in the export.
    pub track: HashSet<Vec<u8>>,
}

/// One entry as written (diff.json's row).
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// Absolute path inside the container (`/etc/passwd`).
    pub path: String,
    /// file, dir, symlink, hardlink, char, block, fifo, socket, whiteout
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub size: u64,
    /// Permission bits in octal (`0644`).
    pub mode: String,
    pub uid: u32,
    pub gid: u32,
    pub mtime: jiff::Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub opaque: bool,
    /// Offset of the entry's tar header in the uncompressed export (`rootfs.tar.zst`), when the
    /// diff's content is the export's (see ARCHITECTURE.md, "The bundle").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tar_offset: Option<u64>,
    /// A changed entry of the upper layer the export does not hold: a mount point hides it from
    /// the container (kubelet's /etc/hosts, a volume). Its SHA-256, for a file, is read from the
    /// upper layer; its content is not in the bundle.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden_by_mount: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct WalkStats {
    pub files: u64,
    pub dirs: u64,
    pub symlinks: u64,
    pub hardlinks: u64,
    pub other: u64,
    pub file_bytes: u64,
    /// Mount points and other directories not descended.
    pub not_descended: Vec<String>,
    /// Entries that could not be read (vanished, permission, changed while read).
    pub problems: Vec<String>,
    pub problems_dropped: u64,
}

impl WalkStats {
    fn problem(&mut self, p: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.problems_dropped += 1;
        }
    }
}

fn kind_of(mode: u32) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFREG => "file",
        libc::S_IFDIR => "dir",
        libc::S_IFLNK => "symlink",
        libc::S_IFCHR => "char",
        libc::S_IFBLK => "block",
        libc::S_IFIFO => "fifo",
        libc::S_IFSOCK => "socket",
        _ => "unknown",
    }
}

fn ts(sec: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_second(sec).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

pub fn is_whiteout(st: &libc::stat) -> bool {
    st.st_mode & libc::S_IFMT == libc::S_IFCHR && st.st_rdev == 0
}

fn is_overlay_xattr(name: &str) -> bool {
    name.starts_with("trusted.overlay.") || name.starts_with("user.overlay.")
}

/// Is this open directory marked opaque by overlayfs?
pub fn is_opaque(fd: &OwnedFd) -> bool {
    [c"trusted.overlay.opaque", c"user.overlay.opaque"]
        .iter()
        .any(|n| safefs::getxattr(fd.as_raw_fd(), n).is_some_and(|v| v.first() == Some(&b'y')))
}

pub struct Walker<'a, W: Write> {
    tar: TarWriter<W>,
    cfg: &'a WalkConfig,
    links: HashMap<(u64, u64), Vec<u8>>,
    pub stats: WalkStats,
    on_entry: &'a mut dyn FnMut(Entry),
}

impl<'a, W: Write> Walker<'a, W> {
    pub fn new(out: W, cfg: &'a WalkConfig, on_entry: &'a mut dyn FnMut(Entry)) -> Self {
        Self { tar: TarWriter::new(out), cfg, links: HashMap::new(), stats: WalkStats::default(), on_entry }
    }

    /// Write everything under `root`; output errors end the walk, read errors are recorded.
    pub fn run(mut self, root: &OwnedFd) -> io::Result<(W, WalkStats)> {
        let root_st = safefs::fstat(root.as_raw_fd())?;
        let mut rel = Vec::new();
        self.dir(root, root_st.st_dev, &mut rel, 0)?;
        Ok((self.tar.finish()?, self.stats))
    }

    /// [`Walker::run`], and the time spent reading files' data.
    pub fn run_timed(mut self, root: &OwnedFd) -> io::Result<(W, WalkStats, std::time::Duration)> {
        let root_st = safefs::fstat(root.as_raw_fd())?;
        let mut rel = Vec::new();
        self.dir(root, root_st.st_dev, &mut rel, 0)?;
        let read = self.tar.read_time;
        Ok((self.tar.finish()?, self.stats, read))
    }

    fn entry_of(rel: &[u8], st: &libc::stat, kind: &'static str) -> Entry {
        Entry {
            path: format!("/{}", String::from_utf8_lossy(rel)),
            kind,
            size: if kind == "file" { st.st_size as u64 } else { 0 },
            mode: format!("{:04o}", st.st_mode & 0o7777),
            uid: st.st_uid,
            gid: st.st_gid,
            mtime: ts(st.st_mtime),
            sha256: None,
            link_target: None,
            opaque: false,
            tar_offset: None,
            hidden_by_mount: false,
        }
    }

    /// Where the entry just written starts, when its path is tracked.
    fn located(&self, mut e: Entry, rel: &[u8], header_offset: u64) -> Entry {
        if self.cfg.track.contains(rel) {
            e.tar_offset = Some(header_offset);
        }
        e
    }

    fn meta(st: &libc::stat, kind: EntryType) -> Meta {
        Meta {
            kind,
            mode: st.st_mode,
            uid: st.st_uid as u64,
            gid: st.st_gid as u64,
            mtime: st.st_mtime.max(0) as u64,
            size: st.st_size.max(0) as u64,
            dev: None,
        }
    }

    fn dir(&mut self, dir: &OwnedFd, dev: u64, rel: &mut Vec<u8>, depth: usize) -> io::Result<()> {
        let names = match safefs::list_dir(dir.as_raw_fd()) {
            Ok(n) => n,
            Err(e) => {
                self.stats.problem(format!("/{}: cannot list: {e}", String::from_utf8_lossy(rel)));
                return Ok(());
            }
        };
        for name in names {
            let len = rel.len();
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel.extend_from_slice(name.as_bytes());
            let r = self.one(dir, &name, dev, rel, depth);
            rel.truncate(len);
            r?;
        }
        Ok(())
    }

    fn one(&mut self, dir: &OwnedFd, name: &OsStr, dev: u64, rel: &mut Vec<u8>, depth: usize) -> io::Result<()> {
        let shown = || format!("/{}", String::from_utf8_lossy(rel));
        let st = match safefs::lstat_at(dir.as_raw_fd(), name) {
            Ok(s) => s,
            Err(e) => {
                self.stats.problem(format!("{}: {e}", shown()));
                return Ok(());
            }
        };
        if st.st_mode & libc::S_IFMT != libc::S_IFDIR && self.cfg.no_descend.contains(rel.as_slice()) {
            // a file mount point (kubelet's /etc/hosts, a subPath volume): not part of the image
            self.stats.not_descended.push(shown());
            return Ok(());
        }
        match st.st_mode & libc::S_IFMT {
            libc::S_IFDIR => self.directory(dir, name, &st, dev, rel, depth),
            libc::S_IFREG => self.regular(dir, name, &st, rel),
            libc::S_IFLNK => {
                let target = match safefs::readlink_at(dir.as_raw_fd(), name) {
                    Ok(t) => t,
                    Err(e) => {
                        self.stats.problem(format!("{}: {e}", shown()));
                        return Ok(());
                    }
                };
                let o = self.tar.entry(rel, &Self::meta(&st, EntryType::Symlink), Some(target.as_bytes()), &[], None, false)?;
                self.stats.symlinks += 1;
                let mut e = Self::entry_of(rel, &st, "symlink");
                e.link_target = Some(target.to_string_lossy().into_owned());
                let e = self.located(e, rel, o.header_offset);
                (self.on_entry)(e);
                Ok(())
            }
            libc::S_IFCHR if self.cfg.layer && is_whiteout(&st) => {
                let (parent, base) = match rel.iter().rposition(|b| *b == b'/') {
                    Some(i) => (&rel[..=i], &rel[i + 1..]),
                    None => (&rel[..0], &rel[..]),
                };
                let wh = [parent, b".wh.", base].concat();
                self.tar.entry(&wh, &Self::meta(&st, EntryType::Regular).with_size(0), None, &[], Some(&mut io::empty()), false)?;
                self.stats.other += 1;
                (self.on_entry)(Self::entry_of(rel, &st, "whiteout"));
                Ok(())
            }
            fmt @ (libc::S_IFCHR | libc::S_IFBLK | libc::S_IFIFO) => {
                let kind = match fmt {
                    libc::S_IFCHR => EntryType::Char,
                    libc::S_IFBLK => EntryType::Block,
                    _ => EntryType::Fifo,
                };
                let mut m = Self::meta(&st, kind);
                m.dev = Some((libc::major(st.st_rdev), libc::minor(st.st_rdev)));
                let o = self.tar.entry(rel, &m, None, &[], None, false)?;
                self.stats.other += 1;
                let e = self.located(Self::entry_of(rel, &st, kind_of(st.st_mode)), rel, o.header_offset);
                (self.on_entry)(e);
                Ok(())
            }
            _ => {
                // sockets cannot be archived; listed in diff.json all the same
                self.stats.other += 1;
                (self.on_entry)(Self::entry_of(rel, &st, kind_of(st.st_mode)));
                Ok(())
            }
        }
    }

    fn directory(&mut self, dir: &OwnedFd, name: &OsStr, st: &libc::stat, dev: u64, rel: &mut Vec<u8>, depth: usize) -> io::Result<()> {
        let shown = format!("/{}", String::from_utf8_lossy(rel));
        let blocked = self.cfg.no_descend.contains(rel.as_slice())
            || (st.st_dev != dev && !self.cfg.allow_mounts.contains(rel.as_slice()))
            || depth >= MAX_DEPTH;
        let fd = if blocked { None } else { Some(safefs::open_dir_at(dir.as_raw_fd(), name)) };
        let fd = match fd {
            Some(Ok(fd)) => Some(fd),
            Some(Err(e)) => {
                self.stats.problem(format!("{shown}: cannot open: {e}"));
                None
            }
            None => {
                self.stats.not_descended.push(shown.clone());
                None
            }
        };
        let mut xattrs = fd.as_ref().map(|f| safefs::xattrs(f.as_raw_fd())).unwrap_or_default();
        let opaque = self.cfg.layer && fd.as_ref().is_some_and(is_opaque);
        if self.cfg.layer {
            xattrs.retain(|(k, _)| !is_overlay_xattr(k));
        }
        let mut path = rel.clone();
        path.push(b'/');
        let o = self.tar.entry(&path, &Self::meta(st, EntryType::Directory), None, &xattrs, None, false)?;
        self.stats.dirs += 1;
        let mut e = Self::entry_of(rel, st, "dir");
        e.opaque = opaque;
        let e = self.located(e, rel, o.header_offset);
        (self.on_entry)(e);
        if opaque {
            path.extend_from_slice(b".wh..wh..opq");
            self.tar.entry(
                &path,
                &Self::meta(st, EntryType::Regular).with_size(0).with_mode(0o644),
                None,
                &[],
                Some(&mut io::empty()),
                false,
            )?;
        }
        if let Some(fd) = fd {
            self.dir(&fd, st.st_dev, rel, depth + 1)?;
        }
        Ok(())
    }

    fn regular(&mut self, dir: &OwnedFd, name: &OsStr, st: &libc::stat, rel: &[u8]) -> io::Result<()> {
        let shown = format!("/{}", String::from_utf8_lossy(rel));
        let key = (st.st_dev, st.st_ino);
        if st.st_nlink > 1
            && let Some(first) = self.links.get(&key).cloned()
        {
            let o = self.tar.entry(rel, &Self::meta(st, EntryType::Link), Some(&first), &[], None, false)?;
            self.stats.hardlinks += 1;
            let mut e = Self::entry_of(rel, st, "hardlink");
            e.link_target = Some(format!("/{}", String::from_utf8_lossy(&first)));
            let e = self.located(e, rel, o.header_offset);
            (self.on_entry)(e);
            return Ok(());
        }
        if self.cfg.list_only {
            // what changed, not its content: nothing is opened or read
            if st.st_nlink > 1 {
                self.links.insert(key, rel.to_vec());
            }
            self.stats.files += 1;
            self.stats.file_bytes += st.st_size.max(0) as u64;
            (self.on_entry)(Self::entry_of(rel, st, "file"));
            return Ok(());
        }
        let mut f = match safefs::open_file_at(dir.as_raw_fd(), name) {
            Ok(f) => f,
            Err(e) => {
                self.stats.problem(format!("{shown}: cannot open: {e}"));
                return Ok(());
            }
        };
        // the entry may have been swapped between lstat and open: describe what was opened
        let st = match safefs::fstat(f.as_raw_fd()) {
            Ok(s) => s,
            Err(e) => {
                self.stats.problem(format!("{shown}: {e}"));
                return Ok(());
            }
        };
        let mut xattrs = safefs::xattrs(f.as_raw_fd());
        if self.cfg.layer {
            xattrs.retain(|(k, _)| !is_overlay_xattr(k));
        }
        let hash = self.cfg.hash_files || self.cfg.track.contains(rel);
        let out = self.tar.entry(rel, &Self::meta(&st, EntryType::Regular), None, &xattrs, Some(&mut f), hash)?;
        if out.short {
            self.stats.problem(format!("{shown}: shrank while read; the missing bytes are zeros in the archive"));
        }
        if st.st_nlink > 1 {
            self.links.insert((st.st_dev, st.st_ino), rel.to_vec());
        }
        self.stats.files += 1;
        self.stats.file_bytes += st.st_size.max(0) as u64;
        let mut e = Self::entry_of(rel, &st, "file");
        e.sha256 = out.sha256;
        let e = self.located(e, rel, out.header_offset);
        (self.on_entry)(e);
        Ok(())
    }
}

impl Meta {
    fn with_size(mut self, s: u64) -> Self {
        self.size = s;
        self
    }
    fn with_mode(mut self, m: u32) -> Self {
        self.mode = m;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::symlink;

    #[test]
    fn tree_round_trips_with_links_and_never_follows_symlinks() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("etc/sub")).unwrap();
        std::fs::create_dir_all(root.join("proc/self")).unwrap();
        std::fs::write(t.path().join("host-secret"), "HOST").unwrap();
        std::fs::write(root.join("etc/a"), "aaa").unwrap();
        std::fs::hard_link(root.join("etc/a"), root.join("etc/sub/a2")).unwrap();
        symlink(t.path().join("host-secret"), root.join("etc/evil")).unwrap();
        symlink(t.path(), root.join("up")).unwrap();
        std::fs::write(root.join("proc/self/x"), "no").unwrap();
        let fd = safefs::open_dir_path(&root).unwrap();
        let mut cfg = WalkConfig { hash_files: true, ..Default::default() };
        cfg.no_descend.insert(b"proc".to_vec());
        let mut entries = vec![];
        let mut cb = |e: Entry| entries.push(e);
        let (tar_bytes, stats) = Walker::new(Vec::new(), &cfg, &mut cb).run(&fd).unwrap();
        assert_eq!((stats.files, stats.hardlinks, stats.symlinks), (1, 1, 2));
        assert_eq!(stats.not_descended, vec!["/proc"]);
        let mut a = tar::Archive::new(&tar_bytes[..]);
        let mut names = vec![];
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().into_owned();
            let mut s = String::new();
            e.read_to_string(&mut s).unwrap();
            assert!(!s.contains("HOST"), "host file content in {p}");
            names.push((p, e.header().entry_type()));
        }
        assert!(names.contains(&("etc/evil".into(), EntryType::Symlink)));
        assert!(names.contains(&("etc/sub/a2".into(), EntryType::Link)));
        assert!(names.contains(&("proc/".into(), EntryType::Directory)));
        assert!(!names.iter().any(|(p, _)| p.starts_with("proc/self")));
        let a = entries.iter().find(|e| e.path == "/etc/a").unwrap();
        assert_eq!(a.sha256.as_deref(), Some("9834876dcfb05cb167a5c24953eba58c4ac89b1adf57f28f2f9d09af107ee8f0"));
    }
}
