//! Reading evidence into [`Subject`]s: a kforensic bundle (each container's `volatile.json`,
//! `diff.json` + `diff.tar.zst`, `memory/*.core`, `checkpoint.tar`) or a checkpoint archive
//! (through `analyze`: CRIU processes, files, sockets, memory pages, rootfs diff).

use super::TriageError;
use super::subject::{Change, Fd, FdKind, Memory, Process, Socket, Subject};
use crate::analyze::archive::{Archive, Limits, Member};
use crate::analyze::rootfs::{self, Compression};
use crate::analyze::{core, criu, views};
use crate::protocol::layout;
use serde::Deserialize;
use std::io::Read;
use std::path::Path;

/// Is `p` a kforensic bundle directory?
pub fn is_bundle(p: &Path) -> bool {
    p.is_dir() && (p.join("manifest.json").is_file() || p.join("pods").is_dir() || p.join("containers").is_dir())
}

/// The per-container directories of a bundle, as bundle-relative paths ending in '/'.
pub fn container_dirs(bundle: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let list = |p: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(p)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
                    .filter_map(|e| e.file_name().to_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    for ns in list(&bundle.join("pods")) {
        for pod in list(&bundle.join("pods").join(&ns)) {
            for c in list(&bundle.join("pods").join(&ns).join(&pod)) {
                out.push(layout::container_dir(&ns, &pod, &c));
            }
        }
    }
    for c in list(&bundle.join("containers")) {
        out.push(format!("containers/{c}/"));
    }
    out
}

// ---- the bundle's JSON artifacts, as much of them as the rules read

#[derive(Deserialize)]
struct VFd {
    fd: u32,
    target: String,
}

#[derive(Deserialize)]
struct VProcess {
    pid: i64,
    #[serde(default)]
    ppid: i64,
    #[serde(default)]
    name: String,
    #[serde(default)]
    cmdline: Vec<String>,
    #[serde(default)]
    environ: Vec<String>,
    exe: Option<String>,
    #[serde(default)]
    exe_deleted: bool,
    start_time: Option<String>,
    #[serde(default)]
    fds: Vec<VFd>,
}

#[derive(Deserialize)]
struct VSocket {
    proto: String,
    local: Option<String>,
    remote: Option<String>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    inode: u64,
    #[serde(default)]
    pids: Vec<i64>,
}

#[derive(Deserialize)]
struct Volatile {
    #[serde(default)]
    processes: Vec<VProcess>,
    #[serde(default)]
    sockets: Vec<VSocket>,
}

#[derive(Deserialize)]
struct VChange {
    kind: String,
    path: String,
    #[serde(rename = "type", default)]
    file_type: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    mode: String,
    mtime: Option<String>,
}

#[derive(Deserialize)]
struct DiffJson {
    #[serde(default)]
    changes: Vec<VChange>,
}

fn read_json<T: for<'de> Deserialize<'de>>(bundle: &Path, rel: &str) -> Result<Option<T>, TriageError> {
    let p = bundle.join(rel);
    match std::fs::read(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(TriageError::Read { path: p, source: e }),
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| TriageError::Json { path: p, source: e }),
    }
}

fn pid(n: i64) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// One container of a bundle. Problems with one artifact are pushed to `errors` and the rest
/// is still read.
pub fn bundle_subject(bundle: &Path, dir: &str, limits: Limits, errors: &mut Vec<String>) -> Subject {
    let name = match layout::parse_container_path(&format!("{dir}x")) {
        Some((ns, pod, c, _)) => format!("{ns}/{pod}/{c}"),
        None => dir.trim_end_matches('/').to_string(),
    };
    let mut s = Subject { name, ..Default::default() };
    let vol_rel = format!("{dir}{}", layout::VOLATILE);
    match read_json::<Volatile>(bundle, &vol_rel) {
        Ok(Some(v)) => {
            s.processes_from = vol_rel;
            let inet: std::collections::HashSet<u64> =
                v.sockets.iter().filter(|x| x.proto.starts_with("tcp") || x.proto.starts_with("udp")).map(|x| x.inode).collect();
            s.processes = v
                .processes
                .into_iter()
                .map(|p| Process {
                    pid: pid(p.pid),
                    ppid: pid(p.ppid),
                    comm: p.name,
                    exe: p.exe.map(|e| e.strip_suffix(" (deleted)").map(str::to_string).unwrap_or(e)),
                    exe_deleted: p.exe_deleted,
                    cmdline: p.cmdline,
                    environ: p.environ,
                    fds: p
                        .fds
                        .into_iter()
                        .map(|f| {
                            let ino =
                                f.target.strip_prefix("socket:[").and_then(|r| r.strip_suffix(']')).and_then(|n| n.parse::<u64>().ok());
                            let kind = match ino {
                                Some(i) if inet.contains(&i) => FdKind::Inet,
                                Some(_) => FdKind::Socket,
                                None => FdKind::Other,
                            };
                            Fd { fd: f.fd, kind, target: f.target }
                        })
                        .collect(),
                    start_time: p.start_time,
                })
                .collect();
            s.sockets = v
                .sockets
                .into_iter()
                .map(|x| Socket {
                    proto: x.proto,
                    local: x.local.unwrap_or_default(),
                    remote: x.remote.unwrap_or_default(),
                    state: x.state,
                    pids: x.pids.into_iter().map(pid).collect(),
                })
                .collect();
        }
        Ok(None) => {}
        Err(e) => errors.push(e.to_string()),
    }
    let inspect_rel = format!("{dir}{}", layout::INSPECT);
    match read_json::<serde_json::Value>(bundle, &inspect_rel) {
        Ok(Some(v)) => s.entry_pid = v["init"]["pid"].as_u64().and_then(|p| u32::try_from(p).ok()),
        Ok(None) => {}
        Err(e) => errors.push(e.to_string()),
    }
    let diff_rel = format!("{dir}{}", layout::DIFF_JSON);
    match read_json::<DiffJson>(bundle, &diff_rel) {
        Ok(Some(d)) => {
            s.changes_from = diff_rel;
            s.changes = d
                .changes
                .into_iter()
                .map(|c| Change {
                    path: c.path,
                    change: c.kind.chars().next().unwrap_or('?'),
                    kind: c.file_type,
                    mode: u32::from_str_radix(&c.mode, 8).ok(),
                    size: c.size,
                    mtime: c.mtime,
                    elf: false,
                })
                .collect();
        }
        Ok(None) => {}
        Err(e) => errors.push(e.to_string()),
    }
    let mut tar_rel = format!("{dir}{}", layout::DIFF_TAR);
    let mut tar = bundle.join(&tar_rel);
    if !tar.is_file() && bundle.join(format!("{dir}{}", layout::ROOTFS)).is_file() {
        // one pass capture: the changed files are in the export; rebuild their tar, hash-checked
        match rebuilt_diff(&bundle.join(dir)) {
            Ok(Some((scratch, file))) => {
                tar_rel = format!("{dir}{} (changes)", layout::ROOTFS);
                tar = file;
                s.scratch.push(scratch);
            }
            Ok(None) => {}
            Err(e) => errors.push(format!("{dir}: the changed files in the export: {e}")),
        }
    }
    if tar.is_file() {
        let size = std::fs::metadata(&tar).map(|m| m.len()).unwrap_or(0);
        s.diff_tar = Some(Member { file: tar.clone(), offset: 0, size });
        if s.changes_from.is_empty() {
            s.changes_from = tar_rel.clone();
        }
        let r = std::fs::File::open(&tar).map_err(|e| TriageError::Read { path: tar.clone(), source: e }).and_then(|f| {
            let c = Compression::detect(&head(&tar));
            let r = c.reader(f).map_err(|e| TriageError::Read { path: tar.clone(), source: e })?;
            mark_elves(r, &mut s.changes, &limits).map_err(|e| TriageError::Diff(format!("{tar_rel}: {e}")))
        });
        if let Err(e) = r {
            errors.push(e.to_string());
        }
    }
    // memory: ELF cores of the /proc capture
    if let Some(cores) = core::find(&bundle.join(dir).join("memory")) {
        for p in cores {
            match core::load(&p) {
                Ok(c) => {
                    let artifact = p.strip_prefix(bundle).unwrap_or(&p).to_string_lossy().into_owned();
                    s.memories.push(Memory { pid: c.pid, comm: c.comm.clone(), artifact, memory: c.memory });
                }
                Err(e) => errors.push(format!("{}: {e}", p.display())),
            }
        }
    }
    // a kubelet (CRIU) checkpoint: processes when the volatile state is missing, and memory
    let ck_rel = format!("{dir}{}", layout::CHECKPOINT_TAR);
    if bundle.join(&ck_rel).is_file() {
        match archive_subject(&bundle.join(&ck_rel), &ck_rel, limits) {
            Ok(a) => merge(&mut s, a),
            Err(e) => errors.push(format!("{ck_rel}: {e}")),
        }
    }
    s
}

/// The diff tar of a container whose diff.json locates its changes in the export (None: its
/// diff has no content there), in a private scratch directory.
fn rebuilt_diff(container: &Path) -> Result<Option<(crate::analyze::archive::TempDir, std::path::PathBuf)>, String> {
    let diff = crate::analyze::bundle_diff::read_diff(container).map_err(|e| e.to_string())?;
    if diff.content != crate::analyze::bundle_diff::Content::Export {
        return Ok(None);
    }
    let scratch = crate::analyze::archive::TempDir::new().map_err(|e| e.to_string())?;
    let out = scratch.path.join("diff.tar");
    let report = crate::analyze::bundle_diff::extract_diff(container, &out).map_err(|e| e.to_string())?;
    if let Some(p) = report.problems.first() {
        return Err(p.clone());
    }
    Ok(Some((scratch, out)))
}

fn head(p: &Path) -> Vec<u8> {
    let mut h = Vec::with_capacity(4);
    let _ = std::fs::File::open(p).and_then(|f| f.take(4).read_to_end(&mut h));
    h
}

/// What a checkpoint adds to a bundle's container: its processes when the volatile state was
/// not captured, its changes when the diff was not, and its memory.
fn merge(s: &mut Subject, a: Subject) {
    if s.processes.is_empty() {
        s.processes = a.processes;
        s.sockets = a.sockets;
        s.processes_from = a.processes_from;
    }
    if s.changes.is_empty() {
        s.changes = a.changes;
        s.changes_from = a.changes_from;
        s.diff_tar = a.diff_tar;
    }
    if s.memories.is_empty() {
        s.memories = a.memories;
    }
    s.archives.extend(a.archives);
}

/// Read a (decompressed) diff tar and mark the changes whose content starts with the ELF magic;
/// changes the listing lacked are added (a diff without diff.json).
fn mark_elves(r: impl Read, changes: &mut Vec<Change>, limits: &Limits) -> std::io::Result<()> {
    each_diff_file(r, limits, 64, |path, mode, size, bytes| {
        let elf = bytes.starts_with(b"\x7fELF");
        match changes.iter_mut().find(|c| c.path == path) {
            Some(c) => c.elf = elf,
            None => changes.push(Change { path: path.to_string(), change: '?', kind: "file".into(), mode, size, mtime: None, elf }),
        }
    })
}

/// Visit every regular file of a diff tar (whiteouts excluded) with its first bytes.
/// `max` bytes of each (all of a smaller file).
pub fn each_diff_file(r: impl Read, limits: &Limits, max: usize, mut f: impl FnMut(&str, Option<u32>, u64, &[u8])) -> std::io::Result<()> {
    let mut t = tar::Archive::new(r);
    let mut n = 0u64;
    let mut buf = Vec::new();
    for e in t.entries()? {
        let mut e = e?;
        n += 1;
        if n > limits.max_entries {
            return Err(std::io::Error::other(format!("more than {} members (cap)", limits.max_entries)));
        }
        if !matches!(e.header().entry_type(), tar::EntryType::Regular | tar::EntryType::Continuous) {
            continue;
        }
        // spelled as diff.json's rows (`protocol::name`)
        let raw = crate::protocol::name::escape(&e.path_bytes());
        let path = format!("/{}", raw.trim_start_matches("./").trim_start_matches('/'));
        if rootfs::whiteout(&path).is_some() {
            continue;
        }
        let mode = e.header().mode().ok().map(|m| m & 0o7777);
        let size = e.size();
        buf.clear();
        (&mut e).take(max as u64).read_to_end(&mut buf)?;
        f(&path, mode, size, &buf);
    }
    Ok(())
}

/// A checkpoint archive (kubelet / CRI-O / containerd / Podman), read through `analyze`.
/// `shown` is how its artifacts are named in evidence paths.
pub fn archive_subject(path: &Path, shown: &str, limits: Limits) -> Result<Subject, TriageError> {
    let ar = Archive::open(path, limits)?;
    let has_images = criu::images_dir(&ar).is_some();
    if !has_images && ar.get("config.dump").is_none() && ar.get("spec.dump").is_none() {
        return Err(TriageError::NotEvidence(format!(
            "{}: neither a kforensic bundle (no manifest.json, pods/) nor a checkpoint archive (no CRIU images, config.dump or spec.dump)",
            path.display()
        )));
    }
    let mut s = Subject { name: shown.to_string(), ..Default::default() };
    if has_images {
        let d = criu::Dump::load(&ar)?;
        let img = |n: &str| if d.dir.is_empty() { format!("{shown}:{n}") } else { format!("{shown}:{}/{n}", d.dir) };
        s.processes_from = img("pstree.img");
        let files = views::files(&d);
        s.processes = views::processes(&d, true, true)
            .into_iter()
            .map(|r| Process {
                pid: r.pid,
                ppid: r.ppid,
                comm: r.comm,
                exe: r.exe.map(|e| e.strip_suffix(" (deleted)").map(str::to_string).unwrap_or(e)),
                exe_deleted: r.exe_deleted,
                cmdline: r.cmdline.unwrap_or_default(),
                environ: r.env.unwrap_or_default(),
                fds: files
                    .iter()
                    .filter(|f| f.pid == r.pid)
                    .filter_map(|f| {
                        let fd = f.fd.parse::<u32>().ok()?;
                        let kind = match f.kind.as_str() {
                            "inet" => FdKind::Inet,
                            "unix" | "packet" | "netlink" => FdKind::Socket,
                            _ => FdKind::Other,
                        };
                        Some(Fd { fd, kind, target: f.path.clone() })
                    })
                    .collect(),
                start_time: None,
            })
            .collect();
        s.sockets = views::sockets(&d)
            .into_iter()
            .filter(|x| !x.proto.starts_with("unix"))
            .map(|x| Socket { proto: x.proto, local: x.local, remote: x.remote, state: x.state, pids: vec![x.pid] })
            .collect();
        // the container's first process is the root of CRIU's tree
        s.entry_pid = d.tasks.first().map(|t| t.pid);
        for t in d.tasks {
            s.memories.push(Memory { pid: t.pid, comm: t.comm, artifact: img(&format!("pages-*.img (pid {})", t.pid)), memory: t.memory });
        }
    }
    if let Some(m) = ar.get(rootfs::DIFF_TAR) {
        s.changes_from = format!("{shown}:{}", rootfs::DIFF_TAR);
        let l = rootfs::list(&ar)?;
        s.changes = l
            .changed
            .into_iter()
            .map(|c| Change {
                path: c.path,
                change: '?',
                kind: c.kind.to_string(),
                mode: u32::from_str_radix(&c.mode, 8).ok(),
                size: c.size,
                mtime: None,
                elf: false,
            })
            .chain(l.deleted.into_iter().map(|p| Change {
                path: p,
                change: 'D',
                kind: "file".into(),
                mode: None,
                size: 0,
                mtime: None,
                elf: false,
            }))
            .collect();
        let mut h = Vec::new();
        m.open().and_then(|r| r.take(4).read_to_end(&mut h)).map_err(|e| TriageError::Read { path: path.into(), source: e })?;
        let r = m.open().and_then(|r| Compression::detect(&h).reader(r)).map_err(|e| TriageError::Read { path: path.into(), source: e })?;
        mark_elves(r, &mut s.changes, ar.limits()).map_err(|e| TriageError::Diff(format!("{}: {e}", s.changes_from)))?;
        s.diff_tar = Some(m.clone());
    }
    s.archives.push(ar);
    Ok(s)
}

/// Everything to triage at `input`: a bundle's containers, or one checkpoint archive.
pub fn subjects(input: &Path, limits: Limits, errors: &mut Vec<String>) -> Result<(String, Vec<Subject>), TriageError> {
    if !input.exists() {
        return Err(TriageError::NotEvidence(format!("{}: no such file or directory", input.display())));
    }
    if is_bundle(input) {
        let dirs = container_dirs(input);
        if dirs.is_empty() {
            return Err(TriageError::NotEvidence(format!(
                "{}: a bundle without any container (no pods/<ns>/<pod>/<container>/): nothing to triage",
                input.display()
            )));
        }
        return Ok(("bundle".into(), dirs.iter().map(|d| bundle_subject(input, d, limits, errors)).collect()));
    }
    let shown = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| input.display().to_string());
    Ok(("checkpoint archive".into(), vec![archive_subject(input, &shown, limits)?]))
}

/// The decompressed bytes of a diff tar (plain, gzip or zstd).
pub fn open_diff(m: &Member) -> std::io::Result<Box<dyn Read>> {
    let mut h = Vec::with_capacity(4);
    m.open()?.take(4).read_to_end(&mut h)?;
    Compression::detect(&h).reader(m.open()?)
}
