//! Which pods a capture takes: pods named one by one, a label selector, every pod a controller
//! owns (through the owner chain: Deployment → ReplicaSets → Pods, by ownerReferences uid), or
//! every pod on a node. Reads only; returns the pods sorted, each once.

use super::ClusterError;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde::Serialize;
use std::collections::BTreeSet;

/// A controller kind a capture can name (`deploy/NAME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ControllerKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    ReplicaSet,
}

impl ControllerKind {
    /// As kubectl abbreviates and spells it.
    pub fn parse(kind: &str) -> Option<ControllerKind> {
        Some(match kind.to_ascii_lowercase().as_str() {
            "deploy" | "deployment" | "deployments" => ControllerKind::Deployment,
            "sts" | "statefulset" | "statefulsets" => ControllerKind::StatefulSet,
            "ds" | "daemonset" | "daemonsets" => ControllerKind::DaemonSet,
            "job" | "jobs" => ControllerKind::Job,
            "rs" | "replicaset" | "replicasets" => ControllerKind::ReplicaSet,
            _ => return None,
        })
    }

    pub fn short(self) -> &'static str {
        match self {
            ControllerKind::Deployment => "deploy",
            ControllerKind::StatefulSet => "sts",
            ControllerKind::DaemonSet => "ds",
            ControllerKind::Job => "job",
            ControllerKind::ReplicaSet => "rs",
        }
    }
}

/// One target as the responder named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "name", rename_all = "lowercase")]
pub enum TargetRef {
    /// `NAME`, `pod/NAME`
    Pod(String),
    /// `deploy/NAME`, `sts/NAME`, `ds/NAME`, `job/NAME`, `rs/NAME`
    Controller(ControllerKind, String),
}

impl TargetRef {
    /// `NAME`, `pod/NAME` (also `pods/`, `po/`) or `KIND/NAME` for a controller kind.
    pub fn parse(s: &str) -> Result<TargetRef, String> {
        let (kind, name) = match s.split_once('/') {
            None => (None, s),
            Some((k, n)) => (Some(k), n),
        };
        if name.is_empty() || name.contains('/') {
            return Err(format!("'{s}' is not a target (NAME, pod/NAME or deploy|sts|ds|job|rs/NAME)"));
        }
        match kind {
            None | Some("pod" | "pods" | "po") => Ok(TargetRef::Pod(name.into())),
            Some(k) => match ControllerKind::parse(k) {
                Some(c) => Ok(TargetRef::Controller(c, name.into())),
                None => Err(format!("'{s}': cannot capture a {k} (NAME, pod/NAME or deploy|sts|ds|job|rs/NAME)")),
            },
        }
    }
}

impl std::fmt::Display for TargetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetRef::Pod(n) => write!(f, "pod/{n}"),
            TargetRef::Controller(k, n) => write!(f, "{}/{n}", k.short()),
        }
    }
}

/// What the responder asked to capture.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub refs: Vec<TargetRef>,
    /// `-l`: a label selector, as the API takes it.
    pub selector: Option<String>,
    /// `--node`: every pod on this node.
    pub node: Option<String>,
    /// `-A`: in every namespace (with a selector or --node).
    pub all_namespaces: bool,
}

impl Selection {
    /// Exactly one pod named, nothing else: the single-pod capture.
    pub fn single_pod(&self) -> Option<&str> {
        match (self.refs.as_slice(), &self.selector, &self.node) {
            ([TargetRef::Pod(p)], None, None) => Some(p),
            _ => None,
        }
    }

    /// How the selection reads, for messages.
    pub fn describe(&self, ns: &str) -> String {
        let mut parts: Vec<String> = self.refs.iter().map(|r| r.to_string()).collect();
        if let Some(s) = &self.selector {
            parts.push(format!("-l {s}"));
        }
        if let Some(n) = &self.node {
            parts.push(format!("--node {n}"));
        }
        let scope = if self.all_namespaces { "in any namespace".to_string() } else { format!("in namespace '{ns}'") };
        format!("{} {scope}", parts.join(" "))
    }
}

/// A selected pod, and how it was reached.
#[derive(Debug, Clone)]
pub struct Selected {
    pub pod: Pod,
    /// `pod/NAME`, `deploy/web → rs/web-5d4 → pod`, `-l app=web`, `node n1`.
    pub via: String,
}

impl Selected {
    pub fn namespace(&self) -> &str {
        self.pod.metadata.namespace.as_deref().unwrap_or_default()
    }
    pub fn name(&self) -> &str {
        self.pod.metadata.name.as_deref().unwrap_or_default()
    }
}

/// The pods of `sel` in `ns` (or everywhere with `-A`): each once, sorted by namespace and name.
/// A named pod or controller that does not exist, or a selection that matches no pod, is an error.
pub async fn select(client: &kube::Client, ns: &str, sel: &Selection) -> Result<Vec<Selected>, ClusterError> {
    let mut out: Vec<Selected> = Vec::new();
    let pods_ns: Api<Pod> = Api::namespaced(client.clone(), ns);
    for r in &sel.refs {
        match r {
            TargetRef::Pod(name) => {
                let pod = pods_ns
                    .get_opt(name)
                    .await
                    .map_err(|e| ClusterError::kube(format!("get pod {ns}/{name}"), e))?
                    .ok_or_else(|| ClusterError::PodNotFound { pod: name.clone(), namespace: ns.into() })?;
                out.push(Selected { pod, via: r.to_string() });
            }
            TargetRef::Controller(kind, name) => {
                let owned = owned_pods(client, ns, *kind, name).await?;
                if owned.is_empty() {
                    return Err(ClusterError::Api(format!(
                        "{r} in namespace '{ns}' owns no pod: nothing to capture (see: kubectl -n {ns} get {} {name})",
                        kind.short()
                    )));
                }
                out.extend(owned);
            }
        }
    }
    if sel.selector.is_some() || sel.node.is_some() {
        let api: Api<Pod> = if sel.all_namespaces { Api::all(client.clone()) } else { pods_ns.clone() };
        let mut lp = ListParams::default();
        if let Some(s) = &sel.selector {
            lp = lp.labels(s);
        }
        if let Some(n) = &sel.node {
            lp = lp.fields(&format!("spec.nodeName={n}"));
        }
        let list = api.list(&lp).await.map_err(|e| ClusterError::kube(format!("list pods {}", sel.describe(ns)), e))?;
        let via = [sel.selector.as_ref().map(|s| format!("-l {s}")), sel.node.as_ref().map(|n| format!("node {n}"))]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
        // only pods that run (or ran): a finished or pending pod has nothing on a node to capture
        out.extend(list.items.into_iter().filter(|p| !finished(p)).map(|pod| Selected { pod, via: via.clone() }));
    }
    let mut seen = BTreeSet::new();
    out.retain(|s| seen.insert((s.namespace().to_string(), s.name().to_string())));
    out.sort_by(|a, b| (a.namespace(), a.name()).cmp(&(b.namespace(), b.name())));
    if out.is_empty() {
        return Err(ClusterError::Api(format!("no pod matches {}: nothing to capture", sel.describe(ns))));
    }
    Ok(out)
}

fn finished(p: &Pod) -> bool {
    matches!(p.status.as_ref().and_then(|s| s.phase.as_deref()), Some("Succeeded" | "Failed"))
}

/// Does `owner_uid` appear among the object's ownerReferences?
fn owned_by(refs: Option<&Vec<k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference>>, owner_uid: &str) -> bool {
    refs.is_some_and(|v| v.iter().any(|o| o.uid == owner_uid))
}

/// Every pod the controller owns, through the owner chain (a Deployment's pods are owned by its
/// ReplicaSets), by uid: a pod merely carrying the same labels is not taken.
async fn owned_pods(client: &kube::Client, ns: &str, kind: ControllerKind, name: &str) -> Result<Vec<Selected>, ClusterError> {
    let missing = || ClusterError::Api(format!("{}/{name} not found in namespace '{ns}'", kind.short()));
    let get = |what: &str, e| ClusterError::kube(format!("get {what} {ns}/{name}"), e);
    let uid = match kind {
        ControllerKind::Deployment => {
            Api::<Deployment>::namespaced(client.clone(), ns).get_opt(name).await.map_err(|e| get("deployment", e))?.map(|o| o.metadata.uid)
        }
        ControllerKind::StatefulSet => Api::<StatefulSet>::namespaced(client.clone(), ns)
            .get_opt(name)
            .await
            .map_err(|e| get("statefulset", e))?
            .map(|o| o.metadata.uid),
        ControllerKind::DaemonSet => {
            Api::<DaemonSet>::namespaced(client.clone(), ns).get_opt(name).await.map_err(|e| get("daemonset", e))?.map(|o| o.metadata.uid)
        }
        ControllerKind::Job => {
            Api::<Job>::namespaced(client.clone(), ns).get_opt(name).await.map_err(|e| get("job", e))?.map(|o| o.metadata.uid)
        }
        ControllerKind::ReplicaSet => {
            Api::<ReplicaSet>::namespaced(client.clone(), ns).get_opt(name).await.map_err(|e| get("replicaset", e))?.map(|o| o.metadata.uid)
        }
    }
    .ok_or_else(missing)?
    .unwrap_or_default();
    // the owners of the pods: the controller itself, or (a Deployment) its ReplicaSets
    let mut owners: Vec<(String, String)> = vec![(uid.clone(), format!("{}/{name}", kind.short()))];
    if kind == ControllerKind::Deployment {
        let rs = Api::<ReplicaSet>::namespaced(client.clone(), ns)
            .list(&ListParams::default())
            .await
            .map_err(|e| ClusterError::kube(format!("list replicasets in namespace {ns}"), e))?;
        owners = rs
            .items
            .into_iter()
            .filter(|r| owned_by(r.metadata.owner_references.as_ref(), &uid))
            .map(|r| (r.metadata.uid.unwrap_or_default(), format!("deploy/{name} → rs/{}", r.metadata.name.unwrap_or_default())))
            .collect();
    }
    let pods = Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default())
        .await
        .map_err(|e| ClusterError::kube(format!("list pods in namespace {ns}"), e))?;
    Ok(pods
        .items
        .into_iter()
        .filter(|p| !finished(p))
        .filter_map(|p| {
            let via = owners.iter().find(|(u, _)| !u.is_empty() && owned_by(p.metadata.owner_references.as_ref(), u))?.1.clone();
            Some(Selected { pod: p, via })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_read_as_kubectl_names_them() {
        assert_eq!(TargetRef::parse("web-1").unwrap(), TargetRef::Pod("web-1".into()));
        assert_eq!(TargetRef::parse("po/web-1").unwrap(), TargetRef::Pod("web-1".into()));
        assert_eq!(TargetRef::parse("deploy/web").unwrap(), TargetRef::Controller(ControllerKind::Deployment, "web".into()));
        assert_eq!(TargetRef::parse("deployments/web").unwrap(), TargetRef::Controller(ControllerKind::Deployment, "web".into()));
        assert_eq!(TargetRef::parse("sts/db").unwrap(), TargetRef::Controller(ControllerKind::StatefulSet, "db".into()));
        assert_eq!(TargetRef::parse("ds/agent").unwrap(), TargetRef::Controller(ControllerKind::DaemonSet, "agent".into()));
        assert_eq!(TargetRef::parse("job/j").unwrap(), TargetRef::Controller(ControllerKind::Job, "j".into()));
        assert_eq!(TargetRef::parse("rs/web-5d4").unwrap(), TargetRef::Controller(ControllerKind::ReplicaSet, "web-5d4".into()));
        for bad in ["svc/web", "deploy/", "deploy/a/b", "", "pod/"] {
            let e = TargetRef::parse(bad).unwrap_err();
            assert!(!e.contains('\n'), "{e}");
        }
        assert!(TargetRef::parse("cm/x").unwrap_err().contains("cannot capture a cm"));
    }

    #[test]
    fn only_one_named_pod_is_a_single_capture() {
        let one = Selection { refs: vec![TargetRef::Pod("a".into())], ..Default::default() };
        assert_eq!(one.single_pod(), Some("a"));
        let two = Selection { refs: vec![TargetRef::Pod("a".into()), TargetRef::Pod("b".into())], ..Default::default() };
        assert_eq!(two.single_pod(), None);
        let deploy = Selection { refs: vec![TargetRef::Controller(ControllerKind::Deployment, "w".into())], ..Default::default() };
        assert_eq!(deploy.single_pod(), None);
        let sel = Selection { refs: vec![TargetRef::Pod("a".into())], selector: Some("app=x".into()), ..Default::default() };
        assert_eq!(sel.single_pod(), None);
        assert_eq!(
            Selection { selector: Some("app=none".into()), all_namespaces: true, ..Default::default() }.describe("d"),
            "-l app=none in any namespace"
        );
    }
}
