//! ELF core files as a memory source: the `memory/<pid>.core` files `checkpoint --memory=proc`
//! writes (or any Linux x86_64/aarch64 core). Each becomes a [`ProcessMemory`] (PT_LOAD segments
//! with bytes in the file, mappings named from NT_FILE) plus the process identity from
//! NT_PRPSINFO, so search and the process list work on them exactly as on CRIU images.
//!
//! Cores are evidence from a compromised node: every offset and count is bounds-checked against
//! the file, and a malformed core is refused with its path and the offset.

use super::AnalyzeError;
use super::memory::{ProcessMemory, Region, Segment};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const PT_LOAD: u32 = 1;
const PT_NOTE: u32 = 4;
const NT_PRPSINFO: u32 = 3;
const NT_FILE: u32 = 0x4649_4c45;
/// More program headers or mappings than this is not a process we dumped.
const MAX_PHDRS: usize = 1 << 20;
const MAX_NOTES_BYTES: u64 = 64 << 20;
/// How many core files one run reads at most (a bundle holds one per process).
const MAX_CORES: usize = 100_000;

/// One process from a core file.
#[derive(Debug, Clone)]
pub struct CoreProcess {
    pub path: PathBuf,
    pub pid: u32,
    pub ppid: u32,
    pub uid: u32,
    pub comm: String,
    pub args: String,
    pub memory: ProcessMemory,
}

/// Is `p` an ELF core file (by content)?
pub fn is_core(p: &Path) -> bool {
    let mut h = [0u8; 18];
    File::open(p).and_then(|mut f| f.read_exact(&mut h)).is_ok() && h[..4] == *b"\x7fELF" && h[4] == 2 && u16::from_le_bytes([h[16], h[17]]) == 4
}

/// The core files to analyze: `p` itself when it is one, else every `*.core` under directory `p`
/// (a bundle or its `memory/` directory), symlinks never followed. None when there are none.
pub fn find(p: &Path) -> Option<Vec<PathBuf>> {
    let meta = std::fs::symlink_metadata(p).ok()?;
    if meta.is_file() {
        return is_core(p).then(|| vec![p.to_path_buf()]);
    }
    if !meta.is_dir() {
        return None;
    }
    let mut out = Vec::new();
    let mut stack = vec![(p.to_path_buf(), 0usize)];
    while let Some((dir, depth)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let Ok(ft) = e.file_type() else { continue };
            let path = e.path();
            if ft.is_dir() && depth < 8 {
                stack.push((path, depth + 1));
            } else if ft.is_file() && path.extension().is_some_and(|x| x == "core") && is_core(&path) && out.len() < MAX_CORES {
                out.push(path);
            }
        }
    }
    out.sort();
    (!out.is_empty()).then_some(out)
}

fn bad(path: &Path, offset: u64, what: impl Into<String>) -> AnalyzeError {
    AnalyzeError::Image { file: path.display().to_string(), offset, what: what.into() }
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap_or([0; 4]))
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or([0; 8]))
}

fn cstr(b: &[u8]) -> String {
    let end = b.iter().position(|&c| c == 0).unwrap_or(b.len());
    String::from_utf8_lossy(&b[..end]).into_owned()
}

/// Read one core: program headers, notes, segments. Memory bytes stay in the file.
pub fn load(path: &Path) -> Result<CoreProcess, AnalyzeError> {
    let f = File::open(path).map_err(|source| AnalyzeError::Open { path: path.to_path_buf(), source })?;
    let size = f.metadata().map_err(|source| AnalyzeError::Open { path: path.to_path_buf(), source })?.len();
    let read = |off: u64, len: usize| -> Result<Vec<u8>, AnalyzeError> {
        if off.checked_add(len as u64).is_none_or(|e| e > size) {
            return Err(bad(path, off, format!("{len} bytes past the end of the file ({size} bytes)")));
        }
        let mut b = vec![0u8; len];
        f.read_exact_at(&mut b, off).map_err(|source| AnalyzeError::Read { file: path.display().to_string(), source })?;
        Ok(b)
    };
    let eh = read(0, 64)?;
    if eh[..4] != *b"\x7fELF" || eh[4] != 2 || eh[5] != 1 || u16_at(&eh, 16) != 4 {
        return Err(bad(path, 0, "not a 64-bit little-endian ELF core file"));
    }
    let phoff = u64_at(&eh, 32);
    let phentsize = u16_at(&eh, 54) as usize;
    let mut phnum = u16_at(&eh, 56) as usize;
    if phentsize < 56 {
        return Err(bad(path, 54, format!("program header size {phentsize} < 56")));
    }
    if phnum == 0xffff {
        // PN_XNUM: the real count is in section header 0's sh_info
        let shoff = u64_at(&eh, 40);
        let sh = read(shoff, 64)?;
        phnum = u32_at(&sh, 44) as usize;
    }
    if phnum > MAX_PHDRS {
        return Err(bad(path, 56, format!("{phnum} program headers")));
    }
    let ph = read(phoff, phnum * phentsize)?;
    let mut loads = Vec::new();
    let mut notes = Vec::new();
    for i in 0..phnum {
        let p = &ph[i * phentsize..i * phentsize + 56];
        let (ty, flags, off, vaddr, filesz, memsz) = (u32_at(p, 0), u32_at(p, 4), u64_at(p, 8), u64_at(p, 16), u64_at(p, 32), u64_at(p, 40));
        match ty {
            PT_LOAD => {
                if filesz > memsz || off.checked_add(filesz).is_none_or(|e| e > size) || vaddr.checked_add(memsz).is_none() {
                    return Err(bad(path, phoff + (i * phentsize) as u64, "PT_LOAD outside the file or its own size"));
                }
                loads.push((flags, off, vaddr, filesz, memsz));
            }
            PT_NOTE if filesz <= MAX_NOTES_BYTES => notes.push(read(off, filesz as usize)?),
            _ => {}
        }
    }
    let (mut pid, mut ppid, mut uid, mut comm, mut args) = (0, 0, 0, String::new(), String::new());
    let mut files: Vec<(u64, u64, String)> = Vec::new();
    for n in &notes {
        let mut o = 0usize;
        while o + 12 <= n.len() {
            let (namesz, descsz, ty) = (u32_at(n, o) as usize, u32_at(n, o + 4) as usize, u32_at(n, o + 8));
            let d0 = o + 12 + namesz.div_ceil(4) * 4;
            let d1 = d0.saturating_add(descsz);
            if d1 > n.len() {
                break;
            }
            let d = &n[d0..d1];
            match ty {
                NT_PRPSINFO if d.len() >= 136 => {
                    uid = u32_at(d, 16);
                    pid = u32_at(d, 24);
                    ppid = u32_at(d, 28);
                    comm = cstr(&d[40..56]);
                    args = cstr(&d[56..136]);
                }
                NT_FILE if d.len() >= 16 => {
                    let count = u64_at(d, 0) as usize;
                    let table = 16usize.saturating_add(count.saturating_mul(24));
                    if count <= MAX_PHDRS && table <= d.len() {
                        let mut names = d[table..].split(|&c| c == 0);
                        for k in 0..count {
                            let e = 16 + k * 24;
                            let name = names.next().map(|s| String::from_utf8_lossy(s).into_owned()).unwrap_or_default();
                            files.push((u64_at(d, e), u64_at(d, e + 8), name));
                        }
                    }
                }
                _ => {}
            }
            o = d0 + descsz.div_ceil(4) * 4;
        }
    }
    let mut memory = ProcessMemory { pid, regions: Vec::new(), segments: Vec::new() };
    for &(flags, off, vaddr, filesz, memsz) in &loads {
        let perms = format!(
            "{}{}{}p",
            if flags & 4 != 0 { 'r' } else { '-' },
            if flags & 2 != 0 { 'w' } else { '-' },
            if flags & 1 != 0 { 'x' } else { '-' }
        );
        let name = files.iter().find(|(s, e, _)| *s <= vaddr && vaddr < *e).map(|f| f.2.clone()).unwrap_or_else(|| "[anon]".into());
        memory.regions.push(Region { start: vaddr, end: vaddr + memsz, perms, name });
        if filesz > 0 {
            memory.segments.push(Segment { vaddr, len: filesz, file: path.to_path_buf(), offset: off });
        }
    }
    memory.regions.sort_by_key(|r| r.start);
    memory.segments.sort_by_key(|s| s.vaddr);
    Ok(CoreProcess { path: path.to_path_buf(), pid, ppid, uid, comm, args, memory })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_truncated_cores_are_refused_cleanly() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.core");
        // an ELF core header whose program headers point past the end of the file
        let mut h = vec![0u8; 64];
        h[..4].copy_from_slice(b"\x7fELF");
        h[4] = 2;
        h[5] = 1;
        h[16] = 4;
        h[32..40].copy_from_slice(&4096u64.to_le_bytes());
        h[54] = 56;
        h[56] = 3;
        std::fs::write(&p, &h).unwrap();
        assert!(is_core(&p));
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("x.core") && e.contains("past the end"), "{e}");
        std::fs::write(&p, b"not an elf").unwrap();
        assert!(!is_core(&p));
        assert!(load(&p).is_err());
    }
}
