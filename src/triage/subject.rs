//! What the rules look at, whatever the evidence came from (a bundle's volatile state, diff and
//! cores, or a checkpoint archive's CRIU images and rootfs diff): one [`Subject`] per container.

use crate::analyze::memory::ProcessMemory;

/// What a descriptor points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FdKind {
    /// A TCP/UDP socket.
    Inet,
    /// A socket of another or unknown family.
    Socket,
    Other,
}

#[derive(Debug, Clone)]
pub struct Fd {
    pub fd: u32,
    pub kind: FdKind,
    pub target: String,
}

#[derive(Debug, Clone, Default)]
pub struct Process {
    pub pid: u32,
    pub ppid: u32,
    pub comm: String,
    /// The executable's path (without " (deleted)").
    pub exe: Option<String>,
    pub exe_deleted: bool,
    pub cmdline: Vec<String>,
    pub environ: Vec<String>,
    pub fds: Vec<Fd>,
    pub start_time: Option<String>,
}

impl Process {
    /// The program's base name: from the executable, else argv[0], else comm.
    pub fn names(&self) -> Vec<String> {
        let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
        let mut v = vec![self.comm.clone()];
        if let Some(e) = &self.exe {
            v.push(base(e));
        }
        if let Some(a) = self.cmdline.first() {
            v.push(base(a));
        }
        v.sort();
        v.dedup();
        v
    }
    /// The command line as one line (or `[comm]` when it was not read).
    pub fn command(&self) -> String {
        if self.cmdline.is_empty() { format!("[{}]", self.comm) } else { self.cmdline.join(" ") }
    }
}

#[derive(Debug, Clone)]
pub struct Socket {
    pub proto: String,
    pub local: String,
    pub remote: String,
    pub state: String,
    pub pids: Vec<u32>,
}

/// A file-system change of the container against its image.
#[derive(Debug, Clone)]
pub struct Change {
    /// "/"-rooted path inside the container.
    pub path: String,
    /// 'A' added, 'C' changed, 'D' deleted, '?' added or changed (a checkpoint's diff does not say).
    pub change: char,
    /// file, dir, symlink, …
    pub kind: String,
    /// Permission bits.
    pub mode: Option<u32>,
    pub size: u64,
    pub mtime: Option<String>,
    /// Starts with the ELF magic (known when the diff's contents were read).
    pub elf: bool,
}

impl Change {
    /// A file with content that can run (an empty file is a runtime's mount point, not a program).
    pub fn executable(&self) -> bool {
        self.kind == "file" && self.size > 0 && (self.elf || self.mode.is_some_and(|m| m & 0o111 != 0))
    }
}

/// One process's memory, with the artifact it was read from.
#[derive(Debug)]
pub struct Memory {
    pub pid: u32,
    pub comm: String,
    pub artifact: String,
    pub memory: ProcessMemory,
}

/// One container's evidence.
#[derive(Debug, Default)]
pub struct Subject {
    /// `ns/pod/container`, or the archive's name.
    pub name: String,
    /// The artifacts processes, sockets and changes were read from.
    pub processes_from: String,
    pub changes_from: String,
    pub processes: Vec<Process>,
    pub sockets: Vec<Socket>,
    pub changes: Vec<Change>,
    pub memories: Vec<Memory>,
    /// The container's first process (its entrypoint), when known.
    pub entry_pid: Option<u32>,
    /// The rootfs diff's tar (its files' contents), when there is one.
    pub diff_tar: Option<crate::analyze::archive::Member>,
    /// Archives whose extracted files the memory reads (kept open while the subject lives).
    pub archives: Vec<crate::analyze::archive::Archive>,
    /// Private scratch space the subject's files live in (a diff tar rebuilt from the export).
    pub scratch: Vec<crate::analyze::archive::TempDir>,
}

impl Subject {
    pub fn process(&self, pid: u32) -> Option<&Process> {
        self.processes.iter().find(|p| p.pid == pid)
    }
}
