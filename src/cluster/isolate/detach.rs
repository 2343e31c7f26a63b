//! `--detach`: which labels to remove so that no controller and no Service selects the pod any more.

use super::QUARANTINE_LABEL;
use super::error::{Call, IsolateError};
use super::record::ObjectRef;
use super::selector::{Labels, Selector};
use k8s_openapi::api::apps::v1::{DaemonSet, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ReplicationController, Service};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::api::{Api, ListParams};
use serde::Serialize;
use std::collections::BTreeMap;

/// A controller or Service in the pod's namespace and its selector.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub kind: &'static str,
    pub name: String,
    pub uid: Option<String>,
    pub selector: Selector,
}

#[derive(Debug, Clone, Serialize)]
pub struct DetachPlan {
    /// Labels to remove, with their values (saved in the record).
    pub removed_labels: BTreeMap<String, String>,
    /// The pod's controller (from its ownerReferences), if any.
    pub controller: Option<ObjectRef>,
    #[serde(skip)]
    pub controller_uid: Option<String>,
    /// Every controller and Service that selected the pod and no longer will.
    pub left: Vec<ObjectRef>,
    #[serde(skip)]
    pub notes: Vec<String>,
}

impl DetachPlan {
    pub fn services(&self) -> Vec<String> {
        self.of_kind("Service")
    }
    pub fn policies(&self) -> Vec<String> {
        self.of_kind("NetworkPolicy")
    }
    fn of_kind(&self, kind: &str) -> Vec<String> {
        self.left.iter().filter(|o| o.kind == kind).map(|o| o.name.clone()).collect()
    }
}

/// Does this policy allow any traffic (has at least one ingress or egress rule)? NetworkPolicies
/// add up: such a policy selecting the pod lets that traffic through the quarantine policy.
pub fn allows_traffic(np: &NetworkPolicy) -> bool {
    np.spec.as_ref().is_some_and(|s| s.ingress.as_ref().is_some_and(|r| !r.is_empty()) || s.egress.as_ref().is_some_and(|r| !r.is_empty()))
}

/// The other NetworkPolicies that allow some traffic, as matchers (their pod selectors).
pub fn policy_matchers(nps: &[NetworkPolicy], ours: &str) -> Vec<Matcher> {
    nps.iter()
        .filter(|np| np.metadata.name.as_deref() != Some(ours) && allows_traffic(np))
        .map(|np| Matcher {
            kind: "NetworkPolicy",
            name: np.metadata.name.clone().unwrap_or_default(),
            uid: np.metadata.uid.clone(),
            selector: Selector::Set(np.spec.as_ref().and_then(|s| s.pod_selector.clone()).unwrap_or_default()),
        })
        .collect()
}

/// Decide the labels to remove. Pure: the cluster's objects come in as `matchers`.
pub fn compute(labels: &Labels, owner: Option<&OwnerReference>, matchers: &[Matcher]) -> Result<DetachPlan, String> {
    let mut cur = labels.clone();
    let mut removed = BTreeMap::new();
    let mut left: Vec<ObjectRef> = vec![];
    // removing keys can make a NotIn/DoesNotExist selector match: repeat until nothing matches
    for _ in 0..=matchers.len() {
        let matching: Vec<&Matcher> = matchers.iter().filter(|m| m.selector.matches(&cur)).collect();
        if matching.is_empty() {
            break;
        }
        for m in matching {
            let keys: Vec<String> = m.selector.breaking_keys().into_iter().filter(|k| k != QUARANTINE_LABEL).collect();
            if keys.is_empty() {
                return Err(format!("the selector of {} {} cannot be made to stop matching by removing labels", m.kind, m.name));
            }
            for k in keys {
                if let Some(v) = cur.remove(&k) {
                    removed.insert(k, v);
                }
            }
            let r = ObjectRef { kind: m.kind.to_string(), name: m.name.clone() };
            if !left.contains(&r) {
                left.push(r);
            }
        }
    }
    if let Some(m) = matchers.iter().find(|m| m.selector.matches(&cur)) {
        return Err(format!("{} {} still selects it after removing {:?}", m.kind, m.name, removed.keys().collect::<Vec<_>>()));
    }
    let mut notes = vec![];
    let controller = owner.map(|o| ObjectRef { kind: o.kind.clone(), name: o.name.clone() });
    if let Some(o) = owner {
        let known = matchers.iter().any(|m| m.uid.as_deref() == Some(o.uid.as_str()));
        if !KINDS.contains(&o.kind.as_str()) {
            notes.push(format!(
                "the pod is controlled by {} {}, a kind kforensic does not know: it may neither release nor replace the pod",
                o.kind, o.name
            ));
        } else if !known {
            notes.push(format!("the pod's controller {} {} was not found in the namespace", o.kind, o.name));
        } else if o.kind == "StatefulSet" {
            notes.push(format!(
                "StatefulSet pods have fixed names: StatefulSet {} cannot start a replacement while this pod exists",
                o.name
            ));
        }
    }
    Ok(DetachPlan { removed_labels: removed, controller, controller_uid: owner.map(|o| o.uid.clone()), left, notes })
}

const KINDS: &[&str] = &["ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController", "Job"];

/// Every workload controller and Service of the namespace, with its selector.
pub async fn matchers(client: &kube::Client, ns: &str) -> Result<Vec<Matcher>, IsolateError> {
    let lp = ListParams::default();
    let mut out = vec![];
    let err = |resource: &'static str| move |e| IsolateError::from_kube(Call::ns("list", resource, ns), e);
    let rs: Api<ReplicaSet> = Api::namespaced(client.clone(), ns);
    for o in rs.list(&lp).await.map_err(err("replicasets"))? {
        if let Some(s) = o.spec {
            out.push(set("ReplicaSet", o.metadata.name, o.metadata.uid, s.selector));
        }
    }
    let ss: Api<StatefulSet> = Api::namespaced(client.clone(), ns);
    for o in ss.list(&lp).await.map_err(err("statefulsets"))? {
        if let Some(s) = o.spec {
            out.push(set("StatefulSet", o.metadata.name, o.metadata.uid, s.selector));
        }
    }
    let ds: Api<DaemonSet> = Api::namespaced(client.clone(), ns);
    for o in ds.list(&lp).await.map_err(err("daemonsets"))? {
        if let Some(s) = o.spec {
            out.push(set("DaemonSet", o.metadata.name, o.metadata.uid, s.selector));
        }
    }
    let jobs: Api<Job> = Api::namespaced(client.clone(), ns);
    for o in jobs.list(&lp).await.map_err(err("jobs"))? {
        if let Some(sel) = o.spec.and_then(|s| s.selector) {
            out.push(set("Job", o.metadata.name, o.metadata.uid, sel));
        }
    }
    let rc: Api<ReplicationController> = Api::namespaced(client.clone(), ns);
    for o in rc.list(&lp).await.map_err(err("replicationcontrollers"))? {
        // an RC without a selector defaults it to its template's labels
        let spec = o.spec.unwrap_or_default();
        let sel = spec.selector.filter(|m| !m.is_empty()).or_else(|| spec.template.and_then(|t| t.metadata).and_then(|m| m.labels));
        if let Some(sel) = sel {
            out.push(Matcher {
                kind: "ReplicationController",
                name: o.metadata.name.unwrap_or_default(),
                uid: o.metadata.uid,
                selector: Selector::Map(sel),
            });
        }
    }
    let svc: Api<Service> = Api::namespaced(client.clone(), ns);
    for o in svc.list(&lp).await.map_err(err("services"))? {
        if let Some(sel) = o.spec.and_then(|s| s.selector).filter(|m| !m.is_empty()) {
            out.push(Matcher {
                kind: "Service",
                name: o.metadata.name.unwrap_or_default(),
                uid: o.metadata.uid,
                selector: Selector::Map(sel),
            });
        }
    }
    Ok(out)
}

fn set(
    kind: &'static str,
    name: Option<String>,
    uid: Option<String>,
    sel: k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
) -> Matcher {
    Matcher { kind, name: name.unwrap_or_default(), uid, selector: Selector::Set(sel) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn deployment_pod_leaves_its_replicaset_and_service_and_keeps_other_labels() {
        let pod = labels(&[("app", "web"), ("pod-template-hash", "5d9"), ("team", "x"), (QUARANTINE_LABEL, "c1")]);
        let rs = Matcher {
            kind: "ReplicaSet",
            name: "web-5d9".into(),
            uid: Some("u1".into()),
            selector: Selector::Set(LabelSelector {
                match_labels: Some(labels(&[("app", "web"), ("pod-template-hash", "5d9")])),
                match_expressions: None,
            }),
        };
        let svc = Matcher { kind: "Service", name: "web".into(), uid: None, selector: Selector::Map(labels(&[("app", "web")])) };
        let other = Matcher { kind: "Service", name: "db".into(), uid: None, selector: Selector::Map(labels(&[("app", "db")])) };
        let owner = OwnerReference { kind: "ReplicaSet".into(), name: "web-5d9".into(), uid: "u1".into(), ..Default::default() };
        let p = compute(&pod, Some(&owner), &[rs.clone(), svc.clone(), other]).unwrap();
        assert_eq!(p.removed_labels, labels(&[("app", "web"), ("pod-template-hash", "5d9")]));
        assert_eq!(p.controller, Some(ObjectRef { kind: "ReplicaSet".into(), name: "web-5d9".into() }));
        assert_eq!(p.services(), vec!["web".to_string()]);
        assert!(p.notes.is_empty());
        let mut after = pod.clone();
        p.removed_labels.keys().for_each(|k| {
            after.remove(k);
        });
        assert!(!rs.selector.matches(&after) && !svc.selector.matches(&after));
        assert_eq!(after[QUARANTINE_LABEL], "c1");
    }

    #[test]
    fn a_selector_that_starts_matching_after_removal_is_broken_too() {
        // "tier DoesNotExist, role In (x)" matches only once `tier` is gone
        let pod = labels(&[("app", "web"), ("tier", "fe"), ("role", "x")]);
        let svc =
            Matcher { kind: "Service", name: "web".into(), uid: None, selector: Selector::Map(labels(&[("app", "web"), ("tier", "fe")])) };
        let sneaky = Matcher {
            kind: "ReplicaSet",
            name: "sneaky".into(),
            uid: None,
            selector: Selector::Set(LabelSelector {
                match_labels: Some(labels(&[("role", "x")])),
                match_expressions: Some(vec![k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement {
                    key: "tier".into(),
                    operator: "DoesNotExist".into(),
                    values: None,
                }]),
            }),
        };
        let p = compute(&pod, None, &[svc, sneaky]).unwrap();
        assert_eq!(p.removed_labels.keys().collect::<Vec<_>>(), vec!["app", "role", "tier"]);
        assert_eq!(p.left.len(), 2);
    }

    #[test]
    fn only_other_policies_with_rules_are_holes_in_the_quarantine() {
        use k8s_openapi::api::networking::v1::{NetworkPolicyIngressRule, NetworkPolicySpec};
        let np = |name: &str, sel: LabelSelector, ingress: Option<Vec<NetworkPolicyIngressRule>>| NetworkPolicy {
            metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta { name: Some(name.into()), ..Default::default() },
            spec: Some(NetworkPolicySpec { pod_selector: Some(sel), ingress, ..Default::default() }),
        };
        let web = LabelSelector { match_labels: Some(labels(&[("app", "web")])), match_expressions: None };
        let nps = vec![
            np("allow-web", web.clone(), Some(vec![NetworkPolicyIngressRule::default()])),
            np("deny-web", web.clone(), Some(vec![])),
            np("ours", web, Some(vec![NetworkPolicyIngressRule::default()])),
        ];
        let m = policy_matchers(&nps, "ours");
        assert_eq!(m.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), vec!["allow-web"]);
        let p = compute(&labels(&[("app", "web")]), None, &m).unwrap();
        assert_eq!(p.policies(), vec!["allow-web".to_string()]);
    }

    #[test]
    fn unknown_controller_kinds_are_reported_not_ignored() {
        let owner = OwnerReference { kind: "CloneSet".into(), name: "c".into(), uid: "u".into(), ..Default::default() };
        let p = compute(&labels(&[("a", "b")]), Some(&owner), &[]).unwrap();
        assert!(p.notes[0].contains("CloneSet c"), "{:?}", p.notes);
    }
}
