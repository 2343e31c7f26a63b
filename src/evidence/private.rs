//! Bundles are private by default: a bundle holds a suspect's environment, memory, service-account
//! token and files, so its directories are created 0700 and its files 0600, whatever the umask
//! (which can only take bits away from these).

use std::fs::{DirBuilder, File, OpenOptions};
use std::io;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::Path;

/// Mode of every directory of a bundle.
pub const DIR_MODE: u32 = 0o700;
/// Mode of every file of a bundle.
pub const FILE_MODE: u32 = 0o600;

/// `mkdir -p` with mode 0700 for every directory it creates.
pub fn create_dir_all(path: &Path) -> io::Result<()> {
    DirBuilder::new().recursive(true).mode(DIR_MODE).create(path)
}

/// `mkdir` with mode 0700.
pub fn create_dir(path: &Path) -> io::Result<()> {
    DirBuilder::new().mode(DIR_MODE).create(path)
}

/// Open for writing, created 0600 (truncated when it exists), symlinks never followed.
pub fn create_file(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create(true).truncate(true).mode(FILE_MODE).custom_flags(libc::O_NOFOLLOW).open(path)
}

/// A new file for appending, created 0600; fails when it exists.
pub fn create_new_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create_new(true).append(true).mode(FILE_MODE).open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn modes_hold_under_a_permissive_umask() {
        let old = unsafe { libc::umask(0) };
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("a/b");
        create_dir_all(&d).unwrap();
        let f = d.join("f");
        drop(create_file(&f).unwrap());
        unsafe { libc::umask(old) };
        for (p, want) in [(t.path().join("a"), DIR_MODE), (d.clone(), DIR_MODE), (f, FILE_MODE)] {
            assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, want, "{}", p.display());
        }
    }
}
