//! `--dump-memory`: one process's memory as an ELF64 core-like file (one PT_LOAD program header
//! per mapping; pages that were not stored are holes, so the file is sparse) plus a JSON map.
//! Tools that read ELF program headers (readelf, gdb, volatility-style scanners) can then
//! address it by virtual address.

use super::AnalyzeError;
use super::memory::{FileCache, ProcessMemory};
use crate::elf::{self, Phdr};
use serde::Serialize;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

const PAGE: u64 = 4096;

#[derive(Debug, Clone, Serialize)]
pub struct MapEntry {
    pub start: u64,
    pub end: u64,
    pub perms: String,
    pub name: String,
    /// where the mapping's bytes start in the output file (0 when nothing was stored)
    pub file_offset: u64,
    /// bytes of this mapping the checkpoint really holds
    pub stored: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DumpReport {
    pub pid: u32,
    pub output: PathBuf,
    pub map: PathBuf,
    pub bytes_stored: u64,
    pub regions: Vec<MapEntry>,
}

/// ELF e_machine for CRIU's `core_entry.mtype`.
pub fn elf_machine(mtype: i32) -> u16 {
    match mtype {
        1 => elf::EM_X86_64,
        2 => 40, // ARM
        3 => elf::EM_AARCH64,
        4 => 21,  // PPC64
        5 => 22,  // S390
        6 => 8,   // MIPS
        7 => 258, // LOONGARCH
        8 => 243, // RISCV
        _ => 0,
    }
}

pub fn write(mem: &ProcessMemory, machine: u16, out: &Path) -> Result<DumpReport, AnalyzeError> {
    use std::os::unix::fs::OpenOptionsExt;
    let werr = |p: &Path, e: std::io::Error| AnalyzeError::Write { path: p.to_path_buf(), source: e };
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(out)
        .map_err(|e| werr(out, e))?;

    let n = mem.regions.len() as u64;
    let mut off = elf::headers_size(n).div_ceil(PAGE) * PAGE;
    let mut map = Vec::new();
    let mut headers = elf::file_header(machine, n);
    for r in &mem.regions {
        let parts: Vec<_> =
            mem.segments.iter().map(|s| s.vaddr.max(r.start)..(s.vaddr + s.len).min(r.end)).filter(|x| x.start < x.end).collect();
        let stored: u64 = parts.iter().map(|x| x.end - x.start).sum();
        let len = r.end - r.start;
        // bytes after the last stored one are zero (p_memsz > p_filesz), as in a core file
        let filesz = parts.iter().map(|x| x.end - r.start).max().unwrap_or(0);
        let file_offset = if filesz > 0 { off } else { 0 };
        Phdr { p_type: elf::PT_LOAD, flags: elf::pf_flags(&r.perms), offset: file_offset, vaddr: r.start, filesz, memsz: len, align: PAGE }
            .encode(&mut headers);
        map.push(MapEntry { start: r.start, end: r.end, perms: r.perms.clone(), name: r.name.clone(), file_offset, stored });
        off += filesz;
    }
    if n >= elf::PN_XNUM {
        headers.extend_from_slice(&elf::xnum_section_header(n));
    }
    f.write_all_at(&headers, 0).map_err(|e| werr(out, e))?;

    // copy stored bytes, 1 MiB at a time, to the offset of their mapping
    let mut files = FileCache::default();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0u64;
    for s in &mem.segments {
        let Some((i, r)) = mem.regions.iter().enumerate().find(|(_, r)| r.start <= s.vaddr && s.vaddr < r.end) else { continue };
        let end = (s.vaddr + s.len).min(r.end);
        let mut v = s.vaddr;
        while v < end {
            let k = ((end - v) as usize).min(buf.len());
            let src = files.get(&s.file).map_err(|e| AnalyzeError::Read { file: s.file.display().to_string(), source: e })?;
            src.read_exact_at(&mut buf[..k], s.offset + (v - s.vaddr))
                .map_err(|e| AnalyzeError::Read { file: s.file.display().to_string(), source: e })?;
            f.write_all_at(&buf[..k], map[i].file_offset + (v - r.start)).map_err(|e| werr(out, e))?;
            v += k as u64;
            total += k as u64;
        }
    }
    f.set_len(off).map_err(|e| werr(out, e))?;

    let map_path = PathBuf::from(format!("{}.map.json", out.display()));
    let report = DumpReport { pid: mem.pid, output: out.to_path_buf(), map: map_path.clone(), bytes_stored: total, regions: map };
    let mut mf = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(&map_path)
        .map_err(|e| werr(&map_path, e))?;
    serde_json::to_writer_pretty(&mut mf, &report).map_err(|e| werr(&map_path, e.into()))?;
    mf.write_all(b"\n").map_err(|e| werr(&map_path, e))?;
    Ok(report)
}
