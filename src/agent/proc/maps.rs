//! `/proc/<pid>/maps` (and the per-mapping sizes of `smaps`): the process's mappings, parsed
//! without trusting the text (file names are the process's to choose).

use serde::Serialize;

/// One line of `/proc/<pid>/maps`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mapping {
    pub start: u64,
    pub end: u64,
    /// The four permission characters, e.g. `rw-p`.
    pub perms: String,
    /// Offset into the mapped file, in bytes.
    pub offset: u64,
    pub dev: String,
    pub inode: u64,
    /// Path or pseudo name (`[heap]`, `[stack]`, `[vvar]`), absent for anonymous memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Mapping {
    pub fn size(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }
    pub fn readable(&self) -> bool {
        self.perms.as_bytes().first() == Some(&b'r')
    }
    pub fn writable(&self) -> bool {
        self.perms.as_bytes().get(1) == Some(&b'w')
    }
    pub fn executable(&self) -> bool {
        self.perms.as_bytes().get(2) == Some(&b'x')
    }
    /// No access at all (`---p`): guard pages and address-space reservations.
    pub fn inaccessible(&self) -> bool {
        !self.readable() && !self.writable() && !self.executable()
    }
    /// Backed by a file (a real inode with a path), including deleted files and memfds.
    pub fn file_backed(&self) -> bool {
        self.inode != 0 && self.path.as_deref().is_some_and(|p| p.starts_with('/'))
    }
    /// The backing file no longer exists on any disk: deleted, memfd, or shared memory.
    pub fn file_gone(&self) -> bool {
        let Some(p) = self.path.as_deref() else {
            return false;
        };
        p.ends_with(" (deleted)") || p.starts_with("/memfd:") || p.starts_with("/dev/shm/") || p.starts_with("/SYSV")
    }
    /// Private anonymous memory (no backing file): pages never touched read as zeros.
    pub fn private_anonymous(&self) -> bool {
        self.perms.as_bytes().get(3) == Some(&b'p') && matches!(self.path.as_deref(), None | Some("[heap]"))
    }
    /// Read-only (not writable) mapping of a file still on disk: its content is the file's.
    pub fn on_disk_read_only(&self) -> bool {
        self.file_backed() && !self.writable() && !self.file_gone()
    }
}

/// Parse the text of a maps file (blank lines are skipped); the error names the bad line.
pub fn parse(text: &str) -> Result<Vec<Mapping>, String> {
    text.lines().filter(|l| !l.trim().is_empty()).map(parse_line).collect()
}

/// Parse one line; the error says what is wrong with it.
pub fn parse_line(line: &str) -> Result<Mapping, String> {
    let bad = |what: &str| format!("{what} in line {line:?}");
    let mut rest = line;
    let mut field = || {
        let t = rest.trim_start_matches(' ');
        let end = t.find(' ').unwrap_or(t.len());
        let (f, r) = t.split_at(end);
        rest = r;
        f
    };
    let range = field();
    let perms = field().to_string();
    let offset = field();
    let dev = field().to_string();
    let inode = field();
    let path = rest.trim_start_matches(' ');
    let (s, e) = range.split_once('-').ok_or_else(|| bad("no address range"))?;
    let start = u64::from_str_radix(s, 16).map_err(|_| bad("bad start address"))?;
    let end = u64::from_str_radix(e, 16).map_err(|_| bad("bad end address"))?;
    if end < start || perms.len() != 4 {
        return Err(bad("bad range or permissions"));
    }
    Ok(Mapping {
        start,
        end,
        perms,
        offset: u64::from_str_radix(offset, 16).map_err(|_| bad("bad offset"))?,
        dev,
        inode: inode.parse().map_err(|_| bad("bad inode"))?,
        path: (!path.is_empty()).then(|| path.to_string()),
    })
}

/// Bytes present (resident + swapped) per mapping start, from the text of `/proc/<pid>/smaps`.
pub fn parse_present_bytes(text: &str) -> std::collections::HashMap<u64, u64> {
    let mut out = std::collections::HashMap::new();
    let mut cur: Option<u64> = None;
    for l in text.lines() {
        let first = l.split(' ').next().unwrap_or("");
        if let Some((a, b)) = first.split_once('-')
            && let (Ok(start), Ok(_)) = (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16))
        {
            cur = Some(start);
            out.insert(start, 0);
            continue;
        }
        let kb = |key: &str| l.strip_prefix(key).and_then(|v| v.trim().strip_suffix("kB")).and_then(|v| v.trim().parse::<u64>().ok());
        if let (Some(start), Some(v)) = (cur, kb("Rss:").or_else(|| kb("Swap:"))) {
            *out.entry(start).or_insert(0) += v * 1024;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kernel_lines_including_spaces_and_deleted_files() {
        let text = "00400000-00401000 r--p 00000000 00:27 10125457                           /bin/busybox\n\
                    005e5000-005ec000 rw-p 00000000 00:00 0 \n\
                    7f8d25e0b000-7f8d25e0f000 r--p 00000000 00:00 0                          [vvar]\n\
                    7f00-8f00 r-xp 00001000 08:01 77 /tmp/my dir/x (deleted)\n";
        let m = parse(text).unwrap();
        assert_eq!(m.len(), 4);
        assert_eq!(m[0].path.as_deref(), Some("/bin/busybox"));
        assert!(m[0].on_disk_read_only());
        assert_eq!(m[1].path, None);
        assert!(m[1].writable() && !m[1].file_backed());
        assert_eq!(m[2].path.as_deref(), Some("[vvar]"));
        assert!(!m[2].file_backed());
        assert_eq!(m[3].path.as_deref(), Some("/tmp/my dir/x (deleted)"));
        assert_eq!(m[3].offset, 0x1000);
        assert!(m[3].file_gone() && !m[3].on_disk_read_only());
    }

    #[test]
    fn present_bytes_from_smaps() {
        let t = "00400000-00401000 r--p 00000000 00:27 1 /bin/x\nSize: 4 kB\nRss: 4 kB\nSwap: 0 kB\n\
                 7f00-9f00 rw-p 00000000 00:00 0 \nSize: 8 kB\nRss: 0 kB\nSwap: 0 kB\nSwapPss: 0 kB\n\
                 a000-b000 rw-p 00000000 00:00 0 \nRss: 0 kB\nSwap: 8 kB\n";
        let p = parse_present_bytes(t);
        assert_eq!(p[&0x400000], 4096);
        assert_eq!(p[&0x7f00], 0);
        assert_eq!(p[&0xa000], 8192);
    }

    #[test]
    fn refuses_garbage() {
        assert!(parse("zz-10 rw-p 0 0 0").is_err());
        assert!(parse("20-10 rw-p 0 00:00 0").is_err());
        assert!(parse("10-20 rw 0 00:00 0").is_err());
    }
}
