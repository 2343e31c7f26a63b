//! Node disk safety: does a spool (e.g. the kubelet's checkpoint directory) have room?

use super::MemoryError;
use serde::Serialize;
use std::path::Path;

/// Headroom kept free beyond what is needed.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Margin {
    /// Fixed bytes.
    pub bytes: u64,
    /// Plus this percentage of `needed`.
    pub percent: u64,
}

impl Default for Margin {
    fn default() -> Self {
        Margin { bytes: 256 << 20, percent: 10 }
    }
}

/// The measurement behind a decision (recorded in the manifest).
#[derive(Debug, Clone, Serialize)]
pub struct SpaceCheck {
    pub path: String,
    pub available: u64,
    pub needed: u64,
    pub required_with_margin: u64,
}

/// `statvfs(dir)`: refuse with one line when `needed` plus the margin does not fit in the space
/// available to unprivileged writers. Reach a host path through `/proc/<host pid>/root/<path>`.
pub fn check_free_space(dir: &Path, needed: u64, margin: Margin) -> Result<SpaceCheck, MemoryError> {
    let st = nix::sys::statvfs::statvfs(dir).map_err(|e| MemoryError::read(dir, std::io::Error::from_raw_os_error(e as i32)))?;
    let available = st.blocks_available().saturating_mul(st.fragment_size());
    let required = needed.saturating_add(margin.bytes).saturating_add(needed / 100 * margin.percent);
    let check = SpaceCheck { path: dir.display().to_string(), available, needed, required_with_margin: required };
    if available < required {
        return Err(MemoryError::NoSpace(format!(
            "not enough free space in {}: {} available, {} needed ({} + margin); free space on the node or skip the kubelet checkpoint (--memory=proc)",
            dir.display(),
            human(available),
            human(required),
            human(needed),
        )));
    }
    Ok(check)
}

/// A container's memory in use from its memory cgroup (v1 `memory.usage_in_bytes`, v2
/// `memory.current`), given the cgroup directory.
pub fn cgroup_memory_usage(cgroup_dir: &Path) -> Result<u64, MemoryError> {
    for f in ["memory.current", "memory.usage_in_bytes"] {
        let p = cgroup_dir.join(f);
        if let Ok(t) = std::fs::read_to_string(&p) {
            return t.trim().parse().map_err(|_| MemoryError::Parse { path: p, what: "not a number".into() });
        }
    }
    Err(MemoryError::read(
        cgroup_dir,
        std::io::Error::new(std::io::ErrorKind::NotFound, "neither memory.current nor memory.usage_in_bytes"),
    ))
}

fn human(b: u64) -> String {
    const U: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b as f64;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 { format!("{b} B") } else { format!("{v:.1} {}", U[i]) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human(512), "512 B");
        assert_eq!(human(1536), "1.5 KiB");
        assert_eq!(human(3 << 30), "3.0 GiB");
    }
}
