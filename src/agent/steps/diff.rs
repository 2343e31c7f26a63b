//! diff: what the container changed against its image, with docker-diff semantics (A added,
//! C changed, D deleted), read from the overlay upper layer of its root mount. With the export:
//! the upper layer is listed (metadata only) and the export's one pass over the root stores the
//! changed content and locates it (diff.json rows carry `tar_offset` into rootfs.tar.zst).
//! Without it: one pass over the upper layer writes diff.tar.zst (the changed content, as an OCI
//! layer: deletions as `.wh.` files) and collects the rows of diff.json.

use crate::agent::proc::mountinfo::{self, Overlay};
use crate::agent::safefs;
use crate::agent::steps::walk::{self, Entry, WalkConfig, WalkStats, Walker};
use crate::protocol::name;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// A, C or D.
    pub kind: &'static str,
    #[serde(flatten)]
    pub entry: Entry,
}

#[derive(Debug, Serialize)]
pub struct DiffReport {
    pub container: String,
    /// Where the changes were read: `overlay upperdir` or `docker changes API`.
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overlay: Option<Overlay>,
    pub changes: Vec<Change>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walk: Option<WalkStats>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Where the changed content is: `diff-tar` (its own `diff.tar.zst`, the layout of bundles
    /// made before the one-pass capture, and of a capture without the export step) or `export`
    /// (the rows' `tar_offset` in `rootfs.tar.zst`; `kforensic analyze --extract-diff` rebuilds
    /// the diff tar). Absent in bundles made before this field: `diff-tar`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<&'static str>,
    /// How the rows' paths spell the names' bytes: `escaped` (`protocol::name`: `%`,
    /// control characters and bytes that are not UTF-8 as `%XX`). Absent in bundles made before
    /// this field: bytes that were not UTF-8 were replaced (U+FFFD).
    pub names: &'static str,
}

/// The overlay layers of a process's root mount, or why there are none.
pub fn root_overlay(pid: i32) -> Result<Overlay, String> {
    let mounts = mountinfo::read(pid).map_err(|e| format!("cannot read /proc/{pid}/mountinfo: {e}"))?;
    let root = mountinfo::root_mount(&mounts).ok_or_else(|| format!("/proc/{pid}/mountinfo has no '/' mount"))?;
    mountinfo::overlay(root).ok_or_else(|| {
        format!(
            "the root filesystem is {} ({}), not overlay: no upper layer to diff (use the export and compare it with the image)",
            root.fstype, root.source
        )
    })
}

/// Open lower layers (top first) for lookups; unreadable ones are noted.
pub struct Lowers {
    fds: Vec<OwnedFd>,
    pub notes: Vec<String>,
}

impl Lowers {
    pub fn open(host_root: &OwnedFd, o: &Overlay) -> Self {
        let mut l = Lowers { fds: vec![], notes: vec![] };
        for d in &o.lowerdirs {
            match safefs::open_in_root(host_root.as_raw_fd(), d, true) {
                Ok(fd) => l.fds.push(fd),
                Err(e) => l.notes.push(format!("lower layer {d} unreadable ({e}): its paths count as added")),
            }
        }
        l
    }

    /// Is `path` (a row's path: escaped, see `protocol::name`) visible in the merged lower
    /// layers? Stops at a whiteout or an opaque directory.
    pub fn exists(&self, path: &str) -> bool {
        let rel = OsString::from_vec(name::unescape(path));
        for fd in &self.fds {
            let Ok((dir, name)) = safefs::open_parent(fd.as_raw_fd(), &rel) else { continue };
            match safefs::lstat_at(dir.as_raw_fd(), &name) {
                Ok(st) if walk::is_whiteout(&st) => return false,
                Ok(_) => return true,
                Err(_) => {
                    if walk::is_opaque(&dir) {
                        return false;
                    }
                }
            }
        }
        false
    }

    /// Names (escaped) in `path` (escaped) across the lower layers (for opaque directories),
    /// with their stat.
    fn children(&self, path: &str) -> Vec<(String, libc::stat)> {
        let rel = OsString::from_vec(name::unescape(path));
        let mut seen = BTreeSet::new();
        let mut out = vec![];
        for fd in &self.fds {
            let Ok(dir) = safefs::open_dir_beneath(fd.as_raw_fd(), &rel) else { continue };
            for n in safefs::list_dir(dir.as_raw_fd()).unwrap_or_default() {
                let name = name::escape(n.as_bytes());
                if let Ok(st) = safefs::lstat_at(dir.as_raw_fd(), &n)
                    && seen.insert(name.clone())
                    && !walk::is_whiteout(&st)
                {
                    out.push((name, st));
                }
            }
            if walk::is_opaque(&dir) {
                break;
            }
        }
        out
    }
}

/// Classify walked upper-layer entries into A/C/D; opaque directories hide every lower child
/// not present in the upper layer (each becomes a D).
pub fn classify(entries: Vec<Entry>, lowers: &Lowers) -> Vec<Change> {
    let upper_paths: BTreeSet<String> = entries.iter().map(|e| e.path.clone()).collect();
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        if e.kind == "whiteout" {
            out.push(Change { kind: "D", entry: e });
            continue;
        }
        if e.opaque {
            for (name, st) in lowers.children(&e.path) {
                let p = format!("{}/{name}", e.path);
                if !upper_paths.contains(&p) {
                    let kind = if st.st_mode & libc::S_IFMT == libc::S_IFDIR { "dir" } else { "file" };
                    out.push(Change {
                        kind: "D",
                        entry: Entry {
                            path: p,
                            kind,
                            size: 0,
                            mode: format!("{:04o}", st.st_mode & 0o7777),
                            uid: st.st_uid,
                            gid: st.st_gid,
                            mtime: jiff::Timestamp::from_second(st.st_mtime).unwrap_or(jiff::Timestamp::UNIX_EPOCH),
                            sha256: None,
                            link_target: None,
                            opaque: false,
                            tar_offset: None,
                            hidden_by_mount: false,
                        },
                    });
                }
            }
        }
        let kind = if lowers.exists(&e.path) { "C" } else { "A" };
        out.push(Change { kind, entry: e });
    }
    out.sort_by(|a, b| a.entry.path.cmp(&b.entry.path));
    out
}

/// List the upper layer, metadata only (no file is read): what the container changed. The one
/// pass over the root ([`super::export`]) then stores their content once, and
/// [`locate_in_export`] says where.
pub fn scan_upper(upper: &OwnedFd, lowers: &Lowers) -> io::Result<(Vec<Change>, WalkStats)> {
    let cfg = WalkConfig { layer: true, list_only: true, ..Default::default() };
    let mut rows = Rows::default();
    let mut cb = |e: Entry| rows.add(e);
    let (_, mut stats) = Walker::new(io::sink(), &cfg, &mut cb).run(upper)?;
    rows.account(&mut stats);
    Ok((classify(rows.entries, lowers), stats))
}

/// The rows' paths and link targets held at most (a hostile tree of long paths cannot exhaust
/// the agent's memory); the rows past it are an error line.
const MAX_ROW_BYTES: usize = 256 << 20;

/// The upper layer's entries as the walk gives them, within [`MAX_ROW_BYTES`].
#[derive(Default)]
struct Rows {
    entries: Vec<Entry>,
    bytes: usize,
    dropped: u64,
}

impl Rows {
    fn add(&mut self, e: Entry) {
        self.bytes += e.path.len() + e.link_target.as_ref().map_or(0, String::len);
        if self.bytes > MAX_ROW_BYTES {
            self.dropped += 1;
        } else {
            self.entries.push(e);
        }
    }

    fn account(&self, stats: &mut WalkStats) {
        if self.dropped > 0 {
            stats.problem(format!(
                "{} changed entries not listed in diff.json: the rows' paths pass {} MiB",
                self.dropped,
                MAX_ROW_BYTES >> 20
            ));
        }
    }
}

/// The export's relative paths (`etc/passwd`) of the added and changed rows: the entries the
/// export walk locates and hashes.
pub fn export_members(changes: &[Change]) -> HashSet<Vec<u8>> {
    changes.iter().filter(|c| c.kind != "D").map(|c| name::unescape(c.entry.path.trim_start_matches('/'))).collect()
}

/// Give each added or changed row the export's view of it: its offset in the export's tar, its
/// type, size and SHA-256 as stored there. A row the export does not hold (under a mount point,
/// which hides the upper layer's entry from the container) is marked `hidden_by_mount`, a file's
/// SHA-256 read from `upper`; returns their paths.
pub fn locate_in_export(changes: &mut [Change], exported: Vec<Entry>, upper: Option<&OwnedFd>) -> Vec<String> {
    let mut by_path: HashMap<String, Entry> = exported.into_iter().map(|e| (e.path.clone(), e)).collect();
    let mut missing = vec![];
    for c in changes.iter_mut().filter(|c| c.kind != "D") {
        match by_path.remove(&c.entry.path) {
            Some(e) => {
                let opaque = c.entry.opaque;
                c.entry = e;
                c.entry.opaque = opaque;
            }
            None => {
                c.entry.hidden_by_mount = true;
                if c.entry.kind == "file"
                    && let Some(up) = upper
                    && let Ok(fd) = safefs::open_in_root(up.as_raw_fd(), OsStr::from_bytes(&name::unescape(&c.entry.path)), false)
                {
                    c.entry.sha256 =
                        crate::evidence::hash::hash_reader(&mut std::fs::File::from(fd), &crate::evidence::progress::Progress::hidden())
                            .ok()
                            .map(|(_, h)| h);
                }
                missing.push(c.entry.path.clone());
            }
        }
    }
    missing
}

/// Walk the upper layer into `out` (tar, typically through zstd) and return the classified changes.
pub fn walk_upper<W: io::Write>(upper: &OwnedFd, lowers: &Lowers, out: W) -> io::Result<(W, Vec<Change>, WalkStats)> {
    let cfg = WalkConfig { hash_files: true, layer: true, ..Default::default() };
    let mut rows = Rows::default();
    let mut cb = |e: Entry| rows.add(e);
    let (w, mut stats) = Walker::new(out, &cfg, &mut cb).run(upper)?;
    rows.account(&mut stats);
    Ok((w, classify(rows.entries, lowers), stats))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fake layer pair on a plain filesystem (whiteouts need mknod: root only, like the agent).
    #[test]
    fn upper_layer_classifies_added_changed_deleted() {
        let t = tempfile::tempdir().unwrap();
        let (lower, upper) = (t.path().join("lower"), t.path().join("upper"));
        for d in [lower.join("etc"), lower.join("bin"), upper.join("etc"), upper.join("tmp")] {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(lower.join("etc/passwd"), "root").unwrap();
        std::fs::write(lower.join("etc/group"), "root").unwrap();
        std::fs::write(upper.join("etc/group"), "changed").unwrap();
        std::fs::write(upper.join("tmp/new"), "new").unwrap();
        let wh = std::ffi::CString::new(upper.join("etc/passwd").as_os_str().as_encoded_bytes()).unwrap();
        // a whiteout is a 0:0 character device: making one needs root, as the suite runs
        let made = unsafe { libc::mknod(wh.as_ptr(), libc::S_IFCHR, 0) };
        assert_eq!(made, 0, "mknod of a whiteout: {} (the agent's tests run as root)", std::io::Error::last_os_error());
        let host = safefs::open_dir_path(std::path::Path::new("/")).unwrap();
        let o = Overlay { upperdir: upper.display().to_string(), lowerdirs: vec![lower.display().to_string()], workdir: None };
        let lowers = Lowers::open(&host, &o);
        let up = safefs::open_in_root(host.as_raw_fd(), &o.upperdir, true).unwrap();
        let (tar_bytes, changes, _) = walk_upper(&up, &lowers, Vec::new()).unwrap();
        let got: Vec<(&str, &str)> = changes.iter().map(|c| (c.kind, c.entry.path.as_str())).collect();
        assert_eq!(got, vec![("C", "/etc"), ("C", "/etc/group"), ("D", "/etc/passwd"), ("A", "/tmp"), ("A", "/tmp/new")]);
        let mut a = tar::Archive::new(&tar_bytes[..]);
        let names: Vec<String> = a.entries().unwrap().map(|e| e.unwrap().path().unwrap().display().to_string()).collect();
        assert!(names.contains(&"etc/.wh.passwd".to_string()), "{names:?}");
    }
}
