//! Offline analysis of checkpoint archives (kubelet / CRI-O / containerd) and CRIU images.
//!
//! `archive` reads the archive safely; `image` + `proto` decode CRIU images; `criu` builds the
//! processes; `memory` is the source-independent model of a process's memory that `search`
//! and `dump` use; `metadata` reads the engine's files; `rootfs` the file-system diff;
//! `views` and `report` shape what the user sees.

pub mod archive;
pub mod core;
pub mod criu;
pub mod dump;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod image;
pub mod memory;
pub mod metadata;
pub mod proto;
pub mod report;
pub mod rootfs;
pub mod search;
pub mod views;

pub use error::AnalyzeError;
pub use report::{Report, Summary};

use archive::{Archive, Limits};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub enum Needle {
    Fixed(String),
    Regex(String),
}

/// What to analyse and which views to produce (resolved from the command line).
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub archive: PathBuf,
    pub ps_tree: bool,
    pub cmd: bool,
    pub env: bool,
    pub files: bool,
    pub sockets: bool,
    pub mounts: bool,
    pub rootfs_diff: bool,
    /// (path inside the container, output directory)
    pub extract: Option<(String, PathBuf)>,
    pub search: Option<Needle>,
    pub pid: Option<u32>,
    pub context: usize,
    pub max_matches: usize,
    /// (pid, output file)
    pub dump_memory: Option<(u32, PathBuf)>,
    pub limits: Limits,
}

/// Run the analysis: open the archive, decode it, build the requested views.
pub fn run(o: &Options) -> Result<Report, AnalyzeError> {
    if let Some(cores) = cores_to_read(&o.archive) {
        return run_cores(o, &cores);
    }
    let ar = Archive::open(&o.archive, o.limits)?;
    let has_images = criu::images_dir(&ar).is_some();
    if !has_images && ar.get("config.dump").is_none() && ar.get("spec.dump").is_none() {
        return Err(AnalyzeError::NotACheckpoint(format!(
            "{}: not a checkpoint archive (no config.dump, spec.dump or CRIU images)",
            o.archive.display()
        )));
    }
    let dump = if has_images { Some(criu::Dump::load(&ar)?) } else { None };
    let meta = metadata::Metadata::load(&ar, dump.as_ref().map(|d| d.dir.as_str()).unwrap_or("checkpoint"))?;
    let need_dump = || {
        dump.as_ref().ok_or_else(|| AnalyzeError::NotACheckpoint(format!("{}: the archive holds no CRIU images", o.archive.display())))
    };

    let mut r = Report { summary: Summary::build(&ar, dump.as_ref(), &meta), ..Default::default() };
    if o.ps_tree || o.cmd || o.env {
        r.processes = Some(views::processes(need_dump()?, o.cmd, o.env));
    }
    if o.files {
        r.files = Some(views::files(need_dump()?));
    }
    if o.sockets {
        r.sockets = Some(views::sockets(need_dump()?));
    }
    if o.mounts {
        r.mounts = Some(meta.mounts());
    }
    if o.rootfs_diff {
        r.rootfs_diff = Some(report::RootfsDiff { changed: rootfs::list(&ar)?, deleted: meta.deleted_files.clone() });
    }
    if let Some((path, dir)) = &o.extract {
        let (written, bytes) = rootfs::extract(&ar, path, dir)?;
        r.extracted = Some(report::Extracted { path: path.clone(), written, bytes });
    }
    if let Some(n) = &o.search {
        let d = need_dump()?;
        let procs: Vec<_> = d.tasks.iter().filter(|t| o.pid.is_none_or(|p| p == t.pid)).map(|t| (&t.memory, t.comm.as_str())).collect();
        r.search = Some(search_report(o, n, &procs, "no such process in the checkpoint")?);
    }
    if let Some((pid, out)) = &o.dump_memory {
        let d = need_dump()?;
        let t = d.task(*pid).ok_or_else(|| AnalyzeError::NotFound(format!("--dump-memory {pid}: no such process in the checkpoint (see --ps-tree)")))?;
        let machine = dump::elf_machine(t.mtype);
        r.memory_dump = Some(dump::write(&t.memory, machine, out)?);
    }
    Ok(r)
}

/// ELF cores instead of a checkpoint: a `.core` file, or a directory (an evidence bundle, its
/// `memory/` folder) holding some and no checkpoint metadata.
fn cores_to_read(p: &std::path::Path) -> Option<Vec<PathBuf>> {
    if p.is_dir() && ["config.dump", "spec.dump", "inventory.img", "checkpoint"].iter().any(|f| p.join(f).exists()) {
        return None;
    }
    core::find(p)
}

/// The views ELF cores can answer: the process list (from NT_PRPSINFO) and memory search.
fn run_cores(o: &Options, paths: &[PathBuf]) -> Result<Report, AnalyzeError> {
    if o.files || o.sockets || o.mounts || o.rootfs_diff || o.extract.is_some() || o.dump_memory.is_some() || o.env {
        return Err(AnalyzeError::NotACheckpoint(format!(
            "{}: ELF cores hold process memory and identity only: use --ps-tree [--cmd] or --search / --search-regex (the other views need a checkpoint archive; files, sockets and the rootfs diff of a capture are in its volatile.json and diff.json)",
            o.archive.display()
        )));
    }
    let procs = paths.iter().map(|p| core::load(p)).collect::<Result<Vec<_>, _>>()?;
    let mut r = Report::default();
    r.summary.archive = o.archive.clone();
    r.summary.format = format!("{} ELF core file(s)", procs.len());
    r.summary.processes = procs.len();
    r.summary.threads = procs.iter().map(|p| p.threads.len().max(1)).sum();
    r.summary.memory_pages_bytes = procs.iter().map(|p| p.memory.stored_bytes()).sum();
    if o.ps_tree || o.cmd {
        r.processes = Some(
            procs
                .iter()
                .map(|p| views::ProcessRow {
                    pid: p.pid,
                    ppid: p.ppid,
                    depth: 0,
                    comm: p.comm.clone(),
                    state: "-".into(),
                    threads: p.threads.len().max(1),
                    uid: Some(p.uid),
                    euid: None,
                    exe: p.exe().map(|e| e.0),
                    exe_deleted: p.exe().is_some_and(|e| e.1),
                    cmdline: o.cmd.then(|| p.args.split_whitespace().map(str::to_string).collect()),
                    env: None,
                    location: p.location(),
                })
                .collect(),
        );
    }
    if let Some(n) = &o.search {
        let sel: Vec<_> = procs.iter().filter(|p| o.pid.is_none_or(|x| x == p.pid)).map(|p| (&p.memory, p.comm.as_str())).collect();
        r.search = Some(search_report(o, n, &sel, "no core of that process")?);
    }
    Ok(r)
}

/// `--search` / `--search-regex` over the selected processes' memory, whatever its source.
fn search_report(o: &Options, n: &Needle, procs: &[(&memory::ProcessMemory, &str)], none: &str) -> Result<report::SearchReport, AnalyzeError> {
    let pat = match n {
        Needle::Fixed(s) => search::Pattern::fixed(s.as_bytes()),
        Needle::Regex(re) => search::Pattern::regex(re)?,
    };
    if let Some(p) = o.pid
        && procs.is_empty()
    {
        return Err(AnalyzeError::NotFound(format!("--pid {p}: {none} (see --ps-tree)")));
    }
    let opts = search::Options { context: o.context, max_hits: o.max_matches.max(1) };
    let (hits, truncated, scanned) = search::search(procs, &pat, &opts)?;
    Ok(report::SearchReport {
        pattern: match n {
            Needle::Fixed(s) | Needle::Regex(s) => s.clone(),
        },
        regex: matches!(n, Needle::Regex(_)),
        bytes_scanned: scanned,
        truncated,
        hits,
    })
}
