//! Shell histories in a container's root: `/root`, every directory in `/home` and every home
//! in the container's `/etc/passwd`, searched for `.*_history`. Nothing of the workload is
//! followed outside its own root: a home that is a symlink is resolved inside the root
//! (`safefs::open_in_root`), a history that is a symlink is named, not read. Names are bytes:
//! one that is not UTF-8 (or holds a control character) keeps its bytes, escaped as `%XX`. Every
//! file passed over comes back as a [`Found::Problem`] with its reason.

use crate::agent::safefs;
use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;

/// Homes beyond this many (from a hostile `/etc/passwd`) are not searched, and that is said.
const MAX_HOMES: usize = 10_000;

/// What the search found, in order.
pub enum Found {
    /// A history to capture: its path in the container, relative and escaped, and the open file.
    File { rel: String, file: File },
    /// Something that could not be read, and why (an error line in the manifest).
    Problem { rel: String, message: String },
    /// Worth saying, but nothing is missing (a home reached through a symlink).
    Note(String),
}

/// Search the container root `root` (an open directory).
pub fn find(root: RawFd) -> Vec<Found> {
    let mut out = Vec::new();
    for home in homes(root, &mut out) {
        search_home(root, &home, &mut out);
    }
    out
}

/// A home directory: where it is under the root.
enum Home {
    /// `/home/<name>`, by its raw name.
    InHome(OsString),
    /// A path from `/root` or `/etc/passwd`, relative to the root.
    Path(String),
}

fn homes(root: RawFd, out: &mut Vec<Found>) -> Vec<Home> {
    let mut homes = vec![Home::Path("root".into())];
    let mut seen: BTreeSet<String> = ["root".to_string()].into();
    if let Ok(home) = safefs::open_dir_beneath(root, "home") {
        for n in safefs::list_dir(home.as_raw_fd()).unwrap_or_default() {
            seen.insert(format!("home/{}", escape(&n)));
            homes.push(Home::InHome(n));
        }
    }
    for h in passwd_homes(root, out) {
        if homes.len() >= MAX_HOMES {
            out.push(Found::Problem {
                rel: "etc/passwd".into(),
                message: format!("more than {MAX_HOMES} homes: the rest are not searched"),
            });
            break;
        }
        if seen.insert(h.clone()) {
            homes.push(Home::Path(h));
        }
    }
    homes
}

/// The home directories `/etc/passwd` names (relative, normalized), read line by line at any size.
fn passwd_homes(root: RawFd, out: &mut Vec<Found>) -> Vec<String> {
    let file = match safefs::open_in_root(root, "/etc/passwd", false) {
        Ok(fd) => File::from(fd),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            out.push(Found::Problem { rel: "etc/passwd".into(), message: format!("/etc/passwd: {e}: homes from it not searched") });
            return Vec::new();
        }
    };
    let mut homes = BTreeSet::new();
    let mut r = BufReader::new(file);
    let mut line = Vec::new();
    loop {
        line.clear();
        // a line is read whole, but only its first 64 KiB are kept: no line can exhaust memory
        match read_line_capped(&mut r, &mut line, 64 << 10) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                out.push(Found::Problem { rel: "etc/passwd".into(), message: format!("/etc/passwd: {e}") });
                break;
            }
        }
        let Some(dir) = line.split(|b| *b == b':').nth(5) else { continue };
        let dir = dir.strip_suffix(b"\n").unwrap_or(dir);
        match std::str::from_utf8(dir) {
            Ok(d) => {
                let rel: Vec<&str> = d.split('/').filter(|c| !c.is_empty() && *c != ".").collect();
                if !rel.is_empty() && !rel.contains(&"..") {
                    homes.insert(rel.join("/"));
                }
            }
            Err(_) => out.push(Found::Problem {
                rel: "etc/passwd".into(),
                message: format!("a home in /etc/passwd is not UTF-8 ({}): not searched", escape(OsStr::from_bytes(dir))),
            }),
        }
        if homes.len() > MAX_HOMES {
            break;
        }
    }
    homes.into_iter().collect()
}

/// Read one line into `buf`, keeping at most `cap` bytes of it; the number of bytes consumed.
fn read_line_capped(r: &mut impl BufRead, buf: &mut Vec<u8>, cap: usize) -> std::io::Result<usize> {
    let mut used = 0;
    loop {
        let avail = r.fill_buf()?;
        if avail.is_empty() {
            return Ok(used);
        }
        let (take, end) = match avail.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (avail.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&avail[..take.min(room)]);
        r.consume(take);
        used += take;
        if end {
            return Ok(used);
        }
    }
}

fn search_home(root: RawFd, home: &Home, out: &mut Vec<Found>) {
    let (rel, dir) = match home {
        Home::InHome(name) => {
            let rel = format!("home/{}", escape(name));
            let home = safefs::open_dir_beneath(root, "home");
            let kind = home.as_ref().ok().and_then(|h| safefs::lstat_at(h.as_raw_fd(), name).ok()).map(|st| st.st_mode & libc::S_IFMT);
            let dir = match (kind, name.to_str()) {
                (Some(libc::S_IFDIR), _) => home.and_then(|h| safefs::open_dir_at(h.as_raw_fd(), name)).ok(),
                // /home/<name> as a symlink is resolved inside the root, like any other home
                (Some(libc::S_IFLNK), Some(n)) => open_linked(root, &format!("home/{n}"), out),
                (Some(libc::S_IFLNK), None) => {
                    out.push(Found::Problem {
                        rel: rel.clone(),
                        message: format!("/{rel} is a symlink with a name that is not UTF-8: not followed"),
                    });
                    None
                }
                _ => None,
            };
            (rel, dir)
        }
        Home::Path(p) => {
            let dir = match safefs::open_dir_beneath(root, p) {
                Ok(d) => Some(d),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                // a symlink on the way (or a file, which open_linked finds not to be a directory)
                Err(e) if is_link_error(&e) => open_linked(root, p, out),
                Err(e) => {
                    out.push(Found::Problem { rel: p.clone(), message: format!("/{p}: {e}") });
                    None
                }
            };
            (p.clone(), dir)
        }
    };
    let Some(dir) = dir else { return };
    for n in safefs::list_dir(dir.as_raw_fd()).unwrap_or_default() {
        let b = n.as_bytes();
        if !(b.starts_with(b".") && b.ends_with(b"_history")) {
            continue;
        }
        let file_rel = format!("{rel}/{}", escape(&n));
        match safefs::open_file_at(dir.as_raw_fd(), &n) {
            Ok(file) => out.push(Found::File { rel: file_rel, file }),
            Err(e) => {
                let message = match safefs::readlink_at(dir.as_raw_fd(), &n) {
                    Ok(t) => format!("/{file_rel} is a symlink to {} (not followed)", escape(&t)),
                    Err(_) => format!("/{file_rel}: {e}"),
                };
                out.push(Found::Problem { rel: file_rel, message });
            }
        }
    }
}

/// A home that is (or lies under) a symlink: opened with the links resolved inside the root.
fn open_linked(root: RawFd, rel: &str, out: &mut Vec<Found>) -> Option<OwnedFd> {
    match safefs::open_in_root(root, &format!("/{rel}"), true) {
        Ok(d) => {
            out.push(Found::Note(format!(
                "/{rel} is a symlink: its histories were read with the link resolved inside the container's root"
            )));
            Some(d)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR) => None,
        Err(e) => {
            out.push(Found::Problem {
                rel: rel.to_string(),
                message: format!("/{rel} is a symlink that cannot be followed inside the container: {e}"),
            });
            None
        }
    }
}

/// Opening a directory failed because a symlink was in the way (`O_NOFOLLOW`).
fn is_link_error(e: &std::io::Error) -> bool {
    matches!(e.raw_os_error(), Some(libc::ELOOP) | Some(libc::ENOTDIR))
}

/// A file name as text, its bytes kept (`protocol::name::escape`).
pub fn escape(name: &OsStr) -> String {
    crate::protocol::name::escape(name.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStrExt;

    #[test]
    fn names_keep_their_bytes_escaped() {
        assert_eq!(escape(OsStr::new(".bash_history")), ".bash_history");
        assert_eq!(escape(OsStr::from_bytes(b".b\xffash_history")), ".b%FFash_history");
        assert_eq!(escape(OsStr::new("a%b\nc")), "a%25b%0Ac");
        assert_eq!(escape(OsStr::new("jos\u{e9}")), "jos\u{e9}");
    }

    #[test]
    fn a_long_line_is_consumed_whole_but_kept_short() {
        let data = [vec![b'x'; 100_000], b"\nroot:x:0:0::/root:/bin/sh\n".to_vec()].concat();
        let mut r = BufReader::with_capacity(4096, &data[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 1000).unwrap(), 100_001);
        assert_eq!(buf.len(), 1000);
        buf.clear();
        read_line_capped(&mut r, &mut buf, 1000).unwrap();
        assert_eq!(buf, b"root:x:0:0::/root:/bin/sh\n");
    }

    #[test]
    fn homes_symlinks_fifos_and_odd_names_in_a_real_tree() {
        let t = tempfile::tempdir().unwrap();
        let r = t.path();
        std::fs::create_dir_all(r.join("root")).unwrap();
        std::fs::write(r.join("root/.ash_history"), "ls\n").unwrap();
        std::fs::create_dir_all(r.join("srv/app")).unwrap();
        std::fs::write(r.join("srv/app/.bash_history"), "curl x\n").unwrap();
        std::fs::create_dir_all(r.join("data/alice")).unwrap();
        std::fs::write(r.join("data/alice/.zsh_history"), "id\n").unwrap();
        std::fs::create_dir_all(r.join("home")).unwrap();
        std::os::unix::fs::symlink("/data/alice", r.join("home/alice")).unwrap();
        std::fs::create_dir_all(r.join("home").join(OsStr::from_bytes(b"b\xffb"))).unwrap();
        std::fs::write(r.join("home").join(OsStr::from_bytes(b"b\xffb")).join(OsStr::from_bytes(b".x\xff_history")), "w\n").unwrap();
        nix::unistd::mkfifo(&r.join("root/.sh_history"), nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        std::os::unix::fs::symlink("/etc/shadow", r.join("root/.python_history")).unwrap();
        std::fs::create_dir_all(r.join("etc")).unwrap();
        std::fs::write(r.join("etc/passwd"), "root:x:0:0::/root:/bin/sh\napp:x:1:1::/srv/app/:/bin/sh\nbad:x:2:2::/../../x:/bin/sh\n")
            .unwrap();
        let root = safefs::open_dir_path(r).unwrap();
        let found = find(root.as_raw_fd());
        let files: Vec<&str> =
            found.iter().filter_map(|f| if let Found::File { rel, .. } = f { Some(rel.as_str()) } else { None }).collect();
        let problems: Vec<String> =
            found.iter().filter_map(|f| if let Found::Problem { message, .. } = f { Some(message.clone()) } else { None }).collect();
        let notes: Vec<&str> = found.iter().filter_map(|f| if let Found::Note(n) = f { Some(n.as_str()) } else { None }).collect();
        assert!(files.contains(&"root/.ash_history"), "{files:?}");
        assert!(files.contains(&"srv/app/.bash_history"), "a home from /etc/passwd: {files:?}");
        assert!(files.contains(&"home/alice/.zsh_history"), "a symlinked home: {files:?}");
        assert!(files.contains(&"home/b%FFb/.x%FF_history"), "non-UTF-8 names: {files:?}");
        assert!(problems.iter().any(|p| p.contains(".sh_history") && p.contains("FIFO")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains(".python_history is a symlink to /etc/shadow")), "{problems:?}");
        assert!(notes.iter().any(|n| n.contains("/home/alice is a symlink")), "{notes:?}");
        assert_eq!(files.len(), 4, "{files:?}");
    }
}
