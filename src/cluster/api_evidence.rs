//! API-side evidence about a target pod, written into `cluster/` and `pods/<ns>/<pod>/<ctr>/logs/`:
//! the pod as served, its owner chain, its node, events, logs (current and previous), its service
//! account, the (Cluster)RoleBindings that grant it anything, and the NetworkPolicies selecting it.
//!
//! Each item is independent: one that fails is recorded as an error in the bundle and the rest is
//! still collected.

use super::target::Target;
use crate::evidence::{ArtifactSink, ArtifactSpec, EvidenceError};
use futures::AsyncBufReadExt;
use k8s_openapi::api::core::v1::{Event, Node, Pod, ServiceAccount};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::rbac::v1::{ClusterRoleBinding, RoleBinding, Subject};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::{Api, DynamicObject, ListParams, LogParams};
use kube::core::GroupVersionKind;
use kube::discovery::pinned_kind;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

const JSON: &str = "application/json";

/// Every path this module may write for `t` (the plan for the manifest).
pub fn planned(t: &Target) -> Vec<String> {
    let mut v: Vec<String> =
        ["pod.json", "owners.json", "node.json", "events.json", "serviceaccount.json", "rbac.json", "networkpolicies.json"]
            .iter()
            .map(|f| format!("cluster/{f}"))
            .collect();
    for c in &t.containers {
        if c.container_id.is_some() {
            v.push(log_path(t, &c.name, "current.log"));
        }
        if c.restart_count > 0 {
            v.push(log_path(t, &c.name, "previous.log"));
        }
    }
    v
}

fn log_path(t: &Target, container: &str, file: &str) -> String {
    use crate::protocol::layout;
    format!("{}{}/{file}", layout::container_dir(&t.namespace, &t.pod, container), layout::LOGS_DIR)
}

/// Collect everything; failures of single items are recorded in `sink`, not returned.
pub async fn collect(client: &kube::Client, t: &Target, sink: &mut dyn ArtifactSink) -> Result<(), EvidenceError> {
    let ns = t.namespace.as_str();
    json_artifact(sink, "cluster/pod.json", Ok(&t.object))?;
    json_artifact(sink, "cluster/owners.json", owner_chain(client, ns, &t.object).await.as_ref())?;
    let nodes: Api<Node> = Api::all(client.clone());
    json_artifact(sink, "cluster/node.json", nodes.get(&t.node).await.map_err(|e| describe("get node", e)).as_ref())?;
    json_artifact(sink, "cluster/events.json", events(client, ns, &t.pod_uid).await.as_ref())?;
    let sa_name = t.service_account.clone().unwrap_or_else(|| "default".into());
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), ns);
    json_artifact(sink, "cluster/serviceaccount.json", sas.get(&sa_name).await.map_err(|e| describe("get serviceaccount", e)).as_ref())?;
    json_artifact(sink, "cluster/rbac.json", bindings(client, ns, &sa_name).await.as_ref())?;
    json_artifact(sink, "cluster/networkpolicies.json", policies(client, ns, &t.object).await.as_ref())?;
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    for c in &t.containers {
        if c.container_id.is_some() {
            logs(&pods, t, &c.name, false, sink).await?;
        }
        if c.restart_count > 0 {
            logs(&pods, t, &c.name, true, sink).await?;
        }
    }
    Ok(())
}

fn describe(what: &str, e: kube::Error) -> String {
    match e {
        kube::Error::Api(s) => format!("{what}: {} ({})", s.message, s.code),
        e => format!("{what}: {}", super::client::short(&e)),
    }
}

fn json_artifact<T: Serialize>(sink: &mut dyn ArtifactSink, path: &str, v: Result<&T, &String>) -> Result<(), EvidenceError> {
    match v {
        Ok(v) => {
            let spec = ArtifactSpec::new(path, JSON, "api");
            sink.put(&spec, &mut |w: &mut dyn Write| {
                serde_json::to_writer_pretty(&mut *w, v).map_err(std::io::Error::other)?;
                w.write_all(b"\n")
            })?;
            Ok(())
        }
        Err(msg) => sink.error(Some(path), msg),
    }
}

/// Logs streamed from the API server into the bundle (never held whole in memory).
async fn logs(pods: &Api<Pod>, t: &Target, container: &str, previous: bool, sink: &mut dyn ArtifactSink) -> Result<(), EvidenceError> {
    let path = log_path(t, container, if previous { "previous.log" } else { "current.log" });
    let lp = LogParams { container: Some(container.into()), previous, timestamps: true, ..Default::default() };
    let mut stream = match pods.log_stream(&t.pod, &lp).await {
        Ok(s) => s,
        Err(e) => return sink.error(Some(&path), &describe("get pods/log", e)),
    };
    let spec = ArtifactSpec::new(path.clone(), "text/plain", "api").container(container);
    // the sink writes synchronously: pull the body line by line from inside it (bounded memory)
    let put = tokio::task::block_in_place(|| {
        let rt = tokio::runtime::Handle::current();
        let mut buf = Vec::with_capacity(64 * 1024);
        sink.put(&spec, &mut |w: &mut dyn Write| {
            loop {
                buf.clear();
                if rt.block_on(stream.read_until(b'\n', &mut buf))? == 0 {
                    return Ok(());
                }
                w.write_all(&buf)?;
            }
        })
    });
    if let Err(e) = put {
        sink.error(Some(&path), &format!("log stream cut: {e}"))?;
    }
    Ok(())
}

#[derive(Serialize)]
struct Owner {
    api_version: String,
    kind: String,
    name: String,
    uid: String,
    /// The object as served, when it still exists and could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<DynamicObject>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Follow controller owner references upwards: Pod → ReplicaSet → Deployment, Job → CronJob, …
async fn owner_chain(client: &kube::Client, ns: &str, pod: &Pod) -> Result<Vec<Owner>, String> {
    let mut chain = Vec::new();
    let mut refs = pod.metadata.owner_references.clone().unwrap_or_default();
    for _ in 0..8 {
        let Some(r) = refs.iter().find(|r| r.controller == Some(true)).or(refs.first()).cloned() else { break };
        let (group, version) = match r.api_version.split_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), r.api_version.clone()),
        };
        let gvk = GroupVersionKind::gvk(&group, &version, &r.kind);
        let mut owner = Owner {
            api_version: r.api_version.clone(),
            kind: r.kind.clone(),
            name: r.name.clone(),
            uid: r.uid.clone(),
            object: None,
            error: None,
        };
        refs = vec![];
        match pinned_kind(client, &gvk).await {
            Ok((ar, caps)) => {
                let api: Api<DynamicObject> = if caps.scope == kube::discovery::Scope::Namespaced {
                    Api::namespaced_with(client.clone(), ns, &ar)
                } else {
                    Api::all_with(client.clone(), &ar)
                };
                match api.get_opt(&r.name).await {
                    Ok(Some(o)) => {
                        refs = o.metadata.owner_references.clone().unwrap_or_default();
                        owner.object = Some(o);
                    }
                    Ok(None) => owner.error = Some("not found (deleted?)".into()),
                    Err(e) => owner.error = Some(describe("get", e)),
                }
            }
            Err(e) => owner.error = Some(describe("discover kind", e)),
        }
        chain.push(owner);
    }
    Ok(chain)
}

async fn events(client: &kube::Client, ns: &str, uid: &str) -> Result<Vec<Event>, String> {
    let api: Api<Event> = Api::namespaced(client.clone(), ns);
    let lp = ListParams::default().fields(&format!("involvedObject.uid={uid}"));
    api.list(&lp).await.map(|l| l.items).map_err(|e| describe("list events", e))
}

#[derive(Serialize)]
struct Bindings {
    service_account: String,
    role_bindings: Vec<RoleBinding>,
    cluster_role_bindings: Vec<ClusterRoleBinding>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<String>,
}

/// Does `s` name this service account (directly, or through one of the groups it is in)?
pub fn subject_matches(s: &Subject, ns: &str, sa: &str) -> bool {
    match s.kind.as_str() {
        "ServiceAccount" => s.name == sa && s.namespace.as_deref().unwrap_or(ns) == ns,
        "Group" => {
            s.name == "system:serviceaccounts" || s.name == format!("system:serviceaccounts:{ns}") || s.name == "system:authenticated"
        }
        "User" => s.name == format!("system:serviceaccount:{ns}:{sa}"),
        _ => false,
    }
}

async fn bindings(client: &kube::Client, ns: &str, sa: &str) -> Result<Bindings, String> {
    let mut out = Bindings { service_account: format!("{ns}/{sa}"), role_bindings: vec![], cluster_role_bindings: vec![], errors: vec![] };
    let rb: Api<RoleBinding> = Api::namespaced(client.clone(), ns);
    match rb.list(&ListParams::default()).await {
        Ok(l) => {
            out.role_bindings = l.items.into_iter().filter(|b| b.subjects.iter().flatten().any(|s| subject_matches(s, ns, sa))).collect()
        }
        Err(e) => out.errors.push(describe("list rolebindings", e)),
    }
    let crb: Api<ClusterRoleBinding> = Api::all(client.clone());
    match crb.list(&ListParams::default()).await {
        Ok(l) => {
            out.cluster_role_bindings =
                l.items.into_iter().filter(|b| b.subjects.iter().flatten().any(|s| subject_matches(s, ns, sa))).collect()
        }
        Err(e) => out.errors.push(describe("list clusterrolebindings", e)),
    }
    if out.role_bindings.is_empty() && out.cluster_role_bindings.is_empty() && out.errors.len() == 2 {
        return Err(out.errors.join("; "));
    }
    Ok(out)
}

async fn policies(client: &kube::Client, ns: &str, pod: &Pod) -> Result<Vec<NetworkPolicy>, String> {
    let api: Api<NetworkPolicy> = Api::namespaced(client.clone(), ns);
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    api.list(&ListParams::default())
        .await
        .map(|l| {
            l.items
                .into_iter()
                .filter(|p| p.spec.as_ref().is_some_and(|s| selector_matches(&s.pod_selector.clone().unwrap_or_default(), &labels)))
                .collect()
        })
        .map_err(|e| describe("list networkpolicies", e))
}

/// Kubernetes label-selector semantics (matchLabels AND every matchExpression; empty selects all).
pub fn selector_matches(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let labels_ok = sel.match_labels.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    let exprs_ok = sel.match_expressions.iter().flatten().all(|e| {
        let vals = e.values.clone().unwrap_or_default();
        match e.operator.as_str() {
            "In" => labels.get(&e.key).is_some_and(|v| vals.contains(v)),
            "NotIn" => labels.get(&e.key).is_none_or(|v| !vals.contains(v)),
            "Exists" => labels.contains_key(&e.key),
            "DoesNotExist" => !labels.contains_key(&e.key),
            _ => false,
        }
    });
    labels_ok && exprs_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(kv: &[(&str, &str)]) -> BTreeMap<String, String> {
        kv.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn selectors_follow_kubernetes_semantics() {
        let l = labels(&[("app", "web"), ("tier", "fe")]);
        assert!(selector_matches(&LabelSelector::default(), &l), "empty selects all");
        let s = LabelSelector { match_labels: Some(labels(&[("app", "web")])), ..Default::default() };
        assert!(selector_matches(&s, &l));
        let s = LabelSelector { match_labels: Some(labels(&[("app", "db")])), ..Default::default() };
        assert!(!selector_matches(&s, &l));
        let req = |k: &str, op: &str, v: &[&str]| LabelSelectorRequirement {
            key: k.into(),
            operator: op.into(),
            values: Some(v.iter().map(|s| s.to_string()).collect()),
        };
        let s = LabelSelector {
            match_expressions: Some(vec![req("tier", "In", &["fe", "be"]), req("x", "DoesNotExist", &[])]),
            ..Default::default()
        };
        assert!(selector_matches(&s, &l));
        let s = LabelSelector { match_expressions: Some(vec![req("tier", "NotIn", &["fe"])]), ..Default::default() };
        assert!(!selector_matches(&s, &l));
    }

    #[test]
    fn service_account_subjects() {
        let sa = |name: &str, ns: Option<&str>| Subject {
            kind: "ServiceAccount".into(),
            name: name.into(),
            namespace: ns.map(Into::into),
            api_group: None,
        };
        assert!(subject_matches(&sa("app", Some("prod")), "prod", "app"));
        assert!(!subject_matches(&sa("app", Some("dev")), "prod", "app"));
        let g = Subject { kind: "Group".into(), name: "system:serviceaccounts:prod".into(), namespace: None, api_group: None };
        assert!(subject_matches(&g, "prod", "app"));
        let u = Subject { kind: "User".into(), name: "alice".into(), namespace: None, api_group: None };
        assert!(!subject_matches(&u, "prod", "app"));
    }
}
