//! What `kforensic analyze` prints: the summary plus every view asked for.

use super::archive::Archive;
use super::criu::Dump;
use super::deleted::{DeletedFile, Written};
use super::dump::DumpReport;
use super::metadata::{Metadata, Mount};
use super::rootfs::{Compression, DIFF_TAR, DiffEntry, DiffListing};
use super::search::Hit;
use super::views::{FileRow, ProcessRow, SocketRow};
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub archive: PathBuf,
    pub format: String,
    pub container: Option<String>,
    pub container_id: Option<String>,
    pub pod: Option<String>,
    pub namespace: Option<String>,
    pub image: Option<String>,
    pub image_ref: Option<String>,
    /// the container engine that wrote the archive: containerd, cri-o, podman
    pub engine: Option<String>,
    /// the OCI runtime (`io.containerd.runc.v2`, `runc`, `crun`)
    pub runtime: Option<String>,
    pub created: Option<String>,
    pub checkpointed: Option<String>,
    pub criu_version: Option<String>,
    pub processes: usize,
    pub threads: usize,
    /// bytes of pages-*.img (process memory)
    pub memory_pages_bytes: u64,
    pub rootfs_diff_bytes: Option<u64>,
    /// how rootfs-diff.tar is stored (none, gzip, zstd)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rootfs_diff_compression: Option<Compression>,
    /// paths the container deleted: `deleted.files` and the diff's whiteouts, each counted once
    pub deleted_files: usize,
    /// directories the container made opaque (`.wh..wh..opq`: the image's content below is hidden)
    pub opaque_dirs: usize,
    /// total bytes of the CRIU images
    pub checkpoint_bytes: u64,
    /// CRIU ghost files: deleted files still held by a process, whose content the dump saved
    pub ghost_files: usize,
}

impl Summary {
    pub fn build(ar: &Archive, d: Option<&Dump>, m: &Metadata, diff: Option<&DiffListing>) -> Summary {
        let dir = d.map(|d| d.dir.as_str());
        Summary {
            archive: ar.source.clone(),
            format: ar.format.to_string(),
            container: m.container(),
            container_id: m.container_id(),
            pod: m.pod(),
            namespace: m.namespace(),
            image: m.image(),
            image_ref: m.image_ref(),
            engine: m.engine.map(|e| e.as_str().to_string()),
            runtime: m.runtime(),
            created: m.created(),
            checkpointed: m.checkpointed(),
            criu_version: m.criu_version.clone(),
            processes: d.map(|d| d.tasks.len()).unwrap_or(0),
            threads: d.map(|d| d.tasks.iter().map(|t| t.threads.len().max(1)).sum()).unwrap_or(0),
            memory_pages_bytes: d.map(|d| d.pages_bytes).unwrap_or(0),
            rootfs_diff_bytes: ar.get(DIFF_TAR).map(|m| m.size),
            rootfs_diff_compression: diff.and_then(|l| l.compression),
            deleted_files: deleted(m, diff).len(),
            opaque_dirs: diff.map(|l| l.opaque.len()).unwrap_or(0),
            checkpoint_bytes: dir.map(|dir| ar.children(dir).map(|(_, m)| m.size).sum()).unwrap_or(0),
            ghost_files: dir.map(|dir| ar.children(dir).filter(|(n, _)| super::ghost::id_from_name(n).is_some()).count()).unwrap_or(0),
        }
    }
}

/// Every path the container deleted, once: `deleted.files` (CRI-O, Podman) first, then the
/// diff's whiteouts (containerd 2.x writes only those).
pub fn deleted(m: &Metadata, diff: Option<&DiffListing>) -> Vec<String> {
    let key = |p: &str| format!("/{}", p.trim_matches('/'));
    let mut seen = std::collections::HashSet::new();
    let from_diff = diff.map(|l| l.deleted.as_slice()).unwrap_or_default();
    m.deleted_files.iter().chain(from_diff).filter(|p| seen.insert(key(p))).cloned().collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct RootfsDiff {
    /// how rootfs-diff.tar is stored (none, gzip, zstd); absent without one
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compression: Option<Compression>,
    pub changed: Vec<DiffEntry>,
    /// deleted paths: `deleted.files` and the diff's whiteouts (`.wh.NAME`), each once
    pub deleted: Vec<String>,
    /// directories made opaque (`.wh..wh..opq`)
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub opaque: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Extracted {
    pub path: String,
    pub written: PathBuf,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchReport {
    pub pattern: String,
    pub regex: bool,
    pub bytes_scanned: u64,
    /// the match cap stopped the search
    pub truncated: bool,
    pub hits: Vec<Hit>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processes: Option<Vec<ProcessRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<FileRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sockets: Option<Vec<SocketRow>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mounts: Option<Vec<Mount>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rootfs_diff: Option<RootfsDiff>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extracted: Option<Extracted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<SearchReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_dump: Option<DumpReport>,
    /// `--deleted`: deleted files whose bytes the checkpoint holds
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Vec<DeletedFile>>,
    /// `--stats`: CRIU's dump statistics (stats-dump)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<Stats>,
    /// `--network`: the container's interfaces (Podman's network.status)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network: Option<Vec<super::network::Interface>>,
    /// `--extract-deleted`: what was written
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extracted_deleted: Option<Vec<Written>>,
    /// Views (or metadata files) that could not be read, one line each; the rest of the report
    /// stands. Not empty: the analysis is partial.
    pub errors: Vec<String>,
}

impl Report {
    /// Some view was produced (else only the summary is there).
    pub fn has_views(&self) -> bool {
        self.processes.is_some()
            || self.files.is_some()
            || self.sockets.is_some()
            || self.mounts.is_some()
            || self.rootfs_diff.is_some()
            || self.extracted.is_some()
            || self.search.is_some()
            || self.memory_dump.is_some()
            || self.deleted.is_some()
            || self.extracted_deleted.is_some()
            || self.stats.is_some()
            || self.network.is_some()
    }
}

/// CRIU's `stats-dump`: how long the container was frozen and how much memory was written.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Stats {
    /// microseconds spent freezing the processes
    pub freezing_time_us: u32,
    /// microseconds the processes stayed frozen
    pub frozen_time_us: u32,
    /// microseconds spent collecting memory
    pub memdump_time_us: u32,
    /// microseconds spent writing memory
    pub memwrite_time_us: u32,
    pub pages_scanned: u64,
    pub pages_skipped_parent: u64,
    pub pages_written: u64,
}

impl From<&super::proto::DumpStatsEntry> for Stats {
    fn from(e: &super::proto::DumpStatsEntry) -> Self {
        Stats {
            freezing_time_us: e.freezing_time,
            frozen_time_us: e.frozen_time,
            memdump_time_us: e.memdump_time,
            memwrite_time_us: e.memwrite_time,
            pages_scanned: e.pages_scanned,
            pages_skipped_parent: e.pages_skipped_parent,
            pages_written: e.pages_written,
        }
    }
}
