//! The quarantine NetworkPolicy: selects the quarantine label, denies all ingress and egress
//! (policyTypes Ingress + Egress, no rules); `--allow-dns` adds egress to kube-dns on 53/UDP+TCP.

use super::{MANAGED_BY, QUARANTINE_LABEL};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// How the DNS egress rule finds the kube-system namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsNamespace {
    /// `kubernetes.io/metadata.name: kube-system` (set automatically on every namespace since 1.21).
    MetadataName,
    /// Before 1.21 namespaces carry no such label: any namespace (`{}`), pods `k8s-app=kube-dns`.
    AnyNamespace,
}

impl DnsNamespace {
    pub fn for_minor(minor: Option<u32>) -> Self {
        match minor {
            Some(m) if m < 21 => DnsNamespace::AnyNamespace,
            _ => DnsNamespace::MetadataName,
        }
    }
}

pub fn policy_name(case_id: &str) -> String {
    format!("kforensic-quarantine-{}", crate::cluster::case_id::dns_form(case_id))
}

pub fn labels(case_id: &str) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("app.kubernetes.io/managed-by".to_string(), MANAGED_BY.to_string()),
        ("kforensic.io/case".to_string(), case_id.to_string()),
    ])
}

/// Is this existing policy kforensic's, for this case?
pub fn is_ours(np: &NetworkPolicy, case_id: &str) -> bool {
    let l = np.metadata.labels.clone().unwrap_or_default();
    labels(case_id).iter().all(|(k, v)| l.get(k) == Some(v))
}

pub fn build(namespace: &str, case_id: &str, allow_dns: bool, dns: DnsNamespace) -> NetworkPolicy {
    let egress = allow_dns.then(|| {
        let namespace_selector = match dns {
            DnsNamespace::MetadataName => LabelSelector {
                match_labels: Some(BTreeMap::from([("kubernetes.io/metadata.name".into(), "kube-system".into())])),
                match_expressions: None,
            },
            DnsNamespace::AnyNamespace => LabelSelector::default(),
        };
        let port = |proto: &str| NetworkPolicyPort { port: Some(IntOrString::Int(53)), protocol: Some(proto.into()), end_port: None };
        vec![NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(namespace_selector),
                pod_selector: Some(LabelSelector {
                    match_labels: Some(BTreeMap::from([("k8s-app".into(), "kube-dns".into())])),
                    match_expressions: None,
                }),
                ip_block: None,
            }]),
            ports: Some(vec![port("UDP"), port("TCP")]),
        }]
    });
    NetworkPolicy {
        metadata: ObjectMeta {
            name: Some(policy_name(case_id)),
            namespace: Some(namespace.to_string()),
            labels: Some(labels(case_id)),
            ..Default::default()
        },
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(QUARANTINE_LABEL.into(), case_id.into())])),
                match_expressions: None,
            }),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ingress: None,
            egress,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deny_all_policy_has_both_types_and_no_rules() {
        let np = build("ns1", "case-1", false, DnsNamespace::MetadataName);
        let v = serde_json::to_value(&np).unwrap();
        assert_eq!(
            v["spec"],
            json!({"podSelector": {"matchLabels": {"kforensic.io/quarantine": "case-1"}}, "policyTypes": ["Ingress", "Egress"]})
        );
        assert_eq!(v["metadata"]["name"], "kforensic-quarantine-case-1");
        assert!(is_ours(&np, "case-1") && !is_ours(&np, "case-2"));
    }

    #[test]
    fn allow_dns_adds_only_kube_dns_egress_on_53() {
        let v = serde_json::to_value(build("ns1", "c", true, DnsNamespace::MetadataName)).unwrap();
        assert_eq!(
            v["spec"]["egress"],
            json!([{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                             "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                    "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}])
        );
        assert!(v["spec"].get("ingress").is_none());
        let old = serde_json::to_value(build("ns1", "c", true, DnsNamespace::for_minor(Some(20)))).unwrap();
        assert_eq!(old["spec"]["egress"][0]["to"][0]["namespaceSelector"], json!({}));
        assert_eq!(DnsNamespace::for_minor(Some(33)), DnsNamespace::MetadataName);
    }
}
