//! Offline analysis of checkpoint archives (kubelet / CRI-O / containerd) and CRIU images.
//!
//! `archive` reads the archive safely; `image` + `proto` decode CRIU images; `criu` builds the
//! processes; `memory` is the source-independent model of a process's memory that `search`
//! and `dump` use; `metadata` reads the engine's files; `rootfs` the file-system diff;
//! `views` and `report` shape what the user sees.

pub mod archive;
pub mod bundle_diff;
pub mod core;
pub mod criu;
pub mod deleted;
pub mod diff;
pub mod dump;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod ghost;
pub mod image;
pub mod list;
pub mod memory;
pub mod metadata;
pub mod network;
pub mod proto;
pub mod readahead;
pub mod report;
pub mod rootfs;
pub mod search;
pub mod views;

pub use error::AnalyzeError;
pub use report::{Report, Summary};

use archive::{Archive, Limits};
use std::path::PathBuf;

/// Which deleted files `--extract-deleted` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeletedSelect {
    All,
    /// the path the file had in the container
    Path(String),
}

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
    /// list the deleted files whose bytes the checkpoint holds
    pub deleted: bool,
    /// CRIU's dump statistics
    pub stats: bool,
    /// the container's interfaces (network.status)
    pub network: bool,
    /// (which, output directory)
    pub extract_deleted: Option<(DeletedSelect, PathBuf)>,
    pub limits: Limits,
}

impl Options {
    /// A view that reads the CRIU images was asked for.
    fn criu_views(&self) -> bool {
        self.ps_tree
            || self.cmd
            || self.env
            || self.files
            || self.sockets
            || self.search.is_some()
            || self.dump_memory.is_some()
            || self.deleted
            || self.extract_deleted.is_some()
    }
    /// A view that reads only the engine's files was asked for.
    fn other_views(&self) -> bool {
        self.mounts || self.rootfs_diff || self.extract.is_some() || self.stats || self.network
    }
}

/// A view that failed: which one, and why.
type Failure = (&'static str, AnalyzeError);

fn keep<T>(failures: &mut Vec<Failure>, view: &'static str, r: Result<T, AnalyzeError>) -> Option<T> {
    r.map_err(|e| failures.push((view, e))).ok()
}

/// Run the analysis: open the archive, decode it, build the requested views.
///
/// A view that fails is one line in `Report::errors` and the others are still built; only when
/// nothing could be shown is the result an error (the only failure's own, when there is one).
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
    // Unreadable CRIU images take down only the views that read them, unless that is all asked.
    let dump = match has_images.then(|| criu::Dump::load(&ar)).transpose() {
        Ok(d) => Ok(d),
        Err(e) if !o.other_views() => return Err(e),
        Err(e) => Err(e.to_string()),
    };
    let loaded = dump.as_ref().ok().and_then(Option::as_ref);
    let dump_dir = loaded.map(|d| d.dir.as_str()).unwrap_or("checkpoint");
    let meta = metadata::Metadata::load(&ar, dump_dir)?;
    let diff = rootfs::list(&ar);

    let mut r = Report { summary: Summary::build(&ar, loaded, &meta, diff.as_ref().ok()), ..Default::default() };
    r.errors.extend(meta.errors.iter().cloned());
    if let (Some(e), false) = (&meta.spec_error, o.mounts) {
        r.errors.push(e.clone());
    }
    if let (Err(e), false) = (&diff, o.rootfs_diff) {
        r.errors.push(format!("deleted files: the whiteouts of {} are not counted: {e}", rootfs::DIFF_TAR));
    }
    let mut failures = Vec::new();
    if o.criu_views() {
        criu_views(o, &ar, &dump, &mut r, &mut failures);
    }
    if o.mounts {
        let m = match &meta.spec_error {
            Some(e) => Err(AnalyzeError::NotFound(e.clone())),
            None => Ok(meta.mounts()),
        };
        r.mounts = keep(&mut failures, "--mounts", m);
    }
    if o.rootfs_diff {
        let d = diff.map(|l| report::RootfsDiff {
            compression: l.compression,
            deleted: report::deleted(&meta, Some(&l)),
            changed: l.changed,
            opaque: l.opaque,
        });
        r.rootfs_diff = keep(&mut failures, "--rootfs-diff", d);
    }
    if o.stats {
        let s = meta
            .stats
            .as_ref()
            .map(report::Stats::from)
            .ok_or_else(|| AnalyzeError::NotFound(format!("{}: the archive holds no readable stats-dump", o.archive.display())));
        r.stats = keep(&mut failures, "--stats", s);
    }
    if o.network {
        let n = ar.read(network::NETWORK_STATUS).and_then(|b| match b {
            Some(b) => network::parse(network::NETWORK_STATUS, &b),
            None => Err(AnalyzeError::NotFound(format!(
                "{}: the archive holds no network.status (Podman writes it; containerd and CRI-O do not)",
                o.archive.display()
            ))),
        });
        r.network = keep(&mut failures, "--network", n);
    }
    if let Some((path, dir)) = &o.extract {
        let x = rootfs::extract(&ar, path, dir).map(|(written, bytes)| report::Extracted { path: path.clone(), written, bytes });
        r.extracted = keep(&mut failures, "--extract", x);
    }
    if !r.has_views() && !failures.is_empty() {
        if failures.len() == 1 {
            return Err(failures.remove(0).1);
        }
        return Err(AnalyzeError::Views(failures.iter().map(|(v, e)| format!("{v}: {e}")).collect::<Vec<_>>().join("; ")));
    }
    r.errors.extend(failures.iter().map(|(v, e)| format!("{v}: {e}")));
    Ok(r)
}

/// The views that read the CRIU images; `dump` is what loading them gave.
fn criu_views(o: &Options, ar: &Archive, dump: &Result<Option<criu::Dump>, String>, r: &mut Report, failures: &mut Vec<Failure>) {
    let need_dump = || match dump {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Err(AnalyzeError::NotACheckpoint(format!("{}: the archive holds no CRIU images", o.archive.display()))),
        Err(e) => Err(AnalyzeError::Images(e.clone())),
    };
    // --pid: a process the dump does not have is an error of every per-process view
    let need_pid = || {
        need_dump().and_then(|d| match o.pid {
            Some(p) if d.task(p).is_none() => {
                Err(AnalyzeError::NotFound(format!("--pid {p}: no such process in the checkpoint (see --ps-tree)")))
            }
            _ => Ok(d),
        })
    };
    let mine = |pid: u32| o.pid.is_none_or(|p| p == pid);
    if o.ps_tree || o.cmd || o.env {
        let ps = need_pid().map(|d| views::processes(d, o.cmd, o.env).into_iter().filter(|p| mine(p.pid)).collect());
        r.processes = keep(failures, "--ps-tree", ps);
    }
    if o.files {
        r.files = keep(failures, "--files", need_pid().map(|d| views::files(d).into_iter().filter(|f| mine(f.pid)).collect()));
    }
    if o.sockets {
        r.sockets = keep(failures, "--sockets", need_pid().map(|d| views::sockets(d).into_iter().filter(|s| mine(s.pid)).collect()));
    }
    if let Some(n) = &o.search {
        let s = need_dump().and_then(|d| {
            let procs: Vec<_> = d.tasks.iter().filter(|t| o.pid.is_none_or(|p| p == t.pid)).map(|t| (&t.memory, t.comm.as_str())).collect();
            search_report(o, n, &procs, "no such process in the checkpoint")
        });
        r.search = keep(failures, "--search", s);
    }
    if let Some((pid, out)) = &o.dump_memory {
        let m = need_dump().and_then(|d| {
            let t = d
                .task(*pid)
                .ok_or_else(|| AnalyzeError::NotFound(format!("--dump-memory {pid}: no such process in the checkpoint (see --ps-tree)")))?;
            dump::write(&t.memory, dump::elf_machine(t.mtype), out)
        });
        r.memory_dump = keep(failures, "--dump-memory", m);
    }
    if o.deleted || o.extract_deleted.is_some() {
        match need_dump() {
            Ok(d) => {
                let (found, errors) = deleted::list(ar, d);
                r.errors.extend(errors);
                deleted_views(o, found, r, failures);
            }
            Err(e) => failures.push((if o.deleted { "--deleted" } else { "--extract-deleted" }, e)),
        }
    }
}

/// `--deleted` and `--extract-deleted` over the deleted files found (any source).
fn deleted_views(o: &Options, found: Vec<deleted::DeletedFile>, r: &mut Report, failures: &mut Vec<Failure>) {
    if let Some((sel, dir)) = &o.extract_deleted {
        let chosen: Vec<&deleted::DeletedFile> = found
            .iter()
            .filter(|f| match sel {
                DeletedSelect::All => true,
                DeletedSelect::Path(p) => f.path == *p,
            })
            .filter(|f| f.holders.is_empty() || o.pid.is_none_or(|p| f.holders.iter().any(|h| h.pid == p)))
            .collect();
        if chosen.is_empty() {
            let what = match sel {
                DeletedSelect::All => "the checkpoint holds no deleted file's bytes".to_string(),
                DeletedSelect::Path(p) => format!("{}: no deleted file of that path in the checkpoint (see --deleted)", error::one_line(p)),
            };
            failures.push(("--extract-deleted", AnalyzeError::NotFound(what)));
        } else {
            let (written, errors) = deleted::extract(&chosen, dir);
            if written.is_empty() {
                failures.push(("--extract-deleted", AnalyzeError::NotFound(errors.join("; "))));
            } else {
                r.errors.extend(errors);
                r.extracted_deleted = Some(written);
            }
        }
    }
    if o.deleted {
        r.deleted = Some(found.into_iter().filter(|f| o.pid.is_none_or(|p| f.holders.iter().any(|h| h.pid == p))).collect());
    }
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
    if o.files || o.sockets || o.mounts || o.rootfs_diff || o.extract.is_some() || o.dump_memory.is_some() || o.env || o.stats || o.network
    {
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
                .filter(|p| o.pid.is_none_or(|x| x == p.pid))
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
    if o.deleted || o.extract_deleted.is_some() {
        let (found, errors) = deleted::from_cores(&procs, o.limits.max_extract_bytes);
        r.errors.extend(errors);
        let mut failures = Vec::new();
        deleted_views(o, found, &mut r, &mut failures);
        if let Some((_, e)) = failures.into_iter().next() {
            return Err(e);
        }
    }
    if let Some(n) = &o.search {
        let sel: Vec<_> = procs.iter().filter(|p| o.pid.is_none_or(|x| x == p.pid)).map(|p| (&p.memory, p.comm.as_str())).collect();
        r.search = Some(search_report(o, n, &sel, "no core of that process")?);
    }
    Ok(r)
}

/// `--search` / `--search-regex` over the selected processes' memory, whatever its source.
fn search_report(
    o: &Options,
    n: &Needle,
    procs: &[(&memory::ProcessMemory, &str)],
    none: &str,
) -> Result<report::SearchReport, AnalyzeError> {
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
