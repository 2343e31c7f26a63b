//! A core copied while its process runs and completed while it is frozen, so the container
//! stays frozen for a read of its memory rather than for a write of it to the node's disk: in
//! the collector, the spool's page cache counts against the pod's memory limit, so a core
//! written while frozen goes at the disk's speed, while memory is read several times faster.
//!
//! While the container runs, the whole core is written to the spool and every piece of it
//! (1 MiB of a region) is digested with BLAKE3, keyed with a random key of this copy. Once
//! frozen, the layout is read again and so is every byte of memory, but only the pieces whose
//! digest differs are written again. The key is never known to the workload, so it cannot shape
//! a change that keeps a digest. A layout that changed in between (a mapping added, removed,
//! moved, resized or re-protected; a thread more) is not patched: the caller writes that core
//! again whole, frozen. Either way the core is the one a dump taken while frozen writes.

use super::MemoryError;
use super::core::{CoreOptions, CorePlan, CoreSummary, RegionRecord, RegionStatus, fill};
use super::maps::Mapping;
use crate::agent::proc::{self, pin::Pinned};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Bytes of a region digested (and, when changed, written again) at once.
const PIECE: usize = 1 << 20;

/// A core written to the spool while its process ran.
#[derive(Debug)]
pub struct Precopied {
    pub path: PathBuf,
    header_len: usize,
    layout: Vec<Shape>,
    key: [u8; 32],
    digests: Vec<[u8; 32]>,
}

/// What must not change for a copy to be completed: a region's mapping and its place in the core.
#[derive(Debug, PartialEq, Eq)]
struct Shape {
    mapping: Mapping,
    bytes: u64,
    file_offset: u64,
}

fn shape(regions: &[RegionRecord]) -> Vec<Shape> {
    regions.iter().map(|r| Shape { mapping: r.mapping.clone(), bytes: r.bytes, file_offset: r.file_offset }).collect()
}

/// A new random key (the kernel's generator).
fn random_key() -> std::io::Result<[u8; 32]> {
    let mut key = [0u8; 32];
    let mut done = 0;
    while done < key.len() {
        // SAFETY: the kernel writes at most the given length into our buffer.
        let n = unsafe { libc::getrandom(key[done..].as_mut_ptr().cast(), key.len() - done, 0) };
        if n < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() != std::io::ErrorKind::Interrupted {
                return Err(e);
            }
            continue;
        }
        done += n as usize;
    }
    Ok(key)
}

/// Each piece of the regions that have bytes in the core, in file order: (region index,
/// address, length, offset in the core).
fn pieces(regions: &[RegionRecord]) -> impl Iterator<Item = (usize, u64, usize, u64)> + '_ {
    regions.iter().enumerate().filter(|(_, r)| r.bytes > 0).flat_map(|(i, r)| {
        (0..r.bytes.div_ceil(PIECE as u64)).map(move |k| {
            let at = k * PIECE as u64;
            (i, r.mapping.start + at, (r.bytes - at).min(PIECE as u64) as usize, r.file_offset + at)
        })
    })
}

/// Fill `buf` whole from `addr` (unreadable bytes as zeros): (zero-filled bytes, why).
fn read_piece(pid: i32, mem: &File, buf: &mut [u8], addr: u64, page: usize) -> (u64, Option<String>) {
    let (mut done, mut zeros, mut why) = (0, 0, None);
    while done < buf.len() {
        let (got, z, e) = fill(pid, mem, &mut buf[done..], addr + done as u64, page);
        zeros += z;
        why = why.or(e);
        if got == 0 {
            buf[done..].fill(0);
            zeros += (buf.len() - done) as u64;
            break;
        }
        done += got;
    }
    (zeros, why)
}

/// Write the core of the pinned process into `dir` while it runs, digesting each piece. `room`
/// refuses a core the spool has no room for. A failed copy leaves no file.
pub fn start(
    pin: &Pinned,
    opts: &CoreOptions,
    dir: &Path,
    room: impl FnOnce(&CorePlan) -> Result<(), String>,
) -> Result<Precopied, MemoryError> {
    let pid = pin.pid();
    let werr = |source| MemoryError::Write { pid, source };
    let mut plan = CorePlan::prepare(pid, opts, None)?;
    pin.check().map_err(|_| MemoryError::ProcessGone(pid))?;
    room(&plan).map_err(|why| werr(std::io::Error::other(why)))?;
    let key = random_key().map_err(werr)?;
    let mem = plan.take_mem().ok_or(MemoryError::ProcessGone(pid))?;
    let (path, file) = super::capture::spool_file(dir, pid).map_err(werr)?;
    let copied = (|| {
        let mut w = std::io::BufWriter::with_capacity(PIECE, file);
        w.write_all(plan.header()).map_err(werr)?;
        let page = proc::page_size() as usize;
        let mut buf = vec![0u8; PIECE];
        let mut digests = Vec::new();
        for (_, addr, len, _) in pieces(plan.regions()) {
            read_piece(pid, &mem, &mut buf[..len], addr, page);
            digests.push(*blake3::keyed_hash(&key, &buf[..len]).as_bytes());
            w.write_all(&buf[..len]).map_err(werr)?;
        }
        w.flush().map_err(werr)?;
        pin.check().map_err(|_| MemoryError::ExitedDuringDump(pid))?;
        Ok(digests)
    })();
    match copied {
        Ok(digests) => Ok(Precopied { path, header_len: plan.header().len(), layout: shape(plan.regions()), key, digests }),
        Err(e) => {
            let _ = std::fs::remove_file(&path);
            Err(e)
        }
    }
}

/// What completing a copy did while frozen.
#[derive(Debug, Clone, Copy, Default)]
pub struct Patched {
    /// Bytes of memory read again (all of them).
    pub read: u64,
    /// Bytes that had changed since the copy, written again.
    pub rewritten: u64,
}

/// The outcome of completing one copy: `None` when its layout changed (write the core again
/// whole), else its summary and what it took.
pub type Finished = Result<Option<(CoreSummary, Patched)>, MemoryError>;

/// Complete one copy while its process is frozen (see [`finish_all`]).
pub fn finish(pin: &Pinned, pre: &Precopied, opts: &CoreOptions) -> Finished {
    finish_all(&[(pin, pre)], opts, 1).pop().unwrap_or(Err(MemoryError::ProcessGone(pin.pid())))
}

/// One copy being completed: its new plan, memory and spooled file, and what was found so far.
struct Open<'a> {
    pin: &'a Pinned,
    pre: &'a Precopied,
    plan: CorePlan,
    mem: File,
    out: File,
    tally: std::sync::Mutex<Tally>,
}

/// One piece of one copy to read again.
#[derive(Clone, Copy)]
struct Job<'a> {
    copy: usize,
    region: usize,
    addr: u64,
    len: usize,
    offset: u64,
    digest: &'a [u8; 32],
}

#[derive(Default)]
struct Tally {
    done: Patched,
    /// (region index, zero-filled bytes, why), per region with unreadable bytes.
    partial: Vec<(usize, u64, String)>,
    failed: Option<std::io::Error>,
}

/// Complete these copies while their processes are frozen, the pieces of all of them read on
/// `workers` threads at once (a big process is read in parallel as much as several small ones).
/// The results are in the order of `copies`.
pub fn finish_all(copies: &[(&Pinned, &Precopied)], opts: &CoreOptions, workers: usize) -> Vec<Finished> {
    let mut results: Vec<Option<Finished>> = copies.iter().map(|_| None).collect();
    let mut open: Vec<(usize, Open<'_>)> = Vec::new();
    for (i, &(pin, pre)) in copies.iter().enumerate() {
        match begin(pin, pre, opts) {
            Ok(Some(o)) => open.push((i, o)),
            Ok(None) => results[i] = Some(Ok(None)),
            Err(e) => results[i] = Some(Err(e)),
        }
    }
    // every piece of every open copy, with its digest
    let work: Vec<Job<'_>> = open
        .iter()
        .enumerate()
        .flat_map(|(j, (_, o))| {
            pieces(o.plan.regions()).zip(&o.pre.digests).map(move |((region, addr, len, offset), digest)| Job {
                copy: j,
                region,
                addr,
                len,
                offset,
                digest,
            })
        })
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let page = proc::page_size() as usize;
    std::thread::scope(|s| {
        for _ in 0..workers.clamp(1, 8).min(work.len().max(1)) {
            s.spawn(|| {
                let mut buf = vec![0u8; PIECE];
                while let Some(&Job { copy: j, region: index, addr, len, offset, digest }) =
                    work.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
                {
                    let o = &open[j].1;
                    let (zeros, why) = read_piece(o.pin.pid(), &o.mem, &mut buf[..len], addr, page);
                    let changed = blake3::keyed_hash(&o.pre.key, &buf[..len]).as_bytes() != digest;
                    let written = if changed { o.out.write_all_at(&buf[..len], offset) } else { Ok(()) };
                    let mut t = o.tally.lock().unwrap_or_else(|e| e.into_inner());
                    t.done.read += len as u64;
                    match written {
                        Ok(()) if changed => t.done.rewritten += len as u64,
                        Ok(()) => {}
                        Err(e) => {
                            t.failed.get_or_insert(e);
                        }
                    }
                    if zeros > 0 {
                        match t.partial.iter_mut().find(|p| p.0 == index) {
                            Some(p) => p.1 += zeros,
                            None => t.partial.push((index, zeros, why.unwrap_or_else(|| "short reads".into()))),
                        }
                    }
                }
            });
        }
    });
    for (i, o) in open {
        let pid = o.pin.pid();
        let tally = o.tally.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut plan = o.plan;
        results[i] = Some(match tally.failed {
            Some(source) => Err(MemoryError::Write { pid, source }),
            None if o.pin.check().is_err() => Err(MemoryError::ExitedDuringDump(pid)),
            None => {
                for (index, zero_filled, reason) in tally.partial {
                    plan.set_status(index, RegionStatus::Partial { zero_filled, reason });
                }
                Ok(Some((plan.into_summary(), tally.done)))
            }
        });
    }
    results.into_iter().map(|r| r.unwrap_or(Ok(None))).collect()
}

/// Lay the frozen process out again: `None` when its layout is not the copy's; else its memory
/// and the spooled file opened, and the header (registers, threads, notes as they are now)
/// written.
fn begin<'a>(pin: &'a Pinned, pre: &'a Precopied, opts: &CoreOptions) -> Result<Option<Open<'a>>, MemoryError> {
    let pid = pin.pid();
    let mut plan = CorePlan::prepare(pid, opts, None)?;
    pin.check().map_err(|_| MemoryError::ProcessGone(pid))?;
    if plan.header().len() != pre.header_len || shape(plan.regions()) != pre.layout || pieces(plan.regions()).count() != pre.digests.len() {
        return Ok(None);
    }
    let mem = plan.take_mem().ok_or(MemoryError::ProcessGone(pid))?;
    let werr = |source| MemoryError::Write { pid, source };
    let out = std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC).open(&pre.path).map_err(werr)?;
    out.write_all_at(plan.header(), 0).map_err(werr)?;
    Ok(Some(Open { pin, pre, plan, mem, out, tally: Default::default() }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::memory::dump_core;

    /// A forked copy of this process that changes its memory on command: `w` writes pages 3 to 5
    /// of `buf`, `d` zaps page 7, each answered with one byte.
    struct Child {
        pid: i32,
        cmd: i32,
        ack: i32,
    }

    impl Child {
        fn fork(buf: *mut u8, page: usize) -> Child {
            let (mut c, mut a) = ([0i32; 2], [0i32; 2]);
            // SAFETY: two new pipes.
            assert!(unsafe { libc::pipe(c.as_mut_ptr()) == 0 && libc::pipe(a.as_mut_ptr()) == 0 });
            // SAFETY: the child only calls async-signal-safe functions (read, write, madvise,
            // _exit) and writes its own copy of `buf`.
            let pid = unsafe { libc::fork() };
            assert!(pid >= 0);
            if pid == 0 {
                unsafe {
                    let mut b = 0u8;
                    while libc::read(c[0], (&mut b as *mut u8).cast(), 1) == 1 {
                        match b {
                            b'w' => std::ptr::write_bytes(buf.add(3 * page), 0xbb, 3 * page),
                            b'd' => {
                                libc::madvise(buf.add(7 * page).cast(), page, libc::MADV_DONTNEED);
                            }
                            _ => {}
                        }
                        libc::write(a[1], (&b as *const u8).cast(), 1);
                    }
                    libc::_exit(0);
                }
            }
            // SAFETY: closing our copies of the child's ends.
            unsafe {
                libc::close(c[0]);
                libc::close(a[1]);
            }
            Child { pid, cmd: c[1], ack: a[0] }
        }

        /// Stop it, and wait until it is stopped (its state in the core's notes is then `T`).
        fn stop(&self) {
            let mut status = 0;
            // SAFETY: our child.
            unsafe {
                libc::kill(self.pid, libc::SIGSTOP);
                assert_eq!(libc::waitpid(self.pid, &mut status, libc::WUNTRACED), self.pid);
            }
            assert!(libc::WIFSTOPPED(status));
        }

        fn ask(&self, b: u8) {
            let mut r = 0u8;
            // SAFETY: one byte each way on our pipe ends.
            unsafe {
                assert_eq!(libc::write(self.cmd, (&b as *const u8).cast(), 1), 1);
                assert_eq!(libc::read(self.ack, (&mut r as *mut u8).cast(), 1), 1);
            }
        }
    }

    impl Drop for Child {
        fn drop(&mut self) {
            // SAFETY: our child and our descriptors.
            unsafe {
                libc::kill(self.pid, libc::SIGKILL);
                libc::waitpid(self.pid, std::ptr::null_mut(), 0);
                libc::close(self.cmd);
                libc::close(self.ack);
            }
        }
    }

    fn room(_: &CorePlan) -> Result<(), String> {
        Ok(())
    }

    #[test]
    fn a_copy_completed_while_stopped_is_the_core_a_stopped_dump_writes() {
        let page = proc::page_size() as usize;
        let pages = 64;
        let mut mem = vec![0xa5u8; pages * page + page];
        let off = mem.as_ptr().align_offset(page);
        let buf = mem[off..].as_mut_ptr();
        let child = Child::fork(buf, page);
        let ticks = proc::stat::read(child.pid).unwrap().start_ticks;
        let pin = Pinned::open(child.pid, ticks).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let opts = CoreOptions::default();

        let pre = start(&pin, &opts, dir.path(), room).unwrap();
        // changed after the copy: three pages written, one zapped
        child.ask(b'w');
        child.ask(b'd');
        child.stop();
        let (summary, patched) = finish(&pin, &pre, &opts).unwrap().expect("same layout");
        let mut whole = Vec::new();
        let want = dump_core(child.pid, &opts, None, &mut whole).unwrap();
        let got = std::fs::read(&pre.path).unwrap();
        assert_eq!(summary.bytes, want.bytes);
        assert!(got == whole, "the completed copy differs from a dump of the stopped process");
        assert_eq!(patched.read, summary.bytes - pre.header_len as u64, "every byte of memory is read again");
        // the pieces holding pages 3 to 7 (and whatever the child's own run changed): not the rest
        assert!(patched.rewritten >= (5 * page) as u64 && patched.rewritten < summary.bytes / 2, "{patched:?} of {}", summary.bytes);
        // the changes are in it: 0xbb where written, zeros where zapped, 0xa5 elsewhere
        let region = summary.regions.iter().find(|r| r.mapping.start <= buf as u64 && (buf as u64) < r.mapping.end).unwrap();
        let at = |p: usize| (region.file_offset + (buf as u64 - region.mapping.start)) as usize + p * page;
        assert!(got[at(3)..at(6)].iter().all(|&b| b == 0xbb));
        assert!(got[at(7)..at(8)].iter().all(|&b| b == 0));
        assert!(got[at(8)..at(9)].iter().all(|&b| b == 0xa5));
    }

    #[test]
    fn several_copies_completed_on_several_threads_are_each_the_stopped_core() {
        let page = proc::page_size() as usize;
        let mut mem = vec![0x5au8; 40 * page + page];
        let off = mem.as_ptr().align_offset(page);
        let buf = mem[off..].as_mut_ptr();
        let children = [Child::fork(buf, page), Child::fork(buf, page)];
        let pins: Vec<Pinned> =
            children.iter().map(|c| Pinned::open(c.pid, proc::stat::read(c.pid).unwrap().start_ticks).unwrap()).collect();
        let dir = tempfile::tempdir().unwrap();
        let opts = CoreOptions::default();
        let pres: Vec<Precopied> = pins.iter().map(|p| start(p, &opts, dir.path(), room).unwrap()).collect();
        // only the first one changes
        children[0].ask(b'w');
        for c in &children {
            c.stop();
        }
        let refs: Vec<(&Pinned, &Precopied)> = pins.iter().zip(&pres).collect();
        let done = finish_all(&refs, &opts, 3);
        assert_eq!(done.len(), 2);
        for ((c, pre), r) in children.iter().zip(&pres).zip(done) {
            let (summary, patched) = r.unwrap().expect("same layout");
            let mut whole = Vec::new();
            dump_core(c.pid, &opts, None, &mut whole).unwrap();
            assert!(std::fs::read(&pre.path).unwrap() == whole, "pid {}: the completed copy differs", c.pid);
            assert_eq!(summary.bytes, whole.len() as u64);
            assert_eq!(patched.read, summary.bytes - pre.header_len as u64);
        }
    }

    #[test]
    fn a_changed_layout_is_not_patched() {
        let page = proc::page_size() as usize;
        let mut mem = vec![0x11u8; 4 * page];
        let child = Child::fork(mem.as_mut_ptr(), page);
        let st = proc::stat::read(child.pid).unwrap().start_ticks;
        let pin = Pinned::open(child.pid, st).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let mut pre = start(&pin, &CoreOptions::default(), dir.path(), room).unwrap();
        // as if a mapping had moved
        pre.layout[0].file_offset += page as u64;
        assert!(finish(&pin, &pre, &CoreOptions::default()).unwrap().is_none());
        // a copy that fails leaves no file behind
        let refused = start(&pin, &CoreOptions::default(), dir.path(), |_| Err("no room".into())).unwrap_err();
        assert!(refused.to_string().contains("no room"), "{refused}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().filter(|e| e.as_ref().unwrap().path() != pre.path).count(), 0);
    }
}
