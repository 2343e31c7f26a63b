//! Pod identity as the node's runtimes record it, and filling a target's gaps from it. The
//! target types themselves are the protocol's ([`crate::protocol::TargetSpec`]).

use crate::protocol::path_component_ok;
pub use crate::protocol::{ContainerRef, Runtime, TargetSpec};
use serde::Serialize;

/// Fill what the caller left out from what the runtime knows (CRI labels/annotations); a value
/// that could not be a path component is never taken.
pub fn complete_from(t: &mut TargetSpec, id: &KubeIdentity) {
    let fill = |slot: &mut Option<String>, v: &Option<String>| {
        if slot.is_none() && v.as_deref().is_some_and(path_component_ok) {
            *slot = v.clone();
        }
    };
    fill(&mut t.namespace, &id.namespace);
    fill(&mut t.pod, &id.pod);
    fill(&mut t.pod_uid, &id.pod_uid);
    fill(&mut t.container, &id.container);
}

/// Pod identity as a runtime records it (CRI labels or annotations).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct KubeIdentity {
    pub namespace: Option<String>,
    pub pod: Option<String>,
    pub pod_uid: Option<String>,
    pub container: Option<String>,
}

impl KubeIdentity {
    /// From a string map holding CRI labels (`io.kubernetes.pod.name`…) or containerd/CRI-O
    /// annotations (`io.kubernetes.cri.sandbox-name`…).
    pub fn from_map(m: &serde_json::Map<String, serde_json::Value>) -> Self {
        let get = |keys: &[&str]| keys.iter().find_map(|k| m.get(*k).and_then(|v| v.as_str()).map(str::to_string));
        Self {
            namespace: get(&["io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"]),
            pod: get(&["io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"]),
            pod_uid: get(&["io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid"]),
            container: get(&["io.kubernetes.container.name", "io.kubernetes.cri.container-name"]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_runtime_labels_never_become_paths() {
        let mut t = TargetSpec { container_id: "containerd://0123456789abcdef".into(), ..Default::default() };
        let r = t.validate().unwrap();
        let mut m = serde_json::Map::new();
        m.insert("io.kubernetes.cri.sandbox-namespace".into(), "web".into());
        m.insert("io.kubernetes.cri.sandbox-name".into(), "app-1".into());
        m.insert("io.kubernetes.cri.container-name".into(), "../../etc".into());
        complete_from(&mut t, &KubeIdentity::from_map(&m));
        assert_eq!(t.container, None, "a hostile annotation never becomes a path");
        t.container = Some("main".into());
        assert_eq!(t.prefix(&r), "pods/web/app-1/main");
    }
}
