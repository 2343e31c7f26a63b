//! `kforensic analyze ARCHIVE …`: offline analysis of a checkpoint archive.

use super::GlobalArgs;
use super::output::{TableView, human_bytes, table};
use crate::analyze::dump::DumpReport;
use crate::analyze::metadata::Mount;
use crate::analyze::report::{Report, RootfsDiff, SearchReport, Summary};
use crate::analyze::views::{FileRow, ProcessRow, SocketRow};
use crate::{Error, Exit};
use clap::Args;
use std::fmt::Write;
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
  kforensic analyze checkpoint.tar --dump-memory 1 --out core.1";

/// Views of a checkpoint archive (kubelet / CRI-O / containerd); with none, a summary.
#[derive(Debug, Clone, Args)]
#[command(group = clap::ArgGroup::new("needle").args(["search", "search_regex"]).multiple(false))]
pub struct AnalyzeArgs {
    /// The checkpoint: a .tar, .tar.gz, .tar.zst, or an extracted directory.
    #[arg(value_name = "ARCHIVE")]
    pub archive: PathBuf,
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
    /// Limit --search / --search-regex to one process (pid as in --ps-tree).
    #[arg(long, value_name = "PID", requires = "needle")]
    pub pid: Option<u32>,
    /// Bytes of context shown on each side of a match.
    #[arg(long, value_name = "N", default_value_t = 32, requires = "needle")]
    pub context_bytes: usize,
    /// Stop searching after this many matches.
    #[arg(long, value_name = "N", default_value_t = 1000, requires = "needle")]
    pub max_matches: usize,
    /// Write one process's memory (ELF core layout, sparse) to --out FILE, with FILE.map.json.
    #[arg(long, value_name = "PID", requires = "out")]
    pub dump_memory: Option<u32>,
    /// Output directory for --extract, output file for --dump-memory.
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Refuse a compressed archive that decompresses to more than this (e.g. 64GiB, 500MiB, bytes).
    #[arg(long, value_name = "SIZE", default_value = "64GiB", value_parser = super::s3_args::parse_size)]
    pub max_extract_bytes: u64,
    /// The archive is encrypted (ARCHIVE is NAME.age, or an encrypted bundle directory holding
    /// one checkpoint archive): decrypt it with this age identity file or OpenSSH private key
    /// into a private temporary directory, removed afterwards.
    #[arg(long, short = 'i', value_name = "FILE")]
    pub identity: Option<PathBuf>,
    /// Refuse an archive with more members than this.
    #[arg(long, value_name = "N", default_value_t = 100_000)]
    pub max_entries: u64,
}

impl TryFrom<&AnalyzeArgs> for crate::analyze::Options {
    type Error = String;

    /// Resolve the flags into a plan; flag combinations clap cannot express are checked here.
    fn try_from(a: &AnalyzeArgs) -> Result<Self, String> {
        use crate::analyze::{Needle, archive::Limits};
        if (a.cmd || a.env) && !a.ps_tree {
            return Err("--cmd and --env go with --ps-tree".into());
        }
        if a.out.is_some() && a.extract.is_none() && a.dump_memory.is_none() {
            return Err("--out goes with --extract (a directory) or --dump-memory (a file)".into());
        }
        if a.extract.is_some() && a.dump_memory.is_some() {
            return Err("--extract and --dump-memory each need their own --out: run them one at a time".into());
        }
        if a.search.as_deref() == Some("") {
            return Err("--search needs a non-empty string".into());
        }
        let out = a.out.clone().unwrap_or_default();
        if let Some(path) = &a.extract
            && !out.is_dir()
        {
            return Err(format!("--extract {path}: --out {} is not an existing directory", out.display()));
        }
        Ok(crate::analyze::Options {
            archive: a.archive.clone(),
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
            limits: Limits { max_entries: a.max_entries, max_extract_bytes: a.max_extract_bytes, ..Limits::default() },
        })
    }
}

pub fn run(g: &GlobalArgs, a: AnalyzeArgs) -> Result<Exit, Error> {
    let mut opts = crate::analyze::Options::try_from(&a).map_err(Error::Usage)?;
    // an encrypted archive: its plaintext lives in a private temporary directory while we read it
    let _plain = match &a.identity {
        Some(id) => {
            let ids = crate::evidence::decrypt::Identities::from_file(id).map_err(super::usage)?;
            let t = crate::evidence::decrypt::plaintext_archive(&a.archive, &ids).map_err(super::usage)?;
            opts.archive = t.path.clone();
            Some(t)
        }
        None => None,
    };
    let report = crate::analyze::run(&opts)?;
    super::output::emit(g.output, &report).map_err(Error::Output)?;
    // a view that failed: one line each, the others are printed above; the analysis is partial
    for e in &report.errors {
        eprintln!("error: {}", super::output::terminal_safe(e));
    }
    Ok(if report.errors.is_empty() { Exit::Ok } else { Exit::Partial })
}

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

/// The engine and its OCI runtime: `containerd (io.containerd.runc.v2)`.
fn runtime(s: &Summary) -> String {
    match (&s.engine, &s.runtime) {
        (Some(e), Some(r)) => format!("{e} ({r})"),
        (Some(x), None) | (None, Some(x)) => x.clone(),
        (None, None) => "-".into(),
    }
}

fn rootfs_diff(s: &Summary) -> String {
    use crate::analyze::rootfs::Compression;
    match (s.rootfs_diff_bytes, s.rootfs_diff_compression) {
        (None, _) => "-".into(),
        (Some(n), Some(Compression::Gzip)) => format!("{} (gzip)", human_bytes(n)),
        (Some(n), Some(Compression::Zstd)) => format!("{} (zstd)", human_bytes(n)),
        (Some(n), _) => human_bytes(n),
    }
}

fn deleted(s: &Summary) -> String {
    match s.opaque_dirs {
        0 => s.deleted_files.to_string(),
        n => format!("{} (and {n} directories made opaque)", s.deleted_files),
    }
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
            vec!["runtime".into(), runtime(s)],
            vec!["created".into(), opt(&s.created)],
            vec!["checkpointed".into(), opt(&s.checkpointed)],
            vec!["CRIU version".into(), opt(&s.criu_version)],
            vec!["processes".into(), format!("{} ({} threads)", s.processes, s.threads)],
            vec!["memory pages".into(), human_bytes(s.memory_pages_bytes)],
            vec!["checkpoint images".into(), human_bytes(s.checkpoint_bytes)],
            vec!["rootfs diff".into(), rootfs_diff(s)],
            vec!["deleted files".into(), deleted(s)],
        ];
        let rows = rows.into_iter().map(|r| r.into_iter().map(|c: String| clean(&c)).collect());
        format!("{}\n", table(&["FIELD", "VALUE"], rows))
    }
}

impl TableView for Report {
    fn kind(&self) -> &'static str {
        "AnalyzeReport"
    }

    /// The summary when no view was asked for; otherwise each view asked for, in a fixed order.
    fn table(&self) -> String {
        let mut out = String::new();
        if !self.has_views() {
            out.push_str(&self.summary.table());
        }
        if let Some(ps) = &self.processes {
            processes_table(&mut out, ps);
        }
        if let Some(fs) = &self.files {
            files_table(&mut out, fs);
        }
        if let Some(ss) = &self.sockets {
            sockets_table(&mut out, ss);
        }
        if let Some(ms) = &self.mounts {
            mounts_table(&mut out, ms);
        }
        if let Some(d) = &self.rootfs_diff {
            rootfs_diff_table(&mut out, d);
        }
        if let Some(x) = &self.extracted {
            let _ = writeln!(out, "extracted {} ({} bytes) to {}", clean(&x.path), x.bytes, x.written.display());
        }
        if let Some(s) = &self.search {
            search_table(&mut out, s);
        }
        if let Some(m) = &self.memory_dump {
            memory_dump_table(&mut out, m);
        }
        out
    }
}

/// `--ps-tree`: the process tree, with the columns only some runs have (waiting in, command line),
/// then each process's environment (`--env`).
fn processes_table(out: &mut String, ps: &[ProcessRow]) {
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

/// `--files`: open files of every process; a deleted file is marked once.
fn files_table(out: &mut String, fs: &[FileRow]) {
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

/// `--sockets`.
fn sockets_table(out: &mut String, ss: &[SocketRow]) {
    let rows = ss.iter().map(|s| {
        vec![s.pid.to_string(), s.fd.to_string(), s.proto.clone(), clean(&s.local), clean(&s.remote), s.state.clone(), s.inode.to_string()]
    });
    let _ = writeln!(out, "{}", table(&["PID", "FD", "PROTO", "LOCAL", "REMOTE", "STATE", "INODE"], rows));
}

/// `--mounts`.
fn mounts_table(out: &mut String, ms: &[Mount]) {
    let rows = ms.iter().map(|m| vec![clean(&m.destination), clean(&m.kind), clean(&m.source), clean(&m.options)]);
    let _ = writeln!(out, "{}", table(&["DESTINATION", "TYPE", "SOURCE", "OPTIONS"], rows));
}

/// `--rootfs-diff`: added or changed files (A/C), then deleted ones (D).
fn rootfs_diff_table(out: &mut String, d: &RootfsDiff) {
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
        .chain(d.deleted.iter().map(|p| vec!["D".into(), "-".into(), "-".into(), "-".into(), clean(p)]))
        .chain(d.opaque.iter().map(|p| {
            vec!["D".into(), "opaque".into(), "-".into(), "-".into(), format!("{}/* (the image's content)", clean(p.trim_end_matches('/')))]
        }));
    let _ = writeln!(out, "{}", table(&["CHANGE", "KIND", "MODE", "SIZE", "PATH"], rows));
}

/// `--search` / `--search-regex`: one row per match, then how many and in how much memory.
fn search_table(out: &mut String, s: &SearchReport) {
    let rows = s.hits.iter().map(|h| {
        let region = h.region.as_ref().map(|r| format!("{:x}-{:x} {} {}", r.start, r.end, r.perms, r.name)).unwrap_or_else(|| "-".into());
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

/// `--dump-memory`: the mappings written, then where.
fn memory_dump_table(out: &mut String, m: &DumpReport) {
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
