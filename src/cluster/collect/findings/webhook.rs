//! KF-WH-001: admission webhooks that see pods or RBAC objects, fail open (`failurePolicy:
//! Ignore`, so nobody notices when they are down) and are served from outside kube-system.

use super::{Finding, Ident, Severity};
use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, RuleWithOperations, ValidatingWebhookConfiguration, WebhookClientConfig,
};

const RBAC_RESOURCES: &[&str] = &["roles", "clusterroles", "rolebindings", "clusterrolebindings"];

fn any(list: &Option<Vec<String>>, f: impl Fn(&str) -> bool) -> bool {
    list.iter().flatten().any(|x| f(x))
}

/// What the rule intercepts among pods and RBAC objects ("pods", "RBAC objects").
fn intercepts(rules: &[RuleWithOperations]) -> Vec<&'static str> {
    let mut out = Vec::new();
    for r in rules {
        let base = |x: &str| x.split('/').next().unwrap_or(x).to_string();
        let res = |want: &str| any(&r.resources, |x| x == "*" || x == "*/*" || base(x) == want);
        if any(&r.api_groups, |g| g.is_empty() || g == "*") && res("pods") && !out.contains(&"pods") {
            out.push("pods");
        }
        if any(&r.api_groups, |g| g == "rbac.authorization.k8s.io" || g == "*")
            && RBAC_RESOURCES.iter().any(|x| res(x))
            && !out.contains(&"RBAC objects")
        {
            out.push("RBAC objects");
        }
    }
    out
}

fn backend(c: &WebhookClientConfig) -> Option<String> {
    match (&c.service, &c.url) {
        (Some(s), _) if s.namespace == "kube-system" => None,
        (Some(s), _) => Some(format!("service {}/{}", s.namespace, s.name)),
        (None, Some(u)) => Some(format!("URL {u}")),
        (None, None) => Some("no backend".into()),
    }
}

struct Hook<'a> {
    name: &'a str,
    failure_policy: Option<&'a str>,
    rules: &'a [RuleWithOperations],
    client: &'a WebhookClientConfig,
}

fn check(ident: &Ident, hooks: &[Hook<'_>], severity: Severity) -> Vec<Finding> {
    let mut hits = Vec::new();
    for h in hooks {
        if h.failure_policy != Some("Ignore") {
            continue;
        }
        let what = intercepts(h.rules);
        if what.is_empty() {
            continue;
        }
        if let Some(b) = backend(h.client) {
            hits.push(format!("{} ({}; {b})", h.name, what.join(" and ")));
        }
    }
    if hits.is_empty() {
        return Vec::new();
    }
    let kind = if severity == Severity::High { "mutating" } else { "validating" };
    vec![Finding::new(
        "KF-WH-001",
        severity,
        ident,
        format!("{kind} webhook(s) with failurePolicy Ignore outside kube-system: {}", hits.join("; ")),
    )]
}

/// The fields the rule reads, from either kind of webhook configuration (same names, two types).
macro_rules! hooks {
    ($c:expr) => {
        $c.webhooks
            .iter()
            .flatten()
            .map(|w| Hook {
                name: &w.name,
                failure_policy: w.failure_policy.as_deref(),
                rules: w.rules.as_deref().unwrap_or_default(),
                client: &w.client_config,
            })
            .collect()
    };
}

pub fn check_mutating(c: &MutatingWebhookConfiguration) -> Vec<Finding> {
    let ident = Ident::new("MutatingWebhookConfiguration", "admissionregistration.k8s.io/v1", &c.metadata);
    let hooks: Vec<Hook> = hooks!(c);
    check(&ident, &hooks, Severity::High)
}

pub fn check_validating(c: &ValidatingWebhookConfiguration) -> Vec<Finding> {
    let ident = Ident::new("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", &c.metadata);
    let hooks: Vec<Hook> = hooks!(c);
    check(&ident, &hooks, Severity::Medium)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn mwc(policy: &str, groups: serde_json::Value, resources: serde_json::Value, svc_ns: &str) -> MutatingWebhookConfiguration {
        serde_json::from_value(json!({"metadata":{"name":"m"},"webhooks":[{"name":"w.example.com","admissionReviewVersions":["v1"],
            "sideEffects":"None","failurePolicy":policy,
            "clientConfig":{"service":{"namespace":svc_ns,"name":"s"}},
            "rules":[{"apiGroups":groups,"apiVersions":["v1"],"operations":["CREATE"],"resources":resources}]}]}))
        .unwrap()
    }

    #[test]
    fn fires_only_for_fail_open_interceptors_of_pods_or_rbac_outside_kube_system() {
        assert_eq!(check_mutating(&mwc("Ignore", json!([""]), json!(["pods"]), "evil")).len(), 1);
        assert_eq!(check_mutating(&mwc("Ignore", json!(["rbac.authorization.k8s.io"]), json!(["clusterrolebindings"]), "x")).len(), 1);
        assert_eq!(check_mutating(&mwc("Ignore", json!(["*"]), json!(["*/*"]), "x")).len(), 1);
        assert_eq!(check_mutating(&mwc("Ignore", json!([""]), json!(["pods/exec"]), "x")).len(), 1);
        assert!(check_mutating(&mwc("Fail", json!([""]), json!(["pods"]), "x")).is_empty());
        assert!(check_mutating(&mwc("Ignore", json!([""]), json!(["configmaps"]), "x")).is_empty());
        assert!(check_mutating(&mwc("Ignore", json!(["apps"]), json!(["deployments"]), "x")).is_empty());
        assert!(check_mutating(&mwc("Ignore", json!([""]), json!(["pods"]), "kube-system")).is_empty());
    }
}
