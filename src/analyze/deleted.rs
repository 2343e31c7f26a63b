//! Deleted files a checkpoint still holds, and getting their bytes back.
//!
//! Two sources: CRIU's ghost files (the whole content of a file deleted while a process held it,
//! saved by the dump: `ghost` module), and, for a deleted executable with no ghost (an ELF core,
//! or an archive whose ghost image is gone), the file-backed pages of its mappings, reassembled
//! at their file offsets — with the ranges that were not in memory reported as missing.
//!
//! Both become the same thing: a file size and pieces (`file offset ← bytes of some file at some
//! offset`), hashed and written without ever holding the content in memory.

use super::AnalyzeError;
use super::archive::{Archive, open_nofollow};
use super::criu::{Dump, Task};
use super::ghost;
use super::memory::{FileCache, ProcessMemory};
use super::proto::{REMAP_GHOST, RemapFilePathEntry};
use crate::evidence::hash::Sha256;
use serde::Serialize;
use std::collections::BTreeMap;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

/// How a process held a deleted file.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(tag = "as", rename_all = "lowercase")]
pub enum HeldAs {
    /// its executable
    Exe,
    /// an open descriptor
    Fd { fd: u32 },
    /// a memory mapping `[start, end)`
    Mapping { start: u64, end: u64 },
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub comm: String,
    #[serde(flatten)]
    pub how: HeldAs,
}

/// Where the recovered bytes come from.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// a CRIU ghost-file image: the file's full content as it was on disk
    GhostFile,
    /// the process's memory pages: what was mapped and stored, at its file offsets
    Memory,
}

/// `[start, end)` of the file that could not be recovered.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Range {
    pub start: u64,
    pub end: u64,
}

/// One deleted file whose bytes (all or some) the checkpoint holds.
#[derive(Debug, Clone, Serialize)]
pub struct DeletedFile {
    /// the path the file had (`-` when no open file refers to the ghost)
    pub path: String,
    pub source: Source,
    /// the ghost image (`checkpoint/ghost-file-1.img`) or the process whose memory it came from
    pub from: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<u32>,
    /// the file's size (for a reassembly: from its ELF headers, else the end of its last mapping)
    pub size: u64,
    /// SHA-256 of the recovered file (holes as zeros)
    pub sha256: String,
    /// every byte of the file was recovered
    pub complete: bool,
    /// ranges that were not recovered (read as zeros in the written file)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Range>,
    /// (memory only) ranges recovered from writable mappings: they hold the bytes as the process
    /// had them (relocations, its data), which may differ from the file on disk
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub from_writable: Vec<Range>,
    pub holders: Vec<Holder>,
    #[serde(skip)]
    pub content: Content,
}

/// A file's bytes: `size`, and pieces sorted by file offset, not overlapping.
#[derive(Debug, Clone, Default)]
pub struct Content {
    pub size: u64,
    pub pieces: Vec<Piece>,
    /// file ranges whose bytes came from writable memory
    pub writable: Vec<Range>,
}

/// A mapping of a file: `[start, end)` of memory holds the file from `offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileMapping {
    pub start: u64,
    pub end: u64,
    pub offset: u64,
    pub writable: bool,
}

/// `len` bytes of the file at `file_offset` are in `src` at `src_offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub file_offset: u64,
    pub src: PathBuf,
    pub src_offset: u64,
    pub len: u64,
}

impl Content {
    /// The ranges of `[0, size)` no piece covers.
    pub fn missing(&self) -> Vec<Range> {
        let mut out = Vec::new();
        let mut at = 0;
        for p in &self.pieces {
            if p.file_offset > at {
                out.push(Range { start: at, end: p.file_offset });
            }
            at = at.max(p.file_offset + p.len);
        }
        if at < self.size {
            out.push(Range { start: at, end: self.size });
        }
        out
    }

    /// SHA-256 of the file, holes read as zeros.
    pub fn sha256(&self) -> std::io::Result<String> {
        let mut h = Sha256::new();
        let mut files = FileCache::default();
        let mut buf = vec![0u8; 1 << 16];
        let zeros = vec![0u8; 1 << 16];
        let mut at = 0u64;
        let zero = |h: &mut Sha256, mut n: u64| {
            while n > 0 {
                let k = n.min(zeros.len() as u64) as usize;
                h.update(&zeros[..k]);
                n -= k as u64;
            }
        };
        for p in &self.pieces {
            zero(&mut h, p.file_offset - at);
            let f = files.get(&p.src)?;
            let mut done = 0;
            while done < p.len {
                let k = (p.len - done).min(buf.len() as u64) as usize;
                f.read_exact_at(&mut buf[..k], p.src_offset + done)?;
                h.update(&buf[..k]);
                done += k as u64;
            }
            at = p.file_offset + p.len;
        }
        zero(&mut h, self.size - at);
        Ok(h.finalize_hex())
    }

    /// Write the file to `out` (created, mode 0600, never over an existing path); holes stay
    /// holes (a sparse file).
    pub fn write(&self, out: &Path) -> Result<(), AnalyzeError> {
        use std::os::unix::fs::OpenOptionsExt;
        let werr = |source| AnalyzeError::Write { path: out.to_path_buf(), source };
        let f =
            std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).custom_flags(libc::O_NOFOLLOW).open(out).map_err(werr)?;
        let mut files = FileCache::default();
        let mut buf = vec![0u8; 1 << 16];
        for p in &self.pieces {
            let src = files.get(&p.src).map_err(|source| AnalyzeError::Read { file: p.src.display().to_string(), source })?;
            let mut done = 0;
            while done < p.len {
                let k = (p.len - done).min(buf.len() as u64) as usize;
                src.read_exact_at(&mut buf[..k], p.src_offset + done)
                    .map_err(|source| AnalyzeError::Read { file: p.src.display().to_string(), source })?;
                f.write_all_at(&buf[..k], p.file_offset + done).map_err(werr)?;
                done += k as u64;
            }
        }
        f.set_len(self.size).map_err(werr)?;
        f.sync_all().map_err(werr)?;
        Ok(())
    }
}

/// The ghost id a remap entry points to, when it is a ghost (CRIU ≥ 3 writes `remap_type`; older
/// images set the top bit of `remap_id`).
pub fn ghost_id(r: &RemapFilePathEntry) -> Option<u32> {
    const OLD_GHOST_BIT: u32 = 1 << 31;
    match r.remap_type {
        Some(t) if t == REMAP_GHOST => Some(r.remap_id),
        None if r.remap_id & OLD_GHOST_BIT != 0 => Some(r.remap_id & !OLD_GHOST_BIT),
        _ => None,
    }
}

fn strip_deleted(p: &str) -> &str {
    p.strip_suffix(" (deleted)").unwrap_or(p)
}

/// How each process holds the file objects `ids` (exe, descriptors, mappings).
fn holders(d: &Dump, ids: &[u32]) -> Vec<Holder> {
    const FILE_MAPPED: u32 = (1 << 6) | (1 << 7);
    let mut out = Vec::new();
    for t in &d.tasks {
        let h = |how| Holder { pid: t.pid, comm: t.comm.clone(), how };
        if t.mm.as_ref().is_some_and(|mm| ids.contains(&mm.exe_file_id)) {
            out.push(h(HeldAs::Exe));
        }
        for fd in &t.fds {
            if ids.contains(&fd.id) {
                out.push(h(HeldAs::Fd { fd: fd.fd }));
            }
        }
        for v in t.mm.iter().flat_map(|m| &m.vmas) {
            if v.status & FILE_MAPPED != 0 && u32::try_from(v.shmid).is_ok_and(|id| ids.contains(&id)) {
                out.push(h(HeldAs::Mapping { start: v.start, end: v.end }));
            }
        }
    }
    out.sort_by(|a, b| (a.pid, &a.how).cmp(&(b.pid, &b.how)));
    out
}

/// Every deleted file of a CRIU dump whose bytes the archive holds: each ghost-file image, then
/// each deleted executable that has none, reassembled from memory. A ghost image that cannot be
/// read is an error line; the others are still listed.
pub fn list(ar: &Archive, d: &Dump) -> (Vec<DeletedFile>, Vec<String>) {
    let max = ar.limits().max_extract_bytes;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    // ghost id → the file objects that refer to it
    let mut refs: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for r in d.remaps.values() {
        if let Some(g) = ghost_id(r) {
            refs.entry(g).or_default().push(r.orig_id);
        }
    }
    let mut ghosts: BTreeMap<u32, (String, &super::archive::Member)> = BTreeMap::new();
    for (name, m) in ar.children(&d.dir) {
        if let Some(id) = ghost::id_from_name(name) {
            ghosts.insert(id, (join(&d.dir, name), m));
        }
    }
    let mut covered: Vec<u32> = Vec::new();
    for (id, (name, m)) in &ghosts {
        let ids = refs.get(id).cloned().unwrap_or_default();
        covered.extend(&ids);
        let g = match m
            .open()
            .map_err(|e| AnalyzeError::Read { file: name.clone(), source: e })
            .and_then(|r| ghost::parse(name, std::io::BufReader::new(r), m.size, max))
        {
            Ok(g) => g,
            Err(e) => {
                errors.push(format!("deleted files: {e}"));
                continue;
            }
        };
        if !g.is_regular() {
            continue;
        }
        let path = ids
            .iter()
            .filter_map(|i| d.files.get(i).and_then(|f| f.reg.as_ref()))
            .map(|r| strip_deleted(&r.name).to_string())
            .next()
            .unwrap_or_else(|| "-".into());
        let content = Content {
            writable: Vec::new(),
            size: g.size,
            pieces: g
                .pieces
                .iter()
                .map(|p| Piece { file_offset: p.file_offset, src: m.file.clone(), src_offset: m.offset + p.image_offset, len: p.len })
                .collect(),
        };
        match finish(path, Source::GhostFile, name.clone(), content, holders(d, &ids)) {
            Ok(mut f) => {
                f.mode = Some(format!("{:04o}", g.entry.mode & 0o7777));
                f.uid = Some(g.entry.uid);
                f.gid = Some(g.entry.gid);
                // a sparse ghost's holes are the file's own, not missing bytes
                f.complete = true;
                f.missing.clear();
                out.push(f);
            }
            Err(e) => errors.push(format!("deleted files: {name}: {e}")),
        }
    }
    // deleted executables CRIU saved no ghost of: what their mappings hold
    for t in &d.tasks {
        let Some(mm) = &t.mm else { continue };
        let exe = mm.exe_file_id;
        if !d.is_deleted(exe) || covered.contains(&exe) {
            continue;
        }
        let Some(path) = d.files.get(&exe).and_then(|f| f.reg.as_ref()).map(|r| strip_deleted(&r.name).to_string()) else {
            continue;
        };
        let maps = exe_mappings(d, t, &path);
        match from_memory(&t.memory, &maps, max) {
            Ok(content) => match finish(path, Source::Memory, format!("pid {} memory", t.pid), content, holders(d, &[exe])) {
                Ok(f) => out.push(f),
                Err(e) => errors.push(format!("deleted files: pid {}: {e}", t.pid)),
            },
            Err(e) => errors.push(format!("deleted files: pid {}: {e}", t.pid)),
        }
    }
    (out, errors)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// The mappings of `t` backed by the file named `path` (any of its file objects).
fn exe_mappings(d: &Dump, t: &Task, path: &str) -> Vec<FileMapping> {
    const FILE_MAPPED: u32 = (1 << 6) | (1 << 7);
    t.mm.iter()
        .flat_map(|m| &m.vmas)
        .filter(|v| v.status & FILE_MAPPED != 0)
        .filter(|v| {
            u32::try_from(v.shmid)
                .ok()
                .and_then(|id| d.files.get(&id))
                .and_then(|f| f.reg.as_ref())
                .is_some_and(|r| strip_deleted(&r.name) == path)
        })
        .map(|v| FileMapping {
            start: v.start,
            end: v.end,
            offset: v.pgoff,
            // CRIU stores a private file mapping's pages only once the process changed them
            writable: true,
        })
        .collect()
}

/// Reassemble a file from a process's stored pages of the mappings `maps`. The size comes from the ELF headers when the first page is there (section
/// headers, else program headers' extent), else from the furthest mapping.
pub fn from_memory(mem: &ProcessMemory, maps: &[FileMapping], max: u64) -> Result<Content, AnalyzeError> {
    let mut pieces: Vec<(Piece, bool)> = Vec::new();
    let mut mapped_end = 0u64;
    for &FileMapping { start, end, offset: off, writable } in maps {
        if end <= start {
            continue;
        }
        mapped_end = mapped_end.max(off.saturating_add(end - start));
        let first = mem.segments.partition_point(|s| s.vaddr + s.len <= start);
        for s in &mem.segments[first..] {
            if s.vaddr >= end {
                break;
            }
            let a = s.vaddr.max(start);
            let b = (s.vaddr + s.len).min(end);
            if a < b {
                let Some(fo) = off.checked_add(a - start) else { continue };
                pieces.push((Piece { file_offset: fo, src: s.file.clone(), src_offset: s.offset + (a - s.vaddr), len: b - a }, writable));
            }
        }
    }
    pieces.sort_by_key(|p| p.0.file_offset);
    // the same file range mapped twice: keep the first bytes seen, trim the rest
    let mut clean: Vec<Piece> = Vec::new();
    let mut writable_ranges: Vec<Range> = Vec::new();
    for (mut p, w) in pieces {
        if let Some(last) = clean.last() {
            let last_end = last.file_offset + last.len;
            if p.file_offset < last_end {
                let cut = (last_end - p.file_offset).min(p.len);
                p.file_offset += cut;
                p.src_offset += cut;
                p.len -= cut;
            }
        }
        if p.len > 0 {
            if w {
                match writable_ranges.last_mut() {
                    Some(r) if r.end == p.file_offset => r.end += p.len,
                    _ => writable_ranges.push(Range { start: p.file_offset, end: p.file_offset + p.len }),
                }
            }
            clean.push(p);
        }
    }
    let mut c = Content { size: 0, pieces: clean, writable: writable_ranges };
    let elf = elf_extent(&c).unwrap_or(0);
    c.size = elf.max(c.pieces.last().map(|p| p.file_offset + p.len).unwrap_or(0)).max(if elf == 0 { mapped_end } else { 0 });
    if c.size > max {
        return Err(AnalyzeError::NotFound(format!("a reassembly of {} bytes is more than the {max} allowed (cap)", c.size)));
    }
    c.pieces.retain(|p| p.file_offset < c.size);
    if let Some(p) = c.pieces.last_mut() {
        p.len = p.len.min(c.size - p.file_offset);
    }
    Ok(c)
}

/// The size an ELF64 file has, read from its header (present in `c` at offset 0): the end of its
/// section header table, or of its furthest segment.
fn elf_extent(c: &Content) -> Option<u64> {
    let p = c.pieces.first().filter(|p| p.file_offset == 0 && p.len >= 64)?;
    let mut h = [0u8; 64];
    open_nofollow(&p.src).ok()?.read_exact_at(&mut h, p.src_offset).ok()?;
    if h[..4] != *b"\x7fELF" || h[4] != 2 || h[5] != 1 {
        return None;
    }
    let u16_ = |o: usize| u64::from(u16::from_le_bytes([h[o], h[o + 1]]));
    let u64_ = |o: usize| u64::from_le_bytes(h[o..o + 8].try_into().unwrap_or_default());
    let (phoff, shoff, phentsize, phnum, shentsize, shnum) = (u64_(32), u64_(40), u16_(54), u16_(56), u16_(58), u16_(60));
    let mut end = shoff.checked_add(shentsize * shnum).filter(|_| shoff > 0).unwrap_or(0);
    // program headers, when they are in the recovered bytes
    if phentsize >= 56 && phnum > 0 && phoff.checked_add(phentsize * phnum).is_some_and(|e| e <= p.len) {
        let f = open_nofollow(&p.src).ok()?;
        for i in 0..phnum {
            let mut ph = [0u8; 56];
            f.read_exact_at(&mut ph, p.src_offset + phoff + i * phentsize).ok()?;
            let off = u64::from_le_bytes(ph[8..16].try_into().unwrap_or_default());
            let filesz = u64::from_le_bytes(ph[32..40].try_into().unwrap_or_default());
            end = end.max(off.saturating_add(filesz));
        }
    }
    (end > 0).then_some(end)
}

fn finish(path: String, source: Source, from: String, content: Content, holders: Vec<Holder>) -> Result<DeletedFile, AnalyzeError> {
    let sha256 = content.sha256().map_err(|e| AnalyzeError::Read { file: from.clone(), source: e })?;
    let missing = content.missing();
    Ok(DeletedFile {
        path,
        source,
        from,
        mode: None,
        uid: None,
        gid: None,
        size: content.size,
        sha256,
        complete: missing.is_empty(),
        missing,
        from_writable: content.writable.clone(),
        holders,
        content,
    })
}

/// Deleted executables of ELF cores, reassembled from their file-backed mappings.
pub fn from_cores(procs: &[super::core::CoreProcess], max: u64) -> (Vec<DeletedFile>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for p in procs {
        let Some((exe, true)) = p.exe() else { continue };
        let maps: Vec<_> = p
            .files
            .iter()
            .filter(|f| strip_deleted(&f.name) == exe)
            .map(|f| FileMapping {
                start: f.start,
                end: f.end,
                offset: f.file_offset,
                writable: p.memory.region_at(f.start).is_some_and(|r| r.perms.contains('w')),
            })
            .collect();
        let holders = std::iter::once(Holder { pid: p.pid, comm: p.comm.clone(), how: HeldAs::Exe })
            .chain(maps.iter().map(|m| Holder { pid: p.pid, comm: p.comm.clone(), how: HeldAs::Mapping { start: m.start, end: m.end } }))
            .collect();
        let from = format!("pid {} memory ({})", p.pid, p.path.display());
        match from_memory(&p.memory, &maps, max).and_then(|c| finish(exe, Source::Memory, from, c, holders)) {
            Ok(f) => out.push(f),
            Err(e) => errors.push(format!("deleted files: {}: {e}", p.path.display())),
        }
    }
    (out, errors)
}

/// What `--extract-deleted` wrote.
#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub path: String,
    pub source: Source,
    pub written: PathBuf,
    pub bytes: u64,
    pub sha256: String,
    pub complete: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<Range>,
}

/// The file name a recovered file gets in the output directory: a prefix naming its source, then
/// the path it had with every character outside `[A-Za-z0-9._-]` (the slashes too) replaced by
/// `_`, cut to 120 bytes. It never contains a `/` and never is `.` or `..`.
pub fn output_name(f: &DeletedFile, index: usize) -> String {
    let prefix = match f.source {
        Source::GhostFile => f.from.rsplit('/').next().unwrap_or("ghost").trim_end_matches(".img").to_string(),
        Source::Memory => format!("memory-{}", f.holders.first().map(|h| h.pid).unwrap_or(0)),
    };
    let mut tail: String = f
        .path
        .trim_start_matches('/')
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' })
        .take(120)
        .collect();
    if tail.is_empty() {
        tail = index.to_string();
    }
    let prefix: String = prefix.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).collect();
    format!("{prefix}_{tail}")
}

/// Write `files` into `dir` (an existing directory), each under [`output_name`]. A name that
/// exists already is an error for that file (nothing is overwritten); the others are written.
pub fn extract(files: &[&DeletedFile], dir: &Path) -> (Vec<Written>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let dest = dir.join(output_name(f, i));
        match f.content.write(&dest) {
            Ok(()) => out.push(Written {
                path: f.path.clone(),
                source: f.source,
                written: dest,
                bytes: f.size,
                sha256: f.sha256.clone(),
                complete: f.complete,
                missing: f.missing.clone(),
            }),
            Err(e) => errors.push(format!("--extract-deleted {}: {e}", super::error::one_line(&f.path))),
        }
    }
    (out, errors)
}

#[cfg(test)]
mod tests {
    use super::super::memory::Segment;
    use super::*;

    #[test]
    fn output_names_stay_inside_the_directory() {
        let mk = |path: &str| DeletedFile {
            path: path.into(),
            source: Source::GhostFile,
            from: "checkpoint/ghost-file-1a.img".into(),
            mode: None,
            uid: None,
            gid: None,
            size: 0,
            sha256: String::new(),
            complete: true,
            missing: vec![],
            from_writable: vec![],
            holders: vec![],
            content: Content::default(),
        };
        assert_eq!(output_name(&mk("/tmp/.cache/kworker"), 0), "ghost-file-1a_tmp_.cache_kworker");
        for hostile in ["../../etc/passwd", "/", "..", "a/../../b", "\u{1b}[31m/x\ny", &"/a".repeat(500)] {
            let n = output_name(&mk(hostile), 7);
            assert!(!n.contains('/') && n != "." && n != ".." && n.len() <= 140, "{n:?}");
            assert!(n.starts_with("ghost-file-1a_"), "{n}");
        }
    }

    #[test]
    fn reassembly_places_pages_at_file_offsets_and_names_the_gaps() {
        let dir = super::super::archive::TempDir::new().unwrap();
        let pages = dir.path.join("pages");
        std::fs::write(&pages, [vec![b'A'; 4096], vec![b'C'; 4096]].concat()).unwrap();
        let seg = |vaddr, offset| Segment { vaddr, len: 4096, file: pages.clone(), offset };
        // two mappings of one file: offsets 0..8192 at 0x10000 and 8192..12288 at 0x20000
        let mem = ProcessMemory { pid: 1, regions: vec![], segments: vec![seg(0x10000, 0), seg(0x20000, 4096)] };
        let m = |start, end, offset, writable| FileMapping { start, end, offset, writable };
        let c = from_memory(&mem, &[m(0x10000, 0x12000, 0, false), m(0x20000, 0x21000, 8192, true)], 1 << 20).unwrap();
        assert_eq!(c.writable, vec![Range { start: 8192, end: 12288 }]);
        assert_eq!(c.size, 12288);
        assert_eq!(c.missing(), vec![Range { start: 4096, end: 8192 }]);
        let out = dir.path.join("out");
        c.write(&out).unwrap();
        let got = std::fs::read(&out).unwrap();
        assert_eq!(got, [vec![b'A'; 4096], vec![0; 4096], vec![b'C'; 4096]].concat());
        assert_eq!(c.sha256().unwrap(), hex::encode(Sha256::digest(&got)));
        // never over an existing file
        assert!(c.write(&out).is_err());
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&out).unwrap().permissions().mode() & 0o777, 0o600);
    }
}
