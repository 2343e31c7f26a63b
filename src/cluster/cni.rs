//! Which network plugin runs here, and is it known to enforce NetworkPolicy? Guessed from the names
//! of the DaemonSets (else pods) in the namespaces network plugins install into. The answer is a
//! guess and says so: a NetworkPolicy on a cluster whose plugin ignores it isolates nothing.

use k8s_openapi::api::apps::v1::DaemonSet;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde::Serialize;

/// Namespaces network plugins install their agents into.
pub const NAMESPACES: &[&str] = &["kube-system", "calico-system", "kube-flannel"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Enforcement {
    Enforces,
    DoesNotEnforce,
    Unknown,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CniReport {
    /// Plugins recognised, e.g. ["calico"].
    pub plugins: Vec<String>,
    pub enforcement: Enforcement,
    /// What the guess rests on, in words.
    pub basis: String,
}

/// (name fragment, plugin, enforcement)
const KNOWN: &[(&str, &str, Enforcement)] = &[
    ("calico", "calico", Enforcement::Enforces),
    ("canal", "canal", Enforcement::Enforces),
    ("cilium", "cilium", Enforcement::Enforces),
    ("anetd", "cilium (GKE Dataplane V2)", Enforcement::Enforces),
    ("weave-net", "weave", Enforcement::Enforces),
    ("antrea", "antrea", Enforcement::Enforces),
    ("kube-router", "kube-router", Enforcement::Enforces),
    ("kube-network-policies", "kube-network-policies", Enforcement::Enforces),
    ("azure-npm", "azure-npm", Enforcement::Enforces),
    ("flannel", "flannel", Enforcement::DoesNotEnforce),
    // kindnet enforces only in newer releases (kube-network-policies built in), the AWS VPC CNI only
    // with its network policy agent enabled: neither can be told from a name.
    ("kindnet", "kindnet", Enforcement::Unknown),
    ("aws-node", "aws-vpc-cni", Enforcement::Unknown),
];

/// Classify workload names (DaemonSet or pod names).
pub fn classify<'a>(names: impl IntoIterator<Item = &'a str>) -> (Vec<String>, Enforcement) {
    let mut found: Vec<(&str, Enforcement)> = vec![];
    for n in names {
        if let Some((_, plugin, e)) = KNOWN.iter().find(|(frag, _, _)| n.contains(frag))
            && !found.iter().any(|(p, _)| p == plugin)
        {
            found.push((plugin, *e));
        }
    }
    let enforcement = if found.iter().any(|(_, e)| *e == Enforcement::Enforces) {
        Enforcement::Enforces
    } else if found.is_empty() || found.iter().any(|(_, e)| *e == Enforcement::Unknown) {
        Enforcement::Unknown
    } else {
        Enforcement::DoesNotEnforce
    };
    (found.into_iter().map(|(p, _)| p.to_string()).collect(), enforcement)
}

/// Look at the cluster. Never fails: what cannot be read makes the answer `Unknown`.
pub async fn detect(client: &kube::Client) -> CniReport {
    let mut names: Vec<String> = vec![];
    let mut unreadable: Vec<String> = vec![];
    for ns in NAMESPACES {
        let ds: Api<DaemonSet> = Api::namespaced(client.clone(), ns);
        match ds.list_metadata(&ListParams::default()).await {
            Ok(list) => names.extend(list.items.into_iter().filter_map(|d| d.metadata.name)),
            Err(_) => {
                let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
                match pods.list_metadata(&ListParams::default()).await {
                    Ok(list) => names.extend(list.items.into_iter().filter_map(|p| p.metadata.name)),
                    Err(_) => unreadable.push(ns.to_string()),
                }
            }
        }
    }
    report(&names, &unreadable)
}

fn report(names: &[String], unreadable: &[String]) -> CniReport {
    let (plugins, enforcement) = classify(names.iter().map(String::as_str));
    let basis = if plugins.is_empty() && unreadable.len() == NAMESPACES.len() {
        format!("cannot list daemonsets or pods in {} (no permission)", NAMESPACES.join(", "))
    } else if plugins.is_empty() {
        format!("no known network plugin among the daemonsets/pods of {}", NAMESPACES.join(", "))
    } else {
        format!("daemonsets/pods named after {}", plugins.join(", "))
    };
    CniReport { plugins, enforcement, basis }
}

impl CniReport {
    /// One honest line when NetworkPolicy may not be enforced; None when a plugin that enforces it runs.
    pub fn warning(&self) -> Option<String> {
        match self.enforcement {
            Enforcement::Enforces => None,
            Enforcement::DoesNotEnforce => Some(format!(
                "the network plugin ({}) does not enforce NetworkPolicy: the policy is created but the pod is NOT cut off the network",
                self.plugins.join(", ")
            )),
            Enforcement::Unknown => Some(format!(
                "cannot tell whether this cluster enforces NetworkPolicy ({}): check that the pod is really cut off before relying on it",
                self.basis
            )),
        }
    }

    pub fn summary(&self) -> String {
        let what = if self.plugins.is_empty() { "none recognised".to_string() } else { self.plugins.join(", ") };
        let e = match self.enforcement {
            Enforcement::Enforces => "enforces NetworkPolicy",
            Enforcement::DoesNotEnforce => "does NOT enforce NetworkPolicy",
            Enforcement::Unknown => "NetworkPolicy enforcement unknown",
        };
        format!("{what} ({e})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforcing_plugins_win_over_flannel() {
        // canal = flannel for routing + calico for policy
        assert_eq!(classify(["kube-flannel-ds", "canal"]).1, Enforcement::Enforces);
        assert_eq!(classify(["calico-node", "kube-proxy", "coredns"]), (vec!["calico".to_string()], Enforcement::Enforces));
        assert_eq!(classify(["cilium", "cilium-operator"]).0, vec!["cilium".to_string()]);
    }

    #[test]
    fn flannel_alone_does_not_enforce_and_says_so() {
        let r = report(&["kube-flannel-ds".into(), "kube-proxy".into()], &[]);
        assert_eq!(r.enforcement, Enforcement::DoesNotEnforce);
        assert!(r.warning().unwrap().contains("flannel"));
    }

    #[test]
    fn nothing_recognised_or_nothing_readable_is_unknown_not_a_guess() {
        let r = report(&["kube-proxy".into(), "coredns".into()], &[]);
        assert_eq!(r.enforcement, Enforcement::Unknown);
        assert!(r.warning().unwrap().contains("cannot tell"));
        let r = report(&[], &NAMESPACES.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert!(r.basis.contains("no permission"));
        assert_eq!(classify(["kindnet"]).1, Enforcement::Unknown);
    }
}
