//! One walk over a bundle directory: every entry below it, depth first, with its path relative
//! to the root; symlinks are reported as what they are, never followed.

use std::fs::{DirEntry, FileType};
use std::io;
use std::path::Path;

/// Call `visit(relative path, entry, type)` for every entry below `dir` except directories.
pub fn walk(dir: &Path, visit: &mut dyn FnMut(String, &DirEntry, FileType) -> io::Result<()>) -> io::Result<()> {
    walk_under(dir, "", visit)
}

fn walk_under(dir: &Path, rel: &str, visit: &mut dyn FnMut(String, &DirEntry, FileType) -> io::Result<()>) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let name = e.file_name().to_string_lossy().into_owned();
        let r = if rel.is_empty() { name } else { format!("{rel}/{name}") };
        let ft = e.file_type()?;
        if ft.is_dir() {
            walk_under(&e.path(), &r, visit)?;
        } else {
            visit(r, &e, ft)?;
        }
    }
    Ok(())
}
