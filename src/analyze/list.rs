//! `analyze list DIR`: the checkpoint archives in one directory (such as the kubelet's
//! `/var/lib/kubelet/checkpoints`), each with its engine, container, pod, namespace, times and
//! size. Entries are never followed when they are symlinks; an entry that is not a checkpoint is
//! listed as skipped with the reason, one that is but cannot be read as an error.

use super::{AnalyzeError, Options};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Most entries of the directory looked at.
const MAX_ENTRIES: usize = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    #[default]
    Name,
    /// checkpointed time, then created
    Time,
    Size,
    Pod,
    Container,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub name: String,
    pub path: PathBuf,
    pub format: String,
    pub engine: Option<String>,
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub container: Option<String>,
    pub image: Option<String>,
    pub created: Option<String>,
    pub checkpointed: Option<String>,
    /// bytes on disk (a directory: the sum of its files)
    pub size: u64,
    pub processes: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Skipped {
    pub name: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListReport {
    pub dir: PathBuf,
    pub archives: Vec<Listed>,
    /// entries that are not checkpoint archives, with why
    pub skipped: Vec<Skipped>,
    /// checkpoint archives that could not be read, one line each
    pub errors: Vec<String>,
}

fn size_of(p: &Path) -> u64 {
    let Ok(m) = std::fs::symlink_metadata(p) else { return 0 };
    if m.is_file() {
        return m.len();
    }
    if !m.is_dir() {
        return 0;
    }
    let mut total = 0;
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(e.path()),
                Ok(t) if t.is_file() => total += e.metadata().map(|m| m.len()).unwrap_or(0),
                _ => {}
            }
        }
    }
    total
}

/// List the checkpoint archives directly in `dir`, sorted by `sort`. `base` gives the caps every
/// archive is opened with.
pub fn list(dir: &Path, sort: SortBy, base: &Options) -> Result<ListReport, AnalyzeError> {
    let rd = std::fs::read_dir(dir).map_err(|e| AnalyzeError::Open { path: dir.to_path_buf(), source: e })?;
    let mut r = ListReport { dir: dir.to_path_buf(), archives: Vec::new(), skipped: Vec::new(), errors: Vec::new() };
    let mut entries: Vec<_> = rd.flatten().take(MAX_ENTRIES).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        let Ok(t) = e.file_type() else { continue };
        if t.is_symlink() {
            r.skipped.push(Skipped { name, reason: "a symbolic link (never followed)".into() });
            continue;
        }
        if !t.is_file() && !t.is_dir() {
            r.skipped.push(Skipped { name, reason: "not a regular file or directory".into() });
            continue;
        }
        let o = Options { archive: path.clone(), limits: base.limits, ..Default::default() };
        match super::run(&o) {
            Ok(rep) => {
                let s = rep.summary;
                r.archives.push(Listed {
                    name,
                    size: size_of(&path),
                    path,
                    format: s.format,
                    engine: s.engine,
                    namespace: s.namespace,
                    pod: s.pod,
                    container: s.container,
                    image: s.image,
                    created: s.created,
                    checkpointed: s.checkpointed,
                    processes: s.processes,
                });
            }
            Err(AnalyzeError::NotACheckpoint(_)) => {
                r.skipped.push(Skipped { name, reason: "not a checkpoint archive".into() });
            }
            Err(e) => r.errors.push(format!("{name}: {e}")),
        }
    }
    let key = |a: &Listed| -> (String, String) {
        match sort {
            SortBy::Name => (a.name.clone(), String::new()),
            SortBy::Time => (a.checkpointed.clone().or_else(|| a.created.clone()).unwrap_or_default(), a.name.clone()),
            SortBy::Size => (format!("{:020}", a.size), a.name.clone()),
            SortBy::Pod => (format!("{}/{}", a.namespace.as_deref().unwrap_or(""), a.pod.as_deref().unwrap_or("")), a.name.clone()),
            SortBy::Container => (a.container.clone().unwrap_or_default(), a.name.clone()),
        }
    };
    r.archives.sort_by_key(key);
    Ok(r)
}
