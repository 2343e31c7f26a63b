//! `kforensic analyze ARCHIVE …`: offline analysis of a checkpoint archive.

mod diff;
mod list;
mod table;

use super::GlobalArgs;
use crate::{Error, Exit};
use clap::Args;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  # a summary of the archive
  kforensic analyze checkpoint.tar
  # processes with their command lines, open files and sockets
  kforensic analyze checkpoint.tar --ps-tree --cmd --files --sockets
  # what the container changed on disk; pull one file out
  kforensic analyze checkpoint.tar --rootfs-diff
  kforensic analyze checkpoint.tar --extract /tmp/x.sh --out ./extracted
  # search memory; dump one process as an ELF core
  kforensic analyze checkpoint.tar --search-regex 'AKIA[0-9A-Z]{16}' --pid 1
  kforensic analyze checkpoint.tar --dump-memory 1 --out core.1
  # a capture bundle: rebuild a container's diff tar from its export, hash-checked
  kforensic analyze ./case-42/pods/web/app-1/main --extract-diff --out diff.tar
  # deleted files still held by a process (a dropped binary, an open script): list, recover
  kforensic analyze checkpoint.tar --deleted
  kforensic analyze checkpoint.tar --extract-deleted --all --out ./recovered
  # every checkpoint the kubelet kept, newest last; what changed between two of them
  kforensic analyze list /var/lib/kubelet/checkpoints --sort time
  kforensic analyze diff checkpoint-1.tar checkpoint-2.tar";

/// Views of a checkpoint archive (kubelet / CRI-O / containerd); with none, a summary.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("needle").args(["search", "search_regex"]).multiple(false))]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct AnalyzeArgs {
    #[command(subcommand)]
    pub command: Option<AnalyzeCommand>,
    /// The checkpoint: a .tar, .tar.gz, .tar.zst, or an extracted directory (several: one
    /// section each; with -o json, one array).
    #[arg(value_name = "ARCHIVE", required = true, num_args = 1..)]
    pub archive: Vec<PathBuf>,
    /// Rebuild the container's diff tar (added and changed files, deletions as .wh. files) from a
    /// capture bundle (or one container's directory in it) into --out FILE, each file checked
    /// against diff.json's SHA-256.
    #[arg(long, requires = "out", conflicts_with_all = ["ps_tree", "files", "sockets", "mounts", "rootfs_diff", "extract", "search", "search_regex", "dump_memory"])]
    pub extract_diff: bool,
    /// The process tree (pid, ppid, user, state, comm, exe).
    #[arg(long)]
    pub ps_tree: bool,
    /// With --ps-tree: each process's command line, read from its memory.
    #[arg(long)]
    pub cmd: bool,
    /// With --ps-tree: each process's environment, read from its memory.
    #[arg(long)]
    pub env: bool,
    /// Open files of every process (plus cwd, root, exe); deleted files are marked.
    #[arg(long)]
    pub files: bool,
    /// Sockets of every process: protocol, local and remote address, state.
    #[arg(long)]
    pub sockets: bool,
    /// The container's mounts (from spec.dump).
    #[arg(long)]
    pub mounts: bool,
    /// Files the container added or changed (rootfs-diff.tar) and deleted (deleted.files).
    #[arg(long)]
    pub rootfs_diff: bool,
    /// Extract one regular file of rootfs-diff.tar (path inside the container) into --out DIR.
    #[arg(long, value_name = "PATH", requires = "out")]
    pub extract: Option<String>,
    /// Search every process's memory for a string.
    #[arg(long, value_name = "STRING")]
    pub search: Option<String>,
    /// Search every process's memory for a regular expression (bytes; no Unicode classes).
    #[arg(long, value_name = "RE")]
    pub search_regex: Option<String>,
    /// Only this process (pid as in --ps-tree) in every per-process view: --ps-tree, --files,
    /// --sockets, --search, --deleted.
    #[arg(long, value_name = "PID")]
    pub pid: Option<u32>,
    /// CRIU's dump statistics (stats-dump): freezing and frozen time, pages scanned and written.
    #[arg(long)]
    pub stats: bool,
    /// The container's network interfaces, addresses and MACs (Podman's network.status).
    #[arg(long)]
    pub network: bool,
    /// Bytes of context shown on each side of a match.
    #[arg(long, value_name = "N", default_value_t = 32, requires = "needle")]
    pub context_bytes: usize,
    /// Stop searching after this many matches.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "needle")]
    pub max_matches: usize,
    /// Write one process's memory (ELF core layout, sparse) to --out FILE, with FILE.map.json.
    #[arg(long, value_name = "PID", requires = "out")]
    pub dump_memory: Option<u32>,
    /// Deleted files whose bytes the checkpoint holds (CRIU ghost files; deleted executables
    /// reassembled from memory): path, holders, size, SHA-256.
    #[arg(long)]
    pub deleted: bool,
    /// Write the deleted file that had PATH (or, with --all, every one) into --out DIR (0600,
    /// never over an existing file).
    #[arg(long, value_name = "PATH", num_args = 0..=1, requires = "out")]
    pub extract_deleted: Option<Option<String>>,
    /// With --extract-deleted: every deleted file.
    #[arg(long, requires = "extract_deleted")]
    pub all: bool,
    /// Output directory for --extract and --extract-deleted, output file for --dump-memory.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Refuse a compressed archive that decompresses to more than this (e.g. 64GiB, 500MiB, bytes).
    #[arg(long, value_name = "SIZE", default_value = "64GiB", value_parser = super::s3_args::parse_size)]
    pub max_extract_bytes: u64,
    /// The archive is encrypted (ARCHIVE is NAME.age, or an encrypted bundle, directory or .tar,
    /// holding one checkpoint archive): decrypt it with this age identity file or OpenSSH private
    /// key into a private temporary directory, removed afterwards.
    #[arg(long, short = 'i', value_name = "FILE")]
    pub identity: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: crate::app::passphrase::PassphraseArgs,
    /// Refuse an archive with more members than this.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_entries: u64,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum AnalyzeCommand {
    /// The checkpoint archives in a directory: engine, container, pod, times, size.
    List(list::ListArgs),
    /// What changed between two checkpoints: processes, files, sockets, mounts, rootfs diff.
    Diff(diff::DiffArgs),
}

impl AnalyzeArgs {
    /// Resolve the flags into a plan for `archive`; flag combinations clap cannot express are
    /// checked here.
    fn options(&self, archive: &std::path::Path) -> Result<crate::analyze::Options, String> {
        let a = self;
        use crate::analyze::{DeletedSelect, Needle, archive::Limits};
        if (a.cmd || a.env) && !a.ps_tree {
            return Err("--cmd and --env go with --ps-tree".into());
        }
        if a.out.is_some() && a.extract.is_none() && a.dump_memory.is_none() && a.extract_deleted.is_none() {
            return Err("--out goes with --extract or --extract-deleted (a directory) or --dump-memory (a file)".into());
        }
        if a.dump_memory.is_some() && (a.extract.is_some() || a.extract_deleted.is_some()) {
            return Err("--dump-memory writes a file and --extract / --extract-deleted a directory: run them one at a time".into());
        }
        let extract_deleted = match (&a.extract_deleted, a.all) {
            (None, _) => None,
            (Some(None), true) => Some(DeletedSelect::All),
            (Some(Some(p)), false) => Some(DeletedSelect::Path(p.clone())),
            (Some(Some(_)), true) => return Err("--extract-deleted takes a PATH or --all, not both".into()),
            (Some(None), false) => return Err("--extract-deleted needs a PATH (as --deleted lists it) or --all".into()),
        };
        if a.search.as_deref() == Some("") {
            return Err("--search needs a non-empty string".into());
        }
        let out = a.out.clone().unwrap_or_default();
        if let Some(path) = &a.extract
            && !out.is_dir()
        {
            return Err(format!("--extract {path}: --out {} is not an existing directory", out.display()));
        }
        if extract_deleted.is_some() && !out.is_dir() {
            return Err(format!("--extract-deleted: --out {} is not an existing directory", out.display()));
        }
        let writes = a.extract.is_some() || a.dump_memory.is_some() || a.extract_deleted.is_some();
        if writes && a.archive.len() > 1 {
            return Err("--extract, --extract-deleted and --dump-memory read one archive: name only one".into());
        }
        Ok(crate::analyze::Options {
            archive: archive.to_path_buf(),
            ps_tree: a.ps_tree,
            cmd: a.cmd,
            env: a.env,
            files: a.files,
            sockets: a.sockets,
            mounts: a.mounts,
            rootfs_diff: a.rootfs_diff,
            extract: a.extract.clone().map(|p| (p, out.clone())),
            search: a.search.clone().map(Needle::Fixed).or_else(|| a.search_regex.clone().map(Needle::Regex)),
            pid: a.pid,
            context: a.context_bytes.min(4096),
            max_matches: a.max_matches,
            dump_memory: a.dump_memory.map(|p| (p, out.clone())),
            deleted: a.deleted,
            extract_deleted: extract_deleted.map(|s| (s, out.clone())),
            stats: a.stats,
            network: a.network,
            limits: Limits { max_entries: a.max_entries, max_extract_bytes: a.max_extract_bytes, ..Limits::default() },
        })
    }
}

pub fn run(g: &GlobalArgs, a: AnalyzeArgs) -> Result<Exit, Error> {
    match a.command {
        Some(AnalyzeCommand::List(l)) => return list::run(g, l),
        Some(AnalyzeCommand::Diff(d)) => return diff::run(g, d),
        None => {}
    }
    if a.extract_diff {
        let [dir] = a.archive.as_slice() else { return Err(Error::Usage("--extract-diff takes one bundle or container directory".into())) };
        let out = a.out.clone().unwrap_or_default();
        let report = crate::analyze::bundle_diff::extract_diff(dir, &out)?;
        super::output::emit(g.output, &report).map_err(Error::Output)?;
        for p in &report.problems {
            eprintln!("error: {}", super::output::terminal_safe(p));
        }
        return Ok(if report.problems.is_empty() { Exit::Ok } else { Exit::Partial });
    }
    let mut plans = a.archive.iter().map(|p| a.options(p)).collect::<Result<Vec<_>, _>>().map_err(Error::Usage)?;
    // an encrypted archive: its plaintext lives in a private temporary directory while we read it
    let mut _plain = Vec::new();
    if let Some(id) = &a.identity {
        let ids = a.passphrase.identities(id)?;
        for o in &mut plans {
            let t = crate::evidence::decrypt::plaintext_archive(&o.archive, &ids).map_err(super::usage)?;
            o.archive = t.path.clone();
            _plain.push(t);
        }
    }
    if plans.len() == 1 {
        let report = crate::analyze::run(&plans[0])?;
        super::output::emit(g.output, &report).map_err(Error::Output)?;
        // a view that failed: one line each, the others are printed above; the analysis is partial
        for e in &report.errors {
            eprintln!("error: {}", super::output::terminal_safe(e));
        }
        return Ok(if report.errors.is_empty() { Exit::Ok } else { Exit::Partial });
    }
    // several archives: one section each; one that cannot be read at all is one error line
    let mut reports = Vec::new();
    let mut failed = Vec::new();
    for o in &plans {
        match crate::analyze::run(o) {
            Ok(r) => reports.push(r),
            Err(e) => failed.push(e),
        }
    }
    if reports.is_empty() {
        return Err(failed.remove(0).into());
    }
    super::output::emit_list(g.output, &reports).map_err(Error::Output)?;
    let mut partial = !failed.is_empty();
    for r in &reports {
        for e in &r.errors {
            partial = true;
            eprintln!(
                "error: {}: {}",
                super::output::terminal_safe(&r.summary.archive.display().to_string()),
                super::output::terminal_safe(e)
            );
        }
    }
    for e in &failed {
        eprintln!("error: {}", super::output::terminal_safe(&e.to_string()));
    }
    Ok(if partial { Exit::Partial } else { Exit::Ok })
}
