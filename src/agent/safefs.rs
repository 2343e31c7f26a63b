//! File access that never leaves a given root: everything is opened relative to a directory fd,
//! one component at a time, with `O_NOFOLLOW`. A container's root (`/proc/<pid>/root`) is hostile
//! ground: its symlinks may point at host paths, so they are read as links, never followed.

use std::ffi::{CStr, CString, OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

fn cstr(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in file name"))
}

fn check(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 { Err(io::Error::last_os_error()) } else { Ok(r) }
}

/// Open an absolute host path as a directory (this one follows symlinks: the caller names it).
pub fn open_dir_path(p: &Path) -> io::Result<OwnedFd> {
    let c = cstr(p.as_os_str())?;
    let fd = check(unsafe { libc::open(c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC) })?;
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Open the single component `name` under `dir` as a directory, refusing symlinks.
pub fn open_dir_at(dir: RawFd, name: &OsStr) -> io::Result<OwnedFd> {
    let c = cstr(name)?;
    let fd = check(unsafe {
        libc::openat(dir, c.as_ptr(), libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC)
    })?;
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Open the single component `name` under `dir` for reading, refusing symlinks, never blocking
/// on a FIFO; the result is checked to be a regular file.
pub fn open_file_at(dir: RawFd, name: &OsStr) -> io::Result<File> {
    let c = cstr(name)?;
    let fd = check(unsafe {
        libc::openat(
            dir,
            c.as_ptr(),
            libc::O_RDONLY | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC,
        )
    })?;
    let f = unsafe { File::from_raw_fd(fd) };
    let st = fstat(f.as_raw_fd())?;
    if st.st_mode & libc::S_IFMT != libc::S_IFREG {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a regular file"));
    }
    // back to blocking reads (regular files ignore O_NONBLOCK anyway)
    Ok(f)
}

pub fn fstat(fd: RawFd) -> io::Result<libc::stat> {
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstat(fd, &mut st) })?;
    Ok(st)
}

/// `lstat` of one component under `dir`.
pub fn lstat_at(dir: RawFd, name: &OsStr) -> io::Result<libc::stat> {
    let c = cstr(name)?;
    let mut st: libc::stat = unsafe { std::mem::zeroed() };
    check(unsafe { libc::fstatat(dir, c.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) })?;
    Ok(st)
}

pub fn readlink_at(dir: RawFd, name: &OsStr) -> io::Result<OsString> {
    let c = cstr(name)?;
    let mut buf = vec![0u8; libc::PATH_MAX as usize + 1];
    let n = unsafe { libc::readlinkat(dir, c.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(OsString::from_vec(buf))
}

/// Entries of an open directory (without `.` and `..`), sorted by name for stable output.
pub fn list_dir(dir: RawFd) -> io::Result<Vec<OsString>> {
    let dup = check(unsafe { libc::fcntl(dir, libc::F_DUPFD_CLOEXEC, 0) })?;
    let d = unsafe { libc::fdopendir(dup) };
    if d.is_null() {
        let e = io::Error::last_os_error();
        unsafe { libc::close(dup) };
        return Err(e);
    }
    unsafe { libc::rewinddir(d) };
    let mut out = Vec::new();
    loop {
        unsafe { *libc::__errno_location() = 0 };
        let ent = unsafe { libc::readdir64(d) };
        if ent.is_null() {
            let errno = unsafe { *libc::__errno_location() };
            unsafe { libc::closedir(d) };
            if errno != 0 {
                return Err(io::Error::from_raw_os_error(errno));
            }
            break;
        }
        let name = unsafe { CStr::from_ptr((*ent).d_name.as_ptr()) }.to_bytes();
        if name != b"." && name != b".." {
            out.push(OsString::from_vec(name.to_vec()));
        }
    }
    out.sort();
    Ok(out)
}

/// Walk `rel` ('/'-separated, relative) from `root` one component at a time, refusing symlinks
/// and `..`: the directory that holds the last component, and that component.
pub fn open_parent(root: RawFd, rel: &str) -> io::Result<(OwnedFd, OsString)> {
    let parts: Vec<&str> = rel.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
    if parts.contains(&"..") || parts.is_empty() {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("refusing path {rel:?}")));
    }
    let mut cur = dup_fd(root)?;
    for c in &parts[..parts.len() - 1] {
        cur = open_dir_at(cur.as_raw_fd(), OsStr::new(c))?;
    }
    Ok((cur, OsString::from(parts[parts.len() - 1])))
}

/// Open a regular file at `rel` under `root` without following any symlink on the way.
pub fn open_file_beneath(root: RawFd, rel: &str) -> io::Result<File> {
    let (dir, name) = open_parent(root, rel)?;
    open_file_at(dir.as_raw_fd(), &name)
}

/// Open a directory at `rel` under `root` without following any symlink on the way.
pub fn open_dir_beneath(root: RawFd, rel: &str) -> io::Result<OwnedFd> {
    if rel.split('/').all(|c| c.is_empty() || c == ".") {
        return dup_fd(root);
    }
    let (dir, name) = open_parent(root, rel)?;
    open_dir_at(dir.as_raw_fd(), &name)
}

pub fn dup_fd(fd: RawFd) -> io::Result<OwnedFd> {
    let d = check(unsafe { libc::fcntl(fd, libc::F_DUPFD_CLOEXEC, 0) })?;
    Ok(unsafe { OwnedFd::from_raw_fd(d) })
}

/// Open `path` (absolute, as the host names it) inside the host filesystem whose root is
/// `root` (e.g. `/proc/<shim pid>/root`): symlinks on the way resolve inside that root, never
/// against the collector's own filesystem (`openat2` with `RESOLVE_IN_ROOT`). Falls back to a
/// no-symlink walk on kernels without `openat2`.
pub fn open_in_root(root: RawFd, path: &str, directory: bool) -> io::Result<OwnedFd> {
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "." } else { rel };
    let c = cstr(OsStr::new(rel))?;
    let flags = libc::O_RDONLY | libc::O_CLOEXEC | libc::O_NOCTTY | libc::O_NONBLOCK | if directory { libc::O_DIRECTORY } else { 0 };
    let mut how: libc::open_how = unsafe { std::mem::zeroed() };
    how.flags = flags as u64;
    how.resolve = libc::RESOLVE_IN_ROOT | libc::RESOLVE_NO_MAGICLINKS;
    let r = unsafe {
        libc::syscall(libc::SYS_openat2, root, c.as_ptr(), &how as *const libc::open_how, std::mem::size_of::<libc::open_how>())
    };
    if r >= 0 {
        return Ok(unsafe { OwnedFd::from_raw_fd(r as RawFd) });
    }
    let e = io::Error::last_os_error();
    if e.raw_os_error() != Some(libc::ENOSYS) {
        return Err(e);
    }
    if directory {
        open_dir_beneath(root, rel)
    } else {
        open_file_beneath(root, rel).map(OwnedFd::from)
    }
}

/// Extended attributes of an open file (names and raw values); empty when unsupported.
pub fn xattrs(fd: RawFd) -> Vec<(String, Vec<u8>)> {
    let mut names = vec![0u8; 4096];
    let n = unsafe { libc::flistxattr(fd, names.as_mut_ptr().cast(), names.len()) };
    if n <= 0 {
        return Vec::new();
    }
    names.truncate(n as usize);
    let mut out = Vec::new();
    for name in names.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let Ok(cname) = CString::new(name) else { continue };
        if let Some(v) = getxattr(fd, &cname) {
            out.push((String::from_utf8_lossy(name).into_owned(), v));
        }
    }
    out
}

/// One extended attribute of an open file.
pub fn getxattr(fd: RawFd, name: &CStr) -> Option<Vec<u8>> {
    let mut val = vec![0u8; 65536];
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
    }
}
