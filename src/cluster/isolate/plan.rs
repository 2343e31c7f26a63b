//! The resolved isolate plan: everything read from the cluster and decided before anything is
//! changed. The same plan drives the real run and `--dry-run`.

use super::detach::{self, DetachPlan};
use super::error::{Call, IsolateError};
use super::netpol::{self, DnsNamespace};
use super::record::{Change, Entry, IsolationRecord};
use super::report::{ChangeLine, Planned, Report};
use super::{QUARANTINE_LABEL, RECORD_ANNOTATION, node};
use crate::cluster::cni::{self, CniReport};
use crate::cluster::{ClusterCtx, ConnectOptions};
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::api::{Api, ListParams};
use serde_json::{Value, json};
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct IsolateOptions {
    pub pod: String,
    /// The case id to use when the pod is not isolated yet (given or generated).
    pub case_id: String,
    /// Whether `case_id` came from the command line (a different id on an isolated pod: warning).
    pub case_id_given: bool,
    pub cordon: bool,
    pub detach: bool,
    pub allow_dns: bool,
    pub dry_run: bool,
    /// To name the operator when the server cannot (no SelfSubjectReview before 1.28).
    pub connect: ConnectOptions,
}

#[derive(Debug, Clone)]
pub struct CordonPlan {
    pub node: String,
    pub was_unschedulable: bool,
    /// As computed from the node read while planning (re-computed on a conflict).
    pub patch: Value,
}

#[derive(Debug, Clone)]
pub struct IsolatePlan {
    pub namespace: String,
    pub pod: String,
    pub node: Option<String>,
    pub case_id: String,
    pub operator: String,
    pub at: String,
    pub policy_name: String,
    /// The policy to create; None when it exists (earlier run, or another pod of the case here).
    pub create_policy: Option<NetworkPolicy>,
    pub allow_dns: bool,
    /// The quarantine label is missing or has another value.
    pub set_label: bool,
    pub detach: Option<DetachPlan>,
    pub cordon: Option<CordonPlan>,
    /// The record before this run (None: the pod is not isolated) and after it.
    pub previous: Option<IsolationRecord>,
    pub record: IsolationRecord,
    pub cni: CniReport,
    pub warnings: Vec<String>,
}

pub fn now() -> String {
    jiff::Timestamp::now().round(jiff::Unit::Second).unwrap_or_else(|_| jiff::Timestamp::now()).to_string()
}

pub(super) async fn get_pod(pods: &Api<Pod>, name: &str, ns: &str) -> Result<Pod, IsolateError> {
    match pods.get(name).await {
        Ok(p) => Ok(p),
        Err(kube::Error::Api(s)) if s.is_not_found() => Err(IsolateError::PodNotFound { pod: name.to_string(), namespace: ns.to_string() }),
        Err(e) => Err(IsolateError::from_kube(Call::ns("get", "pods", ns), e)),
    }
}

pub(super) fn pod_record(pod: &Pod, name: &str) -> Result<Option<IsolationRecord>, IsolateError> {
    match pod.metadata.annotations.as_ref().and_then(|a| a.get(RECORD_ANNOTATION)) {
        Some(text) => IsolationRecord::parse(text).map(Some).map_err(|reason| IsolateError::BadRecord { pod: name.to_string(), reason }),
        None => Ok(None),
    }
}

pub async fn build(ctx: &ClusterCtx, opts: &IsolateOptions) -> Result<IsolatePlan, IsolateError> {
    let ns = ctx.namespace.clone();
    let client = &ctx.client;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let pod = get_pod(&pods, &opts.pod, &ns).await?;
    let previous = pod_record(&pod, &opts.pod)?;
    let mut warnings = vec![];
    let case_id = isolated_case(previous.as_ref(), opts, &mut warnings);
    pod_warnings(&pod, &mut warnings);
    let operator = crate::cluster::whoami::operator(client, &opts.connect, ctx.context.as_deref()).await;
    let at = now();
    let cni = cni::detect(client).await;
    if let Some(w) = cni.warning() {
        warnings.push(w);
    }
    let mut plan = IsolatePlan {
        namespace: ns,
        pod: opts.pod.clone(),
        node: pod.spec.as_ref().and_then(|s| s.node_name.clone()),
        policy_name: netpol::policy_name(&case_id),
        record: previous.clone().unwrap_or_else(|| IsolationRecord::new(&case_id)),
        case_id,
        operator,
        at,
        create_policy: None,
        allow_dns: opts.allow_dns,
        set_label: false,
        detach: None,
        cordon: None,
        previous,
        cni,
        warnings,
    };

    let nps: Api<NetworkPolicy> = Api::namespaced(client.clone(), &plan.namespace);
    plan_policy(ctx, &nps, opts, &mut plan).await?;
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    plan_label(&labels, &mut plan);
    let other_policies = other_policies(&nps, &mut plan).await;
    if opts.detach && plan.record.detach().is_none() {
        plan.detach = Some(plan_detach(client, &pod, &labels, &other_policies, &mut plan).await?);
    }
    warn_open_policies(&labels, &other_policies, &mut plan);
    if opts.cordon && plan.record.cordon_node().is_none() {
        plan_cordon(client, &mut plan).await?;
    }
    Ok(plan)
}

/// The case: the record's when the pod is isolated already (a different `--case-id` is only
/// warned about), else the one given or generated.
fn isolated_case(previous: Option<&IsolationRecord>, opts: &IsolateOptions, warnings: &mut Vec<String>) -> String {
    match previous {
        Some(r) => {
            if opts.case_id_given && r.case_id != opts.case_id {
                warnings.push(format!("pod is already isolated under case {}: keeping that case id, not {}", r.case_id, opts.case_id));
            }
            r.case_id.clone()
        }
        None => opts.case_id.clone(),
    }
}

/// What the pod itself makes worth saying: a host network NetworkPolicy cannot cut, a deletion.
fn pod_warnings(pod: &Pod, warnings: &mut Vec<String>) {
    if pod.spec.as_ref().and_then(|s| s.host_network) == Some(true) {
        warnings.push(
            "the pod uses the node's network (hostNetwork): NetworkPolicy does not apply to it, so it is NOT cut off the network".into(),
        );
    }
    if pod.metadata.deletion_timestamp.is_some() {
        warnings.push("the pod is being deleted: capture its evidence now".into());
    }
}

/// NetworkPolicy: one per case and namespace, shared by the case's pods there. Created unless it
/// exists; refused when a policy of that name exists and is not kforensic's for the case.
async fn plan_policy(
    ctx: &ClusterCtx,
    nps: &Api<NetworkPolicy>,
    opts: &IsolateOptions,
    plan: &mut IsolatePlan,
) -> Result<(), IsolateError> {
    let existing = nps
        .get_opt(&plan.policy_name)
        .await
        .map_err(|e| IsolateError::from_kube(Call::ns("get", "networkpolicies", &plan.namespace), e))?;
    if let Some(np) = &existing
        && !netpol::is_ours(np, &plan.case_id)
    {
        return Err(IsolateError::ForeignPolicy { name: plan.policy_name.clone(), namespace: plan.namespace.clone() });
    }
    let allow_dns = plan.record.network_policy().map(|(_, d)| d).unwrap_or(opts.allow_dns);
    if allow_dns != opts.allow_dns {
        plan.warnings.push(format!(
            "the pod is already isolated {} DNS egress: --allow-dns is ignored (release and isolate again to change it)",
            if allow_dns { "with" } else { "without" }
        ));
    }
    let dns = DnsNamespace::for_minor(ctx.minor());
    if allow_dns && dns == DnsNamespace::AnyNamespace && existing.is_none() {
        plan.warnings.push(format!(
            "Kubernetes 1.{} does not label namespaces with kubernetes.io/metadata.name: DNS egress is allowed to pods labelled k8s-app=kube-dns in any namespace, not only kube-system",
            ctx.minor().unwrap_or(0)
        ));
    }
    plan.allow_dns = allow_dns;
    plan.create_policy = existing.is_none().then(|| netpol::build(&plan.namespace, &plan.case_id, allow_dns, dns));
    if existing.is_none() && plan.record.network_policy().is_some() {
        plan.warnings.push(format!("networkpolicy {} recorded on the pod is missing: creating it again", plan.policy_name));
    }
    if plan.record.network_policy().is_none() {
        plan.record_change(Change::NetworkPolicy { name: plan.policy_name.clone(), allow_dns, created: existing.is_none() });
    }
    Ok(())
}

/// The quarantine label the policy selects: set unless the pod already carries it.
fn plan_label(labels: &BTreeMap<String, String>, plan: &mut IsolatePlan) {
    plan.set_label = labels.get(QUARANTINE_LABEL) != Some(&plan.case_id);
    if !plan.record.has_label() {
        plan.record_change(Change::Label { key: QUARANTINE_LABEL.into(), value: plan.case_id.clone() });
    }
}

/// The namespace's NetworkPolicies (ours among them), or none with a warning when they cannot be
/// listed.
async fn other_policies(nps: &Api<NetworkPolicy>, plan: &mut IsolatePlan) -> Vec<NetworkPolicy> {
    match nps.list(&ListParams::default()).await {
        Ok(l) => l.items,
        Err(e) => {
            plan.warnings.push(format!(
                "{}: cannot check whether other NetworkPolicies still allow traffic to the pod",
                IsolateError::from_kube(Call::ns("list", "networkpolicies", &plan.namespace), e)
            ));
            vec![]
        }
    }
}

/// `--detach`: the labels to remove so that no controller, Service or other allowing NetworkPolicy
/// selects the pod any more.
async fn plan_detach(
    client: &kube::Client,
    pod: &Pod,
    labels: &BTreeMap<String, String>,
    other_policies: &[NetworkPolicy],
    plan: &mut IsolatePlan,
) -> Result<DetachPlan, IsolateError> {
    let mut matchers = detach::matchers(client, &plan.namespace).await?;
    matchers
        .extend(detach::policy_matchers(other_policies, &plan.policy_name).into_iter().filter(|m| !m.selector.breaking_keys().is_empty()));
    let owner = pod.metadata.owner_references.iter().flatten().find(|o| o.controller == Some(true));
    let d = detach::compute(labels, owner, &matchers).map_err(|reason| IsolateError::CannotDetach { pod: plan.pod.clone(), reason })?;
    plan.warnings.extend(d.notes.iter().cloned());
    plan.record_change(Change::Detach {
        removed_labels: d.removed_labels.clone(),
        controller: d.controller.clone(),
        services: d.services(),
        policies: d.policies(),
    });
    Ok(d)
}

/// Other NetworkPolicies that allow traffic and select the pod punch holes in the quarantine:
/// --detach removes the labels they select on; warn about those that still select it (or that
/// select every pod).
fn warn_open_policies(labels: &BTreeMap<String, String>, other_policies: &[NetworkPolicy], plan: &mut IsolatePlan) {
    let mut final_labels = labels.clone();
    for k in plan.detach.iter().flat_map(|d| d.removed_labels.keys()).chain(plan.record.detach().into_iter().flat_map(|m| m.keys())) {
        final_labels.remove(k);
    }
    final_labels.insert(QUARANTINE_LABEL.into(), plan.case_id.clone());
    for m in detach::policy_matchers(other_policies, &plan.policy_name) {
        if m.selector.matches(&final_labels) {
            let how = if m.selector.breaking_keys().is_empty() {
                "selects every pod of the namespace"
            } else {
                "selects it (--detach removes the labels it selects on)"
            };
            plan.warnings.push(format!(
                "networkpolicy {} {how} and allows some traffic: NetworkPolicies add up, so that traffic still reaches or leaves the pod",
                m.name
            ));
        }
    }
}

/// `--cordon`: mark the pod's node unschedulable (recorded on the node, so that release gives back
/// only what this case holds).
async fn plan_cordon(client: &kube::Client, plan: &mut IsolatePlan) -> Result<(), IsolateError> {
    let Some(n) = plan.node.clone() else {
        plan.warnings.push("the pod is not scheduled on a node: nothing to cordon".into());
        return Ok(());
    };
    let nodes: Api<Node> = Api::all(client.clone());
    let node_obj = nodes.get(&n).await.map_err(|e| IsolateError::from_kube(Call::cluster("get", "nodes"), e))?;
    let Some((patch, was)) =
        node::cordon_patch(&node_obj, &plan.case_id).map_err(|reason| IsolateError::BadNodeRecord { node: n.clone(), reason })?
    else {
        return Ok(());
    };
    if was {
        plan.warnings.push(format!("node {n} was already unschedulable: release will leave it cordoned"));
    }
    plan.record_change(Change::Cordon { node: n.clone(), was_unschedulable: was });
    plan.cordon = Some(CordonPlan { node: n, was_unschedulable: was, patch });
    Ok(())
}

impl IsolatePlan {
    /// Add `change` to the record, made by this run's operator at this run's time.
    fn record_change(&mut self, change: Change) {
        self.record.changes.push(Entry { at: self.at.clone(), by: self.operator.clone(), change });
    }

    fn record_changed(&self) -> bool {
        self.previous.as_ref() != Some(&self.record)
    }

    pub fn nothing_to_do(&self) -> bool {
        self.create_policy.is_none() && !self.set_label && self.cordon.is_none() && self.detach.is_none() && !self.record_changed()
    }

    /// The pod's merge patch: quarantine label, record, removed labels. None when nothing changes.
    pub fn pod_patch(&self) -> Option<Value> {
        if !self.set_label && !self.record_changed() && self.detach.is_none() {
            return None;
        }
        let mut labels = serde_json::Map::new();
        labels.insert(QUARANTINE_LABEL.into(), json!(self.case_id));
        for k in self.detach.iter().flat_map(|d| d.removed_labels.keys()) {
            labels.insert(k.clone(), Value::Null);
        }
        Some(json!({"metadata": {"labels": labels, "annotations": {RECORD_ANNOTATION: self.record.to_json()}}}))
    }

    pub fn changes(&self) -> Vec<ChangeLine> {
        let mut out = vec![];
        let np_obj = format!("networkpolicy/{}", self.policy_name);
        if self.create_policy.is_some() {
            let what = if self.allow_dns {
                "deny all ingress and egress except DNS to kube-dns (53/UDP, 53/TCP)"
            } else {
                "deny all ingress and egress"
            };
            out.push(ChangeLine::new("create", &np_obj, format!("{what}; selects {QUARANTINE_LABEL}={}", self.case_id)));
        } else if self.previous.as_ref().and_then(|r| r.network_policy()).is_none() {
            out.push(ChangeLine::new("reuse", &np_obj, "already exists for this case in the namespace"));
        }
        if let Some(c) = &self.cordon {
            let detail = if c.was_unschedulable {
                "already unschedulable: recorded, will stay cordoned after release"
            } else {
                "spec.unschedulable=true"
            };
            out.push(ChangeLine::new("cordon", format!("node/{}", c.node), detail));
        }
        let pod_obj = format!("pod/{}", self.pod);
        if self.set_label {
            out.push(ChangeLine::new("label", &pod_obj, format!("{QUARANTINE_LABEL}={}", self.case_id)));
        }
        if let Some(d) = &self.detach {
            let removed: Vec<String> = d.removed_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let left: Vec<String> = d.left.iter().map(|o| o.to_string()).collect();
            let detail = if removed.is_empty() {
                "no controller or Service selects it".to_string()
            } else {
                format!("removed {}; leaves {}", removed.join(", "), left.join(", "))
            };
            out.push(ChangeLine::new("detach", &pod_obj, detail));
        }
        if self.record_changed() {
            out.push(ChangeLine::new("annotate", &pod_obj, format!("{RECORD_ANNOTATION} (record of every change)")));
        }
        out
    }

    pub fn report(&self, dry_run: bool) -> Report {
        Report {
            command: "isolate",
            dry_run,
            case_id: self.case_id.clone(),
            namespace: self.namespace.clone(),
            pod: self.pod.clone(),
            node: self.node.clone(),
            operator: self.operator.clone(),
            nothing_to_do: self.nothing_to_do(),
            changes: self.changes(),
            network_plugin: Some(self.cni.clone()),
            plan: Planned {
                create_network_policy: self.create_policy.clone(),
                delete_network_policy: None,
                pod_patch: self.pod_patch(),
                node_patch: self.cordon.as_ref().map(|c| c.patch.clone()),
            },
            record: Some(self.record.clone()),
            warnings: self.warnings.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(case_id: &str, given: bool) -> IsolateOptions {
        IsolateOptions {
            pod: "web".into(),
            case_id: case_id.into(),
            case_id_given: given,
            cordon: false,
            detach: false,
            allow_dns: false,
            dry_run: true,
            connect: ConnectOptions::default(),
        }
    }

    #[test]
    fn an_isolated_pod_keeps_its_case_and_a_different_given_one_is_a_warning() {
        let r = IsolationRecord::new("c1");
        let mut w = vec![];
        assert_eq!(isolated_case(Some(&r), &opts("c2", false), &mut w), "c1");
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(isolated_case(Some(&r), &opts("c2", true), &mut w), "c1");
        assert_eq!(w, ["pod is already isolated under case c1: keeping that case id, not c2"]);
        let mut w = vec![];
        assert_eq!(isolated_case(None, &opts("c2", true), &mut w), "c2");
        assert!(w.is_empty(), "{w:?}");
    }

    #[test]
    fn host_network_and_deleted_pods_are_warned_about() {
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "web", "deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"hostNetwork": true, "containers": []},
        }))
        .unwrap();
        let mut w = vec![];
        pod_warnings(&pod, &mut w);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w[0].contains("hostNetwork") && w[1].contains("being deleted"), "{w:?}");
        let mut w = vec![];
        pod_warnings(&Pod::default(), &mut w);
        assert!(w.is_empty(), "{w:?}");
    }
}
