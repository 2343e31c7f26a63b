//! ELF core files as a memory source: the `memory/<pid>.core` files `checkpoint --memory=proc`
//! writes (or any Linux x86_64/aarch64 core). Each becomes a [`ProcessMemory`] (PT_LOAD segments
//! with bytes in the file, mappings named from NT_FILE) plus the process identity from
//! NT_PRPSINFO, so search and the process list work on them exactly as on CRIU images.
//!
//! Cores are evidence from a compromised node: every offset and count is bounds-checked against
//! the file, and a malformed core is refused with its path and the offset.

use super::AnalyzeError;
use super::memory::{ProcessMemory, Region, Segment};
use crate::elf::{
    self, NT_AUXV, NT_FILE, NT_PRPSINFO, NT_PRSTATUS, PT_LOAD, PT_NOTE, Phdr, prpsinfo as ps, prstatus as pr, u16_at, u32_at, u64_at,
};
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

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
    /// One per NT_PRSTATUS note, the main thread first.
    pub threads: Vec<CoreThread>,
    /// File-backed mappings (NT_FILE).
    pub files: Vec<CoreFile>,
    /// The program's entry point (NT_AUXV `AT_ENTRY`), 0 when the core has none.
    pub entry: u64,
}

/// Where a thread was when its process was dumped (the registers its NT_PRSTATUS note carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreThread {
    pub tid: u32,
    pub pc: u64,
    pub sp: u64,
    /// The system call it was blocked in, when the note says (x86_64's orig_rax).
    pub syscall: Option<i64>,
}

impl CoreProcess {
    /// The executable: the file mapped at the entry point; (path, deleted).
    pub fn exe(&self) -> Option<(String, bool)> {
        let f = self.files.iter().find(|f| self.entry != 0 && f.start <= self.entry && self.entry < f.end)?;
        Some(match f.name.strip_suffix(" (deleted)") {
            Some(n) => (n.to_string(), true),
            None => (f.name.clone(), false),
        })
    }

    /// `syscall 230 at libc.so.6+0xea503` for the main thread: where the process waited, as a
    /// file offset `addr2line` takes. None when the core carries no program counter.
    pub fn location(&self) -> Option<String> {
        let t = self.threads.first().filter(|t| t.pc != 0)?;
        let at = match self.files.iter().find(|f| f.start <= t.pc && t.pc < f.end) {
            Some(f) => {
                let base = f.name.rsplit('/').next().unwrap_or(&f.name);
                format!("{base}+{:#x}", t.pc - f.start + f.file_offset)
            }
            None => format!("{:#x}", t.pc),
        };
        Some(match t.syscall {
            Some(n) => format!("syscall {n} at {at}"),
            None => at,
        })
    }
}

/// A file-backed mapping from NT_FILE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoreFile {
    pub start: u64,
    pub end: u64,
    /// Byte offset in the file of `start`.
    pub file_offset: u64,
    pub name: String,
}

/// Is `p` an ELF core file (by content)?
pub fn is_core(p: &Path) -> bool {
    let mut h = [0u8; 18];
    File::open(p).and_then(|mut f| f.read_exact(&mut h)).is_ok()
        && h[..4] == *b"\x7fELF"
        && h[4] == 2
        && u16::from_le_bytes([h[16], h[17]]) == 4
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
    let eh = read(0, elf::EHDR_SIZE as usize)?;
    if eh[..4] != *b"\x7fELF" || eh[4] != 2 || eh[5] != 1 || u16_at(&eh, 16) != elf::ET_CORE {
        return Err(bad(path, 0, "not a 64-bit little-endian ELF core file"));
    }
    let machine = u16_at(&eh, 18);
    let phoff = u64_at(&eh, 32);
    let phentsize = u16_at(&eh, 54) as usize;
    let mut phnum = u16_at(&eh, 56) as usize;
    if phentsize < elf::PHDR_SIZE as usize {
        return Err(bad(path, 54, format!("program header size {phentsize} < 56")));
    }
    if phnum as u64 == elf::PN_XNUM {
        // the real count is in section header 0's sh_info
        let shoff = u64_at(&eh, 40);
        let sh = read(shoff, elf::SHDR_SIZE as usize)?;
        phnum = u32_at(&sh, 44) as usize;
    }
    if phnum > MAX_PHDRS {
        return Err(bad(path, 56, format!("{phnum} program headers")));
    }
    let ph = read(phoff, phnum * phentsize)?;
    let mut loads = Vec::new();
    let mut notes = Vec::new();
    for i in 0..phnum {
        let Phdr { p_type, flags, offset: off, vaddr, filesz, memsz, .. } = Phdr::decode(&ph[i * phentsize..]);
        match p_type {
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
    let mut files: Vec<CoreFile> = Vec::new();
    let mut threads: Vec<CoreThread> = Vec::new();
    let mut entry = 0u64;
    for (ty, d) in notes.iter().flat_map(|n| elf::notes(n)) {
        match ty {
            NT_PRSTATUS if d.len() >= pr::REGS => {
                let reg = |i: usize| if d.len() >= pr::REGS + 8 + i * 8 { u64_at(d, pr::REGS + i * 8) } else { 0 };
                let (pc, sp, syscall) = match machine {
                    // x86_64: rip, rsp, orig_rax (-1 outside a system call)
                    elf::EM_X86_64 => {
                        use pr::x86_64::{ORIG_RAX, RIP, RSP};
                        (reg(RIP), reg(RSP), Some(reg(ORIG_RAX) as i64).filter(|n| *n >= 0 && reg(RIP) != 0))
                    }
                    // aarch64: pc, sp (the note does not say whether x8 is a call number)
                    elf::EM_AARCH64 => (reg(pr::aarch64::PC), reg(pr::aarch64::SP), None),
                    _ => (0, 0, None),
                };
                threads.push(CoreThread { tid: u32_at(d, pr::PID), pc, sp, syscall });
            }
            NT_AUXV => {
                entry = d.chunks_exact(16).find(|kv| u64_at(kv, 0) == elf::AT_ENTRY).map(|kv| u64_at(kv, 8)).unwrap_or(0);
            }
            NT_PRPSINFO if d.len() >= ps::SIZE => {
                uid = u32_at(d, ps::UID);
                pid = u32_at(d, ps::PID);
                ppid = u32_at(d, ps::PPID);
                comm = cstr(&d[ps::FNAME]);
                args = cstr(&d[ps::PSARGS]);
            }
            NT_FILE if d.len() >= 16 => {
                let count = u64_at(d, 0) as usize;
                let page = u64_at(d, 8);
                let table = 16usize.saturating_add(count.saturating_mul(24));
                if count <= MAX_PHDRS && table <= d.len() {
                    let mut names = d[table..].split(|&c| c == 0);
                    for k in 0..count {
                        let e = 16 + k * 24;
                        let name = names.next().map(|s| String::from_utf8_lossy(s).into_owned()).unwrap_or_default();
                        let file_offset = u64_at(d, e + 16).saturating_mul(page);
                        files.push(CoreFile { start: u64_at(d, e), end: u64_at(d, e + 8), file_offset, name });
                    }
                }
            }
            _ => {}
        }
    }
    let mut memory = ProcessMemory { pid, regions: Vec::new(), segments: Vec::new() };
    for &(flags, off, vaddr, filesz, memsz) in &loads {
        let perms = elf::pf_perms(flags);
        let name = files.iter().find(|f| f.start <= vaddr && vaddr < f.end).map(|f| f.name.clone()).unwrap_or_else(|| "[anon]".into());
        memory.regions.push(Region { start: vaddr, end: vaddr + memsz, perms, name });
        if filesz > 0 {
            memory.segments.push(Segment { vaddr, len: filesz, file: path.to_path_buf(), offset: off });
        }
    }
    memory.regions.sort_by_key(|r| r.start);
    memory.segments.sort_by_key(|s| s.vaddr);
    Ok(CoreProcess { path: path.to_path_buf(), pid, ppid, uid, comm, args, memory, threads, files, entry })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn which(prog: &str) -> PathBuf {
        std::env::var_os("PATH")
            .into_iter()
            .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
            .map(|d| d.join(prog))
            .find(|p| p.is_file())
            .unwrap()
    }

    #[test]
    fn a_dumped_sleeper_is_found_waiting_in_its_system_call() {
        // a real process blocked in a system call, dumped by the agent's core writer
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sleep.core");
        let mut out = std::fs::File::create(&path).unwrap();
        let dumped = crate::agent::memory::core::dump_core(child.id() as i32, &Default::default(), None, &mut out);
        let _ = child.kill();
        let _ = child.wait();
        dumped.unwrap();
        let p = load(&path).unwrap();
        assert_eq!(p.threads.len(), 1);
        assert_eq!(p.threads[0].tid, child.id());
        let t = p.threads[0];
        assert!(t.pc != 0 && t.sp != 0, "{t:?}");
        // the program counter is inside an executable mapping of a file (libc's syscall wrapper)
        let region = p.memory.regions.iter().find(|r| r.start <= t.pc && t.pc < r.end).expect("pc in a mapping");
        assert!(region.perms.contains('x'), "{region:?}");
        assert_eq!(p.exe(), Some((std::fs::canonicalize(which("sleep")).unwrap().display().to_string(), false)));
        let at = p.location().unwrap();
        if cfg!(target_arch = "x86_64") {
            assert!(at.starts_with("syscall ") && at.contains(" at ") && at.contains("+0x"), "{at}");
        }
    }

    /// A core of `machine` with one thread, its registers laid out as that architecture's kernel does.
    fn one_thread_core(machine: u16, gregs: usize, regs: &[(usize, u64)]) -> Vec<u8> {
        let mut status = vec![0u8; (pr::REGS + gregs * 8 + 4).next_multiple_of(8)];
        status[pr::PID..pr::PID + 4].copy_from_slice(&4242u32.to_le_bytes());
        for &(i, v) in regs {
            status[pr::REGS + i * 8..pr::REGS + i * 8 + 8].copy_from_slice(&v.to_le_bytes());
        }
        let mut notes = Vec::new();
        elf::note(&mut notes, NT_PRSTATUS, &status);
        let mut core = elf::file_header(machine, 1);
        let off = elf::headers_size(1);
        let filesz = notes.len() as u64;
        Phdr { p_type: elf::PT_NOTE, flags: 0, offset: off, vaddr: 0, filesz, memsz: 0, align: 4 }.encode(&mut core);
        core.extend_from_slice(&notes);
        core
    }

    #[test]
    fn thread_registers_are_read_in_each_architectures_layout() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.core");
        // aarch64 (user_pt_regs: x0..x30, sp, pc, pstate): pc and sp; x8 is not taken for a call number
        std::fs::write(
            &p,
            one_thread_core(
                elf::EM_AARCH64,
                pr::aarch64::GREGS,
                &[(pr::aarch64::PC, 0x4000_1234), (pr::aarch64::SP, 0xffff_f000), (pr::aarch64::X8, 101)],
            ),
        )
        .unwrap();
        let t = load(&p).unwrap().threads[0];
        assert_eq!((t.tid, t.pc, t.sp, t.syscall), (4242, 0x4000_1234, 0xffff_f000, None));
        // x86_64 (user_regs_struct): rip, rsp, orig_rax the call number
        use pr::x86_64::{ORIG_RAX, RIP, RSP};
        std::fs::write(&p, one_thread_core(elf::EM_X86_64, pr::x86_64::GREGS, &[(RIP, 0x7f00_0010), (RSP, 0x7ffd_0000), (ORIG_RAX, 230)]))
            .unwrap();
        let t = load(&p).unwrap().threads[0];
        assert_eq!((t.pc, t.sp, t.syscall), (0x7f00_0010, 0x7ffd_0000, Some(230)));
        std::fs::write(&p, one_thread_core(elf::EM_X86_64, pr::x86_64::GREGS, &[(RIP, 0x7f00_0010), (ORIG_RAX, u64::MAX)])).unwrap();
        assert_eq!(load(&p).unwrap().threads[0].syscall, None, "outside a system call");
    }

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
