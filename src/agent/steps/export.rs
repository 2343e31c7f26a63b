//! export: the container's merged root filesystem as seen by its processes (`/proc/<pid>/root`),
//! streamed as tar through zstd. Mount points inside the container (/proc, /sys, /dev, volumes,
//! kubelet's bind-mounted files) are left out unless volumes are asked for; pseudo filesystems
//! are always left out.

use crate::agent::proc::mountinfo::{self, Mount};
use crate::agent::safefs;
use crate::agent::steps::walk::{WalkConfig, WalkStats, Walker};
use crate::evidence::HashingWriter;
use serde::Serialize;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::Path;

/// zstd level for every `.tar.zst` artifact (fast, ~3x on typical root filesystems).
pub const ZSTD_LEVEL: i32 = 3;

/// Bytes per zstd worker job.
const JOB_SIZE: u32 = 2 << 20;

/// A zstd encoder using the node's cores (at most 4 workers: the agent shares the node).
pub fn zstd_writer<W: Write>(w: W) -> io::Result<zstd::Encoder<'static, W>> {
    let mut z = zstd::Encoder::new(w, ZSTD_LEVEL)?;
    let n = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(4) as u32;
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
    #[serde(flatten)]
    pub stats: WalkStats,
}

/// Export the root of `pid` into `out` as tar.zst.
pub fn export_root(pid: i32, include_volumes: bool, out: &mut dyn Write) -> io::Result<ExportReport> {
    let root = safefs::open_dir_path(Path::new(&format!("/proc/{pid}/root")))?;
    let mounts = mountinfo::read(pid)?;
    let cfg = config_for(&mounts, include_volumes);
    let stats = write_tar_zst(&root, &cfg, out)?;
    let show = |s: &std::collections::HashSet<Vec<u8>>| {
        let mut v: Vec<String> = s.iter().map(|p| format!("/{}", String::from_utf8_lossy(p))).collect();
        v.sort();
        v
    };
    Ok(ExportReport {
        container: String::new(),
        root: format!("/proc/{pid}/root"),
        include_volumes,
        excluded_mounts: show(&cfg.no_descend),
        included_mounts: show(&cfg.allow_mounts),
        stats,
    })
}

/// Tar chunks handed from the walking thread to the compressing one.
const PIPE_CHUNK: usize = 1 << 20;
/// Chunks in flight between them (bounds memory: PIPE_DEPTH + 2 chunks).
const PIPE_DEPTH: usize = 4;

/// A writer that sends full chunks to another thread.
struct ChunkSender {
    buf: Vec<u8>,
    tx: std::sync::mpsc::SyncSender<Vec<u8>>,
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
            self.tx.send(full).map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the compressing side stopped"))?;
        }
        Ok(())
    }
}

/// Walk `root` as tar on one thread while this one compresses (zstd workers) and writes `out`:
/// reading files and compressing overlap; memory stays bounded by the chunk queue and zstd's jobs.
pub fn write_tar_zst(root: &OwnedFd, cfg: &WalkConfig, out: &mut dyn Write) -> io::Result<WalkStats> {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<u8>>(PIPE_DEPTH);
    std::thread::scope(|s| {
        let walker = s.spawn(move || -> io::Result<WalkStats> {
            let mut cb = |_e| {};
            let sender = ChunkSender { buf: Vec::with_capacity(PIPE_CHUNK), tx };
            let (mut sender, stats) = Walker::new(sender, cfg, &mut cb).run(root)?;
            sender.flush()?;
            Ok(stats)
        });
        let compressed = {
            let rx = rx;
            (|| -> io::Result<()> {
                let mut z = zstd_writer(&mut *out)?;
                for chunk in rx.iter() {
                    z.write_all(&chunk)?;
                }
                z.finish()?;
                Ok(())
            })()
            // rx is dropped here: on a compression/output error the walker's next send fails
        };
        let walked = walker.join().map_err(|_| io::Error::other("the export walker panicked"))?;
        compressed?;
        walked
    })
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
        write_tar_zst(&root, &cfg, &mut hw)?
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
