//! Carry out an isolate plan: NetworkPolicy, node, pod — and undo the earlier steps when a later
//! one fails, so the pod is never left labelled without its policy.

use super::error::{Call, IsolateError};
use super::plan::IsolatePlan;
use super::report::Report;
use super::{FIELD_MANAGER, netpol, node};
use crate::cluster::ClusterCtx;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, DeleteParams, Patch, PatchParams, PostParams};
use std::time::Duration;

pub fn patch_params() -> PatchParams {
    PatchParams { field_manager: Some(FIELD_MANAGER.into()), ..Default::default() }
}

/// Patch a node with `make(node)`, re-reading it when someone else changed it in between (409).
/// Returns the patch applied, or None when `make` says there is nothing to do.
pub async fn patch_node<F>(nodes: &Api<Node>, name: &str, mut make: F) -> Result<Option<serde_json::Value>, IsolateError>
where
    F: FnMut(&Node) -> Result<Option<serde_json::Value>, IsolateError>,
{
    let mut attempt = 0;
    loop {
        let n = nodes.get(name).await.map_err(|e| IsolateError::from_kube(Call::cluster("get", "nodes"), e))?;
        let Some(patch) = make(&n)? else { return Ok(None) };
        match nodes.patch(name, &patch_params(), &Patch::Merge(&patch)).await {
            Ok(_) => return Ok(Some(patch)),
            Err(kube::Error::Api(s)) if s.is_conflict() && attempt < 5 => attempt += 1,
            Err(e) => return Err(IsolateError::from_kube(Call::cluster("patch", "nodes"), e)),
        }
    }
}

pub async fn apply(ctx: &ClusterCtx, mut plan: IsolatePlan) -> Result<Report, IsolateError> {
    let ns = plan.namespace.clone();
    let nps: Api<NetworkPolicy> = Api::namespaced(ctx.client.clone(), &ns);
    let pods: Api<Pod> = Api::namespaced(ctx.client.clone(), &ns);
    let nodes: Api<Node> = Api::all(ctx.client.clone());

    // 1. NetworkPolicy: selects nothing until the label lands, so it is safe alone.
    let mut created_policy = false;
    if let Some(np) = &plan.create_policy {
        match nps.create(&PostParams { field_manager: Some(FIELD_MANAGER.into()), ..Default::default() }, np).await {
            Ok(_) => created_policy = true,
            Err(kube::Error::Api(s)) if s.is_already_exists() => {
                // created meanwhile, e.g. by a concurrent isolate of another pod of the case
                let np =
                    nps.get(&plan.policy_name).await.map_err(|e| IsolateError::from_kube(Call::ns("get", "networkpolicies", &ns), e))?;
                if !netpol::is_ours(&np, &plan.case_id) {
                    return Err(IsolateError::ForeignPolicy { name: plan.policy_name.clone(), namespace: ns });
                }
            }
            Err(e) => {
                return Err(IsolateError::from_kube_after(Call::ns("create", "networkpolicies", &ns), e, "; nothing was changed".into()));
            }
        }
    }

    // 2. node cordon
    let mut cordoned = false;
    if let Some(c) = &plan.cordon {
        let case = plan.case_id.clone();
        let res = patch_node(&nodes, &c.node, |n| {
            node::cordon_patch(n, &case)
                .map(|o| o.map(|(p, _)| p))
                .map_err(|reason| IsolateError::BadNodeRecord { node: c.node.clone(), reason })
        })
        .await;
        match res {
            Ok(Some(p)) => {
                cordoned = true;
                if let Some(pc) = plan.cordon.as_mut() {
                    pc.patch = p;
                }
            }
            Ok(None) => {}
            Err(e) => {
                let rb = rollback(&nps, &nodes, &plan, created_policy, false).await;
                return Err(e.with_after(&rb));
            }
        }
    }

    // 3. the pod: label + record (+ detach) in one patch
    if let Some(patch) = plan.pod_patch()
        && let Err(e) = pods.patch(&plan.pod, &patch_params(), &Patch::Merge(&patch)).await
    {
        let rb = rollback(&nps, &nodes, &plan, created_policy, cordoned).await;
        let e = match e {
            kube::Error::Api(s) if s.is_not_found() => IsolateError::PodNotFound { pod: plan.pod.clone(), namespace: ns.clone() },
            e => IsolateError::from_kube(Call::ns("patch", "pods", &ns), e),
        };
        return Err(e.with_after(&rb));
    }

    // 4. detach: the controller releases the pod (drops its ownerReference) once its selector no
    // longer matches, and starts a replacement. Wait briefly to report it.
    if let Some(uid) = plan.detach.as_ref().and_then(|d| d.controller_uid.clone()) {
        let ctrl = plan.detach.as_ref().and_then(|d| d.controller.clone());
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        loop {
            let still_owned = match pods.get(&plan.pod).await {
                Ok(p) => p.metadata.owner_references.iter().flatten().any(|o| o.uid == uid),
                Err(_) => false,
            };
            if !still_owned {
                break;
            }
            if tokio::time::Instant::now() > deadline {
                if let Some(c) = &ctrl {
                    plan.warnings.push(format!(
                        "{c} still lists itself as the pod's owner after 15 s (is the controller-manager running?); it should release the pod once it sees the new labels"
                    ));
                }
                break;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }
    Ok(plan.report(false))
}

/// Undo steps 1–2 after a later step failed; returns the text appended to the error.
async fn rollback(nps: &Api<NetworkPolicy>, nodes: &Api<Node>, plan: &IsolatePlan, created_policy: bool, cordoned: bool) -> String {
    let mut done = vec![];
    let mut failed = vec![];
    if cordoned && let Some(c) = &plan.cordon {
        let case = plan.case_id.clone();
        let r = patch_node(nodes, &c.node, |n| {
            node::uncordon_patch(n, &case)
                .map(|o| o.map(|(p, _)| p))
                .map_err(|reason| IsolateError::BadNodeRecord { node: c.node.clone(), reason })
        })
        .await;
        match r {
            Ok(_) => done.push(format!("gave back the cordon of node {}", c.node)),
            Err(e) => failed.push(format!("node {} is left cordoned ({e}): kubectl uncordon {}", c.node, c.node)),
        }
    }
    if created_policy {
        match nps.delete(&plan.policy_name, &DeleteParams::default()).await {
            Ok(_) => done.push(format!("deleted networkpolicy {}", plan.policy_name)),
            Err(kube::Error::Api(s)) if s.is_not_found() => done.push(format!("networkpolicy {} already gone", plan.policy_name)),
            Err(e) => failed.push(format!(
                "networkpolicy {} is left ({}): kubectl -n {} delete networkpolicy {}",
                plan.policy_name,
                crate::cluster::client::short(&e),
                plan.namespace,
                plan.policy_name
            )),
        }
    }
    match (done.is_empty(), failed.is_empty()) {
        (true, true) => "; nothing was changed".into(),
        (false, true) => format!("; rolled back: {}", done.join(", ")),
        (_, false) => format!("; ROLLBACK INCOMPLETE: {}", failed.join("; ")),
    }
}
