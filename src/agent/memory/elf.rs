//! The few ELF64 core structures we write (little-endian): file header, program headers, notes.
//! Layouts follow the Linux kernel's `elf_prstatus` / `elf_prpsinfo` for the host architecture.

use super::MemoryError;
use super::procinfo::{ProcInfo, SyscallState};
use crate::agent::proc::stat::Stat;

pub const EHDR_SIZE: u64 = 64;
pub const PHDR_SIZE: u64 = 56;
pub const PT_LOAD: u32 = 1;
pub const PT_NOTE: u32 = 4;
pub const PF_X: u32 = 1;
pub const PF_W: u32 = 2;
pub const PF_R: u32 = 4;
pub const NT_PRSTATUS: u32 = 1;
pub const NT_PRPSINFO: u32 = 3;
pub const NT_AUXV: u32 = 6;
pub const NT_FILE: u32 = 0x4649_4c45;
/// `e_phnum` value meaning "the real count is in section header 0's `sh_info`".
const PN_XNUM: u64 = 0xffff;
const SHDR_SIZE: u64 = 64;

/// Host architecture facts: ELF machine and the size of the general registers in `elf_prstatus`.
#[derive(Debug, Clone, Copy)]
pub struct Arch {
    pub machine: u16,
    pub gregs: usize,
}

pub fn host_arch() -> Result<Arch, MemoryError> {
    match std::env::consts::ARCH {
        "x86_64" => Ok(Arch {
            machine: 62,
            gregs: 27,
        }),
        "aarch64" => Ok(Arch {
            machine: 183,
            gregs: 34,
        }),
        other => Err(MemoryError::UnsupportedArch(other)),
    }
}

/// Bytes of the headers (ELF header, program headers and, past 65534 segments, one section header).
pub fn headers_size(phnum: u64) -> u64 {
    EHDR_SIZE + phnum * PHDR_SIZE + if phnum >= PN_XNUM { SHDR_SIZE } else { 0 }
}

/// ELF header (+ the PN_XNUM section header when needed, placed right after the program headers).
pub fn file_header(arch: Arch, phnum: u64) -> Vec<u8> {
    let mut b = Vec::with_capacity(EHDR_SIZE as usize);
    b.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]); // ELFCLASS64, LSB, EV_CURRENT, SYSV
    b.extend_from_slice(&[0; 8]);
    b.extend_from_slice(&4u16.to_le_bytes()); // ET_CORE
    b.extend_from_slice(&arch.machine.to_le_bytes());
    b.extend_from_slice(&1u32.to_le_bytes()); // e_version
    b.extend_from_slice(&0u64.to_le_bytes()); // e_entry
    b.extend_from_slice(&EHDR_SIZE.to_le_bytes()); // e_phoff
    let xnum = phnum >= PN_XNUM;
    let shoff = if xnum {
        EHDR_SIZE + phnum * PHDR_SIZE
    } else {
        0
    };
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

fn timeval(ticks: u64, hz: u64) -> [u8; 16] {
    let mut b = [0u8; 16];
    let hz = hz.max(1);
    b[..8].copy_from_slice(&(ticks / hz).to_le_bytes());
    b[8..].copy_from_slice(&((ticks % hz) * 1_000_000 / hz).to_le_bytes());
    b
}

/// `elf_prstatus` for one thread: no signal; of the registers (nothing is ptraced) those the
/// kernel reports for a blocked thread — program counter, stack pointer, system call number and
/// arguments — the rest zero.
pub fn prstatus(arch: Arch, t: &Stat, state: Option<&SyscallState>, ppid: i32, pgrp: i32, sid: i32, hz: u64) -> Vec<u8> {
    let regs = arch.gregs * 8;
    let size = (112 + regs + 4).next_multiple_of(8);
    let mut b = vec![0u8; size];
    // elf_siginfo (12) + pr_cursig (2) + pad; pr_sigpend @16, pr_sighold @24
    b[32..36].copy_from_slice(&t.pid.to_le_bytes());
    b[36..40].copy_from_slice(&ppid.to_le_bytes());
    b[40..44].copy_from_slice(&pgrp.to_le_bytes());
    b[44..48].copy_from_slice(&sid.to_le_bytes());
    b[48..64].copy_from_slice(&timeval(t.utime, hz));
    b[64..80].copy_from_slice(&timeval(t.stime, hz));
    b[80..96].copy_from_slice(&timeval(t.cutime, hz));
    b[96..112].copy_from_slice(&timeval(t.cstime, hz));
    if let Some(r) = state {
        for (i, v) in user_regs(arch, r) {
            b[112 + i * 8..120 + i * 8].copy_from_slice(&v.to_le_bytes());
        }
    }
    // pr_fpvalid 0
    b
}

/// (index in `user_regs_struct`, value) of what a [`SyscallState`] tells.
fn user_regs(arch: Arch, r: &SyscallState) -> Vec<(usize, u64)> {
    let mut v = Vec::new();
    let in_syscall = r.nr >= 0;
    match arch.machine {
        // x86_64: r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax rip cs eflags rsp ss …
        62 => {
            v.extend([(16, r.pc), (19, r.sp), (17, 0x33), (20, 0x2b), (15, r.nr as u64)]);
            if in_syscall {
                // arguments in rdi, rsi, rdx, r10, r8, r9
                v.extend([14, 13, 12, 7, 9, 8].into_iter().zip(r.args));
            }
        }
        // aarch64: x0..x30, sp, pc, pstate; arguments in x0..x5, the number in x8
        183 => {
            v.extend([(31, r.sp), (32, r.pc)]);
            if in_syscall {
                v.extend((0..6).zip(r.args));
                v.push((8, r.nr as u64));
            }
        }
        _ => {}
    }
    v
}

/// `elf_prpsinfo` (136 bytes on x86_64 and aarch64).
pub fn prpsinfo(p: &ProcInfo) -> Vec<u8> {
    let s = &p.stat;
    let mut b = vec![0u8; 136];
    let (num, sname) = match s.state {
        'R' => (0u8, b'R'),
        'S' => (1, b'S'),
        'D' => (2, b'D'),
        'T' | 't' => (3, b'T'),
        'Z' => (4, b'Z'),
        c if c.is_ascii() => (5, c as u8),
        _ => (5, b'.'),
    };
    b[0] = num;
    b[1] = sname;
    b[2] = u8::from(s.state == 'Z');
    b[3] = s.nice.clamp(-128, 127) as i8 as u8;
    b[8..16].copy_from_slice(&s.flags.to_le_bytes());
    b[16..20].copy_from_slice(&p.uid.to_le_bytes());
    b[20..24].copy_from_slice(&p.gid.to_le_bytes());
    b[24..28].copy_from_slice(&s.pid.to_le_bytes());
    b[28..32].copy_from_slice(&s.ppid.to_le_bytes());
    b[32..36].copy_from_slice(&s.pgrp.to_le_bytes());
    b[36..40].copy_from_slice(&s.sid.to_le_bytes());
    let comm = s.comm.as_bytes();
    let n = comm.len().min(15);
    b[40..40 + n].copy_from_slice(&comm[..n]);
    let args = p.args();
    let a = args.as_bytes();
    let n = a.len().min(79);
    b[56..56 + n].copy_from_slice(&a[..n]);
    b
}

/// One entry of the NT_FILE table.
pub struct FileEntry<'a> {
    pub start: u64,
    pub end: u64,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_padded_and_sized() {
        let mut v = Vec::new();
        note(&mut v, NT_AUXV, &[1, 2, 3]);
        assert_eq!(v.len(), 12 + 8 + 4);
        assert_eq!(&v[12..17], b"CORE\0");
        assert_eq!(u32::from_le_bytes(v[4..8].try_into().unwrap()), 3);
    }

    #[test]
    fn structures_have_the_kernel_sizes() {
        let x86 = Arch {
            machine: 62,
            gregs: 27,
        };
        let arm = Arch {
            machine: 183,
            gregs: 34,
        };
        let t = Stat {
            pid: 7,
            ..Default::default()
        };
        assert_eq!(prstatus(x86, &t, None, 1, 7, 7, 100).len(), 336);
        assert_eq!(prstatus(arm, &t, None, 1, 7, 7, 100).len(), 392);
        assert_eq!(prpsinfo(&ProcInfo::default()).len(), 136);
        assert_eq!(file_header(x86, 3).len(), 64);
        assert_eq!(headers_size(0xffff), 64 + 0xffff * 56 + 64);
    }

    #[test]
    fn a_blocked_threads_state_lands_in_the_kernels_register_slots() {
        let t = Stat { pid: 7, ..Default::default() };
        let r = SyscallState { nr: 230, args: [1, 2, 3, 4, 5, 6], sp: 0x7ffd_0000_1000, pc: 0x7f00_0000_2503 };
        let reg = |b: &[u8], i: usize| u64::from_le_bytes(b[112 + i * 8..120 + i * 8].try_into().unwrap());
        let b = prstatus(Arch { machine: 62, gregs: 27 }, &t, Some(&r), 1, 7, 7, 100);
        // rip, rsp, orig_rax, rdi, rsi, rdx, r10, r8, r9
        assert_eq!((reg(&b, 16), reg(&b, 19), reg(&b, 15)), (r.pc, r.sp, 230));
        assert_eq!([14, 13, 12, 7, 9, 8].map(|i| reg(&b, i)), [1, 2, 3, 4, 5, 6]);
        assert_eq!((reg(&b, 17), reg(&b, 20)), (0x33, 0x2b), "64-bit user cs/ss");
        assert_eq!(reg(&b, 10), 0, "rax is not known");
        let b = prstatus(Arch { machine: 183, gregs: 34 }, &t, Some(&r), 1, 7, 7, 100);
        assert_eq!((reg(&b, 32), reg(&b, 31), reg(&b, 8), reg(&b, 0), reg(&b, 5)), (r.pc, r.sp, 230, 1, 6));
        // blocked outside a system call: only where it is
        let out = SyscallState { nr: -1, args: [9; 6], ..r };
        let b = prstatus(Arch { machine: 62, gregs: 27 }, &t, Some(&out), 1, 7, 7, 100);
        assert_eq!((reg(&b, 16), reg(&b, 14), reg(&b, 15)), (r.pc, 0, u64::MAX));
    }
}
