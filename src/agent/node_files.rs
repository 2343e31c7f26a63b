//! Node-side housekeeping around a kubelet checkpoint: is there room for the archive, and removing
//! it once shipped (the kubelet never deletes them: CVE-2025-0426). Host paths are reached through
//! the container's shim (`/proc/<shim>/root`), never guessed.

use crate::agent::AgentError;
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
/// checkpoint directory, never anything else (the path comes over the network).
pub fn remove_archive(container: &str, path: &str) -> Result<(), AgentError> {
    if !crate::protocol::layout::kubelet_archive_ok(path) {
        return Err(AgentError::BadTarget(format!(
            "refusing to remove {path}: only {CHECKPOINT_DIR}/checkpoint-*.tar archives are removed"
        )));
    }
    let (root, _) = host_root(container)?;
    let full = root.join(path.trim_start_matches('/'));
    let meta = std::fs::symlink_metadata(&full).map_err(AgentError::Io)?;
    if !meta.is_file() {
        return Err(AgentError::BadTarget(format!("refusing to remove {path}: not a regular file")));
    }
    std::fs::remove_file(&full).map_err(AgentError::Io)
}
