//! The table rendering of `kforensic analyze`'s report: the summary, then each view asked for.

use super::super::output::{TableView, human_bytes, table};
use crate::analyze::deleted::{DeletedFile, HeldAs, Written};
use crate::analyze::dump::DumpReport;
use crate::analyze::metadata::Mount;
use crate::analyze::report::{Report, RootfsDiff, SearchReport, Summary};
use crate::analyze::views::{FileRow, ProcessRow, SocketRow};
use std::fmt::Write;

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "-".into())
}

/// Make a hostile string safe to print on a terminal (no escape sequences, one line).
pub(super) fn clean(s: &str) -> String {
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
            vec!["ghost files".into(), format!("{} (recover with --deleted / --extract-deleted)", s.ghost_files)],
        ];
        let rows = rows.into_iter().map(|r| r.into_iter().map(|c: String| clean(&c)).collect());
        format!("{}\n", table(&["FIELD", "VALUE"], rows))
    }
}

impl TableView for Report {
    fn kind(&self) -> &'static str {
        "AnalyzeReport"
    }

    fn title(&self) -> String {
        clean(&self.summary.archive.display().to_string())
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
        if let Some(d) = &self.deleted {
            deleted_table(&mut out, d);
        }
        if let Some(w) = &self.extracted_deleted {
            extracted_deleted_table(&mut out, w);
        }
        if let Some(s) = &self.stats {
            stats_table(&mut out, s);
        }
        if let Some(n) = &self.network {
            network_table(&mut out, n);
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

/// How one file was held, per process: `10 kworker: exe, fd 3, 4 mappings`.
fn holders(f: &DeletedFile) -> String {
    let mut by_pid: Vec<(u32, &str, Vec<String>, usize)> = Vec::new();
    for h in &f.holders {
        if by_pid.last().is_none_or(|l| l.0 != h.pid) {
            by_pid.push((h.pid, &h.comm, Vec::new(), 0));
        }
        let e = by_pid.last_mut().expect("pushed");
        match &h.how {
            HeldAs::Exe => e.2.push("exe".into()),
            HeldAs::Fd { fd } => e.2.push(format!("fd {fd}")),
            HeldAs::Mapping { .. } => e.3 += 1,
        }
    }
    let parts: Vec<String> = by_pid
        .into_iter()
        .map(|(pid, comm, mut how, maps)| {
            if maps > 0 {
                how.push(format!("{maps} mapping{}", if maps == 1 { "" } else { "s" }));
            }
            format!("{pid} {}: {}", clean(comm), how.join(", "))
        })
        .collect();
    if parts.is_empty() { "-".into() } else { parts.join("; ") }
}

fn missing(m: &[crate::analyze::deleted::Range]) -> String {
    let bytes: u64 = m.iter().map(|r| r.end - r.start).sum();
    let first: Vec<String> = m.iter().take(4).map(|r| format!("{:#x}-{:#x}", r.start, r.end)).collect();
    format!("{} missing in {} range(s): {}{}", human_bytes(bytes), m.len(), first.join(" "), if m.len() > 4 { " …" } else { "" })
}

/// `--deleted`: one row per recovered file, then the ranges a reassembly lacks.
fn deleted_table(out: &mut String, d: &[DeletedFile]) {
    let rows = d.iter().map(|f| {
        vec![
            clean(&f.path),
            match f.source {
                crate::analyze::deleted::Source::GhostFile => "ghost file".into(),
                crate::analyze::deleted::Source::Memory => {
                    if f.complete {
                        "memory".into()
                    } else {
                        "memory (partial)".into()
                    }
                }
            },
            f.size.to_string(),
            f.sha256.clone(),
            holders(f),
        ]
    });
    let _ = writeln!(out, "{}", table(&["PATH", "SOURCE", "SIZE", "SHA256", "HELD BY (PID COMM: AS)"], rows));
    for f in d.iter().filter(|f| !f.complete) {
        let _ = writeln!(out, "{} (from {}): {}", clean(&f.path), clean(&f.from), missing(&f.missing));
    }
    if d.is_empty() {
        let _ = writeln!(out, "no deleted file's bytes in the checkpoint");
    }
}

/// `--extract-deleted`: what was written where.
fn extracted_deleted_table(out: &mut String, w: &[Written]) {
    for x in w {
        let _ = writeln!(
            out,
            "recovered {} ({} bytes, sha256 {}) to {}{}",
            clean(&x.path),
            x.bytes,
            x.sha256,
            clean(&x.written.display().to_string()),
            if x.complete { String::new() } else { format!(" — partial: {}", missing(&x.missing)) }
        );
    }
}

fn ms(us: u32) -> String {
    format!("{:.3} ms", f64::from(us) / 1000.0)
}

/// `--stats`.
fn stats_table(out: &mut String, s: &crate::analyze::report::Stats) {
    let rows = vec![
        vec!["freezing time".to_string(), ms(s.freezing_time_us)],
        vec!["frozen time".into(), ms(s.frozen_time_us)],
        vec!["memory dump time".into(), ms(s.memdump_time_us)],
        vec!["memory write time".into(), ms(s.memwrite_time_us)],
        vec!["pages scanned".into(), s.pages_scanned.to_string()],
        vec!["pages skipped (parent)".into(), s.pages_skipped_parent.to_string()],
        vec!["pages written".into(), s.pages_written.to_string()],
    ];
    let _ = writeln!(out, "{}", table(&["CRIU DUMP", "VALUE"], rows));
}

/// `--network`.
fn network_table(out: &mut String, n: &[crate::analyze::network::Interface]) {
    let rows = n.iter().map(|i| {
        vec![
            clean(&i.network),
            clean(&i.interface),
            clean(&i.addresses.join(", ")),
            clean(&i.gateways.join(", ")),
            clean(i.mac.as_deref().unwrap_or("-")),
        ]
    });
    let _ = writeln!(out, "{}", table(&["NETWORK", "INTERFACE", "ADDRESSES", "GATEWAY", "MAC"], rows));
}

impl TableView for crate::analyze::bundle_diff::ExtractDiffReport {
    fn kind(&self) -> &'static str {
        "ExtractDiffReport"
    }

    fn table(&self) -> String {
        let content = match self.content {
            crate::analyze::bundle_diff::Content::DiffTar => "its diff tar",
            crate::analyze::bundle_diff::Content::Export => "the export",
        };
        format!(
            "diff of {} rebuilt from {content} ({}) into {}: {} entries, {} files ({}), {} deletions; {} of {} file hashes match diff.json{}\n",
            clean(&self.container_dir.display().to_string()),
            clean(&self.source.display().to_string()),
            clean(&self.out.display().to_string()),
            self.entries,
            self.files,
            human_bytes(self.file_bytes),
            self.deletions,
            self.hashes_checked,
            self.files,
            if self.problems.is_empty() { "" } else { " (problems below)" }
        )
    }
}
