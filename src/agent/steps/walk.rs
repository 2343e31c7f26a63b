//! Walk a directory tree from an fd, one component at a time without following symlinks, and
//! write it as tar: the merged root (export), an overlay upper layer (diff), any directory
//! (`agent export-dir`). Mount points are not crossed unless allowed; symlinks are stored as
//! links; hardlinks as links to the first path; xattrs as PAX records.

use crate::agent::safefs;
use crate::agent::steps::tarwriter::{Meta, TarWriter};
use crate::protocol::name;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::io::{self, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use tar::EntryType;

/// Directories kept open on the way down; deeper ones are closed and reopened (through `..`,
/// checked by device and inode) when the walk comes back up: a tree of any depth costs at most
/// this many descriptors.
const OPEN_DIRS: usize = 64;
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
    pub(crate) fn problem(&mut self, p: String) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        } else {
            self.problems_dropped += 1;
        }
    }

    /// What the walk did not capture, one error line each (the manifest's): the problems kept,
    /// and one line counting the others.
    pub fn error_lines(&self) -> Vec<String> {
        let mut out = self.problems.clone();
        if self.problems_dropped > 0 {
            out.push(format!("{} more entries could not be read (only the first {MAX_PROBLEMS} are named)", self.problems_dropped));
        }
        out
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
    /// Directories kept open on the way down (see [`OPEN_DIRS`]).
    open_dirs: usize,
}

/// A directory being walked: the names of it not walked yet.
struct Frame {
    /// Open while the walk is in it, and for the first [`OPEN_DIRS`] levels.
    fd: Option<OwnedFd>,
    /// Its name in its parent (to reopen it from an open ancestor).
    name: OsString,
    dev: u64,
    ino: u64,
    names: std::vec::IntoIter<OsString>,
    /// Length of its path in the walk's `rel`.
    rel_len: usize,
}

/// A path of the walk as shown in a problem: escaped, and a very long one shortened in the
/// middle (the entry's own row in diff.json keeps it whole).
fn shown(rel: &[u8]) -> String {
    const KEEP: usize = 240;
    if rel.len() <= 2 * KEEP {
        return format!("/{}", name::escape(rel));
    }
    format!("/{}…({} bytes)…{}", name::escape(&rel[..KEEP]), rel.len() - 2 * KEEP, name::escape(&rel[rel.len() - KEEP..]))
}

fn same_dir(fd: &OwnedFd, dev: u64, ino: u64) -> bool {
    safefs::fstat(fd.as_raw_fd()).is_ok_and(|st| st.st_dev == dev && st.st_ino == ino)
}

impl<'a, W: Write> Walker<'a, W> {
    pub fn new(out: W, cfg: &'a WalkConfig, on_entry: &'a mut dyn FnMut(Entry)) -> Self {
        Self { tar: TarWriter::new(out), cfg, links: HashMap::new(), stats: WalkStats::default(), on_entry, open_dirs: OPEN_DIRS }
    }

    /// Write everything under `root`; output errors end the walk, read errors are recorded.
    pub fn run(mut self, root: &OwnedFd) -> io::Result<(W, WalkStats)> {
        self.walk(root)?;
        Ok((self.tar.finish()?, self.stats))
    }

    /// [`Walker::run`], and the time spent reading files' data.
    pub fn run_timed(mut self, root: &OwnedFd) -> io::Result<(W, WalkStats, std::time::Duration)> {
        self.walk(root)?;
        let read = self.tar.read_time;
        Ok((self.tar.finish()?, self.stats, read))
    }

    /// The walk, depth first in name order, with a stack of [`Frame`]s instead of recursion: any
    /// depth, at most [`OPEN_DIRS`] + 1 directories open, and in memory only the names left in
    /// the directories on the current path. A directory that is its own ancestor (a bind-mount
    /// loop) is not descended, and that is a problem of the walk.
    fn walk(&mut self, root: &OwnedFd) -> io::Result<()> {
        let st = safefs::fstat(root.as_raw_fd())?;
        let mut rel: Vec<u8> = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        let mut on_path: HashSet<(u64, u64)> = HashSet::new();
        if let Some(f) = self.frame(safefs::dup_fd(root.as_raw_fd())?, &st, OsString::new(), &rel) {
            on_path.insert((f.dev, f.ino));
            stack.push(f);
        }
        while let Some(top) = stack.last_mut() {
            let Some(name) = top.names.next() else {
                let done = stack.pop().expect("the stack has a top");
                on_path.remove(&(done.dev, done.ino));
                if let Some(parent) = stack.last() {
                    rel.truncate(parent.rel_len);
                }
                self.reopen_top(&mut stack, done.fd, &rel);
                continue;
            };
            rel.truncate(top.rel_len);
            if !rel.is_empty() {
                rel.push(b'/');
            }
            rel.extend_from_slice(name.as_bytes());
            let Some(fd) = top.fd.as_ref() else { continue };
            let Some((child, st)) = self.one(fd, &name, top.dev, &rel)? else { continue };
            if !on_path.insert((st.st_dev, st.st_ino)) {
                self.stats.problem(format!("{}: the same directory as one of its parents (a mount loop): not descended", shown(&rel)));
                continue;
            }
            let Some(frame) = self.frame(child, &st, name, &rel) else {
                on_path.remove(&(st.st_dev, st.st_ino));
                continue;
            };
            // deep down, the parent is closed: it is reopened on the way back up
            let parent = stack.len() - 1;
            if parent >= self.open_dirs {
                stack[parent].fd = None;
            }
            stack.push(frame);
        }
        Ok(())
    }

    /// A directory to walk, its names read; `None` (and a problem) when it cannot be listed.
    fn frame(&mut self, fd: OwnedFd, st: &libc::stat, name: OsString, rel: &[u8]) -> Option<Frame> {
        match safefs::list_dir(fd.as_raw_fd()) {
            Ok(names) => Some(Frame { fd: Some(fd), name, dev: st.st_dev, ino: st.st_ino, names: names.into_iter(), rel_len: rel.len() }),
            Err(e) => {
                self.stats.problem(format!("{}: cannot list: {e}", shown(rel)));
                None
            }
        }
    }

    /// Back up in a directory whose descriptor was closed: reopen it through `..` of the child
    /// just finished, or else name by name from the nearest open ancestor, each step checked by
    /// device and inode. A directory moved or replaced meanwhile is a problem: the rest of it is
    /// not walked.
    fn reopen_top(&mut self, stack: &mut [Frame], child: Option<OwnedFd>, rel: &[u8]) {
        let Some(top) = stack.last() else { return };
        if top.fd.is_some() {
            return;
        }
        let (dev, ino) = (top.dev, top.ino);
        let up = child.and_then(|c| safefs::open_dir_at(c.as_raw_fd(), OsStr::new("..")).ok()).filter(|fd| same_dir(fd, dev, ino));
        let fd = up.or_else(|| {
            let from = stack.iter().rposition(|f| f.fd.is_some())?;
            let mut cur = safefs::dup_fd(stack[from].fd.as_ref()?.as_raw_fd()).ok()?;
            for f in &stack[from + 1..] {
                cur = safefs::open_dir_at(cur.as_raw_fd(), &f.name).ok().filter(|fd| same_dir(fd, f.dev, f.ino))?;
            }
            Some(cur)
        });
        let top = stack.last_mut().expect("checked above");
        match fd {
            Some(fd) => top.fd = Some(fd),
            None => {
                let left = top.names.len();
                top.names = Vec::new().into_iter();
                if left == 0 {
                    return; // nothing of it was left to walk
                }
                self.stats
                    .problem(format!("{}: moved or replaced while walked: {left} of its entries not captured", shown(&rel[..top.rel_len])));
            }
        }
    }

    fn entry_of(rel: &[u8], st: &libc::stat, kind: &'static str) -> Entry {
        Entry {
            path: format!("/{}", name::escape(rel)),
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

    /// Write the entry `name` of `dir` (at `rel`); a directory to descend comes back open, with
    /// its stat.
    fn one(&mut self, dir: &OwnedFd, name: &OsStr, dev: u64, rel: &[u8]) -> io::Result<Option<(OwnedFd, libc::stat)>> {
        let here = || shown(rel);
        let st = match safefs::lstat_at(dir.as_raw_fd(), name) {
            Ok(s) => s,
            Err(e) => {
                self.stats.problem(format!("{}: {e}", here()));
                return Ok(None);
            }
        };
        if st.st_mode & libc::S_IFMT != libc::S_IFDIR && self.cfg.no_descend.contains(rel) {
            // a file mount point (kubelet's /etc/hosts, a subPath volume): not part of the image
            self.stats.not_descended.push(here());
            return Ok(None);
        }
        match st.st_mode & libc::S_IFMT {
            libc::S_IFDIR => Ok(self.directory(dir, name, &st, dev, rel)?.map(|fd| (fd, st))),
            libc::S_IFREG => self.regular(dir, name, &st, rel).map(|()| None),
            libc::S_IFLNK => {
                let target = match safefs::readlink_at(dir.as_raw_fd(), name) {
                    Ok(t) => t,
                    Err(e) => {
                        self.stats.problem(format!("{}: {e}", here()));
                        return Ok(None);
                    }
                };
                let o = self.tar.entry(rel, &Self::meta(&st, EntryType::Symlink), Some(target.as_bytes()), &[], None, false)?;
                self.stats.symlinks += 1;
                let mut e = Self::entry_of(rel, &st, "symlink");
                e.link_target = Some(name::escape(target.as_bytes()));
                let e = self.located(e, rel, o.header_offset);
                (self.on_entry)(e);
                Ok(None)
            }
            libc::S_IFCHR if self.cfg.layer && is_whiteout(&st) => {
                let (parent, base) = match rel.iter().rposition(|b| *b == b'/') {
                    Some(i) => (&rel[..=i], &rel[i + 1..]),
                    None => (&rel[..0], rel),
                };
                let wh = [parent, b".wh.", base].concat();
                self.tar.entry(&wh, &Self::meta(&st, EntryType::Regular).with_size(0), None, &[], Some(&mut io::empty()), false)?;
                self.stats.other += 1;
                (self.on_entry)(Self::entry_of(rel, &st, "whiteout"));
                Ok(None)
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
                Ok(None)
            }
            _ => {
                // sockets cannot be archived; listed in diff.json all the same
                self.stats.other += 1;
                (self.on_entry)(Self::entry_of(rel, &st, kind_of(st.st_mode)));
                Ok(None)
            }
        }
    }

    /// Write a directory's entry; the directory comes back open when it is to be descended.
    fn directory(&mut self, dir: &OwnedFd, name: &OsStr, st: &libc::stat, dev: u64, rel: &[u8]) -> io::Result<Option<OwnedFd>> {
        let shown = shown(rel);
        let blocked = self.cfg.no_descend.contains(rel) || (st.st_dev != dev && !self.cfg.allow_mounts.contains(rel));
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
        let mut path = rel.to_vec();
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
        Ok(fd)
    }

    fn regular(&mut self, dir: &OwnedFd, name: &OsStr, st: &libc::stat, rel: &[u8]) -> io::Result<()> {
        let shown = shown(rel);
        let key = (st.st_dev, st.st_ino);
        if st.st_nlink > 1
            && let Some(first) = self.links.get(&key).cloned()
        {
            let o = self.tar.entry(rel, &Self::meta(st, EntryType::Link), Some(&first), &[], None, false)?;
            self.stats.hardlinks += 1;
            let mut e = Self::entry_of(rel, st, "hardlink");
            e.link_target = Some(format!("/{}", name::escape(&first)));
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
    use sha2::Digest;
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

    /// Every tar member: name bytes, type, data.
    fn members(tar_bytes: &[u8]) -> Vec<(Vec<u8>, EntryType, Vec<u8>)> {
        let mut a = tar::Archive::new(tar_bytes);
        let mut out = vec![];
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let mut data = vec![];
            e.read_to_end(&mut data).unwrap();
            out.push((e.path_bytes().into_owned(), e.header().entry_type(), data));
        }
        out
    }

    fn walk_with(
        root: &std::path::Path,
        open_dirs: usize,
        cfg: &WalkConfig,
        mut on: impl FnMut(&Entry),
    ) -> (Vec<u8>, WalkStats, Vec<Entry>) {
        let fd = safefs::open_dir_path(root).unwrap();
        let mut entries = vec![];
        let mut cb = |e: Entry| {
            on(&e);
            entries.push(e)
        };
        let mut w = Walker::new(Vec::new(), cfg, &mut cb);
        w.open_dirs = open_dirs;
        let (tar_bytes, stats) = w.run(&fd).unwrap();
        (tar_bytes, stats, entries)
    }

    /// A 600-deep chain (deeper than the old recursion's cap) with a file at the bottom, and
    /// names that are not UTF-8 or hold a newline: all of it in the tar, names as bytes; the
    /// rows escaped. The budget of open directories is tiny, so the way up goes through `..`.
    #[test]
    fn a_600_deep_tree_and_odd_names_are_walked_whole_with_few_descriptors() {
        use std::os::unix::ffi::OsStrExt;
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        let mut deep = root.clone();
        for _ in 0..600 {
            deep.push("d");
        }
        // create_dir_all would pass PATH_MAX: go down one directory at a time
        std::fs::create_dir(&root).unwrap();
        let mut fd = safefs::open_dir_path(&root).unwrap();
        for _ in 0..600 {
            nix::sys::stat::mkdirat(&fd, "d", nix::sys::stat::Mode::from_bits_truncate(0o755)).unwrap();
            fd = safefs::open_dir_at(fd.as_raw_fd(), OsStr::new("d")).unwrap();
        }
        let f = nix::fcntl::openat(
            &fd,
            "bottom",
            nix::fcntl::OFlag::O_CREAT | nix::fcntl::OFlag::O_WRONLY,
            nix::sys::stat::Mode::from_bits_truncate(0o644),
        )
        .unwrap();
        nix::unistd::write(&f, b"the deepest bytes").unwrap();
        std::fs::create_dir(root.join(OsStr::from_bytes(b"dir\xff"))).unwrap();
        std::fs::write(root.join(OsStr::from_bytes(b"dir\xff/new\nline")), "nl").unwrap();
        std::fs::write(root.join("100%"), "pct").unwrap();
        std::fs::write(root.join("zz"), "after the chain").unwrap();
        let cfg = WalkConfig { hash_files: true, ..Default::default() };
        let (tar_bytes, stats, entries) = walk_with(&root, 2, &cfg, |_| {});
        assert!(stats.problems.is_empty() && stats.not_descended.is_empty(), "{stats:?}");
        assert_eq!(stats.dirs, 601);
        let m = members(&tar_bytes);
        let bottom = [b"d/".repeat(600), b"bottom".to_vec()].concat();
        assert!(m.iter().any(|(n, k, d)| *n == bottom && *k == EntryType::Regular && d == b"the deepest bytes"));
        assert!(m.iter().any(|(n, _, d)| n == b"dir\xff/new\nline" && d == b"nl"));
        assert!(m.iter().any(|(n, _, d)| n == b"zz" && d == b"after the chain"), "the walk came back up");
        let rows: Vec<&str> = entries.iter().map(|e| e.path.as_str()).collect();
        assert!(rows.contains(&"/dir%FF/new%0Aline") && rows.contains(&"/100%25"), "{:?}", &rows[rows.len() - 4..]);
        let deepest = entries.iter().find(|e| e.path.ends_with("/bottom")).unwrap();
        assert_eq!(deepest.path, format!("/{}bottom", "d/".repeat(600)));
        assert_eq!(deepest.sha256.as_deref(), Some(hex::encode(sha2::Sha256::digest(b"the deepest bytes")).as_str()));
    }

    /// A directory moved while walked is found again by name (checked by inode); one replaced
    /// by another is not walked further, and what was left of it is an error line.
    #[test]
    fn a_directory_moved_or_replaced_mid_walk_is_followed_or_said() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("a/b/c/d/e")).unwrap();
        std::fs::write(root.join("a/b/c/d/e/f"), "f").unwrap();
        std::fs::write(root.join("a/b/c/z"), "z").unwrap();
        // d moves out of c: going up from d reaches b, not c; c is found again from the root
        let r = root.clone();
        let (tar_bytes, stats, _) = walk_with(&root, 1, &WalkConfig::default(), |e| {
            if e.path == "/a/b/c/d/e/f" {
                std::fs::rename(r.join("a/b/c/d"), r.join("a/b/moved")).unwrap();
            }
        });
        assert!(stats.problems.is_empty(), "{stats:?}");
        assert!(members(&tar_bytes).iter().any(|(n, _, d)| n == b"a/b/c/z" && d == b"z"));
        // c is replaced: the rest of it (z) is not captured, and that is said
        std::fs::rename(root.join("a/b/moved"), root.join("a/b/c/d")).unwrap();
        let r = root.clone();
        let (tar_bytes, stats, _) = walk_with(&root, 1, &WalkConfig::default(), |e| {
            if e.path == "/a/b/c/d/e/f" {
                std::fs::rename(r.join("a/b/c/d"), r.join("a/moved")).unwrap();
                std::fs::rename(r.join("a/b/c"), r.join("a/old-c")).unwrap();
                std::fs::create_dir(r.join("a/b/c")).unwrap();
                std::fs::rename(r.join("a/b"), r.join("a/old-b")).unwrap();
                std::fs::create_dir(r.join("a/b")).unwrap();
            }
        });
        assert!(!members(&tar_bytes).iter().any(|(n, _, _)| n == b"a/b/c/z"));
        assert!(stats.problems.iter().any(|p| p.contains("moved or replaced while walked")), "{stats:?}");
    }
}
