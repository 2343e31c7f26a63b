//! File access that never leaves a given root: everything is opened relative to a directory fd,
//! one component at a time, with `O_NOFOLLOW`. A container's root (`/proc/<pid>/root`) is hostile
//! ground: its symlinks may point at host paths, so they are read as links, never followed.
//!
//! The functions take the `RawFd` of a directory or file their caller owns and keeps open for
//! the call (callers pass `owned.as_raw_fd()`); the system calls go through `nix`.

use nix::dir::Dir;
use nix::fcntl::{AtFlags, OFlag, OpenHow, ResolveFlag, openat, openat2, readlinkat};
use nix::sys::stat::{Mode, fstatat};
use nix::unistd::{Whence, lseek};
use std::ffi::{CStr, CString, OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

fn cstr(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in file name"))
}

/// Run `f` on the caller's open descriptor `fd`.
fn with_fd<T, E: Into<io::Error>>(fd: RawFd, f: impl FnOnce(BorrowedFd<'_>) -> Result<T, E>) -> io::Result<T> {
    if fd == -1 {
        return Err(io::Error::from_raw_os_error(libc::EBADF));
    }
    // SAFETY: `fd` is not -1, and the caller keeps it open for this call (see the module doc);
    // the borrow does not outlive `f` and never closes it.
    f(unsafe { BorrowedFd::borrow_raw(fd) }).map_err(Into::into)
}

/// Open an absolute host path as a directory (this one follows symlinks: the caller names it).
pub fn open_dir_path(p: &Path) -> io::Result<OwnedFd> {
    let c = cstr(p.as_os_str())?;
    Ok(nix::fcntl::open(c.as_c_str(), OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC, Mode::empty())?)
}

/// Open the single component `name` under `dir` as a directory, refusing symlinks.
pub fn open_dir_at(dir: RawFd, name: &OsStr) -> io::Result<OwnedFd> {
    let c = cstr(name)?;
    let flags = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    with_fd(dir, |d| openat(d, c.as_c_str(), flags, Mode::empty()))
}

/// What a non-regular file is, for the error that refuses to read it.
fn kind_of(mode: libc::mode_t) -> &'static str {
    match mode & libc::S_IFMT {
        libc::S_IFCHR => "a character device",
        libc::S_IFBLK => "a block device",
        libc::S_IFIFO => "a FIFO",
        libc::S_IFSOCK => "a socket",
        libc::S_IFLNK => "a symlink",
        libc::S_IFDIR => "a directory",
        _ => "not a regular file",
    }
}

/// Reopen for reading the file an `O_PATH` descriptor names, only when it is a regular file: a
/// device, FIFO or socket of the workload is never opened (opening one can block, or act).
fn reopen_regular(path_fd: OwnedFd) -> io::Result<File> {
    let st = nix::sys::stat::fstat(&path_fd)?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("{}: not read", kind_of(st.st_mode))));
    }
    // the magic link reopens this very inode, whatever its name points at by now
    let proc_path = CString::new(format!("/proc/self/fd/{}", path_fd.as_raw_fd()))?;
    let fd = nix::fcntl::open(proc_path.as_c_str(), OFlag::O_RDONLY | OFlag::O_NOCTTY | OFlag::O_CLOEXEC, Mode::empty())?;
    let f = File::from(fd);
    let again = nix::sys::stat::fstat(&f)?;
    if (again.st_dev, again.st_ino) != (st.st_dev, st.st_ino) {
        return Err(io::Error::other("the file changed while it was opened"));
    }
    Ok(f)
}

/// Open the single component `name` under `dir` for reading, refusing symlinks: it is opened
/// `O_PATH` first and read only if it is a regular file (never a device, FIFO or socket).
pub fn open_file_at(dir: RawFd, name: &OsStr) -> io::Result<File> {
    let c = cstr(name)?;
    let flags = OFlag::O_PATH | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    reopen_regular(with_fd(dir, |d| openat(d, c.as_c_str(), flags, Mode::empty()))?)
}

pub fn fstat(fd: RawFd) -> io::Result<libc::stat> {
    with_fd(fd, |f| nix::sys::stat::fstat(f))
}

/// `lstat` of one component under `dir`.
pub fn lstat_at(dir: RawFd, name: &OsStr) -> io::Result<libc::stat> {
    let c = cstr(name)?;
    with_fd(dir, |d| fstatat(d, c.as_c_str(), AtFlags::AT_SYMLINK_NOFOLLOW))
}

pub fn readlink_at(dir: RawFd, name: &OsStr) -> io::Result<OsString> {
    let c = cstr(name)?;
    with_fd(dir, |d| readlinkat(d, c.as_c_str()))
}

/// Entries of an open directory (without `.` and `..`), sorted by name for stable output.
pub fn list_dir(dir: RawFd) -> io::Result<Vec<OsString>> {
    let dup = dup_fd(dir)?;
    // fdopendir would keep a non-directory's fd: refuse it first
    if nix::sys::stat::fstat(&dup)?.st_mode & libc::S_IFMT != libc::S_IFDIR {
        return Err(io::Error::from_raw_os_error(libc::ENOTDIR));
    }
    // the duplicate shares the offset of `dir`: start from the first entry
    lseek(&dup, 0, Whence::SeekSet)?;
    let mut d = Dir::from_fd(dup)?;
    let mut out = Vec::new();
    for ent in d.iter() {
        let name = ent?.file_name().to_bytes().to_vec();
        if name != b"." && name != b".." {
            out.push(OsString::from_vec(name));
        }
    }
    out.sort();
    Ok(out)
}

/// The components of `rel` ('/'-separated bytes), without empty ones and `.`.
fn components(rel: &[u8]) -> impl Iterator<Item = &[u8]> {
    rel.split(|b| *b == b'/').filter(|c| !c.is_empty() && *c != b".")
}

/// Walk `rel` ('/'-separated, relative; any bytes) from `root` one component at a time, refusing
/// symlinks and `..`: the directory that holds the last component, and that component.
pub fn open_parent(root: RawFd, rel: &(impl AsRef<OsStr> + ?Sized)) -> io::Result<(OwnedFd, OsString)> {
    let rel = rel.as_ref().as_bytes();
    let parts: Vec<&[u8]> = components(rel).collect();
    if parts.contains(&&b".."[..]) || parts.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("refusing path {:?}", String::from_utf8_lossy(rel))));
    }
    let mut cur = dup_fd(root)?;
    for c in &parts[..parts.len() - 1] {
        cur = open_dir_at(cur.as_raw_fd(), OsStr::from_bytes(c))?;
    }
    Ok((cur, OsStr::from_bytes(parts[parts.len() - 1]).to_os_string()))
}

/// Open a regular file at `rel` under `root` without following any symlink on the way.
pub fn open_file_beneath(root: RawFd, rel: &(impl AsRef<OsStr> + ?Sized)) -> io::Result<File> {
    let (dir, name) = open_parent(root, rel)?;
    open_file_at(dir.as_raw_fd(), &name)
}

/// Open a directory at `rel` under `root` without following any symlink on the way.
pub fn open_dir_beneath(root: RawFd, rel: &(impl AsRef<OsStr> + ?Sized)) -> io::Result<OwnedFd> {
    if components(rel.as_ref().as_bytes()).next().is_none() {
        return dup_fd(root);
    }
    let (dir, name) = open_parent(root, rel)?;
    open_dir_at(dir.as_raw_fd(), &name)
}

/// A new descriptor (close-on-exec) for the open file of `fd`.
pub fn dup_fd(fd: RawFd) -> io::Result<OwnedFd> {
    with_fd(fd, |d| d.try_clone_to_owned())
}

/// Open `path` (absolute, as the host names it) inside the host filesystem whose root is
/// `root` (e.g. `/proc/<shim pid>/root`): symlinks on the way resolve inside that root, never
/// against the collector's own filesystem (`openat2` with `RESOLVE_IN_ROOT`). Falls back to a
/// no-symlink walk on kernels without `openat2`.
pub fn open_in_root(root: RawFd, path: &(impl AsRef<OsStr> + ?Sized), directory: bool) -> io::Result<OwnedFd> {
    let path = path.as_ref().as_bytes();
    let start = path.iter().position(|b| *b != b'/').unwrap_or(path.len());
    let rel = OsStr::from_bytes(if start == path.len() { b"." } else { &path[start..] });
    let c = cstr(rel)?;
    // a file is opened O_PATH first and read only if it is a regular file
    let flags = if directory { OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOCTTY } else { OFlag::O_PATH } | OFlag::O_CLOEXEC;
    let how = OpenHow::new().flags(flags).resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    match with_fd(root, |r| openat2(r, c.as_c_str(), how)) {
        Err(e) if e.raw_os_error() == Some(libc::ENOSYS) => {}
        Ok(fd) if !directory => return reopen_regular(fd).map(OwnedFd::from),
        r => return r,
    }
    if directory { open_dir_beneath(root, rel) } else { open_file_beneath(root, rel).map(OwnedFd::from) }
}

/// Extended attributes of an open file (names and raw values); empty when unsupported.
pub fn xattrs(fd: RawFd) -> Vec<(String, Vec<u8>)> {
    let mut names = vec![0u8; 4096];
    // SAFETY: the kernel writes at most `names.len()` bytes into `names` (nix has no xattr calls)
    let n = unsafe { libc::flistxattr(fd, names.as_mut_ptr().cast(), names.len()) };
    if n <= 0 {
        return Vec::new();
    }
    names.truncate(n as usize);
    let mut out = Vec::new();
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let Ok(cname) = CString::new(name) else {
            continue;
        };
        if let Some(v) = getxattr(fd, &cname) {
            out.push((String::from_utf8_lossy(name).into_owned(), v));
        }
    }
    out
}

/// One extended attribute of an open file.
pub fn getxattr(fd: RawFd, name: &CStr) -> Option<Vec<u8>> {
    let mut val = vec![0u8; 65536];
    // SAFETY: `name` is NUL-terminated; the kernel writes at most `val.len()` bytes into `val`
    let n = unsafe { libc::fgetxattr(fd, name.as_ptr(), val.as_mut_ptr().cast(), val.len()) };
    if n < 0 {
        return None;
    }
    val.truncate(n as usize);
    Some(val)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::os::unix::fs::symlink;

    #[test]
    fn symlinks_are_never_followed_out_of_the_root() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(t.path().join("host-secret"), "host").unwrap();
        std::fs::write(root.join("etc/ok"), "inside").unwrap();
        symlink(t.path().join("host-secret"), root.join("etc/link")).unwrap();
        symlink(t.path(), root.join("up")).unwrap();
        let fd = open_dir_path(&root).unwrap();
        let mut s = String::new();
        open_file_beneath(fd.as_raw_fd(), "etc/ok").unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "inside");
        assert!(open_file_beneath(fd.as_raw_fd(), "etc/link").is_err());
        assert!(open_file_beneath(fd.as_raw_fd(), "up/host-secret").is_err());
        assert!(open_file_beneath(fd.as_raw_fd(), "etc/../../host-secret").is_err());
        // host-style resolution: an absolute link resolves inside the given root
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/f"), "in-root").unwrap();
        symlink("/real", root.join("var")).unwrap();
        let f = open_in_root(fd.as_raw_fd(), "/var/f", false).unwrap();
        let mut s = String::new();
        File::from(f).read_to_string(&mut s).unwrap();
        assert_eq!(s, "in-root");
        assert!(open_in_root(fd.as_raw_fd(), "/etc/link", false).is_err(), "resolved outside the root");
        assert_eq!(readlink_at(fd.as_raw_fd(), OsStr::new("var")).unwrap(), "/real");
        assert_eq!(list_dir(fd.as_raw_fd()).unwrap(), vec!["etc", "real", "up", "var"]);
        // listing again starts over; a file is not listed
        assert_eq!(list_dir(fd.as_raw_fd()).unwrap().len(), 4);
        let f = open_file_beneath(fd.as_raw_fd(), "etc/ok").unwrap();
        assert_eq!(list_dir(f.as_raw_fd()).unwrap_err().raw_os_error(), Some(libc::ENOTDIR));
        assert_eq!(fstat(f.as_raw_fd()).unwrap().st_size, 6);
        assert!(lstat_at(fd.as_raw_fd(), OsStr::new("var")).unwrap().st_mode & libc::S_IFMT == libc::S_IFLNK);
        assert!(open_dir_at(fd.as_raw_fd(), OsStr::new("var")).is_err(), "a symlink was followed");
        assert_eq!(open_file_at(fd.as_raw_fd(), OsStr::new("a\0b")).unwrap_err().kind(), io::ErrorKind::InvalidInput);
    }

    #[test]
    fn devices_fifos_and_sockets_are_never_opened() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        std::fs::create_dir(root.join("etc")).unwrap();
        nix::unistd::mkfifo(&root.join("etc/fifo"), Mode::from_bits_truncate(0o644)).unwrap();
        let _sock = std::os::unix::net::UnixListener::bind(root.join("etc/sock")).unwrap();
        // a device node as the workload would plant it (needs root, as the agent has)
        let dev = nix::sys::stat::mknod(
            &root.join("etc/null"),
            nix::sys::stat::SFlag::S_IFCHR,
            Mode::from_bits_truncate(0o666),
            libc::makedev(1, 3),
        )
        .is_ok();
        let fd = open_dir_path(root).unwrap();
        let mut names = vec!["etc/fifo", "etc/sock"];
        if dev {
            names.push("etc/null");
        }
        for n in names {
            // a FIFO without a writer would block an O_RDONLY open: these return at once
            let e = open_file_beneath(fd.as_raw_fd(), n).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{n}: {e}");
            assert!(e.to_string().contains("not read"), "{n}: {e}");
            let e = open_in_root(fd.as_raw_fd(), &format!("/{n}"), false).unwrap_err();
            assert!(e.to_string().contains("not read"), "{n}: {e}");
        }
        assert!(open_file_beneath(fd.as_raw_fd(), "etc/fifo").unwrap_err().to_string().contains("a FIFO"));
        std::fs::write(root.join("etc/passwd"), "root:x:0:0::/root:/bin/sh\n").unwrap();
        let mut s = String::new();
        File::from(open_in_root(fd.as_raw_fd(), "/etc/passwd", false).unwrap()).read_to_string(&mut s).unwrap();
        assert!(s.starts_with("root:x:0:0"));
    }
}
