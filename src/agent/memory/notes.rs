//! What the core's notes say of a process and its threads: `elf_prstatus` and `elf_prpsinfo`
//! filled from /proc, laid out as the Linux kernel does for the host architecture (the ELF
//! layout itself is [`crate::elf`]'s).

use super::MemoryError;
use super::procinfo::{ProcInfo, SyscallState};
use crate::agent::proc::stat::Stat;
use crate::elf::{self, prpsinfo as ps, prstatus as pr};

/// Host architecture facts: ELF machine and the size of the general registers in `elf_prstatus`.
#[derive(Debug, Clone, Copy)]
pub struct Arch {
    pub machine: u16,
    pub gregs: usize,
}

pub fn host_arch() -> Result<Arch, MemoryError> {
    match std::env::consts::ARCH {
        "x86_64" => Ok(Arch { machine: elf::EM_X86_64, gregs: pr::x86_64::GREGS }),
        "aarch64" => Ok(Arch { machine: elf::EM_AARCH64, gregs: pr::aarch64::GREGS }),
        other => Err(MemoryError::UnsupportedArch(other)),
    }
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
    let size = (pr::REGS + regs + 4).next_multiple_of(8);
    let mut b = vec![0u8; size];
    // elf_siginfo (12) + pr_cursig (2) + pad; pr_sigpend @16, pr_sighold @24
    b[pr::PID..pr::PID + 4].copy_from_slice(&t.pid.to_le_bytes());
    b[pr::PPID..pr::PPID + 4].copy_from_slice(&ppid.to_le_bytes());
    b[pr::PGRP..pr::PGRP + 4].copy_from_slice(&pgrp.to_le_bytes());
    b[pr::SID..pr::SID + 4].copy_from_slice(&sid.to_le_bytes());
    b[pr::UTIME..pr::UTIME + 16].copy_from_slice(&timeval(t.utime, hz));
    b[pr::STIME..pr::STIME + 16].copy_from_slice(&timeval(t.stime, hz));
    b[pr::CUTIME..pr::CUTIME + 16].copy_from_slice(&timeval(t.cutime, hz));
    b[pr::CSTIME..pr::CSTIME + 16].copy_from_slice(&timeval(t.cstime, hz));
    if let Some(r) = state {
        for (i, v) in user_regs(arch, r) {
            let at = pr::REGS + i * 8;
            b[at..at + 8].copy_from_slice(&v.to_le_bytes());
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
        elf::EM_X86_64 => {
            use pr::x86_64::*;
            v.extend([(RIP, r.pc), (RSP, r.sp), (CS, 0x33), (SS, 0x2b), (ORIG_RAX, r.nr as u64)]);
            if in_syscall {
                // arguments in rdi, rsi, rdx, r10, r8, r9
                v.extend([RDI, RSI, RDX, R10, R8, R9].into_iter().zip(r.args));
            }
        }
        // aarch64: x0..x30, sp, pc, pstate; arguments in x0..x5, the number in x8
        elf::EM_AARCH64 => {
            use pr::aarch64::*;
            v.extend([(SP, r.sp), (PC, r.pc)]);
            if in_syscall {
                v.extend((0..6).zip(r.args));
                v.push((X8, r.nr as u64));
            }
        }
        _ => {}
    }
    v
}

/// `elf_prpsinfo` (136 bytes on x86_64 and aarch64).
pub fn prpsinfo(p: &ProcInfo) -> Vec<u8> {
    let s = &p.stat;
    let mut b = vec![0u8; ps::SIZE];
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
    b[ps::FLAG..ps::FLAG + 8].copy_from_slice(&s.flags.to_le_bytes());
    b[ps::UID..ps::UID + 4].copy_from_slice(&p.uid.to_le_bytes());
    b[ps::GID..ps::GID + 4].copy_from_slice(&p.gid.to_le_bytes());
    b[ps::PID..ps::PID + 4].copy_from_slice(&s.pid.to_le_bytes());
    b[ps::PPID..ps::PPID + 4].copy_from_slice(&s.ppid.to_le_bytes());
    b[ps::PGRP..ps::PGRP + 4].copy_from_slice(&s.pgrp.to_le_bytes());
    b[ps::SID..ps::SID + 4].copy_from_slice(&s.sid.to_le_bytes());
    // both NUL-terminated: at most 15 and 79 bytes
    let comm = s.comm.as_bytes();
    let n = comm.len().min(ps::FNAME.len() - 1);
    b[ps::FNAME.start..ps::FNAME.start + n].copy_from_slice(&comm[..n]);
    let args = p.args();
    let a = args.as_bytes();
    let n = a.len().min(ps::PSARGS.len() - 1);
    b[ps::PSARGS.start..ps::PSARGS.start + n].copy_from_slice(&a[..n]);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structures_have_the_kernel_sizes() {
        let x86 = Arch { machine: 62, gregs: 27 };
        let arm = Arch { machine: 183, gregs: 34 };
        let t = Stat { pid: 7, ..Default::default() };
        assert_eq!(prstatus(x86, &t, None, 1, 7, 7, 100).len(), 336);
        assert_eq!(prstatus(arm, &t, None, 1, 7, 7, 100).len(), 392);
        assert_eq!(prpsinfo(&ProcInfo::default()).len(), 136);
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
