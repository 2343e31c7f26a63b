//! Node-side housekeeping around a kubelet checkpoint: is there room for the archive, and removing
//! it once shipped (the kubelet never deletes them: CVE-2025-0426). Host paths are reached through
//! the container's shim (`/proc/<shim>/root`), never guessed.

use crate::agent::AgentError;
use crate::agent::kubelet_archives;
use crate::agent::memory::space::{Margin, check_free_space};
use crate::agent::runtime::locate;
use crate::protocol::ContainerRef;
use std::path::PathBuf;

/// Where the kubelet writes checkpoint archives.
pub const CHECKPOINT_DIR: &str = crate::protocol::layout::KUBELET_CHECKPOINT_DIR;

pub use crate::protocol::SpaceReport;

fn host_root(container: &str) -> Result<(PathBuf, Vec<i32>), AgentError> {
    let r = ContainerRef::parse(container)?;
    let l = locate::locate(&r, None, &[]);
    let shim =
        l.shim.ok_or_else(|| AgentError::BadTarget(format!("container {container}: not running on this node (no process found)")))?;
    Ok((PathBuf::from(format!("/proc/{shim}/root")), l.pids.clone()))
}

/// Resident memory of the container's processes: what a CRIU dump will write, roughly.
fn resident_bytes(pids: &[i32]) -> u64 {
    pids.iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/status")).ok())
        .filter_map(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok()))
        .map(|kib| kib * 1024)
        .sum()
}

/// Would a checkpoint of `container` fit in the kubelet's checkpoint directory?
pub fn space(container: &str, dir: &str) -> Result<SpaceReport, AgentError> {
    let (root, pids) = host_root(container)?;
    let needed = resident_bytes(&pids);
    // the directory may not exist before the first checkpoint: its nearest existing parent counts
    let mut d = root.join(dir.trim_start_matches('/'));
    while !d.exists() && d.pop() {}
    match check_free_space(&d, needed, Margin::default()) {
        Ok(s) => Ok(SpaceReport {
            dir: dir.into(),
            needed_bytes: needed,
            available_bytes: s.available,
            ok: true,
            message: "enough free space".into(),
        }),
        Err(e) => Ok(SpaceReport { dir: dir.into(), needed_bytes: needed, available_bytes: 0, ok: false, message: e.to_string() }),
    }
}

/// Remove a shipped kubelet checkpoint archive: only `checkpoint-*.tar` directly in the kubelet's
/// checkpoint directory, never anything else (the path comes over the network). An archive
/// already gone (the agent that shipped it removed it) is not an error.
pub fn remove_archive(container: &str, path: &str) -> Result<(), AgentError> {
    if !crate::protocol::layout::kubelet_archive_ok(path) {
        return Err(AgentError::BadTarget(format!(
            "refusing to remove {path}: only {CHECKPOINT_DIR}/checkpoint-*.tar archives are removed"
        )));
    }
    let (root, _) = host_root(container)?;
    remove_archive_in(&root, CHECKPOINT_DIR, path)
}

/// Remove the archive `path` (checked: `checkpoint-*.tar` in `dir`) through the host's `root`, and
/// settle its record in the collector's ledger.
pub fn remove_archive_in(root: &std::path::Path, dir: &str, path: &str) -> Result<(), AgentError> {
    if !crate::protocol::layout::kubelet_archive_ok_in(path, dir) {
        return Err(AgentError::BadTarget(format!("refusing to remove {path}: only {dir}/checkpoint-*.tar archives are removed")));
    }
    let full = root.join(path.trim_start_matches('/'));
    let removed = match std::fs::symlink_metadata(&full) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(AgentError::Io(e)),
        Ok(meta) if !meta.is_file() => Err(AgentError::BadTarget(format!("refusing to remove {path}: not a regular file"))),
        Ok(_) => match std::fs::remove_file(&full) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(AgentError::Io(e)),
            _ => Ok(()),
        },
    };
    if removed.is_ok() {
        settle_archive(dir, path);
    }
    removed
}

/// The archive at `path` is dealt with (removed, or kept on request): hold will not sweep it.
pub fn settle_archive(dir: &str, path: &str) {
    if let Some(l) = crate::agent::memory::ledger::Ledger::from_env() {
        kubelet_archives::settle(l.dir(), dir, path);
    }
}

/// Record in the collector's ledger that the kubelet is about to write a checkpoint archive of
/// this container in `dir` (see [`kubelet_archives`]).
pub fn expect_archive(namespace: &str, pod: &str, container: &str, dir: &str) -> Result<(), AgentError> {
    for (what, v) in [("namespace", namespace), ("pod", pod), ("container name", container)] {
        if !crate::protocol::path_component_ok(v) {
            return Err(AgentError::BadTarget(format!("refusing {what} {v:?} for a checkpoint archive")));
        }
    }
    if !dir.starts_with('/') || dir.split('/').any(|c| c == "..") {
        return Err(AgentError::BadTarget(format!("refusing checkpoint directory {dir:?}: an absolute path without '..'")));
    }
    let ledger = crate::agent::memory::ledger::Ledger::from_env()
        .ok_or_else(|| AgentError::BadTarget(format!("no ledger ({}): not in a collector pod", crate::protocol::LEDGER_ENV)))?;
    kubelet_archives::expect(ledger.dir(), dir, &kubelet_archives::prefix(namespace, pod, container)).map_err(AgentError::Io)
}

/// `agent hold` on its way out: remove every archive still expected in the ledger `dir`, through
/// the host's filesystem as the runtime sees it: the root of hold's parent, the collector's own
/// shim (the collector shares the host's PIDs), as the capture reaches it through the target's.
pub fn sweep_archives(ledger: &std::path::Path) -> Vec<String> {
    let shim = nix::unistd::getppid().as_raw();
    let root = if shim > 1 { format!("/proc/{shim}/root") } else { "/proc/1/root".to_string() };
    kubelet_archives::sweep(ledger, std::path::Path::new(&root))
}
