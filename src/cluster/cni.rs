//! Which CNI plugin a cluster runs, and whether it is known to enforce NetworkPolicy.
//!
//! Detected from the names of DaemonSets and pods in kube-system: a heuristic, reported as such.

use k8s_openapi::api::apps::v1::DaemonSet;
use kube::api::{Api, ListParams};
use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct CniInfo {
    /// e.g. "calico"; None when nothing known was found.
    pub name: Option<String>,
    /// Some(true): known to enforce NetworkPolicy; Some(false): known not to; None: unknown.
    pub enforces_network_policy: Option<bool>,
    /// How it was detected, or why it is unknown.
    pub evidence: String,
}

/// (name fragment, enforces NetworkPolicy)
const KNOWN: &[(&str, bool)] = &[
    ("calico", true),
    ("cilium", true),
    ("canal", true),
    ("weave", true),
    ("antrea", true),
    ("kube-router", true),
    ("romana", true),
    ("aws-node", false), // the VPC CNI enforces only with its network-policy agent enabled
    ("azure-npm", true),
    ("kube-ovn", true),
    ("ovnkube", true),
    ("flannel", false),
    ("kindnet", false),
];

/// Classify one DaemonSet name.
pub fn classify(name: &str) -> Option<(&'static str, bool)> {
    KNOWN.iter().find(|(frag, _)| name.contains(frag)).map(|(f, e)| (*f, *e))
}

pub async fn detect(client: &kube::Client) -> CniInfo {
    let api: Api<DaemonSet> = Api::namespaced(client.clone(), "kube-system");
    match api.list(&ListParams::default()).await {
        Err(kube::Error::Api(s)) if s.code == 403 => CniInfo {
            name: None,
            enforces_network_policy: None,
            evidence: "not allowed to list DaemonSets in kube-system".into(),
        },
        Err(e) => CniInfo {
            name: None,
            enforces_network_policy: None,
            evidence: format!("cannot list DaemonSets in kube-system: {}", super::client::short(&e)),
        },
        Ok(list) => {
            let names: Vec<String> = list.items.iter().filter_map(|d| d.metadata.name.clone()).collect();
            // an enforcing plugin wins over a non-enforcing one running beside it (canal = flannel + calico)
            let mut found: Vec<(&str, bool, &str)> =
                names.iter().filter_map(|n| classify(n).map(|(f, e)| (f, e, n.as_str()))).collect();
            found.sort_by_key(|(_, e, _)| !*e);
            match found.first() {
                Some((f, e, n)) => CniInfo {
                    name: Some(f.to_string()),
                    enforces_network_policy: Some(*e),
                    evidence: format!("DaemonSet kube-system/{n}"),
                },
                None => CniInfo {
                    name: None,
                    enforces_network_policy: None,
                    evidence: "no known CNI DaemonSet in kube-system".into(),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_plugins_are_classified() {
        assert_eq!(classify("calico-node"), Some(("calico", true)));
        assert_eq!(classify("kube-flannel-ds"), Some(("flannel", false)));
        assert_eq!(classify("cilium"), Some(("cilium", true)));
        assert_eq!(classify("coredns"), None);
    }
}
