//! Where things land in a bundle: the one place that spells the per-container directory and the
//! names of the agent's artifacts.

use super::Step;

pub const INSPECT: &str = "inspect.json";
pub const DIFF_JSON: &str = "diff.json";
pub const DIFF_TAR: &str = "diff.tar.zst";
pub const ROOTFS: &str = "rootfs.tar.zst";
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

/// `pods/<ns>/<pod>/<container>/`: the directory of one container of a pod.
pub fn container_dir(namespace: &str, pod: &str, container: &str) -> String {
    format!("pods/{namespace}/{pod}/{container}/")
}

/// `containers/<runtime>-<id>/`: a container the agent could not tie to a pod.
pub fn bare_container_dir(runtime: &str, id: &str) -> String {
    format!("containers/{runtime}-{id}/")
}

/// The artifacts a capture with these steps always produces for a running container, in the
/// order the agent writes them (histories, logs, memory cores and a kubelet archive vary).
pub fn expected_artifacts(steps: &[Step]) -> Vec<&'static str> {
    let mut v = Vec::new();
    if steps.contains(&Step::Inspect) {
        v.push(INSPECT);
    }
    if steps.contains(&Step::Diff) {
        v.extend([DIFF_JSON, DIFF_TAR]);
    }
    if steps.contains(&Step::Export) {
        v.push(ROOTFS);
    }
    if steps.contains(&Step::Volatile) {
        v.push(VOLATILE);
    }
    v
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
    fn container_paths_are_built_and_split_the_same_way() {
        let d = container_dir("web", "app-1", "main");
        assert_eq!(d, "pods/web/app-1/main/");
        let p = format!("{d}{HISTORY_DIR}/root/.ash_history");
        assert_eq!(parse_container_path(&p), Some(("web", "app-1", "main", "history/root/.ash_history")));
        assert_eq!(parse_container_path("cluster/pods.json"), None);
        assert_eq!(expected_artifacts(&Step::ALL), [INSPECT, DIFF_JSON, DIFF_TAR, ROOTFS, VOLATILE]);
        assert_eq!(expected_artifacts(&[Step::History]), Vec::<&str>::new());
    }
}
