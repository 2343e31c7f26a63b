//! The subset of CRIU's image messages kforensic reads, transcribed from CRIU's public
//! `images/*.proto` (copies in `src/analyze/proto/`). Field numbers are exact; fields we do not
//! need are left out (prost skips unknown fields). CRIU's enums are read as plain integers so an
//! unknown value from a newer CRIU never fails a decode.

use prost::Message;

/// pstree.proto: one per task in `pstree.img`.
#[derive(Clone, PartialEq, Message)]
pub struct PstreeEntry {
    #[prost(uint32, required, tag = "1")]
    pub pid: u32,
    #[prost(uint32, required, tag = "2")]
    pub ppid: u32,
    #[prost(uint32, required, tag = "3")]
    pub pgid: u32,
    #[prost(uint32, required, tag = "4")]
    pub sid: u32,
    #[prost(uint32, repeated, packed = "false", tag = "5")]
    pub threads: Vec<u32>,
}

/// creds.proto
#[derive(Clone, PartialEq, Message)]
pub struct CredsEntry {
    #[prost(uint32, required, tag = "1")]
    pub uid: u32,
    #[prost(uint32, required, tag = "2")]
    pub gid: u32,
    #[prost(uint32, required, tag = "3")]
    pub euid: u32,
    #[prost(uint32, required, tag = "4")]
    pub egid: u32,
    #[prost(uint32, required, tag = "5")]
    pub suid: u32,
    #[prost(uint32, required, tag = "6")]
    pub sgid: u32,
    #[prost(uint32, required, tag = "7")]
    pub fsuid: u32,
    #[prost(uint32, required, tag = "8")]
    pub fsgid: u32,
    #[prost(uint32, repeated, packed = "false", tag = "11")]
    pub cap_eff: Vec<u32>,
    #[prost(uint32, repeated, packed = "false", tag = "14")]
    pub groups: Vec<u32>,
    #[prost(string, optional, tag = "15")]
    pub lsm_profile: Option<String>,
    #[prost(uint32, optional, tag = "18")]
    pub no_new_privs: Option<u32>,
}

/// core.proto `task_core_entry`
#[derive(Clone, PartialEq, Message)]
pub struct TaskCoreEntry {
    /// 1 alive, 2 dead, 3 stopped, 6 zombie (CRIU's TASK_* values)
    #[prost(uint32, required, tag = "1")]
    pub task_state: u32,
    #[prost(uint32, required, tag = "2")]
    pub exit_code: u32,
    #[prost(uint32, required, tag = "3")]
    pub personality: u32,
    #[prost(uint32, required, tag = "4")]
    pub flags: u32,
    #[prost(string, required, tag = "6")]
    pub comm: String,
    #[prost(uint32, optional, tag = "13")]
    pub loginuid: Option<u32>,
    #[prost(int32, optional, tag = "14")]
    pub oom_score_adj: Option<i32>,
}

/// core.proto `task_kobj_ids_entry` (also the whole content of `ids-PID.img`)
#[derive(Clone, PartialEq, Message)]
pub struct TaskKobjIdsEntry {
    #[prost(uint32, required, tag = "1")]
    pub vm_id: u32,
    #[prost(uint32, required, tag = "2")]
    pub files_id: u32,
    #[prost(uint32, required, tag = "3")]
    pub fs_id: u32,
    #[prost(uint32, required, tag = "4")]
    pub sighand_id: u32,
}

/// core.proto `thread_core_entry`
#[derive(Clone, PartialEq, Message)]
pub struct ThreadCoreEntry {
    #[prost(message, optional, tag = "10")]
    pub creds: Option<CredsEntry>,
    #[prost(string, optional, tag = "13")]
    pub comm: Option<String>,
}

/// core.proto `core_entry` (one per thread in `core-TID.img`)
#[derive(Clone, PartialEq, Message)]
pub struct CoreEntry {
    /// 1 = X86_64, 3 = AARCH64, …
    #[prost(int32, required, tag = "1")]
    pub mtype: i32,
    #[prost(message, optional, tag = "3")]
    pub tc: Option<TaskCoreEntry>,
    #[prost(message, optional, tag = "4")]
    pub ids: Option<TaskKobjIdsEntry>,
    #[prost(message, optional, tag = "5")]
    pub thread_core: Option<ThreadCoreEntry>,
}

/// inventory.proto
#[derive(Clone, PartialEq, Message)]
pub struct InventoryEntry {
    #[prost(uint32, required, tag = "1")]
    pub img_version: u32,
    #[prost(bool, optional, tag = "2")]
    pub fdinfo_per_id: Option<bool>,
    #[prost(message, optional, tag = "3")]
    pub root_ids: Option<TaskKobjIdsEntry>,
    #[prost(uint64, optional, tag = "8")]
    pub dump_uptime: Option<u64>,
    #[prost(string, optional, tag = "13")]
    pub dump_criu_run_id: Option<String>,
}

/// vma.proto
#[derive(Clone, PartialEq, Message)]
pub struct VmaEntry {
    #[prost(uint64, required, tag = "1")]
    pub start: u64,
    #[prost(uint64, required, tag = "2")]
    pub end: u64,
    #[prost(uint64, required, tag = "3")]
    pub pgoff: u64,
    #[prost(uint64, required, tag = "4")]
    pub shmid: u64,
    #[prost(uint32, required, tag = "5")]
    pub prot: u32,
    #[prost(uint32, required, tag = "6")]
    pub flags: u32,
    #[prost(uint32, required, tag = "7")]
    pub status: u32,
    #[prost(sint64, required, tag = "8")]
    pub fd: i64,
}

/// mm.proto
#[derive(Clone, PartialEq, Message)]
pub struct MmEntry {
    #[prost(uint64, required, tag = "1")]
    pub mm_start_code: u64,
    #[prost(uint64, required, tag = "2")]
    pub mm_end_code: u64,
    #[prost(uint64, required, tag = "3")]
    pub mm_start_data: u64,
    #[prost(uint64, required, tag = "4")]
    pub mm_end_data: u64,
    #[prost(uint64, required, tag = "5")]
    pub mm_start_stack: u64,
    #[prost(uint64, required, tag = "6")]
    pub mm_start_brk: u64,
    #[prost(uint64, required, tag = "7")]
    pub mm_brk: u64,
    #[prost(uint64, required, tag = "8")]
    pub mm_arg_start: u64,
    #[prost(uint64, required, tag = "9")]
    pub mm_arg_end: u64,
    #[prost(uint64, required, tag = "10")]
    pub mm_env_start: u64,
    #[prost(uint64, required, tag = "11")]
    pub mm_env_end: u64,
    #[prost(uint32, required, tag = "12")]
    pub exe_file_id: u32,
    #[prost(message, repeated, tag = "14")]
    pub vmas: Vec<VmaEntry>,
}

/// pagemap.proto: the first entry of `pagemap-PID.img`
#[derive(Clone, PartialEq, Message)]
pub struct PagemapHead {
    #[prost(uint32, required, tag = "1")]
    pub pages_id: u32,
}

/// pagemap.proto: every later entry
#[derive(Clone, PartialEq, Message)]
pub struct PagemapEntry {
    #[prost(uint64, required, tag = "1")]
    pub vaddr: u64,
    #[prost(uint32, required, tag = "2")]
    pub nr_pages: u32,
    #[prost(bool, optional, tag = "3")]
    pub in_parent: Option<bool>,
    #[prost(uint32, optional, tag = "4")]
    pub flags: Option<u32>,
}

/// pagemap.h: pages are in the parent snapshot
pub const PE_PARENT: u32 = 1 << 0;
/// pagemap.h: pages can be restored lazily (not in this pages file)
pub const PE_LAZY: u32 = 1 << 1;
/// pagemap.h: pages are present in pages-N.img
pub const PE_PRESENT: u32 = 1 << 2;

impl PagemapEntry {
    /// The flags as CRIU's own reader normalises them (`init_compat_pagemap_entry`).
    pub fn effective_flags(&self) -> u32 {
        if self.in_parent == Some(true) { self.flags.unwrap_or(0) | PE_PARENT } else { self.flags.unwrap_or(PE_PRESENT) }
    }
}

/// fdinfo.proto `fdinfo_entry` (fdinfo-N.img)
#[derive(Clone, PartialEq, Message)]
pub struct FdinfoEntry {
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    #[prost(uint32, required, tag = "2")]
    pub flags: u32,
    #[prost(int32, required, tag = "3")]
    pub r#type: i32,
    #[prost(uint32, required, tag = "4")]
    pub fd: u32,
}

/// fdinfo.proto `fd_types`
pub mod fd_type {
    pub const REG: i32 = 1;
    pub const PIPE: i32 = 2;
    pub const FIFO: i32 = 3;
    pub const INETSK: i32 = 4;
    pub const UNIXSK: i32 = 5;
    pub const EVENTFD: i32 = 6;
    pub const EVENTPOLL: i32 = 7;
    pub const INOTIFY: i32 = 8;
    pub const SIGNALFD: i32 = 9;
    pub const PACKETSK: i32 = 10;
    pub const TTY: i32 = 11;
    pub const FANOTIFY: i32 = 12;
    pub const NETLINKSK: i32 = 13;
    pub const NS: i32 = 14;
    pub const TUNF: i32 = 15;
    pub const EXT: i32 = 16;
    pub const TIMERFD: i32 = 17;
    pub const MEMFD: i32 = 18;
    pub const BPFMAP: i32 = 19;
    pub const PIDFD: i32 = 20;

    pub fn name(t: i32) -> &'static str {
        match t {
            REG => "reg",
            PIPE => "pipe",
            FIFO => "fifo",
            INETSK => "inet",
            UNIXSK => "unix",
            EVENTFD => "eventfd",
            EVENTPOLL => "eventpoll",
            INOTIFY => "inotify",
            SIGNALFD => "signalfd",
            PACKETSK => "packet",
            TTY => "tty",
            FANOTIFY => "fanotify",
            NETLINKSK => "netlink",
            NS => "ns",
            TUNF => "tun",
            EXT => "ext",
            TIMERFD => "timerfd",
            MEMFD => "memfd",
            BPFMAP => "bpfmap",
            PIDFD => "pidfd",
            _ => "unknown",
        }
    }
}

/// regfile.proto
#[derive(Clone, PartialEq, Message)]
pub struct RegFileEntry {
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    #[prost(uint32, required, tag = "2")]
    pub flags: u32,
    #[prost(uint64, required, tag = "3")]
    pub pos: u64,
    #[prost(string, required, tag = "6")]
    pub name: String,
    #[prost(uint64, optional, tag = "8")]
    pub size: Option<u64>,
    #[prost(uint32, optional, tag = "10")]
    pub mode: Option<u32>,
}

/// sk-inet.proto
#[derive(Clone, PartialEq, Message)]
pub struct InetSkEntry {
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    #[prost(uint32, required, tag = "2")]
    pub ino: u32,
    #[prost(uint32, required, tag = "3")]
    pub family: u32,
    #[prost(uint32, required, tag = "4")]
    pub r#type: u32,
    #[prost(uint32, required, tag = "5")]
    pub proto: u32,
    #[prost(uint32, required, tag = "6")]
    pub state: u32,
    #[prost(uint32, required, tag = "7")]
    pub src_port: u32,
    #[prost(uint32, required, tag = "8")]
    pub dst_port: u32,
    #[prost(uint32, required, tag = "10")]
    pub backlog: u32,
    #[prost(uint32, repeated, packed = "false", tag = "11")]
    pub src_addr: Vec<u32>,
    #[prost(uint32, repeated, packed = "false", tag = "12")]
    pub dst_addr: Vec<u32>,
}

/// sk-unix.proto
#[derive(Clone, PartialEq, Message)]
pub struct UnixSkEntry {
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    #[prost(uint32, required, tag = "2")]
    pub ino: u32,
    #[prost(uint32, required, tag = "3")]
    pub r#type: u32,
    #[prost(uint32, required, tag = "4")]
    pub state: u32,
    #[prost(uint32, required, tag = "7")]
    pub backlog: u32,
    #[prost(uint32, required, tag = "8")]
    pub peer: u32,
    #[prost(bytes = "vec", required, tag = "11")]
    pub name: Vec<u8>,
    #[prost(string, optional, tag = "14")]
    pub name_dir: Option<String>,
    #[prost(bool, optional, tag = "15")]
    pub deleted: Option<bool>,
}

/// pipe.proto
#[derive(Clone, PartialEq, Message)]
pub struct PipeEntry {
    #[prost(uint32, required, tag = "1")]
    pub id: u32,
    #[prost(uint32, required, tag = "2")]
    pub pipe_id: u32,
    #[prost(uint32, required, tag = "3")]
    pub flags: u32,
}

/// fdinfo.proto `file_entry` (files.img): one per open file object, keyed by `id`.
#[derive(Clone, PartialEq, Message)]
pub struct FileEntry {
    #[prost(int32, required, tag = "1")]
    pub r#type: i32,
    #[prost(uint32, required, tag = "2")]
    pub id: u32,
    #[prost(message, optional, tag = "3")]
    pub reg: Option<RegFileEntry>,
    #[prost(message, optional, tag = "4")]
    pub isk: Option<InetSkEntry>,
    #[prost(message, optional, tag = "16")]
    pub usk: Option<UnixSkEntry>,
    #[prost(message, optional, tag = "18")]
    pub pipe: Option<PipeEntry>,
}

/// fs.proto (fs-PID.img)
#[derive(Clone, PartialEq, Message)]
pub struct FsEntry {
    #[prost(uint32, required, tag = "1")]
    pub cwd_id: u32,
    #[prost(uint32, required, tag = "2")]
    pub root_id: u32,
    #[prost(uint32, optional, tag = "3")]
    pub umask: Option<u32>,
}

/// remap-file-path.proto (remap-fpath.img): a file CRIU had to remap, e.g. a deleted one.
#[derive(Clone, PartialEq, Message)]
pub struct RemapFilePathEntry {
    #[prost(uint32, required, tag = "1")]
    pub orig_id: u32,
    #[prost(uint32, required, tag = "2")]
    pub remap_id: u32,
    /// 0 linked, 1 ghost (file was deleted; content saved), 2 procfs
    #[prost(int32, optional, tag = "3")]
    pub remap_type: Option<i32>,
}

/// remap-file-path.proto `remap_type`
pub const REMAP_GHOST: i32 = 1;
pub const REMAP_LINKED: i32 = 0;

/// stats.proto `dump_stats_entry`
#[derive(Clone, PartialEq, Message)]
pub struct DumpStatsEntry {
    #[prost(uint32, required, tag = "1")]
    pub freezing_time: u32,
    #[prost(uint32, required, tag = "2")]
    pub frozen_time: u32,
    #[prost(uint32, required, tag = "3")]
    pub memdump_time: u32,
    #[prost(uint32, required, tag = "4")]
    pub memwrite_time: u32,
    #[prost(uint64, required, tag = "5")]
    pub pages_scanned: u64,
    #[prost(uint64, required, tag = "6")]
    pub pages_skipped_parent: u64,
    #[prost(uint64, required, tag = "7")]
    pub pages_written: u64,
}

/// stats.proto
#[derive(Clone, PartialEq, Message)]
pub struct StatsEntry {
    #[prost(message, optional, tag = "1")]
    pub dump: Option<DumpStatsEntry>,
}

/// time.proto `timeval`
#[derive(Clone, PartialEq, Message)]
pub struct Timeval {
    #[prost(uint64, required, tag = "1")]
    pub tv_sec: u64,
    #[prost(uint64, required, tag = "2")]
    pub tv_usec: u64,
}

/// ghost-file.proto `ghost_file_entry`: the head of `ghost-file-<id>.img`, the saved content of a
/// file that was deleted while a process held it.
#[derive(Clone, PartialEq, Message)]
pub struct GhostFileEntry {
    #[prost(uint32, required, tag = "1")]
    pub uid: u32,
    #[prost(uint32, required, tag = "2")]
    pub gid: u32,
    #[prost(uint32, required, tag = "3")]
    pub mode: u32,
    #[prost(uint32, optional, tag = "4")]
    pub dev: Option<u32>,
    #[prost(uint64, optional, tag = "5")]
    pub ino: Option<u64>,
    #[prost(uint32, optional, tag = "6")]
    pub rdev: Option<u32>,
    #[prost(message, optional, tag = "7")]
    pub atim: Option<Timeval>,
    #[prost(message, optional, tag = "8")]
    pub mtim: Option<Timeval>,
    /// the content follows as (ghost_chunk_entry, bytes) pairs (a sparse file); else raw to EOF
    #[prost(bool, optional, tag = "9")]
    pub chunks: Option<bool>,
    #[prost(uint64, optional, tag = "10")]
    pub size: Option<u64>,
}

/// ghost-file.proto `ghost_chunk_entry`: `len` bytes of the file at `off` follow.
#[derive(Clone, PartialEq, Message)]
pub struct GhostChunkEntry {
    #[prost(uint64, required, tag = "1")]
    pub len: u64,
    #[prost(uint64, required, tag = "2")]
    pub off: u64,
}
