//! `kforensic release`: undo exactly what the pod's isolation record lists. Node first, then the
//! NetworkPolicy, and the pod's label and record last: an interrupted release can be run again.
//!
//! As for isolate, [`build`] reads the cluster and resolves a [`ReleasePlan`] before anything is
//! changed (the same plan makes the `--dry-run` output), and [`apply`] carries it out.

use super::apply::{patch_node, patch_params};
use super::error::{Call, IsolateError};
use super::plan::{get_pod, pod_record};
use super::record::{IsolationRecord, NodeCordonRecord};
use super::report::{ChangeLine, Planned, Report};
use super::{NODE_ANNOTATION, QUARANTINE_LABEL, RECORD_ANNOTATION, netpol, node};
use crate::cluster::{ClusterCtx, ConnectOptions};
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, DeleteParams, ListParams, Patch};
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    pub pod: String,
    pub restore_labels: bool,
    pub dry_run: bool,
    /// `--case-id`, if given: only a check (the record names the case).
    pub case_id: Option<String>,
    pub connect: ConnectOptions,
}

/// What release will undo, resolved from the pod's isolation record (or, when the pod is gone and
/// `--case-id` names the case, from what that case left behind) before anything is changed.
#[derive(Debug, Clone, Serialize)]
pub struct ReleasePlan {
    pub namespace: String,
    pub pod: String,
    /// The pod's node (None when the pod is gone or not scheduled).
    pub node: Option<String>,
    /// The case released; empty when the pod carries neither a record nor the quarantine label.
    pub case_id: String,
    pub operator: String,
    /// The pod no longer exists: release what its case left behind (`--case-id`).
    pub pod_gone: bool,
    /// The record this release undoes (None: the pod has none, or is gone).
    pub record: Option<IsolationRecord>,
    /// Nodes to give the case's cordon back on (uncordoned unless cordoned before or still held).
    pub uncordon: Vec<String>,
    /// The objects and patches: the case's NetworkPolicy to delete, the pod's and the node's patch.
    pub planned: Planned,
    /// What will be done, in order.
    pub changes: Vec<ChangeLine>,
    pub nothing_to_do: bool,
    pub warnings: Vec<String>,
}

impl ReleasePlan {
    fn new(ctx: &ClusterCtx, opts: &ReleaseOptions, case_id: String, operator: String) -> Self {
        ReleasePlan {
            namespace: ctx.namespace.clone(),
            pod: opts.pod.clone(),
            node: None,
            case_id,
            operator,
            pod_gone: false,
            record: None,
            uncordon: vec![],
            planned: Planned::default(),
            changes: vec![],
            nothing_to_do: false,
            warnings: vec![],
        }
    }

    pub fn report(&self, dry_run: bool) -> Report {
        Report {
            command: "release",
            dry_run,
            // a pod with neither record nor label has no case; a gone pod's case is the one given
            case_id: if self.case_id.is_empty() && !self.pod_gone { "-".into() } else { self.case_id.clone() },
            namespace: self.namespace.clone(),
            pod: self.pod.clone(),
            node: self.node.clone(),
            operator: self.operator.clone(),
            nothing_to_do: self.nothing_to_do,
            changes: self.changes.clone(),
            network_plugin: None,
            plan: self.planned.clone(),
            record: self.record.clone(),
            warnings: self.warnings.clone(),
        }
    }

    /// The text appended to an error of [`apply`]: what was done so far, so that release can be
    /// run again to finish. Nothing for a gone pod's case.
    fn after(&self, done: &[String]) -> String {
        if self.pod_gone {
            String::new()
        } else if done.is_empty() {
            "; nothing was changed".to_string()
        } else {
            format!("; done so far: {}; run release again to finish", done.join(", "))
        }
    }
}

/// Read the pod and its record (or, when the pod is gone and `--case-id` is given, what that case
/// left behind) and resolve what release will undo. Changes nothing.
pub async fn build(ctx: &ClusterCtx, opts: &ReleaseOptions) -> Result<ReleasePlan, IsolateError> {
    let ns = ctx.namespace.clone();
    let client = &ctx.client;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let nps: Api<NetworkPolicy> = Api::namespaced(client.clone(), &ns);
    let nodes: Api<Node> = Api::all(client.clone());
    let pod = match (get_pod(&pods, &opts.pod, &ns).await, &opts.case_id) {
        (Err(IsolateError::PodNotFound { .. }), Some(case)) => return build_gone(ctx, opts, case).await,
        (r, _) => r?,
    };
    let record = pod_record(&pod, &opts.pod)?;
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let operator = crate::cluster::whoami::operator(client, &opts.connect, ctx.context.as_deref()).await;
    let mut warnings = vec![];
    let case_id = released_case(record.as_ref(), &labels, opts.case_id.as_deref(), &mut warnings);

    let mut plan = ReleasePlan::new(ctx, opts, case_id, operator);
    plan.nothing_to_do = record.is_none() && plan.case_id.is_empty();
    plan.node = pod.spec.as_ref().and_then(|s| s.node_name.clone());
    plan.record = record;
    plan.warnings = warnings;
    if let Some(n) = plan.record.as_ref().and_then(|r| r.cordon_node()).map(str::to_string) {
        plan_uncordon(&nodes, &n, &mut plan).await?;
    }
    if let Some(name) = plan.record.as_ref().and_then(|r| r.network_policy()).map(|(n, _)| n.to_string()) {
        plan_policy(&pods, &nps, &name, &mut plan).await?;
    }
    if !plan.nothing_to_do {
        plan_pod(&mut plan, &labels, opts.restore_labels);
    }
    Ok(plan)
}

/// The case to release: the record's, or (no record) the quarantine label's value, with a warning;
/// empty when the pod carries neither. A different `--case-id` is only warned about.
fn released_case(
    record: Option<&IsolationRecord>,
    labels: &BTreeMap<String, String>,
    given: Option<&str>,
    warnings: &mut Vec<String>,
) -> String {
    let case_id = match (record, labels.get(QUARANTINE_LABEL)) {
        (Some(r), _) => r.case_id.clone(),
        (None, Some(v)) => {
            warnings.push(format!("the pod carries {QUARANTINE_LABEL}={v} but no kforensic record: removing only the label"));
            v.clone()
        }
        (None, None) => String::new(),
    };
    if let Some(given) = given
        && !case_id.is_empty()
        && given != case_id
    {
        warnings.push(format!("the pod is isolated under case {case_id}, not {given}: releasing case {case_id}"));
    }
    case_id
}

/// The node the record cordoned: give the case's cordon back, if the node still holds it.
async fn plan_uncordon(nodes: &Api<Node>, n: &str, plan: &mut ReleasePlan) -> Result<(), IsolateError> {
    let Some(node_obj) = nodes.get_opt(n).await.map_err(|e| IsolateError::from_kube(Call::cluster("get", "nodes"), e))? else {
        plan.warnings.push(format!("node {n} no longer exists: nothing to uncordon"));
        return Ok(());
    };
    match node::uncordon_patch(&node_obj, &plan.case_id).map_err(|reason| IsolateError::BadNodeRecord { node: n.into(), reason })? {
        None => plan.warnings.push(format!("node {n} holds no cordon of case {} any more: leaving it as it is", plan.case_id)),
        Some((patch, uncordon)) => {
            let detail = if uncordon {
                "spec.unschedulable removed (kforensic had cordoned it)"
            } else {
                "stays cordoned: it was cordoned before kforensic, or another case still holds it"
            };
            plan.changes.push(ChangeLine::new(if uncordon { "uncordon" } else { "release-cordon" }, format!("node/{n}"), detail));
            plan.planned.node_patch = Some(patch);
            plan.uncordon.push(n.to_string());
        }
    }
    Ok(())
}

/// The record's NetworkPolicy: shared by the case's pods in this namespace; deleted with the last
/// of them.
async fn plan_policy(pods: &Api<Pod>, nps: &Api<NetworkPolicy>, name: &str, plan: &mut ReleasePlan) -> Result<(), IsolateError> {
    let ns = &plan.namespace;
    let sel = format!("{QUARANTINE_LABEL}={}", plan.case_id);
    let others: Vec<String> = pods
        .list_metadata(&ListParams::default().labels(&sel))
        .await
        .map_err(|e| IsolateError::from_kube(Call::ns("list", "pods", ns), e))?
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .filter(|n| *n != plan.pod)
        .collect();
    let np_obj = format!("networkpolicy/{name}");
    if !others.is_empty() {
        plan.changes.push(ChangeLine::new("keep", &np_obj, format!("still isolates pod(s) {} of the case", others.join(", "))));
        return Ok(());
    }
    match nps.get_opt(name).await.map_err(|e| IsolateError::from_kube(Call::ns("get", "networkpolicies", ns), e))? {
        None => plan.warnings.push(format!("networkpolicy {name} is already gone")),
        Some(np) if !netpol::is_ours(&np, &plan.case_id) => {
            plan.warnings.push(format!("networkpolicy {name} is not labelled as kforensic's for case {}: leaving it", plan.case_id))
        }
        Some(_) => {
            plan.changes.push(ChangeLine::new("delete", &np_obj, "the case's quarantine policy"));
            plan.planned.delete_network_policy = Some(name.to_string());
        }
    }
    Ok(())
}

/// The pod's merge patch: quarantine label and record off; with `restore_labels`, the labels
/// `--detach` removed back (those not changed since).
fn plan_pod(plan: &mut ReleasePlan, labels: &BTreeMap<String, String>, restore_labels: bool) {
    let pod_obj = format!("pod/{}", plan.pod);
    let mut lp = serde_json::Map::new();
    if labels.contains_key(QUARANTINE_LABEL) {
        lp.insert(QUARANTINE_LABEL.into(), Value::Null);
        plan.changes.push(ChangeLine::new("unlabel", &pod_obj, QUARANTINE_LABEL));
    }
    if let Some(removed) = plan.record.as_ref().and_then(|r| r.detach()).filter(|m| !m.is_empty()) {
        let pairs = removed.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
        if restore_labels {
            let mut restored = vec![];
            for (k, v) in removed {
                match labels.get(k) {
                    Some(cur) if cur != v => plan.warnings.push(format!("label {k} is now {cur}, not {v}: leaving it")),
                    _ => {
                        lp.insert(k.clone(), json!(v));
                        restored.push(format!("{k}={v}"));
                    }
                }
            }
            plan.changes.push(ChangeLine::new("restore-labels", &pod_obj, restored.join(", ")));
            plan.warnings.push(
                "original labels restored: the pod's controller (or any whose selector matches) may adopt it again, and then delete it if it has more pods than it wants"
                    .into(),
            );
        } else {
            plan.warnings.push(format!(
                "labels removed by --detach were not restored ({pairs}); this summary is now their only record (use --restore-labels to put them back)"
            ));
        }
    }
    let mut patch = json!({"metadata": {"labels": lp}});
    if plan.record.is_some() {
        patch["metadata"]["annotations"] = json!({RECORD_ANNOTATION: null});
        plan.changes.push(ChangeLine::new("remove-annotation", &pod_obj, RECORD_ANNOTATION));
    }
    plan.planned.pod_patch = Some(patch);
}

/// The pod is gone (its record with it) and `--case-id` names the case: remove what the case left
/// behind — its NetworkPolicy in the namespace once no pod of the case is left there, and its cordon
/// on any node whose `kforensic.io/cordon` annotation lists it.
async fn build_gone(ctx: &ClusterCtx, opts: &ReleaseOptions, case: &str) -> Result<ReleasePlan, IsolateError> {
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let nps: Api<NetworkPolicy> = Api::namespaced(ctx.client.clone(), &ctx.namespace);
    let nodes: Api<Node> = Api::all(ctx.client.clone());
    let operator = crate::cluster::whoami::operator(&ctx.client, &opts.connect, ctx.context.as_deref()).await;
    let mut plan = ReleasePlan::new(ctx, opts, case.to_string(), operator);
    plan.pod_gone = true;
    plan.warnings.push(format!("pod '{}' not found in namespace '{}': releasing what case {case} left behind", opts.pod, ctx.namespace));
    plan_case_cordons(&nodes, &mut plan).await;
    plan_case_policy(&pods, &nps, &mut plan).await?;
    plan.nothing_to_do = plan.changes.iter().all(|c| c.action == "keep");
    Ok(plan)
}

/// Every node whose `kforensic.io/cordon` annotation lists the case; a warning when nodes cannot
/// be listed.
async fn plan_case_cordons(nodes: &Api<Node>, plan: &mut ReleasePlan) {
    let case = plan.case_id.clone();
    let list = match nodes.list_metadata(&ListParams::default()).await {
        Ok(list) => list,
        Err(e) => {
            plan.warnings.push(format!(
                "cannot list nodes ({}): look for nodes annotated kforensic.io/cordon with case {case} by hand",
                IsolateError::from_kube(Call::cluster("list", "nodes"), e)
            ));
            return;
        }
    };
    for n in list.items {
        let holds = n
            .metadata
            .annotations
            .as_ref()
            .and_then(|a| a.get(NODE_ANNOTATION))
            .and_then(|t| NodeCordonRecord::parse(t).ok())
            .is_some_and(|r| r.cases.contains(&case));
        if let (true, Some(name)) = (holds, n.metadata.name) {
            plan.changes.push(ChangeLine::new(
                "release-cordon",
                format!("node/{name}"),
                "uncordoned unless it was cordoned before or another case holds it",
            ));
            plan.uncordon.push(name);
        }
    }
}

/// The case's NetworkPolicy in the namespace: deleted when it is kforensic's for the case and no
/// pod of the case is left there.
async fn plan_case_policy(pods: &Api<Pod>, nps: &Api<NetworkPolicy>, plan: &mut ReleasePlan) -> Result<(), IsolateError> {
    let (ns, case) = (&plan.namespace, &plan.case_id);
    let name = netpol::policy_name(case);
    let others = pods
        .list_metadata(&ListParams::default().labels(&format!("{QUARANTINE_LABEL}={case}")))
        .await
        .map_err(|e| IsolateError::from_kube(Call::ns("list", "pods", ns), e))?
        .items;
    match nps.get_opt(&name).await.map_err(|e| IsolateError::from_kube(Call::ns("get", "networkpolicies", ns), e))? {
        Some(np) if netpol::is_ours(&np, case) && others.is_empty() => {
            plan.changes.push(ChangeLine::new("delete", format!("networkpolicy/{name}"), "the case's quarantine policy"));
            plan.planned.delete_network_policy = Some(name.clone());
        }
        Some(np) if netpol::is_ours(&np, case) => {
            plan.changes.push(ChangeLine::new("keep", format!("networkpolicy/{name}"), "other pods of the case are still labelled"))
        }
        Some(_) => plan.warnings.push(format!("networkpolicy {name} is not labelled as kforensic's for case {case}: leaving it")),
        None => {}
    }
    Ok(())
}

/// Carry out a release plan: the nodes' cordons, the NetworkPolicy, then the pod's patch. A failure
/// says what was already done, so that release can simply be run again.
pub async fn apply(ctx: &ClusterCtx, plan: ReleasePlan) -> Result<Report, IsolateError> {
    let ns = &plan.namespace;
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), ns);
    let nps: Api<NetworkPolicy> = Api::namespaced(ctx.client.clone(), ns);
    let nodes: Api<Node> = Api::all(ctx.client.clone());
    let mut done: Vec<String> = vec![];
    for n in &plan.uncordon {
        patch_node(&nodes, n, |nd| {
            node::uncordon_patch(nd, &plan.case_id)
                .map(|o| o.map(|(p, _)| p))
                .map_err(|reason| IsolateError::BadNodeRecord { node: n.clone(), reason })
        })
        .await
        .map_err(|e| e.with_after(&plan.after(&done)))?;
        done.push(format!("node {n}"));
    }
    if let Some(name) = &plan.planned.delete_network_policy {
        match nps.delete(name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.is_not_found() => {}
            Err(e) => {
                let call = Call::ns("delete", "networkpolicies", ns);
                return Err(IsolateError::from_kube_after(call, e, plan.after(&done)));
            }
        }
        done.push(format!("networkpolicy {name} deleted"));
    }
    if let Some(patch) = &plan.planned.pod_patch {
        pods.patch(&plan.pod, &patch_params(), &Patch::Merge(patch))
            .await
            .map_err(|e| IsolateError::from_kube_after(Call::ns("patch", "pods", ns), e, plan.after(&done)))?;
    }
    Ok(plan.report(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::isolate::record::{Change, Entry};

    fn plan(record: Option<IsolationRecord>) -> ReleasePlan {
        ReleasePlan {
            namespace: "ns1".into(),
            pod: "web".into(),
            node: None,
            case_id: record.as_ref().map(|r| r.case_id.clone()).unwrap_or_default(),
            operator: "op".into(),
            pod_gone: false,
            record,
            uncordon: vec![],
            planned: Planned::default(),
            changes: vec![],
            nothing_to_do: false,
            warnings: vec![],
        }
    }

    fn detached(case: &str, removed: &[(&str, &str)]) -> IsolationRecord {
        let mut r = IsolationRecord::new(case);
        r.changes.push(Entry {
            at: "t".into(),
            by: "op".into(),
            change: Change::Label { key: QUARANTINE_LABEL.into(), value: case.into() },
        });
        r.changes.push(Entry {
            at: "t".into(),
            by: "op".into(),
            change: Change::Detach {
                removed_labels: removed.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                controller: None,
                services: vec![],
                policies: vec![],
            },
        });
        r
    }

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_case_is_the_records_then_the_labels_and_a_different_case_id_is_a_warning() {
        let r = IsolationRecord::new("c1");
        let mut w = vec![];
        assert_eq!(released_case(Some(&r), &labels(&[(QUARANTINE_LABEL, "c2")]), Some("c3"), &mut w), "c1");
        assert_eq!(w, ["the pod is isolated under case c1, not c3: releasing case c1"]);
        let mut w = vec![];
        assert_eq!(released_case(None, &labels(&[(QUARANTINE_LABEL, "c2")]), None, &mut w), "c2");
        assert!(w[0].contains("no kforensic record: removing only the label"), "{w:?}");
        let mut w = vec![];
        assert_eq!(released_case(None, &labels(&[("app", "web")]), Some("c3"), &mut w), "");
        assert!(w.is_empty());
    }

    #[test]
    fn the_pod_patch_removes_label_and_record_and_restores_only_unchanged_labels() {
        let mut p = plan(Some(detached("c1", &[("app", "web"), ("tier", "fe")])));
        plan_pod(&mut p, &labels(&[(QUARANTINE_LABEL, "c1"), ("tier", "be")]), true);
        assert_eq!(
            p.planned.pod_patch,
            Some(json!({"metadata": {
                "labels": {QUARANTINE_LABEL: null, "app": "web"},
                "annotations": {RECORD_ANNOTATION: null},
            }}))
        );
        let actions: Vec<&str> = p.changes.iter().map(|c| c.action.as_str()).collect();
        assert_eq!(actions, ["unlabel", "restore-labels", "remove-annotation"]);
        assert_eq!(p.changes[1].detail, "app=web");
        assert_eq!(p.warnings[0], "label tier is now be, not fe: leaving it");
        assert!(p.warnings[1].contains("may adopt it again"), "{:?}", p.warnings);
    }

    #[test]
    fn without_restore_labels_the_removed_labels_are_named_in_a_warning() {
        let mut p = plan(Some(detached("c1", &[("app", "web")])));
        plan_pod(&mut p, &labels(&[(QUARANTINE_LABEL, "c1")]), false);
        assert_eq!(
            p.planned.pod_patch,
            Some(json!({"metadata": {"labels": {QUARANTINE_LABEL: null}, "annotations": {RECORD_ANNOTATION: null}}}))
        );
        assert!(p.warnings[0].contains("not restored (app=web)"), "{:?}", p.warnings);
    }

    #[test]
    fn the_report_names_no_case_as_a_dash_and_errors_say_what_was_done() {
        let p = plan(None);
        assert_eq!(p.report(true).case_id, "-");
        assert_eq!(p.after(&[]), "; nothing was changed");
        assert_eq!(p.after(&["node n1".into()]), "; done so far: node n1; run release again to finish");
        let gone = ReleasePlan { pod_gone: true, case_id: "c1".into(), ..plan(None) };
        assert_eq!(gone.report(false).case_id, "c1");
        assert_eq!(gone.after(&["node n1".into()]), "");
    }
}
