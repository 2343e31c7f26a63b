//! What `kforensic analyze` prints: the summary plus every view asked for.

use super::archive::Archive;
use super::criu::Dump;
use super::dump::DumpReport;
use super::metadata::{Metadata, Mount};
use super::rootfs::{DiffEntry, DIFF_TAR};
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
    pub runtime: Option<String>,
    pub created: Option<String>,
    pub checkpointed: Option<String>,
    pub criu_version: Option<String>,
    pub processes: usize,
    pub threads: usize,
    /// bytes of pages-*.img (process memory)
    pub memory_pages_bytes: u64,
    pub rootfs_diff_bytes: Option<u64>,
    pub deleted_files: usize,
    /// total bytes of the CRIU images
    pub checkpoint_bytes: u64,
}

impl Summary {
    pub fn build(ar: &Archive, d: Option<&Dump>, m: &Metadata) -> Summary {
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
            runtime: m.runtime(),
            created: m.created(),
            checkpointed: m.checkpointed(),
            criu_version: m.criu_version.clone(),
            processes: d.map(|d| d.tasks.len()).unwrap_or(0),
            threads: d.map(|d| d.tasks.iter().map(|t| t.threads.len().max(1)).sum()).unwrap_or(0),
            memory_pages_bytes: d.map(|d| d.pages_bytes).unwrap_or(0),
            rootfs_diff_bytes: ar.get(DIFF_TAR).map(|m| m.size),
            deleted_files: m.deleted_files.len(),
            checkpoint_bytes: dir.map(|dir| ar.children(dir).map(|(_, m)| m.size).sum()).unwrap_or(0),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RootfsDiff {
    pub changed: Vec<DiffEntry>,
    pub deleted: Vec<String>,
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
}

