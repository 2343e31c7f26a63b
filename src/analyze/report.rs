//! What `kforensic analyze` prints: the summary plus every view asked for.

use super::archive::Archive;
use super::criu::Dump;
use super::dump::DumpReport;
use super::metadata::{Metadata, Mount};
use super::rootfs::{DiffEntry, DIFF_TAR};
use super::search::Hit;
use super::views::{FileRow, ProcessRow, SocketRow};
use crate::cli::output::{table, TableView};
use serde::Serialize;
use std::fmt::Write;
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

use crate::cli::output::human_bytes;

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

/// Make a hostile string safe to print on a terminal (no escape sequences, one line).
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

impl Summary {
    fn table(&self) -> String {
        let s = self;
        let rows = vec![
            vec!["archive".into(), format!("{} ({})", s.archive.display(), s.format)],
            vec!["container".into(), opt(&s.container)],
            vec!["container id".into(), opt(&s.container_id)],
            vec!["pod".into(), opt(&s.pod)],
            vec!["namespace".into(), opt(&s.namespace)],
            vec!["image".into(), opt(&s.image)],
            vec!["image ref".into(), opt(&s.image_ref)],
            vec!["runtime".into(), opt(&s.runtime)],
            vec!["created".into(), opt(&s.created)],
            vec!["checkpointed".into(), opt(&s.checkpointed)],
            vec!["CRIU version".into(), opt(&s.criu_version)],
            vec!["processes".into(), format!("{} ({} threads)", s.processes, s.threads)],
            vec!["memory pages".into(), human_bytes(s.memory_pages_bytes)],
            vec!["checkpoint images".into(), human_bytes(s.checkpoint_bytes)],
            vec!["rootfs diff".into(), s.rootfs_diff_bytes.map(human_bytes).unwrap_or_else(|| "-".into())],
            vec!["deleted files".into(), s.deleted_files.to_string()],
        ];
        let rows = rows.into_iter().map(|r| r.into_iter().map(|c: String| clean(&c)).collect());
        format!("{}\n", table(&["FIELD", "VALUE"], rows))
    }
}

impl TableView for Report {
    fn table(&self) -> String {
        let mut out = String::new();
        let any_view = self.processes.is_some()
            || self.files.is_some()
            || self.sockets.is_some()
            || self.mounts.is_some()
            || self.rootfs_diff.is_some()
            || self.extracted.is_some()
            || self.search.is_some()
            || self.memory_dump.is_some();
        if !any_view {
            out.push_str(&self.summary.table());
        }
        if let Some(ps) = &self.processes {
            let with_cmd = ps.iter().any(|p| p.cmdline.is_some());
            let with_env = ps.iter().any(|p| p.env.is_some());
            let with_location = ps.iter().any(|p| p.location.is_some());
            let mut h = vec!["PID", "PPID", "USER", "STATE", "COMM", "EXE"];
            if with_location {
                h.push("WAITING IN");
            }
            if with_cmd {
                h.push("CMDLINE");
            }
            let rows = ps.iter().map(|p| {
                let mut r = vec![
                    p.pid.to_string(),
                    p.ppid.to_string(),
                    p.uid.map(|u| u.to_string()).unwrap_or_else(|| "-".into()),
                    p.state.clone(),
                    format!("{}{}", "  ".repeat(p.depth.min(16)), clean(&p.comm)),
                    clean(&format!("{}{}", p.exe.as_deref().unwrap_or("-"), if p.exe_deleted { " (deleted)" } else { "" })),
                ];
                if with_location {
                    r.push(clean(p.location.as_deref().unwrap_or("-")));
                }
                if with_cmd {
                    r.push(clean(&p.cmdline.as_ref().map(|c| c.join(" ")).unwrap_or_default()));
                }
                r
            });
            let _ = writeln!(out, "{}", table(&h, rows));
            if with_env {
                for p in ps {
                    let _ = writeln!(out, "\nenvironment of pid {} ({}):", p.pid, clean(&p.comm));
                    for e in p.env.iter().flatten() {
                        let _ = writeln!(out, "  {}", clean(e));
                    }
                }
            }
        }
        if let Some(fs) = &self.files {
            let rows = fs.iter().map(|f| {
                vec![
                    f.pid.to_string(),
                    f.fd.clone(),
                    f.kind.clone(),
                    f.flags.clone().unwrap_or_default(),
                    clean(&format!("{}{}", f.path, if f.deleted && !f.path.ends_with("(deleted)") { " (deleted)" } else { "" })),
                ]
            });
            let _ = writeln!(out, "{}", table(&["PID", "FD", "TYPE", "MODE", "PATH"], rows));
        }
        if let Some(ss) = &self.sockets {
            let rows = ss.iter().map(|s| {
                vec![s.pid.to_string(), s.fd.to_string(), s.proto.clone(), clean(&s.local), clean(&s.remote), s.state.clone(), s.inode.to_string()]
            });
            let _ = writeln!(out, "{}", table(&["PID", "FD", "PROTO", "LOCAL", "REMOTE", "STATE", "INODE"], rows));
        }
        if let Some(ms) = &self.mounts {
            let rows = ms.iter().map(|m| vec![clean(&m.destination), clean(&m.kind), clean(&m.source), clean(&m.options)]);
            let _ = writeln!(out, "{}", table(&["DESTINATION", "TYPE", "SOURCE", "OPTIONS"], rows));
        }
        if let Some(d) = &self.rootfs_diff {
            let rows = d
                .changed
                .iter()
                .map(|e| {
                    let p = match &e.link_target {
                        Some(t) => format!("{} -> {}", e.path, t),
                        None => e.path.clone(),
                    };
                    vec!["A/C".to_string(), e.kind.to_string(), e.mode.clone(), e.size.to_string(), clean(&p)]
                })
                .chain(d.deleted.iter().map(|p| vec!["D".into(), "-".into(), "-".into(), "-".into(), clean(p)]));
            let _ = writeln!(out, "{}", table(&["CHANGE", "KIND", "MODE", "SIZE", "PATH"], rows));
        }
        if let Some(x) = &self.extracted {
            let _ = writeln!(out, "extracted {} ({} bytes) to {}", clean(&x.path), x.bytes, x.written.display());
        }
        if let Some(s) = &self.search {
            let rows = s.hits.iter().map(|h| {
                let region = h
                    .region
                    .as_ref()
                    .map(|r| format!("{:x}-{:x} {} {}", r.start, r.end, r.perms, r.name))
                    .unwrap_or_else(|| "-".into());
                vec![h.pid.to_string(), clean(&h.comm), format!("{:#x}", h.address), clean(&region), h.context.clone()]
            });
            let _ = writeln!(out, "{}", table(&["PID", "COMM", "ADDRESS", "VMA", "CONTEXT"], rows));
            let _ = writeln!(
                out,
                "{} match(es) for {:?} in {} of memory{}",
                s.hits.len(),
                clean(&s.pattern),
                human_bytes(s.bytes_scanned),
                if s.truncated { " (stopped at --max-matches)" } else { "" }
            );
        }
        if let Some(m) = &self.memory_dump {
            let rows = m.regions.iter().map(|r| {
                vec![format!("{:x}-{:x}", r.start, r.end), r.perms.clone(), clean(&r.name), format!("{:#x}", r.file_offset), r.stored.to_string()]
            });
            let _ = writeln!(out, "{}", table(&["RANGE", "PERMS", "NAME", "FILE OFFSET", "STORED"], rows));
            let _ = writeln!(
                out,
                "wrote pid {} memory ({} stored) to {} (ELF core layout), map in {}",
                m.pid,
                human_bytes(m.bytes_stored),
                m.output.display(),
                m.map.display()
            );
        }
        out
    }
}
