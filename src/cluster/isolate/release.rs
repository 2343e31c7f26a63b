//! `kforensic release`: undo exactly what the pod's isolation record lists. Node first, then the
//! NetworkPolicy, and the pod's label and record last: an interrupted release can be run again.

use super::apply::{patch_node, patch_params};
use super::error::{Call, IsolateError};
use super::plan::{get_pod, pod_record};
use super::report::{ChangeLine, Planned, Report};
use super::{QUARANTINE_LABEL, RECORD_ANNOTATION, netpol, node, whoami};
use crate::cluster::{ClusterCtx, ConnectOptions};
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, DeleteParams, ListParams, Patch};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ReleaseOptions {
    pub pod: String,
    pub restore_labels: bool,
    pub dry_run: bool,
    /// `--case-id`, if given: only a check (the record names the case).
    pub case_id: Option<String>,
    pub connect: ConnectOptions,
}

pub async fn run(ctx: &ClusterCtx, opts: &ReleaseOptions) -> Result<Report, IsolateError> {
    let ns = ctx.namespace.clone();
    let client = &ctx.client;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let nps: Api<NetworkPolicy> = Api::namespaced(client.clone(), &ns);
    let nodes: Api<Node> = Api::all(client.clone());
    let pod = match (get_pod(&pods, &opts.pod, &ns).await, &opts.case_id) {
        (Err(IsolateError::PodNotFound { .. }), Some(case)) => return release_gone(ctx, opts, case).await,
        (r, _) => r?,
    };
    let record = pod_record(&pod, &opts.pod)?;
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    let operator = whoami::operator(client, &opts.connect, ctx.context.as_deref()).await;
    let mut warnings = vec![];
    let mut changes = vec![];
    let mut planned = Planned::default();
    let pod_obj = format!("pod/{}", opts.pod);

    let case_id = match (&record, labels.get(QUARANTINE_LABEL)) {
        (Some(r), _) => r.case_id.clone(),
        (None, Some(v)) => {
            warnings.push(format!(
                "the pod carries {QUARANTINE_LABEL}={v} but no kforensic record: removing only the label"
            ));
            v.clone()
        }
        (None, None) => String::new(),
    };
    if let Some(given) = &opts.case_id
        && !case_id.is_empty()
        && *given != case_id
    {
        warnings.push(format!("the pod is isolated under case {case_id}, not {given}: releasing case {case_id}"));
    }
    let nothing = record.is_none() && case_id.is_empty();

    // node
    let mut node_step: Option<String> = None;
    if let Some(n) = record.as_ref().and_then(|r| r.cordon_node()) {
        match nodes.get_opt(n).await.map_err(|e| IsolateError::from_kube(Call::cluster("get", "nodes"), e))? {
            None => warnings.push(format!("node {n} no longer exists: nothing to uncordon")),
            Some(node_obj) => {
                match node::uncordon_patch(&node_obj, &case_id)
                    .map_err(|reason| IsolateError::BadNodeRecord { node: n.into(), reason })?
                {
                    None => warnings
                        .push(format!("node {n} holds no cordon of case {case_id} any more: leaving it as it is")),
                    Some((patch, uncordon)) => {
                        let detail = if uncordon {
                            "spec.unschedulable removed (kforensic had cordoned it)"
                        } else {
                            "stays cordoned: it was cordoned before kforensic, or another case still holds it"
                        };
                        changes.push(ChangeLine::new(
                            if uncordon { "uncordon" } else { "release-cordon" },
                            format!("node/{n}"),
                            detail,
                        ));
                        planned.node_patch = Some(patch);
                        node_step = Some(n.to_string());
                    }
                }
            }
        }
    }

    // NetworkPolicy: shared by the case's pods in this namespace; deleted with the last of them.
    if let Some((name, _)) = record.as_ref().and_then(|r| r.network_policy()) {
        let sel = format!("{QUARANTINE_LABEL}={case_id}");
        let others: Vec<String> = pods
            .list_metadata(&ListParams::default().labels(&sel))
            .await
            .map_err(|e| IsolateError::from_kube(Call::ns("list", "pods", &ns), e))?
            .items
            .into_iter()
            .filter_map(|p| p.metadata.name)
            .filter(|n| *n != opts.pod)
            .collect();
        let np_obj = format!("networkpolicy/{name}");
        if !others.is_empty() {
            changes.push(ChangeLine::new(
                "keep",
                &np_obj,
                format!("still isolates pod(s) {} of the case", others.join(", ")),
            ));
        } else {
            match nps
                .get_opt(name)
                .await
                .map_err(|e| IsolateError::from_kube(Call::ns("get", "networkpolicies", &ns), e))?
            {
                None => warnings.push(format!("networkpolicy {name} is already gone")),
                Some(np) if !netpol::is_ours(&np, &case_id) => warnings.push(format!(
                    "networkpolicy {name} is not labelled as kforensic's for case {case_id}: leaving it"
                )),
                Some(_) => {
                    changes.push(ChangeLine::new("delete", &np_obj, "the case's quarantine policy"));
                    planned.delete_network_policy = Some(name.to_string());
                }
            }
        }
    }

    // pod: quarantine label and record off; original labels back with --restore-labels
    if !nothing {
        let mut lp = serde_json::Map::new();
        if labels.contains_key(QUARANTINE_LABEL) {
            lp.insert(QUARANTINE_LABEL.into(), Value::Null);
            changes.push(ChangeLine::new("unlabel", &pod_obj, QUARANTINE_LABEL));
        }
        if let Some(removed) = record.as_ref().and_then(|r| r.detach()).filter(|m| !m.is_empty()) {
            let pairs = removed.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(", ");
            if opts.restore_labels {
                let mut restored = vec![];
                for (k, v) in removed {
                    match labels.get(k) {
                        Some(cur) if cur != v => warnings.push(format!("label {k} is now {cur}, not {v}: leaving it")),
                        _ => {
                            lp.insert(k.clone(), json!(v));
                            restored.push(format!("{k}={v}"));
                        }
                    }
                }
                changes.push(ChangeLine::new("restore-labels", &pod_obj, restored.join(", ")));
                warnings.push(
                    "original labels restored: the pod's controller (or any whose selector matches) may adopt it again, and then delete it if it has more pods than it wants"
                        .into(),
                );
            } else {
                warnings.push(format!(
                    "labels removed by --detach were not restored ({pairs}); this summary is now their only record (use --restore-labels to put them back)"
                ));
            }
        }
        let mut patch = json!({"metadata": {"labels": lp}});
        if record.is_some() {
            patch["metadata"]["annotations"] = json!({RECORD_ANNOTATION: null});
            changes.push(ChangeLine::new("remove-annotation", &pod_obj, RECORD_ANNOTATION));
        }
        planned.pod_patch = Some(patch);
    }

    let report = Report {
        command: "release",
        dry_run: opts.dry_run,
        case_id: if case_id.is_empty() { "-".into() } else { case_id.clone() },
        namespace: ns.clone(),
        pod: opts.pod.clone(),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        operator,
        nothing_to_do: nothing,
        changes,
        network_plugin: None,
        plan: planned.clone(),
        record: record.clone(),
        warnings,
    };
    if opts.dry_run || nothing {
        return Ok(report);
    }

    let mut done: Vec<String> = vec![];
    let after = |done: &Vec<String>| {
        if done.is_empty() {
            "; nothing was changed".to_string()
        } else {
            format!("; done so far: {}; run release again to finish", done.join(", "))
        }
    };
    if let Some(n) = &node_step {
        let case = case_id.clone();
        let r = patch_node(&nodes, n, |nd| {
            node::uncordon_patch(nd, &case)
                .map(|o| o.map(|(p, _)| p))
                .map_err(|reason| IsolateError::BadNodeRecord { node: n.clone(), reason })
        })
        .await;
        r.map_err(|e| e.with_after(&after(&done)))?;
        done.push(format!("node {n}"));
    }
    if let Some(name) = &planned.delete_network_policy {
        match nps.delete(name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.is_not_found() => {}
            Err(e) => {
                return Err(IsolateError::from_kube_after(Call::ns("delete", "networkpolicies", &ns), e, after(&done)));
            }
        }
        done.push(format!("networkpolicy {name} deleted"));
    }
    if let Some(patch) = &planned.pod_patch {
        pods.patch(&opts.pod, &patch_params(), &Patch::Merge(patch))
            .await
            .map_err(|e| IsolateError::from_kube_after(Call::ns("patch", "pods", &ns), e, after(&done)))?;
    }
    Ok(report)
}

/// The pod is gone (its record with it) and `--case-id` names the case: remove what the case left
/// behind — its NetworkPolicy in the namespace once no pod of the case is left there, and its cordon
/// on any node whose `kforensic.io/cordon` annotation lists it.
async fn release_gone(ctx: &ClusterCtx, opts: &ReleaseOptions, case: &str) -> Result<Report, IsolateError> {
    let ns = ctx.namespace.clone();
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ns);
    let nps: Api<NetworkPolicy> = Api::namespaced(ctx.client.clone(), &ns);
    let nodes: Api<Node> = Api::all(ctx.client.clone());
    let operator = whoami::operator(&ctx.client, &opts.connect, ctx.context.as_deref()).await;
    let mut warnings =
        vec![format!("pod '{}' not found in namespace '{ns}': releasing what case {case} left behind", opts.pod)];
    let mut changes = vec![];
    let mut planned = Planned::default();

    let mut cordoned_nodes = vec![];
    match nodes.list_metadata(&ListParams::default()).await {
        Ok(list) => {
            for n in list.items {
                let holds = n
                    .metadata
                    .annotations
                    .as_ref()
                    .and_then(|a| a.get(super::NODE_ANNOTATION))
                    .and_then(|t| super::record::NodeCordonRecord::parse(t).ok())
                    .is_some_and(|r| r.cases.iter().any(|c| c == case));
                if let (true, Some(name)) = (holds, n.metadata.name) {
                    changes.push(ChangeLine::new(
                        "release-cordon",
                        format!("node/{name}"),
                        "uncordoned unless it was cordoned before or another case holds it",
                    ));
                    cordoned_nodes.push(name);
                }
            }
        }
        Err(e) => warnings.push(format!(
            "cannot list nodes ({}): look for nodes annotated kforensic.io/cordon with case {case} by hand",
            IsolateError::from_kube(Call::cluster("list", "nodes"), e)
        )),
    }
    let name = netpol::policy_name(case);
    let others = pods
        .list_metadata(&ListParams::default().labels(&format!("{QUARANTINE_LABEL}={case}")))
        .await
        .map_err(|e| IsolateError::from_kube(Call::ns("list", "pods", &ns), e))?
        .items;
    match nps.get_opt(&name).await.map_err(|e| IsolateError::from_kube(Call::ns("get", "networkpolicies", &ns), e))? {
        Some(np) if netpol::is_ours(&np, case) && others.is_empty() => {
            changes.push(ChangeLine::new("delete", format!("networkpolicy/{name}"), "the case's quarantine policy"));
            planned.delete_network_policy = Some(name.clone());
        }
        Some(np) if netpol::is_ours(&np, case) => changes.push(ChangeLine::new(
            "keep",
            format!("networkpolicy/{name}"),
            "other pods of the case are still labelled",
        )),
        Some(_) => {
            warnings.push(format!("networkpolicy {name} is not labelled as kforensic's for case {case}: leaving it"))
        }
        None => {}
    }
    let report = Report {
        command: "release",
        dry_run: opts.dry_run,
        case_id: case.to_string(),
        namespace: ns.clone(),
        pod: opts.pod.clone(),
        node: None,
        operator,
        nothing_to_do: changes.iter().all(|c| c.action == "keep"),
        changes,
        network_plugin: None,
        plan: planned.clone(),
        record: None,
        warnings,
    };
    if opts.dry_run {
        return Ok(report);
    }
    for n in &cordoned_nodes {
        patch_node(&nodes, n, |nd| {
            node::uncordon_patch(nd, case)
                .map(|o| o.map(|(p, _)| p))
                .map_err(|reason| IsolateError::BadNodeRecord { node: n.clone(), reason })
        })
        .await?;
    }
    if let Some(name) = &planned.delete_network_policy {
        match nps.delete(name, &DeleteParams::default()).await {
            Ok(_) => {}
            Err(kube::Error::Api(s)) if s.is_not_found() => {}
            Err(e) => return Err(IsolateError::from_kube(Call::ns("delete", "networkpolicies", &ns), e)),
        }
    }
    Ok(report)
}
