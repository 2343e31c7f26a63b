//! export: the container's merged root filesystem as seen by its processes (`/proc/<pid>/root`),
//! streamed as tar through zstd. Mount points inside the container (/proc, /sys, /dev, volumes,
//! kubelet's bind-mounted files) are left out unless volumes are asked for; pseudo filesystems
//! are always left out.

use crate::agent::proc::mountinfo::{self, Mount};
use crate::agent::proc::pin::Pinned;
use crate::agent::safefs;
use crate::agent::steps::walk::{Entry, WalkConfig, WalkStats, Walker};
use crate::evidence::HashingWriter;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::Path;
use std::time::{Duration, Instant};

/// zstd level for every `.tar.zst` artifact (fast, ~3x on typical root filesystems).
pub const ZSTD_LEVEL: i32 = 3;

/// Bytes per zstd worker job (zstd's minimum). Measured, `agent export-dir --zstd` of 200 MiB
/// (dev build, 20 MiB of it the process itself): 2 MiB jobs and 4-chunk queues peaked at 73 MiB,
/// 1 MiB jobs and 2-chunk queues at 54 MiB, no slower.
const JOB_SIZE: u32 = 1 << 20;

/// zstd workers: the node's cores, at most 4 (the agent shares the node).
fn zstd_workers() -> u32 {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4) as u32
}

/// A zstd encoder using the node's cores (at most 4 workers: the agent shares the node).
pub fn zstd_writer<W: Write>(w: W) -> io::Result<zstd::Encoder<'static, W>> {
    let mut z = zstd::Encoder::new(w, ZSTD_LEVEL)?;
    let n = zstd_workers();
    if n > 1 {
        z.multithread(n)?;
        // smaller jobs than zstd's default (4 windows): memory stays well under 64 MiB
        z.set_parameter(zstd::stream::raw::CParameter::JobSize(JOB_SIZE))?;
    }
    Ok(z)
}

/// Paths never descended in an export, whether they are mounts or not.
const ALWAYS_OUT: [&str; 3] = ["proc", "sys", "dev"];

/// What to leave out of an export of a root with these mounts.
pub fn config_for(mounts: &[Mount], include_volumes: bool) -> WalkConfig {
    let mut cfg = WalkConfig::default();
    for p in ALWAYS_OUT {
        cfg.no_descend.insert(p.as_bytes().to_vec());
    }
    for m in mounts {
        let rel = m.mount_point.trim_start_matches('/');
        if rel.is_empty() {
            continue;
        }
        let under_pseudo = ALWAYS_OUT.iter().any(|p| rel == *p || rel.starts_with(&format!("{p}/")));
        if include_volumes && !mountinfo::is_pseudo(&m.fstype) && !under_pseudo {
            cfg.allow_mounts.insert(rel.as_bytes().to_vec());
        } else {
            cfg.no_descend.insert(rel.as_bytes().to_vec());
        }
    }
    // a volume mounted below an excluded mount stays out with it
    cfg
}

#[derive(Debug, Serialize)]
pub struct ExportReport {
    pub container: String,
    pub root: String,
    pub include_volumes: bool,
    pub excluded_mounts: Vec<String>,
    pub included_mounts: Vec<String>,
    /// Where the time went (see [`Stages`]).
    pub stages: Stages,
    #[serde(flatten)]
    pub stats: WalkStats,
}

/// Export the root of the pinned process `pin` into `out` as tar.zst. Entries whose relative
/// path is in `track` are returned with their offset in the (uncompressed) tar and, for files,
/// their SHA-256: the diff's rows located in the export.
pub fn export_root(
    pin: &Pinned,
    include_volumes: bool,
    track: HashSet<Vec<u8>>,
    out: &mut dyn Write,
) -> io::Result<(ExportReport, Vec<Entry>)> {
    let pid = pin.pid();
    let root = pin.open_dir("root")?;
    let mounts = mountinfo::read(pid)?;
    pin.check()?;
    let mut cfg = config_for(&mounts, include_volumes);
    cfg.track = track;
    let (stats, tracked, stages) = write_tar_zst(&root, &cfg, out)?;
    let show = |s: &std::collections::HashSet<Vec<u8>>| {
        let mut v: Vec<String> = s.iter().map(|p| format!("/{}", String::from_utf8_lossy(p))).collect();
        v.sort();
        v
    };
    let report = ExportReport {
        container: String::new(),
        root: format!("/proc/{pid}/root"),
        include_volumes,
        excluded_mounts: show(&cfg.no_descend),
        included_mounts: show(&cfg.allow_mounts),
        stages,
        stats,
    };
    Ok((report, tracked))
}

/// Where the time of one export went, stage by stage (seconds; the stages overlap, each runs on
/// its own thread, so they add up to more than the wall time when the pipeline keeps cores busy).
#[derive(Debug, Default, Clone, Serialize)]
pub struct Stages {
    /// Reading the files' data (the walk's reads).
    pub read_s: f64,
    /// The walk (tar) waiting for the compressor: compression is the slower stage.
    pub walk_wait_s: f64,
    /// Compressing: feeding zstd's workers and collecting their output.
    pub compress_s: f64,
    /// The compressor waiting for the sink: the stream (or upload) is the slower stage.
    pub compress_wait_s: f64,
    /// Writing into the sink: hashing and sending (stream frames, or S3 parts).
    pub sink_s: f64,
    /// Of `sink_s`, hashing the artifact (when the sink measures it: the evidence stream).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash_s: Option<f64>,
    /// Of `sink_s`, writing frames to the stream (when the sink measures it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub send_s: Option<f64>,
    /// zstd worker threads.
    pub zstd_workers: u32,
    pub wall_s: f64,
}

impl Stages {
    /// One line for the capture's notes (`timings <artifact>: …`).
    pub fn note(&self, artifact: &str) -> String {
        format!(
            "timings {artifact}: {:.2} s; read {:.2} s, tar waiting for zstd {:.2} s, compress {:.2} s ({} workers), zstd waiting for the sink {:.2} s, sink {:.2} s{}",
            self.wall_s,
            self.read_s,
            self.walk_wait_s,
            self.compress_s,
            self.zstd_workers,
            self.compress_wait_s,
            self.sink_s,
            match (self.hash_s, self.send_s) {
                (Some(h), Some(s)) => format!(" (hash {h:.2} s, send {s:.2} s)"),
                _ => String::new(),
            }
        )
    }
}

/// Chunks handed from one stage's thread to the next.
const PIPE_CHUNK: usize = 1 << 20;
/// Chunks in flight between two stages (bounds memory: PIPE_DEPTH + 2 chunks per queue).
const PIPE_DEPTH: usize = 2;

/// A writer that sends full chunks to another thread, timing how long it waits for room.
struct ChunkSender {
    buf: Vec<u8>,
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
    waited: Duration,
}

impl ChunkSender {
    fn new(tx: std::sync::mpsc::SyncSender<Vec<u8>>) -> Self {
        ChunkSender { buf: Vec::with_capacity(PIPE_CHUNK), tx, waited: Duration::ZERO }
    }
}

impl Write for ChunkSender {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        let n = b.len().min(PIPE_CHUNK - self.buf.len());
        self.buf.extend_from_slice(&b[..n]);
        if self.buf.len() == PIPE_CHUNK {
            self.flush()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(PIPE_CHUNK));
            let t = Instant::now();
            let sent = self.tx.send(full);
            self.waited += t.elapsed();
            sent.map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the next stage stopped"))?;
        }
        Ok(())
    }
}

fn secs(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0).round() / 1000.0
}

/// The export pipeline, one thread per stage with bounded queues between them: the walk reads
/// files and writes tar → the compressor feeds zstd's workers → this thread writes `out` (the
/// sink: hashing and the stream, or an S3 upload). Reading never waits on the stream unless the
/// queues are full, and the stream never waits on the disk while compressed chunks are queued.
/// Memory stays bounded: two queues of [`PIPE_DEPTH`] 1 MiB chunks and zstd's jobs.
/// Returns the walk's statistics, the tracked entries (see [`WalkConfig::track`]) and the
/// per-stage timings.
pub fn write_tar_zst(root: &OwnedFd, cfg: &WalkConfig, out: &mut dyn Write) -> io::Result<(WalkStats, Vec<Entry>, Stages)> {
    let started = Instant::now();
    let (tar_tx, tar_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(PIPE_DEPTH);
    let (z_tx, z_rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(PIPE_DEPTH);
    let workers = zstd_workers();
    let mut stages = Stages { zstd_workers: workers, ..Default::default() };
    let result: io::Result<(WalkStats, Vec<Entry>)> = std::thread::scope(|s| {
        let walker = s.spawn(move || -> io::Result<(WalkStats, Vec<Entry>, Duration, Duration)> {
            let mut tracked = Vec::new();
            let mut cb = |e: Entry| {
                if e.tar_offset.is_some() {
                    tracked.push(e);
                }
            };
            let walker = Walker::new(ChunkSender::new(tar_tx), cfg, &mut cb);
            let (mut sender, stats, read) = walker.run_timed(root)?;
            sender.flush()?;
            Ok((stats, tracked, read, sender.waited))
        });
        let compressor = s.spawn(move || -> io::Result<(Duration, Duration)> {
            let mut busy = Duration::ZERO;
            let mut z = zstd_writer(ChunkSender::new(z_tx))?;
            for chunk in tar_rx.iter() {
                let t = Instant::now();
                z.write_all(&chunk)?;
                busy += t.elapsed();
            }
            let t = Instant::now();
            let mut sender = z.finish()?;
            busy += t.elapsed();
            sender.flush()?;
            let waited = sender.waited;
            Ok((busy.saturating_sub(waited), waited))
            // tar_rx is dropped on an error: the walker's next send fails
        });
        let mut sink = Duration::ZERO;
        let written = (|| -> io::Result<()> {
            for chunk in z_rx.iter() {
                let t = Instant::now();
                out.write_all(&chunk)?;
                sink += t.elapsed();
            }
            Ok(())
        })();
        // z_rx is dropped here: on an output error the compressor's next send fails
        drop(z_rx);
        let compressed = compressor.join().map_err(|_| io::Error::other("the export compressor panicked"))?;
        let walked = walker.join().map_err(|_| io::Error::other("the export walker panicked"))?;
        written?;
        let (compress, compress_wait) = compressed?;
        let (stats, tracked, read, walk_wait) = walked?;
        stages.read_s = secs(read);
        stages.walk_wait_s = secs(walk_wait);
        stages.compress_s = secs(compress);
        stages.compress_wait_s = secs(compress_wait);
        stages.sink_s = secs(sink);
        Ok((stats, tracked))
    });
    let (stats, tracked) = result?;
    stages.wall_s = secs(started.elapsed());
    Ok((stats, tracked, stages))
}

/// `kforensic agent export-dir`: any directory as tar (or tar.zst) into a file, hashed on the way.
#[derive(Debug, Serialize)]
pub struct ExportDirReport {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
    pub files: u64,
    pub dirs: u64,
    pub file_bytes: u64,
    pub problems: usize,
}

pub fn export_dir(dir: &Path, out: &Path, zstd: bool) -> io::Result<ExportDirReport> {
    let root = safefs::open_dir_path(dir)?;
    let f = std::fs::File::create(out)?;
    let mut hw = HashingWriter::new(io::BufWriter::with_capacity(1 << 20, f));
    let cfg = WalkConfig::default();
    let stats = if zstd {
        write_tar_zst(&root, &cfg, &mut hw)?.0
    } else {
        let mut cb = |_e| {};
        let (_, stats) = Walker::new(&mut hw, &cfg, &mut cb).run(&root)?;
        stats
    };
    hw.flush()?;
    let (_, bytes, sha256) = hw.finish();
    Ok(ExportDirReport {
        path: out.display().to_string(),
        bytes,
        sha256,
        files: stats.files,
        dirs: stats.dirs,
        file_bytes: stats.file_bytes,
        problems: stats.problems.len() + stats.problems_dropped as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    // an independent implementation checks ours
    use sha2::{Digest, Sha256};

    #[test]
    fn mounts_are_left_out_unless_volumes_are_asked_for() {
        let m = mountinfo::parse(
            "1 0 0:1 / / rw - overlay overlay rw,upperdir=/u,lowerdir=/l\n\
             2 1 0:2 / /proc rw - proc proc rw\n\
             3 1 0:3 / /data rw - ext4 /dev/sda rw\n\
             4 1 0:4 / /etc/hosts rw - ext4 /dev/sda rw\n\
             5 1 0:5 / /dev/shm rw - tmpfs shm rw\n",
        );
        let c = config_for(&m, false);
        for p in ["proc", "sys", "dev", "data", "etc/hosts", "dev/shm"] {
            assert!(c.no_descend.contains(p.as_bytes()), "{p}");
        }
        let c = config_for(&m, true);
        assert!(c.allow_mounts.contains(&b"data"[..]));
        assert!(c.no_descend.contains(&b"proc"[..]) && c.no_descend.contains(&b"dev/shm"[..]));
    }

    struct FailsAfter(usize);

    impl Write for FailsAfter {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            if b.len() > self.0 {
                return Err(io::Error::other("disk full"));
            }
            self.0 -= b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn an_output_error_ends_the_export_without_hanging() {
        let t = tempfile::tempdir().unwrap();
        let mut x = 0x9E3779B97F4A7C15u64;
        for i in 0..8 {
            let data: Vec<u8> = (0..(1 << 20))
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect();
            std::fs::write(t.path().join(format!("f{i}")), data).unwrap();
        }
        let root = safefs::open_dir_path(t.path()).unwrap();
        let r = write_tar_zst(&root, &WalkConfig::default(), &mut FailsAfter(100_000));
        assert_eq!(r.unwrap_err().to_string(), "disk full");
    }

    #[test]
    fn export_dir_writes_a_readable_hashed_archive() {
        let t = tempfile::tempdir().unwrap();
        let d = t.path().join("d");
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::write(d.join("a/b/f"), vec![7u8; 100_000]).unwrap();
        let out = t.path().join("x.tar.zst");
        let r = export_dir(&d, &out, true).unwrap();
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(r.bytes, bytes.len() as u64);
        assert_eq!(r.sha256, hex::encode(Sha256::digest(&bytes)));
        let mut a = tar::Archive::new(zstd::Decoder::new(&bytes[..]).unwrap());
        let mut found = false;
        for e in a.entries().unwrap() {
            let e = e.unwrap();
            if e.path().unwrap().to_str() == Some("a/b/f") {
                found = e.header().size().unwrap() == 100_000;
            }
        }
        assert!(found);
    }
}
