//! `analyze diff A B`: what changed between two checkpoints of (usually) the same container —
//! processes (by pid + comm + executable), open files of the processes in both, sockets, mounts,
//! and the rootfs diff's entries and deletions. Each item is added, removed or changed (or, when
//! asked, unchanged), with its value before and after.
//!
//! Files are compared only for processes present in both checkpoints (a new process's files come
//! with it) and without sockets (they are their own view, keyed by what they are, not by fd or
//! inode: a socket re-created with the same addresses is the same socket).

use super::archive::Archive;
use super::{AnalyzeError, criu, metadata, rootfs, views};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    Process,
    File,
    Socket,
    Mount,
    Rootfs,
}

#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub view: View,
    pub change: Change,
    /// what is compared: `pid 12 kworker /tmp/x`, `pid 1 fd 3`, `/etc/passwd`
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
    pub unchanged: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub before: PathBuf,
    pub after: PathBuf,
    pub counts: Counts,
    pub items: Vec<Item>,
    /// parts that could not be compared (a view one archive lacks or cannot read)
    pub errors: Vec<String>,
}

/// One checkpoint's comparable facts, view → key → value.
#[derive(Default)]
struct Facts {
    views: BTreeMap<View, BTreeMap<String, String>>,
    /// process keys by pid, to compare files only of processes in both
    procs: BTreeMap<u32, String>,
    files: Vec<(u32, String, String)>,
}

fn facts(path: &Path, limits: super::archive::Limits, errors: &mut Vec<String>) -> Result<Facts, AnalyzeError> {
    let ar = Archive::open(path, limits)?;
    let mut f = Facts::default();
    let shown = path.display().to_string();
    match criu::images_dir(&ar).map(|_| criu::Dump::load(&ar)) {
        Some(Ok(d)) => {
            let ps = f.views.entry(View::Process).or_default();
            for p in views::processes(&d, false, false) {
                let key = format!("pid {} {} {}", p.pid, p.comm, p.exe.as_deref().unwrap_or("-"));
                ps.insert(key.clone(), format!("ppid {} uid {} {}", p.ppid, p.uid.map(|u| u.to_string()).unwrap_or("-".into()), p.state));
                f.procs.insert(p.pid, key);
            }
            for r in views::files(&d) {
                if r.path.starts_with("socket:[") {
                    continue;
                }
                f.files.push((
                    r.pid,
                    format!("fd {}", r.fd),
                    format!("{} {}{}", r.kind, r.path, if r.deleted { " (deleted)" } else { "" }),
                ));
            }
            let ss = f.views.entry(View::Socket).or_default();
            for s in views::sockets(&d) {
                let remote = if s.remote.is_empty() { String::new() } else { format!(" -> {}", s.remote) };
                ss.insert(format!("pid {} {} {}{remote}", s.pid, s.proto, s.local), s.state);
            }
        }
        Some(Err(e)) => errors.push(format!("{shown}: processes, files and sockets not compared: {e}")),
        None => errors.push(format!("{shown}: no CRIU images: processes, files and sockets not compared")),
    }
    let dir = criu::images_dir(&ar).unwrap_or("checkpoint");
    match metadata::Metadata::load(&ar, dir) {
        Ok(m) if m.spec_error.is_none() => {
            let ms = f.views.entry(View::Mount).or_default();
            for m in m.mounts() {
                ms.insert(m.destination.clone(), format!("{} {} {}", m.kind, m.source, m.options));
            }
        }
        Ok(m) => errors.push(format!("{shown}: mounts not compared: {}", m.spec_error.unwrap_or_default())),
        Err(e) => errors.push(format!("{shown}: mounts not compared: {e}")),
    }
    if ar.get(rootfs::DIFF_TAR).is_some() {
        match rootfs::list(&ar) {
            Ok(l) => {
                let rs = f.views.entry(View::Rootfs).or_default();
                for e in &l.changed {
                    let link = e.link_target.as_deref().map(|t| format!(" -> {t}")).unwrap_or_default();
                    rs.insert(e.path.clone(), format!("{} {} {} bytes{link}", e.kind, e.mode, e.size));
                }
                for p in l.deleted.iter() {
                    rs.insert(format!("/{}", p.trim_matches('/')), "deleted".into());
                }
            }
            Err(e) => errors.push(format!("{shown}: rootfs diff not compared: {e}")),
        }
    }
    Ok(f)
}

/// Compare checkpoint `a` (before) with `b` (after).
pub fn diff(a: &Path, b: &Path, show_unchanged: bool, limits: super::archive::Limits) -> Result<DiffReport, AnalyzeError> {
    let mut errors = Vec::new();
    let mut fa = facts(a, limits, &mut errors)?;
    let mut fb = facts(b, limits, &mut errors)?;
    // files of the processes in both, keyed by the process and the descriptor
    let (pa, pb) = (fa.procs.clone(), fb.procs.clone());
    for (f, other) in [(&mut fa, pb), (&mut fb, pa)] {
        let files = f.views.entry(View::File).or_default();
        for (pid, fd, v) in &f.files {
            match (f.procs.get(pid), other.get(pid)) {
                (Some(k), Some(k2)) if k == k2 => {
                    files.insert(format!("{k} {fd}"), v.clone());
                }
                _ => {}
            }
        }
    }
    let mut items = Vec::new();
    let mut counts = Counts::default();
    for view in [View::Process, View::File, View::Socket, View::Mount, View::Rootfs] {
        let empty = BTreeMap::new();
        let (ma, mb) = (fa.views.get(&view).unwrap_or(&empty), fb.views.get(&view).unwrap_or(&empty));
        let keys: std::collections::BTreeSet<&String> = ma.keys().chain(mb.keys()).collect();
        for k in keys {
            let (x, y) = (ma.get(k), mb.get(k));
            let change = match (x, y) {
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                (Some(x), Some(y)) if x != y => Change::Changed,
                _ => Change::Unchanged,
            };
            match change {
                Change::Added => counts.added += 1,
                Change::Removed => counts.removed += 1,
                Change::Changed => counts.changed += 1,
                Change::Unchanged => counts.unchanged += 1,
            }
            if change == Change::Unchanged && !show_unchanged {
                continue;
            }
            items.push(Item { view, change, key: k.clone(), before: x.cloned(), after: y.cloned() });
        }
    }
    Ok(DiffReport { before: a.to_path_buf(), after: b.to_path_buf(), counts, items, errors })
}
