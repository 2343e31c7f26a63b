//! The ELF64 core layout (little-endian) that the agent's core writer, `analyze --dump-memory`
//! and the core reader of `analyze` share: header, program headers, notes, the NT_FILE table and
//! the offsets of the `elf_prstatus` / `elf_prpsinfo` fields we write and read; and the dynamic
//! section of executables (interpreter and needed libraries) that `image` packs.
//!
//! A leaf module: it depends on nothing else in the crate, so the node side and the offline side
//! meet here without importing each other.

pub const EHDR_SIZE: u64 = 64;
pub const PHDR_SIZE: u64 = 56;
pub const SHDR_SIZE: u64 = 64;
/// `e_phnum` value meaning "the real count is in section header 0's `sh_info`".
pub const PN_XNUM: u64 = 0xffff;
pub const ET_CORE: u16 = 4;

pub const PT_LOAD: u32 = 1;
pub const PT_NOTE: u32 = 4;
pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;

pub const NT_PRSTATUS: u32 = 1;
pub const NT_PRPSINFO: u32 = 3;
pub const NT_AUXV: u32 = 6;
pub const NT_FILE: u32 = 0x4649_4c45;
/// auxv: the program's entry point (inside the executable's text).
pub const AT_ENTRY: u64 = 9;

pub const EM_X86_64: u16 = 62;
pub const EM_AARCH64: u16 = 183;

/// `elf_prstatus`: where the fields we write and read are (x86_64 and aarch64 alike).
pub mod prstatus {
    pub const PID: usize = 32;
    pub const PPID: usize = 36;
    pub const PGRP: usize = 40;
    pub const SID: usize = 44;
    pub const UTIME: usize = 48;
    pub const STIME: usize = 64;
    pub const CUTIME: usize = 80;
    pub const CSTIME: usize = 96;
    /// `pr_reg`, the general registers (`user_regs_struct`), 8 bytes each.
    pub const REGS: usize = 112;
    /// Registers in `pr_reg` on x86_64, and the indexes of those we use.
    pub mod x86_64 {
        pub const GREGS: usize = 27;
        pub const R10: usize = 7;
        pub const R9: usize = 8;
        pub const R8: usize = 9;
        pub const RDX: usize = 12;
        pub const RSI: usize = 13;
        pub const RDI: usize = 14;
        pub const ORIG_RAX: usize = 15;
        pub const RIP: usize = 16;
        pub const CS: usize = 17;
        pub const RSP: usize = 19;
        pub const SS: usize = 20;
    }
    /// Registers in `pr_reg` on aarch64 (x0..x30, sp, pc, pstate).
    pub mod aarch64 {
        pub const GREGS: usize = 34;
        pub const X8: usize = 8;
        pub const SP: usize = 31;
        pub const PC: usize = 32;
    }
}

/// `elf_prpsinfo` (x86_64 and aarch64): size and where the fields are.
pub mod prpsinfo {
    pub const SIZE: usize = 136;
    pub const FLAG: usize = 8;
    pub const UID: usize = 16;
    pub const GID: usize = 20;
    pub const PID: usize = 24;
    pub const PPID: usize = 28;
    pub const PGRP: usize = 32;
    pub const SID: usize = 36;
    /// `pr_fname`, 16 bytes, NUL-terminated.
    pub const FNAME: std::ops::Range<usize> = 40..56;
    /// `pr_psargs`, 80 bytes, NUL-terminated.
    pub const PSARGS: std::ops::Range<usize> = 56..136;
}

pub fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes([b[o], b[o + 1]])
}
pub fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap_or([0; 4]))
}
pub fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or([0; 8]))
}

/// Bytes of the headers (ELF header, program headers and, past 65534 segments, one section header).
pub fn headers_size(phnum: u64) -> u64 {
    EHDR_SIZE + phnum * PHDR_SIZE + if phnum >= PN_XNUM { SHDR_SIZE } else { 0 }
}

/// Core file header for `machine` with `phnum` program headers right after it (and, from
/// `PN_XNUM` segments on, the section header of [`xnum_section_header`] right after those).
pub fn file_header(machine: u16, phnum: u64) -> Vec<u8> {
    let mut b = Vec::with_capacity(EHDR_SIZE as usize);
    b.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]); // ELFCLASS64, LSB, EV_CURRENT, SYSV
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&ET_CORE.to_le_bytes());
    b.extend_from_slice(&machine.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes()); // e_version
    b.extend_from_slice(&0u64.to_le_bytes()); // e_entry
    b.extend_from_slice(&EHDR_SIZE.to_le_bytes()); // e_phoff
    let xnum = phnum >= PN_XNUM;
    let shoff = if xnum { EHDR_SIZE + phnum * PHDR_SIZE } else { 0 };
    b.extend_from_slice(&shoff.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes()); // e_flags
    b.extend_from_slice(&(EHDR_SIZE as u16).to_le_bytes());
    b.extend_from_slice(&(PHDR_SIZE as u16).to_le_bytes());
    b.extend_from_slice(&(phnum.min(PN_XNUM) as u16).to_le_bytes());
    b.extend_from_slice(&(if xnum { SHDR_SIZE as u16 } else { 0 }).to_le_bytes());
    b.extend_from_slice(&(if xnum { 1u16 } else { 0 }).to_le_bytes()); // e_shnum
    b.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    b
}

/// Section header 0 carrying the real segment count (only when `phnum >= PN_XNUM`).
pub fn xnum_section_header(phnum: u64) -> Vec<u8> {
    let mut b = vec![0u8; SHDR_SIZE as usize];
    b[44..48].copy_from_slice(&(phnum as u32).to_le_bytes()); // sh_info
    b
}

/// A program header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Phdr {
    pub p_type: u32,
    pub flags: u32,
    pub offset: u64,
    pub vaddr: u64,
    pub filesz: u64,
    pub memsz: u64,
    pub align: u64,
}

impl Phdr {
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.p_type.to_le_bytes());
        out.extend_from_slice(&self.flags.to_le_bytes());
        out.extend_from_slice(&self.offset.to_le_bytes());
        out.extend_from_slice(&self.vaddr.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // p_paddr
        out.extend_from_slice(&self.filesz.to_le_bytes());
        out.extend_from_slice(&self.memsz.to_le_bytes());
        out.extend_from_slice(&self.align.to_le_bytes());
    }

    /// Read one from the first `PHDR_SIZE` bytes of `b` (the caller checks the length).
    pub fn decode(b: &[u8]) -> Phdr {
        Phdr {
            p_type: u32_at(b, 0),
            flags: u32_at(b, 4),
            offset: u64_at(b, 8),
            vaddr: u64_at(b, 16),
            filesz: u64_at(b, 32),
            memsz: u64_at(b, 40),
            align: u64_at(b, 48),
        }
    }
}

/// `p_flags` of a mapping from its `rwxp`-style permissions.
pub fn pf_flags(perms: &str) -> u32 {
    let p = perms.as_bytes();
    (if p.first() == Some(&b'r') { PF_R } else { 0 })
        | (if p.get(1) == Some(&b'w') { PF_W } else { 0 })
        | (if p.get(2) == Some(&b'x') { PF_X } else { 0 })
}

/// `rwxp`-style permissions of a private mapping from its `p_flags`.
pub fn pf_perms(flags: u32) -> String {
    format!(
        "{}{}{}p",
        if flags & PF_R != 0 { 'r' } else { '-' },
        if flags & PF_W != 0 { 'w' } else { '-' },
        if flags & PF_X != 0 { 'x' } else { '-' }
    )
}

fn pad4(v: &mut Vec<u8>) {
    while !v.len().is_multiple_of(4) {
        v.push(0);
    }
}

/// Append one note (name "CORE") to `out`.
pub fn note(out: &mut Vec<u8>, n_type: u32, desc: &[u8]) {
    let name = b"CORE\0";
    out.extend_from_slice(&(name.len() as u32).to_le_bytes());
    out.extend_from_slice(&(desc.len() as u32).to_le_bytes());
    out.extend_from_slice(&n_type.to_le_bytes());
    out.extend_from_slice(name);
    pad4(out);
    out.extend_from_slice(desc);
    pad4(out);
}

/// The notes of a PT_NOTE segment as (type, descriptor); stops at the first note that does not
/// fit in `buf`.
pub fn notes(buf: &[u8]) -> Notes<'_> {
    Notes { buf, at: 0 }
}

pub struct Notes<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Iterator for Notes<'a> {
    type Item = (u32, &'a [u8]);
    fn next(&mut self) -> Option<Self::Item> {
        let (n, o) = (self.buf, self.at);
        if o.checked_add(12).is_none_or(|e| e > n.len()) {
            return None;
        }
        let (namesz, descsz, ty) = (u32_at(n, o) as usize, u32_at(n, o + 4) as usize, u32_at(n, o + 8));
        let d0 = o + 12 + namesz.div_ceil(4) * 4;
        let d1 = d0.saturating_add(descsz);
        if d1 > n.len() {
            self.at = n.len();
            return None;
        }
        self.at = d0 + descsz.div_ceil(4) * 4;
        Some((ty, &n[d0..d1]))
    }
}

/// One entry of the NT_FILE table.
pub struct FileEntry<'a> {
    pub start: u64,
    pub end: u64,
    /// Byte offset in the file of `start`.
    pub offset: u64,
    pub name: &'a str,
}

/// NT_FILE: count, page size, (start, end, offset in pages)×count, then the NUL-terminated names.
pub fn nt_file(entries: &[FileEntry<'_>], page: u64) -> Vec<u8> {
    let mut b = Vec::new();
    b.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    b.extend_from_slice(&page.to_le_bytes());
    for e in entries {
        b.extend_from_slice(&e.start.to_le_bytes());
        b.extend_from_slice(&e.end.to_le_bytes());
        b.extend_from_slice(&(e.offset / page.max(1)).to_le_bytes());
    }
    for e in entries {
        b.extend_from_slice(e.name.as_bytes());
        b.push(0);
    }
    b
}

/// What the dynamic loader needs to start an executable or shared object: its machine, its
/// interpreter (`PT_INTERP`), the libraries it names (`DT_NEEDED`, in order) and its own search
/// path (`DT_RUNPATH`, else `DT_RPATH`). A static executable has no interpreter and needs nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dynamic {
    pub machine: u16,
    pub interpreter: Option<String>,
    pub needed: Vec<String>,
    pub runpath: Option<String>,
}

pub const PT_DYNAMIC: u32 = 2;
pub const PT_INTERP: u32 = 3;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_RPATH: u64 = 15;
const DT_RUNPATH: u64 = 29;

/// Read [`Dynamic`] from an ELF64 little-endian file's bytes (executable or shared object).
pub fn dynamic(b: &[u8]) -> Result<Dynamic, String> {
    if b.len() < EHDR_SIZE as usize || b[..4] != [0x7f, b'E', b'L', b'F'] {
        return Err("not an ELF file".into());
    }
    if b[4] != 2 || b[5] != 1 {
        return Err("not a 64-bit little-endian ELF file".into());
    }
    let machine = u16_at(b, 18);
    let (phoff, phentsize, phnum) = (u64_at(b, 32) as usize, u16_at(b, 54) as usize, u16_at(b, 56) as usize);
    if phentsize < PHDR_SIZE as usize || phoff.checked_add(phnum * phentsize).is_none_or(|end| end > b.len()) {
        return Err("program headers outside the file".into());
    }
    let phdrs: Vec<Phdr> = (0..phnum).map(|i| Phdr::decode(&b[phoff + i * phentsize..])).collect();
    let slice = |off: u64, len: u64| -> Result<&[u8], String> {
        let (off, len) = (usize::try_from(off).map_err(|_| "offset")?, usize::try_from(len).map_err(|_| "length")?);
        b.get(off..off.checked_add(len).ok_or("length")?).ok_or_else(|| "a segment lies outside the file".to_string())
    };
    let cstr = |d: &[u8]| String::from_utf8_lossy(d.split(|&c| c == 0).next().unwrap_or_default()).into_owned();
    let mut out = Dynamic { machine, ..Dynamic::default() };
    if let Some(p) = phdrs.iter().find(|p| p.p_type == PT_INTERP) {
        out.interpreter = Some(cstr(slice(p.offset, p.filesz)?)).filter(|s| !s.is_empty());
    }
    let Some(dynseg) = phdrs.iter().find(|p| p.p_type == PT_DYNAMIC) else { return Ok(out) };
    let entries: Vec<(u64, u64)> = slice(dynseg.offset, dynseg.filesz)?
        .chunks_exact(16)
        .map(|e| (u64_at(e, 0), u64_at(e, 8)))
        .take_while(|(tag, _)| *tag != 0)
        .collect();
    let Some(strtab) = entries.iter().find(|(t, _)| *t == DT_STRTAB).map(|(_, v)| *v) else { return Ok(out) };
    // DT_STRTAB is an address: find it in the file through the segment that loads it
    let seg = phdrs
        .iter()
        .find(|p| p.p_type == PT_LOAD && p.vaddr <= strtab && strtab < p.vaddr + p.filesz)
        .ok_or("the dynamic string table is in no loaded segment")?;
    let table = slice(seg.offset + (strtab - seg.vaddr), seg.vaddr + seg.filesz - strtab)?;
    let name = |off: u64| table.get(off as usize..).map(cstr).ok_or_else(|| "a dynamic name lies outside its table".to_string());
    for &(tag, val) in &entries {
        match tag {
            DT_NEEDED => out.needed.push(name(val)?),
            DT_RUNPATH => out.runpath = Some(name(val)?),
            DT_RPATH if out.runpath.is_none() => out.runpath = Some(name(val)?),
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_padded_and_sized() {
        let mut v = Vec::new();
        note(&mut v, NT_AUXV, &[1, 2, 3]);
        assert_eq!(v.len(), 12 + 8 + 4);
        assert_eq!(&v[12..17], b"CORE\0");
        assert_eq!(u32_at(&v, 4), 3);
    }

    #[test]
    fn written_notes_read_back_and_truncated_ones_stop() {
        let mut v = Vec::new();
        note(&mut v, NT_AUXV, &[1, 2, 3]);
        note(&mut v, NT_FILE, &[]);
        note(&mut v, NT_PRPSINFO, &[7; 9]);
        let got: Vec<(u32, Vec<u8>)> = notes(&v).map(|(t, d)| (t, d.to_vec())).collect();
        assert_eq!(got, vec![(NT_AUXV, vec![1, 2, 3]), (NT_FILE, vec![]), (NT_PRPSINFO, vec![7; 9])]);
        assert_eq!(notes(&v[..v.len() - 4]).count(), 2);
        let mut huge = v.clone();
        huge[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(notes(&huge).count(), 0);
    }

    #[test]
    fn headers_have_the_elf_sizes() {
        assert_eq!(file_header(EM_X86_64, 3).len(), 64);
        assert_eq!(u16_at(&file_header(EM_AARCH64, 3), 18), EM_AARCH64);
        assert_eq!(headers_size(0xffff), 64 + 0xffff * 56 + 64);
        assert_eq!(headers_size(3), 64 + 3 * 56);
        let h = file_header(EM_X86_64, 0x10000);
        assert_eq!((u16_at(&h, 56), u64_at(&h, 40)), (0xffff, 64 + 0x10000 * 56));
        assert_eq!(u32_at(&xnum_section_header(0x10000), 44), 0x10000);
    }

    #[test]
    fn program_headers_round_trip() {
        let p = Phdr { p_type: PT_LOAD, flags: pf_flags("r-xp"), offset: 4096, vaddr: 0x40_0000, filesz: 10, memsz: 4096, align: 4096 };
        let mut b = Vec::new();
        p.encode(&mut b);
        assert_eq!(b.len() as u64, PHDR_SIZE);
        assert_eq!(Phdr::decode(&b), p);
        assert_eq!(pf_perms(p.flags), "r-xp");
        assert_eq!(pf_perms(pf_flags("rw-s")), "rw-p");
    }

    #[test]
    fn the_dynamic_section_names_the_interpreter_and_libraries_as_the_loader_reads_them() {
        // this test binary itself, checked against readelf where it is installed
        let me = std::fs::read("/proc/self/exe").unwrap();
        let d = dynamic(&me).unwrap();
        let host = if cfg!(target_arch = "x86_64") { EM_X86_64 } else { EM_AARCH64 };
        assert_eq!(d.machine, host);
        if let Ok(out) = std::process::Command::new("readelf").args(["-d", "-l", "-W"]).arg(std::env::current_exe().unwrap()).output() {
            let text = String::from_utf8_lossy(&out.stdout);
            let needed: Vec<String> = text
                .lines()
                .filter(|l| l.contains("(NEEDED)"))
                .filter_map(|l| l.split_once("Shared library: [").and_then(|(_, r)| r.split_once(']')).map(|(n, _)| n.to_string()))
                .collect();
            assert_eq!(d.needed, needed);
            let interp = text
                .lines()
                .find_map(|l| l.split_once("[Requesting program interpreter: "))
                .map(|(_, r)| r.trim_end_matches(']').to_string());
            assert_eq!(d.interpreter, interp);
        }
        // a static executable: no interpreter, nothing needed; garbage is refused
        let mut st = file_header(EM_AARCH64, 0);
        st[16] = 2; // ET_EXEC
        assert_eq!(dynamic(&st).unwrap(), Dynamic { machine: EM_AARCH64, ..Dynamic::default() });
        assert!(dynamic(b"#!/bin/sh\n").unwrap_err().contains("not an ELF"));
        let mut bad = me[..64].to_vec();
        bad[32..40].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(dynamic(&bad).is_err());
    }
}
