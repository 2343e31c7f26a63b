//! One process's memory as an ELF64 core file, streamed to any `Write` (no seeking): the layout
//! (headers, notes, each PT_LOAD's offset and size) is computed from `/proc/<pid>/maps` first,
//! then the bytes are written in order, mapping by mapping, through one bounded buffer.

use super::MemoryError;
use super::maps::{Mapping, gone_or, read_maps, read_present_bytes};
use super::notes::{self, Arch};
use super::procinfo::ProcInfo;
use crate::agent::proc;
use crate::elf::{self, FileEntry, Phdr};
use serde::Serialize;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;
use std::sync::mpsc;

/// How a core is taken.
#[derive(Debug, Clone)]
pub struct CoreOptions {
    /// Also dump read-only mappings of files still on disk (libraries, program text). Off by
    /// default: their bytes are the files'. Deleted files and memfds are always dumped.
    pub include_file_mappings: bool,
    /// Size of the one read buffer (memory use stays flat at about this).
    pub buffer_size: usize,
}

impl Default for CoreOptions {
    fn default() -> Self {
        Self { include_file_mappings: false, buffer_size: 1 << 20 }
    }
}

/// A byte cap shared by every core of one container: each plan reserves what it will write.
#[derive(Debug, Clone, Serialize)]
pub struct ByteBudget {
    pub limit: u64,
    pub reserved: u64,
    /// Set once some region was cut or left out because of the cap.
    pub hit: bool,
}

impl ByteBudget {
    pub fn new(limit: u64) -> Self {
        Self { limit, reserved: 0, hit: false }
    }
    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.reserved)
    }
    /// The note for the manifest when the cap was hit.
    pub fn note(&self) -> Option<String> {
        self.hit.then(|| {
            format!(
                "memory byte cap of {} bytes reached: later regions were left out or cut (their PT_LOAD has a short p_filesz); raise the cap to capture everything",
                self.limit
            )
        })
    }
}

/// What happened to one mapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RegionStatus {
    /// All bytes read.
    Dumped,
    /// Written with `zero_filled` bytes that could not be read (e.g. unmapped or I/O error midway).
    Partial { zero_filled: u64, reason: String },
    /// Cut at the byte cap: `p_filesz` < size.
    Truncated { reason: String },
    /// Not in the file (`p_filesz` = 0).
    Skipped { reason: String },
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionRecord {
    #[serde(flatten)]
    pub mapping: Mapping,
    /// Bytes of this region in the core (`p_filesz`).
    pub bytes: u64,
    /// Offset of those bytes in the core file (`p_offset`).
    pub file_offset: u64,
    #[serde(flatten)]
    pub status: RegionStatus,
}

/// The result of one core dump, for the manifest / volatile.json.
#[derive(Debug, Clone, Serialize)]
pub struct CoreSummary {
    pub pid: i32,
    pub comm: String,
    pub bytes: u64,
    pub regions_dumped: usize,
    pub regions_skipped: usize,
    pub regions: Vec<RegionRecord>,
}

/// The planned core: every byte's place is known before the first one is written.
pub struct CorePlan {
    pid: i32,
    comm: String,
    header: Vec<u8>,
    data_start: u64,
    regions: Vec<RegionRecord>,
    buffer_size: usize,
    mem: Option<File>,
}

/// Why a mapping is not read at all, decided from maps alone.
fn skip_reason(m: &Mapping, opts: &CoreOptions) -> Option<String> {
    if m.size() == 0 {
        return Some("empty mapping".into());
    }
    if m.inaccessible() {
        return Some("no access permissions (guard page or address-space reservation)".into());
    }
    if !opts.include_file_mappings && m.on_disk_read_only() {
        return Some("read-only mapping of a file on disk (include file mappings to keep)".into());
    }
    None
}

impl CorePlan {
    /// Read the process's maps and identity, probe each region, and lay the core out.
    /// Regions past `budget` are cut or left out (the budget records it).
    pub fn prepare(pid: i32, opts: &CoreOptions, budget: Option<&mut ByteBudget>) -> Result<Self, MemoryError> {
        let arch = notes::host_arch()?;
        let info = ProcInfo::read(pid)?;
        let maps = read_maps(pid)?;
        let mem_path = PathBuf::from(format!("/proc/{pid}/mem"));
        let mem = File::open(&mem_path).map_err(|e| gone_or(pid, &mem_path, e))?;
        let page = proc::page_size();
        let notes = build_notes(arch, &info, &maps, page);

        let phnum = 1 + maps.len() as u64;
        let notes_off = elf::headers_size(phnum);
        let data_start = (notes_off + notes.len() as u64).next_multiple_of(page);

        let present = read_present_bytes(pid);
        let mut budget = budget;
        let mut probe = [0u8; 1];
        let mut off = data_start;
        let mut regions = Vec::with_capacity(maps.len());
        for m in maps {
            let mut status = RegionStatus::Dumped;
            let mut bytes = m.size();
            if let Some(reason) = skip_reason(&m, opts) {
                status = RegionStatus::Skipped { reason };
            } else if m.private_anonymous() && present.as_ref().and_then(|p| p.get(&m.start)) == Some(&0) {
                // e.g. huge reservations (sanitizer shadow, runtime arenas): only zeros to read
                status = RegionStatus::Skipped { reason: "never touched (no resident or swapped page): all zeros".into() };
            } else if let Err(e) = mem.read_at(&mut probe, m.start) {
                status = RegionStatus::Skipped { reason: format!("unreadable: {e}") };
            }
            if matches!(status, RegionStatus::Skipped { .. }) {
                bytes = 0;
            } else if let Some(b) = budget.as_deref_mut() {
                let left = b.remaining();
                if left < bytes {
                    b.hit = true;
                    bytes = left - left % page;
                    status = if bytes == 0 {
                        RegionStatus::Skipped { reason: format!("byte cap of {} bytes reached", b.limit) }
                    } else {
                        RegionStatus::Truncated { reason: format!("cut at the byte cap of {} bytes", b.limit) }
                    };
                }
                b.reserved += bytes;
            }
            regions.push(RegionRecord { mapping: m, bytes, file_offset: off, status });
            off += bytes;
        }

        let mut header = elf::file_header(arch.machine, phnum);
        elf::Phdr { p_type: elf::PT_NOTE, flags: 0, offset: notes_off, vaddr: 0, filesz: notes.len() as u64, memsz: 0, align: 4 }
            .encode(&mut header);
        for r in &regions {
            let m = &r.mapping;
            Phdr {
                p_type: elf::PT_LOAD,
                flags: elf::pf_flags(&m.perms),
                offset: r.file_offset,
                vaddr: m.start,
                filesz: r.bytes,
                memsz: m.size(),
                align: page,
            }
            .encode(&mut header);
        }
        if phnum >= elf::PN_XNUM {
            header.extend_from_slice(&elf::xnum_section_header(phnum));
        }
        header.extend_from_slice(&notes);
        header.resize(data_start as usize, 0);
        Ok(CorePlan { pid, comm: info.stat.comm, header, data_start, regions, buffer_size: opts.buffer_size.max(4096), mem: Some(mem) })
    }

    /// The exact size of the core file this plan writes.
    pub fn total_bytes(&self) -> u64 {
        self.data_start + self.regions.iter().map(|r| r.bytes).sum::<u64>()
    }

    pub fn regions(&self) -> &[RegionRecord] {
        &self.regions
    }

    /// The ELF header, program headers and notes: the core's first `data_start` bytes.
    pub(super) fn header(&self) -> &[u8] {
        &self.header
    }

    /// The process's `/proc/<pid>/mem`, opened when the plan was made (once: writing takes it).
    pub(super) fn take_mem(&mut self) -> Option<File> {
        self.mem.take()
    }

    /// Record what happened to region `index` (written by someone else than [`CorePlan::write`]).
    pub(super) fn set_status(&mut self, index: usize, status: RegionStatus) {
        if let Some(r) = self.regions.get_mut(index) {
            r.status = status;
        }
    }

    /// The summary of the core this plan lays out, once someone else has written it whole.
    pub(super) fn into_summary(self) -> CoreSummary {
        let bytes = self.total_bytes();
        let dumped = self.regions.iter().filter(|r| r.bytes > 0).count();
        CoreSummary {
            pid: self.pid,
            comm: self.comm,
            bytes,
            regions_dumped: dumped,
            regions_skipped: self.regions.len() - dumped,
            regions: self.regions,
        }
    }

    /// Write the core to `out`, sequentially. Bytes that turn unreadable are written as zeros
    /// and recorded; only a failing `out` (or a vanished process before the start) is an error.
    ///
    /// A reader thread fills the next buffer from `/proc/<pid>/mem` while this thread hands the
    /// previous one to `out` (which hashes and ships it): at most three buffers exist at once.
    pub fn write(mut self, out: &mut dyn Write) -> Result<CoreSummary, MemoryError> {
        let pid = self.pid;
        let werr = |source| MemoryError::Write { pid, source };
        out.write_all(&self.header).map_err(werr)?;
        let mem = self.mem.take().ok_or(MemoryError::ProcessGone(pid))?;
        let jobs: Vec<(usize, u64, u64)> =
            (self.regions.iter().enumerate()).filter(|(_, r)| r.bytes > 0).map(|(i, r)| (i, r.mapping.start, r.bytes)).collect();
        let size = self.buffer_size;
        let mut written = self.data_start;
        let (full_tx, full_rx) = mpsc::sync_channel::<Filled>(1);
        let (free_tx, free_rx) = mpsc::channel::<Vec<u8>>();
        std::thread::scope(|scope| {
            // owned here, so that leaving early (an `out` error) drops both ends and the reader,
            // blocked on either, stops instead of being waited for forever
            let (full_rx, free_tx) = (full_rx, free_tx);
            scope.spawn(move || read_regions(pid, &mem, &jobs, size, &full_tx, &free_rx));
            for msg in full_rx.iter() {
                match msg {
                    Filled::Chunk(buf, n) => {
                        out.write_all(&buf[..n]).map_err(werr)?;
                        written += n as u64;
                        let _ = free_tx.send(buf);
                    }
                    Filled::RegionEnd { index, zero_filled, reason } => {
                        self.regions[index].status = RegionStatus::Partial { zero_filled, reason };
                    }
                }
            }
            Ok::<(), MemoryError>(())
        })?;
        out.flush().map_err(werr)?;
        let dumped = self.regions.iter().filter(|r| r.bytes > 0).count();
        Ok(CoreSummary {
            pid,
            comm: self.comm,
            bytes: written,
            regions_dumped: dumped,
            regions_skipped: self.regions.len() - dumped,
            regions: self.regions,
        })
    }
}

/// What the reader thread hands over.
enum Filled {
    /// A buffer and how many of its bytes are data.
    Chunk(Vec<u8>, usize),
    /// A region had unreadable bytes (written as zeros).
    RegionEnd { index: usize, zero_filled: u64, reason: String },
}

/// Read `buf.len()` bytes at `addr` of `pid`: `process_vm_readv` (the kernel copies many pages a
/// call), else `/proc/<pid>/mem` (one page at a time inside the kernel). Fewer bytes than asked
/// means the next page cannot be read this way; the caller reads on from there. The caller
/// checks the process's pin afterwards (the call names a PID; `mem` is bound to the process).
fn read_at_fast(pid: i32, mem: &File, buf: &mut [u8], addr: u64) -> std::io::Result<usize> {
    let local = libc::iovec { iov_base: buf.as_mut_ptr().cast(), iov_len: buf.len() };
    let remote = libc::iovec { iov_base: addr as *mut libc::c_void, iov_len: buf.len() };
    // SAFETY: one local iovec over `buf` (valid, writable, its length); the remote range is only
    // read by the kernel from the other process, which checks it.
    let n = unsafe { libc::process_vm_readv(pid, &local, 1, &remote, 1, 0) };
    if n > 0 {
        return Ok(n as usize);
    }
    mem.read_at(buf, addr)
}

/// Read each (index, start, bytes) region in buffer-sized chunks; unreadable pages become zeros.
fn read_regions(
    pid: i32,
    mem: &File,
    jobs: &[(usize, u64, u64)],
    size: usize,
    full: &mpsc::SyncSender<Filled>,
    free: &mpsc::Receiver<Vec<u8>>,
) {
    let page = proc::page_size() as usize;
    let mut spare = vec![vec![0u8; size], vec![0u8; size]];
    for &(index, start, bytes) in jobs {
        let (mut addr, end) = (start, start + bytes);
        let mut zero_filled = 0u64;
        let mut first_err: Option<String> = None;
        while addr < end {
            let mut buf = match spare.pop() {
                Some(b) => b,
                None => match free.recv() {
                    Ok(b) => b,
                    Err(_) => return, // the writer is gone
                },
            };
            let want = ((end - addr) as usize).min(buf.len());
            let (got, zeros, err) = fill(pid, mem, &mut buf[..want], addr, page);
            zero_filled += zeros;
            if first_err.is_none() {
                first_err = err;
            }
            if full.send(Filled::Chunk(buf, got)).is_err() {
                return;
            }
            addr += got as u64;
        }
        if zero_filled > 0 {
            let reason = first_err.unwrap_or_else(|| "short reads".into());
            if full.send(Filled::RegionEnd { index, zero_filled, reason }).is_err() {
                return;
            }
        }
    }
}

/// Fill `chunk` from `addr` of `pid`: as much as one fast read gives, else page by page with
/// what cannot be read as zeros. Returns (bytes filled, of them zero-filled, why the fast read
/// failed).
pub(super) fn fill(pid: i32, mem: &File, chunk: &mut [u8], addr: u64, page: usize) -> (usize, u64, Option<String>) {
    let want = chunk.len();
    match read_at_fast(pid, mem, chunk, addr) {
        Ok(n) if n > 0 => (n, 0, None),
        // EOF or an error: go page by page, zero-filling what cannot be read
        res => {
            let why = match res {
                Err(e) => format!("unreadable at {addr:#x}: {e}"),
                Ok(_) => format!("no data at {addr:#x} (unmapped during the dump?)"),
            };
            let mut zero_filled = 0u64;
            let mut done = 0;
            while done < want {
                let n = (page - (addr as usize + done) % page).min(want - done);
                let p = &mut chunk[done..done + n];
                match mem.read_at(p, addr + done as u64) {
                    Ok(k) if k == n => {}
                    Ok(k) => {
                        p[k..].fill(0);
                        zero_filled += (n - k) as u64;
                    }
                    Err(_) => {
                        p.fill(0);
                        zero_filled += n as u64;
                    }
                }
                done += n;
            }
            (want, zero_filled, Some(why))
        }
    }
}

fn build_notes(arch: Arch, info: &ProcInfo, maps: &[Mapping], page: u64) -> Vec<u8> {
    let hz = proc::clk_tck();
    let s = &info.stat;
    let mut notes = Vec::new();
    elf::note(&mut notes, elf::NT_PRSTATUS, &notes::prstatus(arch, s, info.syscalls.get(&s.pid), s.ppid, s.pgrp, s.sid, hz));
    elf::note(&mut notes, elf::NT_PRPSINFO, &notes::prpsinfo(info));
    if !info.auxv.is_empty() {
        elf::note(&mut notes, elf::NT_AUXV, &info.auxv);
    }
    let files: Vec<FileEntry<'_>> = maps
        .iter()
        .filter(|m| m.file_backed())
        .map(|m| FileEntry { start: m.start, end: m.end, offset: m.offset, name: m.path.as_deref().unwrap_or("") })
        .collect();
    elf::note(&mut notes, elf::NT_FILE, &elf::nt_file(&files, page));
    for t in &info.threads {
        elf::note(&mut notes, elf::NT_PRSTATUS, &notes::prstatus(arch, t, info.syscalls.get(&t.pid), s.ppid, s.pgrp, s.sid, hz));
    }
    notes
}

/// Plan and write in one call.
pub fn dump_core(pid: i32, opts: &CoreOptions, budget: Option<&mut ByteBudget>, out: &mut dyn Write) -> Result<CoreSummary, MemoryError> {
    CorePlan::prepare(pid, opts, budget)?.write(out)
}
