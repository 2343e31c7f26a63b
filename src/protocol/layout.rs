//! Where things land in a bundle: the one place that spells the per-container directory and the
//! names of the agent's artifacts.

use super::{Runtime, Step};

pub const INSPECT: &str = "inspect.json";
pub const DIFF_JSON: &str = "diff.json";
pub const DIFF_TAR: &str = "diff.tar.zst";
pub const ROOTFS: &str = "rootfs.tar.zst";
/// What the export walked: counts and the problems it met (exports read through /proc).
pub const ROOTFS_JSON: &str = "rootfs.json";
pub const VOLATILE: &str = "volatile.json";
/// A kubelet (CRIU) checkpoint archive shipped from the node.
pub const CHECKPOINT_TAR: &str = "checkpoint.tar";
/// The memory capture's summary (cores are under `memory/`).
pub const MEMORY_JSON: &str = "memory.json";
/// The memory decision the API side took for a container (kubelet, /proc, or why neither).
pub const MEMORY_PLAN: &str = "memory-plan.json";
/// Shell histories, under this directory of the container's.
pub const HISTORY_DIR: &str = "history";
/// Container logs the API side reads, under this directory of the container's.
pub const LOGS_DIR: &str = "logs";

/// Where the kubelet writes checkpoint archives on a node (host path).
pub const KUBELET_CHECKPOINT_DIR: &str = "/var/lib/kubelet/checkpoints";

/// Whether `path` may be a kubelet checkpoint archive: `checkpoint-*.tar` directly in
/// [`KUBELET_CHECKPOINT_DIR`], its name printable ASCII. The path comes from the kubelet's
/// answer (or over the network to the agent): anything else, `/etc/shadow` say, is refused.
pub fn kubelet_archive_ok(path: &str) -> bool {
    kubelet_archive_ok_in(path, KUBELET_CHECKPOINT_DIR)
}

/// As [`kubelet_archive_ok`], for a kubelet whose checkpoint directory is `dir` (a kubelet run
/// with another `--root-dir`).
pub fn kubelet_archive_ok_in(path: &str, dir: &str) -> bool {
    let Some(name) = path.strip_prefix(dir.trim_end_matches('/')).and_then(|r| r.strip_prefix('/')) else { return false };
    name.len() > "checkpoint-.tar".len()
        && name.len() <= 255
        && name.starts_with("checkpoint-")
        && name.ends_with(".tar")
        && !name.contains("..")
        && name.bytes().all(|b| b.is_ascii_graphic() && b != b'/' && b != b'\\')
}

/// How `--freeze-pod` went (the pod's directory): cgroup, how long, what ended it.
pub const POD_FREEZE: &str = "pod-freeze.json";

/// `pods/<ns>/<pod>/`: the directory of a pod's containers.
pub fn pod_dir(namespace: &str, pod: &str) -> String {
    format!("pods/{namespace}/{pod}/")
}

/// `pods/<ns>/<pod>/<container>/`: the directory of one container of a pod.
pub fn container_dir(namespace: &str, pod: &str, container: &str) -> String {
    format!("{}{container}/", pod_dir(namespace, pod))
}

/// `containers/<runtime>-<id>/`: a container the agent could not tie to a pod.
pub fn bare_container_dir(runtime: &str, id: &str) -> String {
    format!("containers/{runtime}-{id}/")
}

/// The artifacts a capture with these steps always produces for a running container (histories,
/// node log files, memory cores and a kubelet archive vary: see [`optional_artifacts`]). Docker
/// exports come from the engine, without the walk's `rootfs.json`.
pub fn expected_artifacts(steps: &[Step], runtime: Runtime) -> Vec<&'static str> {
    let mut v = Vec::new();
    if steps.contains(&Step::Inspect) {
        v.push(INSPECT);
    }
    if steps.contains(&Step::Diff) {
        v.push(DIFF_JSON);
        // with the export, the diff's content is the export's (one pass, one copy): no diff tar
        if !steps.contains(&Step::Export) {
            v.push(DIFF_TAR);
        }
    }
    if steps.contains(&Step::Export) {
        v.push(ROOTFS);
        if runtime != Runtime::Docker {
            v.push(ROOTFS_JSON);
        }
    }
    if steps.contains(&Step::Volatile) {
        v.push(VOLATILE);
    }
    v
}

/// What a capture with these steps may also produce, as path patterns under the container's
/// directory (`*`: any rest of the path).
pub fn optional_artifacts(steps: &[Step], memory: bool) -> Vec<String> {
    let mut v = Vec::new();
    if steps.contains(&Step::Logs) {
        v.push(format!("{LOGS_DIR}/node/*"));
    }
    if steps.contains(&Step::History) {
        v.push(format!("{HISTORY_DIR}/*"));
    }
    if memory {
        v.extend([MEMORY_JSON.to_string(), "memory/*".to_string(), CHECKPOINT_TAR.to_string(), MEMORY_PLAN.to_string()]);
    }
    v
}

/// Does `path` match a pattern of [`optional_artifacts`] (after a container directory)?
pub fn matches_pattern(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix) && path.len() > prefix.len(),
        None => pattern == path,
    }
}

/// Split `pods/<ns>/<pod>/<container>/<rest>` into its parts.
pub fn parse_container_path(path: &str) -> Option<(&str, &str, &str, &str)> {
    let mut it = path.splitn(5, '/');
    match (it.next(), it.next(), it.next(), it.next(), it.next()) {
        (Some("pods"), Some(ns), Some(pod), Some(c), Some(rest)) => Some((ns, pod, c, rest)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_kubelet_archives_are_archive_paths() {
        assert!(kubelet_archive_ok("/var/lib/kubelet/checkpoints/checkpoint-web_default-web-2026-11-01T10:00:00Z.tar"));
        for bad in [
            "/etc/shadow",
            "/var/lib/kubelet/checkpoints/checkpoint-a/../../../../etc/shadow.tar",
            "/var/lib/kubelet/checkpoints/checkpoint-..tar",
            "/var/lib/kubelet/checkpoints/x/checkpoint-a.tar",
            "/var/lib/kubelet/checkpoints//checkpoint-a.tar",
            "/var/lib/kubelet/checkpoints/checkpoint-a.tar\n",
            "/var/lib/kubelet/checkpoints/checkpoint-a b.tar",
            "/var/lib/kubelet/checkpoints/checkpoint-a.tar.gz",
            "/var/lib/kubelet/checkpoints-evil/checkpoint-a.tar",
            "/var/lib/kubelet/checkpoints",
            "",
        ] {
            assert!(!kubelet_archive_ok(bad), "{bad:?}");
        }
    }

    #[test]
    fn container_paths_are_built_and_split_the_same_way() {
        let d = container_dir("web", "app-1", "main");
        assert_eq!(d, "pods/web/app-1/main/");
        let p = format!("{d}{HISTORY_DIR}/root/.ash_history");
        assert_eq!(parse_container_path(&p), Some(("web", "app-1", "main", "history/root/.ash_history")));
        assert_eq!(parse_container_path("cluster/pods.json"), None);
        assert_eq!(expected_artifacts(&Step::ALL, Runtime::Containerd), [INSPECT, DIFF_JSON, ROOTFS, ROOTFS_JSON, VOLATILE]);
        assert_eq!(expected_artifacts(&Step::ALL, Runtime::Docker), [INSPECT, DIFF_JSON, ROOTFS, VOLATILE]);
        assert_eq!(expected_artifacts(&[Step::Diff], Runtime::Containerd), [DIFF_JSON, DIFF_TAR]);
        assert_eq!(expected_artifacts(&[Step::History], Runtime::Containerd), Vec::<&str>::new());
        let opt = optional_artifacts(&Step::ALL, false);
        assert!(opt.iter().any(|p| matches_pattern(p, "history/root/.ash_history")));
        assert!(!opt.iter().any(|p| matches_pattern(p, "history/")), "a pattern needs a rest");
        assert!(!opt.iter().any(|p| matches_pattern(p, MEMORY_JSON)), "memory only when asked");
    }
}
