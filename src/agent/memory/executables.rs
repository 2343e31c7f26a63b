//! Suspicious executables as evidence: a process whose binary is deleted, memfd-backed, or not
//! part of the container image gets `/proc/<pid>/exe` copied (it still reads a deleted file),
//! streamed with its SHA-256, deduplicated by content (the bundle stores `executables/<sha256>`).

use super::MemoryError;
use super::maps::gone_or;
use crate::agent::proc::mountinfo;
use crate::agent::proc::pin::Pinned;
use crate::evidence::hash::Sha256;
use crate::evidence::{ArtifactSink, ArtifactSpec};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Directories where a binary never comes from an image.
pub const SCRATCH_DIRS: &[&str] = &["/tmp/", "/dev/shm/", "/var/tmp/", "/run/"];

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason", content = "detail")]
pub enum Reason {
    /// The file was deleted after the process started (`" (deleted)"`).
    Deleted,
    /// Runs from an anonymous memory file (`/memfd:…`).
    Memfd,
    /// Lives in a scratch directory (/tmp, /dev/shm, /var/tmp, /run).
    ScratchDir(String),
    /// Not present in any of the image's lower layers (added or replaced at run time).
    NotInImage,
}

/// One process whose executable deserves a copy.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub pid: i32,
    /// `/proc/<pid>/exe` link target as the kernel shows it.
    pub exe: String,
    #[serde(flatten)]
    pub reason: Reason,
}

/// A copied executable, for volatile.json: `executables/<sha256>` holds its bytes.
#[derive(Debug, Clone, Serialize)]
pub struct ExecutableRecord {
    pub pid: i32,
    pub exe: String,
    #[serde(flatten)]
    pub reason: Reason,
    pub sha256: String,
    pub size: u64,
    /// Bundle path of the copy (shared by every process running the same bytes).
    pub artifact: String,
}

/// The image's read-only layers of a container (overlay `lowerdir=`), as seen from this process:
/// each layer directory is opened below `host_root` (`/` or `/proc/<host pid>/root`).
#[derive(Debug, Clone)]
pub struct ImageLayers {
    pub lowerdirs: Vec<PathBuf>,
}

impl ImageLayers {
    /// Read the overlay lower layers of `pid`'s root mount from its mountinfo. `None` when the
    /// root is not an overlay (no way to tell what the image holds).
    pub fn of_pid(pid: i32, host_root: &Path) -> Result<Option<Self>, MemoryError> {
        let p = PathBuf::from(format!("/proc/{pid}/mountinfo"));
        let text = std::fs::read_to_string(&p).map_err(|e| gone_or(pid, &p, e))?;
        Ok(Self::from_mountinfo(&text, host_root))
    }

    pub fn from_mountinfo(text: &str, host_root: &Path) -> Option<Self> {
        let mounts = mountinfo::parse(text);
        let lower = mountinfo::lowerdirs(mountinfo::root_mount(&mounts)?)?;
        let lowerdirs = lower.iter().filter(|d| d.starts_with('/')).map(|d| host_root.join(d.trim_start_matches('/'))).collect();
        Some(ImageLayers { lowerdirs })
    }

    /// Whether `path` (absolute, inside the container) exists in some layer. Resolved inside
    /// each layer (`RESOLVE_IN_ROOT`): a symlink in a layer never leads to a host path.
    pub fn contains(&self, path: &str) -> bool {
        use nix::fcntl::{OFlag, OpenHow, ResolveFlag, openat2};
        let rel = path.trim_start_matches('/');
        self.lowerdirs.iter().any(|d| {
            let Ok(dir) = std::fs::File::open(d) else {
                return false;
            };
            let how = OpenHow::new()
                .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
                .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
            openat2(&dir, rel, how).is_ok()
        })
    }
}

/// Why `exe` (a `/proc/<pid>/exe` target) is suspicious, if it is.
pub fn classify(exe: &str, image: Option<&ImageLayers>) -> Option<Reason> {
    if exe.starts_with("/memfd:") {
        return Some(Reason::Memfd);
    }
    if exe.ends_with(" (deleted)") {
        return Some(Reason::Deleted);
    }
    if let Some(d) = SCRATCH_DIRS.iter().find(|d| exe.starts_with(**d)) {
        return Some(Reason::ScratchDir(d.trim_end_matches('/').to_string()));
    }
    match image {
        Some(img) if !img.contains(exe) => Some(Reason::NotInImage),
        _ => None,
    }
}

/// The processes among `pids` whose executable is suspicious. Processes that vanished or whose
/// exe cannot be read (kernel threads) are passed over.
/// Each link is read while the process's pin holds (so it is that process's own).
pub fn find_suspicious<'p>(pins: &'p [Pinned], image: Option<&ImageLayers>) -> Vec<(&'p Pinned, Finding)> {
    pins.iter()
        .filter_map(|pin| {
            let pid = pin.pid();
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok().filter(|_| pin.alive())?;
            let exe = exe.to_string_lossy().into_owned();
            classify(&exe, image).map(|reason| (pin, Finding { pid, exe, reason }))
        })
        .collect()
}

/// Stream `/proc/<pid>/exe` of the pinned process into `out` (64 KiB at a time); returns
/// (sha256, size).
pub fn copy_exe(pin: &Pinned, out: &mut dyn Write) -> Result<(String, u64), MemoryError> {
    let pid = pin.pid();
    let path = PathBuf::from(format!("/proc/{pid}/exe"));
    let mut f = std::fs::File::open(&path).map_err(|e| gone_or(pid, &path, e))?;
    // opened while pinned: the file is this process's executable, whatever happens next
    pin.check().map_err(|_| MemoryError::ProcessGone(pid))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 << 10];
    let mut n = 0u64;
    loop {
        let k = match f.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(MemoryError::read(&path, e)),
        };
        h.update(&buf[..k]);
        out.write_all(&buf[..k]).map_err(|source| MemoryError::Write { pid, source })?;
        n += k as u64;
    }
    Ok((hex::encode(h.finalize()), n))
}

/// Copy every suspicious executable of `pids` into `sink` as `executables/<sha256>`, once per
/// distinct content. Per process: the same inode is hashed once; a new inode is hashed first
/// (the artifact path needs the hash), then copied while hashed again — a binary changing
/// between both reads is an error for that process, reported and skipped. Processes that fail
/// are reported to the sink (`error`) and left out; the rest go on.
pub fn capture_executables(
    pins: &[Pinned],
    image: Option<&ImageLayers>,
    sink: &mut dyn ArtifactSink,
    container: Option<&str>,
) -> Vec<ExecutableRecord> {
    let mut by_inode: BTreeMap<(u64, u64), (String, u64)> = BTreeMap::new();
    let mut stored: BTreeMap<String, String> = BTreeMap::new();
    let mut out = Vec::new();
    for (pin, f) in find_suspicious(pins, image) {
        match capture_one(pin, &f, &mut by_inode, &mut stored, sink, container) {
            Ok(r) => out.push(r),
            Err(e) => {
                let _ = sink.error(None, &format!("executable of pid {} ({}): {e}", f.pid, f.exe));
            }
        }
    }
    out
}

fn capture_one(
    pin: &Pinned,
    f: &Finding,
    by_inode: &mut BTreeMap<(u64, u64), (String, u64)>,
    stored: &mut BTreeMap<String, String>,
    sink: &mut dyn ArtifactSink,
    container: Option<&str>,
) -> Result<ExecutableRecord, MemoryError> {
    let path = PathBuf::from(format!("/proc/{}/exe", f.pid));
    let md = std::fs::metadata(&path).map_err(|e| gone_or(f.pid, &path, e))?;
    pin.check().map_err(|_| MemoryError::ProcessGone(f.pid))?;
    let key = (md.dev(), md.ino());
    let (sha, size) = match by_inode.get(&key) {
        Some(v) => v.clone(),
        None => {
            let v = copy_exe(pin, &mut std::io::sink())?;
            by_inode.insert(key, v.clone());
            v
        }
    };
    if !stored.contains_key(&sha) {
        let artifact = format!("executables/{sha}");
        let mut spec = ArtifactSpec::new(&artifact, "application/octet-stream", "agent");
        spec.container = container.map(str::to_string);
        let mut second = None;
        let res = sink.put(&spec, &mut |w| {
            let r = copy_exe(pin, w).map_err(std::io::Error::other)?;
            second = Some(r);
            Ok(())
        });
        res.map_err(|e| MemoryError::Sink { path: artifact.clone(), message: e.to_string() })?;
        match second {
            Some((s2, _)) if s2 == sha => {}
            Some((s2, _)) => {
                let _ = sink.error(Some(&artifact), "content changed while copied; this copy does not match its name");
                return Err(MemoryError::ExecutableChanged { pid: f.pid, first: sha, second: s2 });
            }
            None => return Err(MemoryError::ProcessGone(f.pid)),
        }
        stored.insert(sha.clone(), artifact);
    }
    Ok(ExecutableRecord { pid: f.pid, exe: f.exe.clone(), reason: f.reason.clone(), artifact: stored[&sha].clone(), sha256: sha, size })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification() {
        assert_eq!(classify("/memfd:x (deleted)", None), Some(Reason::Memfd));
        assert_eq!(classify("/tmp/sh (deleted)", None), Some(Reason::Deleted));
        assert_eq!(classify("/dev/shm/m", None), Some(Reason::ScratchDir("/dev/shm".into())));
        assert_eq!(classify("/bin/busybox", None), None);
        let img = ImageLayers { lowerdirs: vec![PathBuf::from("/")] };
        assert_eq!(classify("/proc/self/exe-not-there", Some(&img)), Some(Reason::NotInImage));
        assert_eq!(classify("/proc/self/status", Some(&img)), None);
    }

    #[test]
    fn lowerdirs_from_mountinfo() {
        let mi = "900 800 0:99 / / rw,relatime - overlay overlay rw,lowerdir=/var/lib/c/2/fs:/var/lib/c/1/fs,upperdir=/u,workdir=/w\n";
        let l = ImageLayers::from_mountinfo(mi, Path::new("/proc/7/root")).unwrap();
        assert_eq!(l.lowerdirs, vec![PathBuf::from("/proc/7/root/var/lib/c/2/fs"), PathBuf::from("/proc/7/root/var/lib/c/1/fs")]);
        assert!(ImageLayers::from_mountinfo("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n", Path::new("/")).is_none());
    }
}
