//! A process's memory as any source describes it: its mappings (VMAs) and which byte ranges of
//! which files hold the contents of which virtual addresses. CRIU's pagemap + pages images are
//! one source ([`from_pagemap`]); an ELF core's PT_LOAD segments would be another. Search, the
//! cmdline/env readers and `--dump-memory` work only on this model.

use super::AnalyzeError;
use super::archive::{Member, open_nofollow};
use super::proto::{PE_PRESENT, PagemapEntry, VmaEntry};
use serde::Serialize;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

pub const PAGE_SIZE: u64 = 4096;

/// A mapping of the process (a VMA).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Region {
    pub start: u64,
    pub end: u64,
    /// "rwxp"-style, as in /proc/PID/maps
    pub perms: String,
    /// what backs it: a path, "[heap]", "[stack]", "[anon]", …
    pub name: String,
}

/// `len` bytes of memory starting at `vaddr` are stored in `file` at `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub vaddr: u64,
    pub len: u64,
    pub file: PathBuf,
    pub offset: u64,
}

/// One process's memory: mappings plus stored contents, both sorted by address.
#[derive(Debug, Clone, Default)]
pub struct ProcessMemory {
    pub pid: u32,
    pub regions: Vec<Region>,
    pub segments: Vec<Segment>,
}

impl ProcessMemory {
    /// The mapping containing `addr`.
    pub fn region_at(&self, addr: u64) -> Option<&Region> {
        let i = self.regions.partition_point(|r| r.start <= addr);
        i.checked_sub(1).map(|i| &self.regions[i]).filter(|r| addr < r.end)
    }

    /// Bytes stored for all mappings.
    pub fn stored_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.len).sum()
    }

    /// Read `[addr, addr+len)`; bytes that were not stored (not dumped, never touched) read as
    /// zero. Returns the bytes and how many of them were really stored.
    pub fn read(&self, addr: u64, len: usize) -> io::Result<(Vec<u8>, usize)> {
        let mut out = vec![0u8; len];
        let end = addr.saturating_add(len as u64);
        let mut stored = 0;
        let first = self.segments.partition_point(|s| s.vaddr + s.len <= addr);
        let mut files = FileCache::default();
        for s in &self.segments[first..] {
            if s.vaddr >= end {
                break;
            }
            let a = s.vaddr.max(addr);
            let b = (s.vaddr + s.len).min(end);
            if a >= b {
                continue;
            }
            let dst = &mut out[(a - addr) as usize..(b - addr) as usize];
            files.get(&s.file)?.read_exact_at(dst, s.offset + (a - s.vaddr))?;
            stored += dst.len();
        }
        Ok((out, stored))
    }

    /// Stored segments merged where they are contiguous in virtual memory, so that a search
    /// sees one stream per contiguous range and finds matches across page boundaries.
    pub fn runs(&self) -> Vec<Run<'_>> {
        let mut runs: Vec<Run<'_>> = Vec::new();
        for s in &self.segments {
            match runs.last_mut() {
                Some(r) if r.end() == s.vaddr => r.pieces.push(s),
                _ => runs.push(Run { vaddr: s.vaddr, pieces: vec![s] }),
            }
        }
        runs
    }
}

/// Contiguous stored memory made of one or more segments.
#[derive(Debug)]
pub struct Run<'a> {
    pub vaddr: u64,
    pub pieces: Vec<&'a Segment>,
}

impl Run<'_> {
    pub fn len(&self) -> u64 {
        self.pieces.iter().map(|s| s.len).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    pub fn end(&self) -> u64 {
        self.vaddr + self.len()
    }
}

/// Opened files by path, so a read touching several segments opens each file once.
#[derive(Default)]
pub struct FileCache {
    open: Vec<(PathBuf, File)>,
}

impl FileCache {
    pub fn get(&mut self, p: &PathBuf) -> io::Result<&File> {
        if let Some(i) = self.open.iter().position(|(q, _)| q == p) {
            return Ok(&self.open[i].1);
        }
        self.open.push((p.clone(), open_nofollow(p)?));
        Ok(&self.open.last().expect("just pushed").1)
    }
}

/// Regions from CRIU's VMA entries; `name_of` names a file mapping from its file id.
pub fn regions_from_vmas(vmas: &[VmaEntry], name_of: impl Fn(u32) -> Option<String>) -> Vec<Region> {
    const STACK: u32 = 1 << 1;
    const VSYSCALL: u32 = 1 << 2;
    const VDSO: u32 = 1 << 3;
    const HEAP: u32 = 1 << 5;
    const FILE_PRIVATE: u32 = 1 << 6;
    const FILE_SHARED: u32 = 1 << 7;
    const ANON_SHARED: u32 = 1 << 8;
    const VVAR: u32 = 1 << 12;
    let mut v: Vec<Region> = vmas
        .iter()
        .filter(|e| e.end > e.start)
        .map(|e| {
            let st = e.status;
            let name = if st & HEAP != 0 {
                "[heap]".to_string()
            } else if st & STACK != 0 {
                "[stack]".to_string()
            } else if st & VDSO != 0 {
                "[vdso]".to_string()
            } else if st & VVAR != 0 {
                "[vvar]".to_string()
            } else if st & VSYSCALL != 0 {
                "[vsyscall]".to_string()
            } else if st & (FILE_PRIVATE | FILE_SHARED) != 0 {
                u32::try_from(e.shmid).ok().and_then(&name_of).unwrap_or_else(|| format!("[file id {}]", e.shmid))
            } else if st & ANON_SHARED != 0 {
                "[anon shared]".to_string()
            } else {
                "[anon]".to_string()
            };
            let p = e.prot;
            let perms = format!(
                "{}{}{}{}",
                if p & 1 != 0 { 'r' } else { '-' },
                if p & 2 != 0 { 'w' } else { '-' },
                if p & 4 != 0 { 'x' } else { '-' },
                if e.flags & 0x01 != 0 { 's' } else { 'p' }
            );
            Region { start: e.start, end: e.end, perms, name }
        })
        .collect();
    v.sort_by_key(|r| r.start);
    v
}

/// Segments from a CRIU pagemap: entries with PE_PRESENT are stored one after the other in the
/// pages image, in pagemap order.
pub fn from_pagemap(
    pagemap_name: &str,
    entries: &[(u64, PagemapEntry)],
    pages_name: &str,
    pages: &Member,
) -> Result<Vec<Segment>, AnalyzeError> {
    let mut segs = Vec::new();
    let mut off = 0u64;
    for (at, e) in entries {
        let bad = |what: String| AnalyzeError::Image { file: pagemap_name.to_string(), offset: *at, what };
        let len = u64::from(e.nr_pages) * PAGE_SIZE;
        if e.effective_flags() & PE_PRESENT == 0 || len == 0 {
            continue;
        }
        if e.vaddr % PAGE_SIZE != 0 || e.vaddr.checked_add(len).is_none() {
            return Err(bad(format!("implausible page range at {:#x} ({} pages)", e.vaddr, e.nr_pages)));
        }
        let end = off + len;
        if end > pages.size {
            return Err(bad(format!(
                "entry needs bytes {off}..{end} of {pages_name}, which has only {} (truncated pages image?)",
                pages.size
            )));
        }
        segs.push(Segment { vaddr: e.vaddr, len, file: pages.file.clone(), offset: pages.offset + off });
        off = end;
    }
    segs.sort_by_key(|s| s.vaddr);
    for w in segs.windows(2) {
        if w[0].vaddr + w[0].len > w[1].vaddr {
            return Err(AnalyzeError::Image {
                file: pagemap_name.to_string(),
                offset: 0,
                what: format!("overlapping page ranges at {:#x}", w[1].vaddr),
            });
        }
    }
    Ok(segs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn read_spans_segments_and_zero_fills_holes() {
        let dir = super::super::archive::TempDir::new().unwrap();
        let f = dir.path.join("pages");
        let mut data = vec![b'a'; 4096];
        data.extend(vec![b'b'; 4096]);
        std::fs::File::create(&f).unwrap().write_all(&data).unwrap();
        let m = Member { file: f, offset: 0, size: 8192 };
        let pm = vec![
            (8, PagemapEntry { vaddr: 0x1000, nr_pages: 1, in_parent: None, flags: Some(PE_PRESENT) }),
            (16, PagemapEntry { vaddr: 0x2000, nr_pages: 1, in_parent: None, flags: Some(2) }),
            (24, PagemapEntry { vaddr: 0x3000, nr_pages: 1, in_parent: None, flags: None }),
        ];
        let segs = from_pagemap("pagemap-1.img", &pm, "pages-1.img", &m).unwrap();
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[1].offset, 4096);
        let mem = ProcessMemory { pid: 1, regions: vec![], segments: segs };
        let (b, stored) = mem.read(0x1ffe, 4 + 4096).unwrap();
        assert_eq!(stored, 4);
        assert_eq!(&b[..2], b"aa");
        assert!(b[2..4098].iter().all(|&x| x == 0));
        assert_eq!(&b[4098..], b"bb");
        assert_eq!(mem.runs().len(), 2);

        let short = Member { size: 4096, ..m };
        let e = from_pagemap("pagemap-1.img", &pm, "pages-1.img", &short).unwrap_err().to_string();
        assert!(e.contains("pagemap-1.img: offset 24") && e.contains("truncated"), "{e}");
    }

    #[test]
    fn region_lookup() {
        let r = |s, e| Region { start: s, end: e, perms: "rw-p".into(), name: "[anon]".into() };
        let mem = ProcessMemory { pid: 1, regions: vec![r(0x1000, 0x3000), r(0x5000, 0x6000)], segments: vec![] };
        assert_eq!(mem.region_at(0x1000).map(|r| r.start), Some(0x1000));
        assert_eq!(mem.region_at(0x2fff).map(|r| r.start), Some(0x1000));
        assert!(mem.region_at(0x3000).is_none());
        assert!(mem.region_at(0x0).is_none());
        assert_eq!(mem.region_at(0x5800).map(|r| r.start), Some(0x5000));
    }
}
