//! Resolve a pod to what a capture needs: its node, its containers and their runtime ids.

use super::ClusterError;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use kube::api::Api;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Target {
    pub namespace: String,
    pub pod: String,
    pub pod_uid: String,
    pub node: String,
    pub service_account: Option<String>,
    pub containers: Vec<TargetContainer>,
    #[serde(skip)]
    pub object: Pod,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TargetContainer {
    pub name: String,
    /// container / init / ephemeral
    pub kind: &'static str,
    pub image: String,
    /// The image as the runtime resolved it (digest), when known.
    pub image_id: Option<String>,
    /// `containerd://…`, `cri-o://…`, `docker://…`; None before the container was created.
    pub container_id: Option<String>,
    /// running / waiting / terminated / unknown
    pub state: &'static str,
    pub restart_count: i32,
}

impl TargetContainer {
    pub fn running(&self) -> bool {
        self.state == "running"
    }
}

/// Look the pod up and pick its containers (all of them, or those named in `only`).
pub async fn resolve(client: &kube::Client, ns: &str, name: &str, only: &[String]) -> Result<Target, ClusterError> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let pod = api
        .get_opt(name)
        .await
        .map_err(|e| ClusterError::kube(format!("get pod {ns}/{name}"), e))?
        .ok_or_else(|| ClusterError::PodNotFound { pod: name.into(), namespace: ns.into() })?;
    from_pod(pod, only)
}

pub fn from_pod(pod: Pod, only: &[String]) -> Result<Target, ClusterError> {
    let ns = pod.metadata.namespace.clone().unwrap_or_default();
    let name = pod.metadata.name.clone().unwrap_or_default();
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let node = spec.node_name.clone().filter(|n| !n.is_empty()).ok_or_else(|| {
        ClusterError::Api(format!("pod '{name}' in namespace '{ns}' is not scheduled to a node yet: nothing runs to capture"))
    })?;
    let mut containers = Vec::new();
    let mut add = |kind: &'static str, cname: &str, image: &str, statuses: &Option<Vec<ContainerStatus>>| {
        let st = statuses.as_ref().and_then(|v| v.iter().find(|s| s.name == cname));
        let state = match st.and_then(|s| s.state.as_ref()) {
            Some(s) if s.running.is_some() => "running",
            Some(s) if s.terminated.is_some() => "terminated",
            Some(s) if s.waiting.is_some() => "waiting",
            _ => "unknown",
        };
        containers.push(TargetContainer {
            name: cname.to_string(),
            kind,
            image: image.to_string(),
            image_id: st.map(|s| s.image_id.clone()).filter(|s| !s.is_empty()),
            container_id: st.and_then(|s| s.container_id.clone()).filter(|s| !s.is_empty()),
            state,
            restart_count: st.map(|s| s.restart_count).unwrap_or(0),
        });
    };
    for c in spec.init_containers.iter().flatten() {
        add("init", &c.name, c.image.as_deref().unwrap_or(""), &status.init_container_statuses);
    }
    for c in &spec.containers {
        add("container", &c.name, c.image.as_deref().unwrap_or(""), &status.container_statuses);
    }
    for c in spec.ephemeral_containers.iter().flatten() {
        add("ephemeral", &c.name, c.image.as_deref().unwrap_or(""), &status.ephemeral_container_statuses);
    }
    if !only.is_empty() {
        if let Some(missing) = only.iter().find(|o| !containers.iter().any(|c| &c.name == *o)) {
            let have: Vec<&str> = containers.iter().map(|c| c.name.as_str()).collect();
            return Err(ClusterError::Api(format!(
                "pod '{name}' in namespace '{ns}' has no container '{missing}' (it has: {})",
                have.join(", ")
            )));
        }
        containers.retain(|c| only.contains(&c.name));
    }
    Ok(Target {
        namespace: ns,
        pod: name,
        pod_uid: pod.metadata.uid.clone().unwrap_or_default(),
        node,
        service_account: spec.service_account_name.clone(),
        containers,
        object: pod,
    })
}
