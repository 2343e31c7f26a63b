//! RBAC rules (KF-RBAC-*): which risky permissions a role grants ([`role_risks`]), and who gets
//! them through a binding ([`check_binding`]).

use super::{Finding, Ident, Severity};
use k8s_openapi::api::rbac::v1::{PolicyRule, RoleRef, Subject};
use serde::{Deserialize, Serialize};

/// The risky permissions a role grants.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risks {
    /// `*` in verbs or resources (or the role is `cluster-admin`).
    pub wildcard: bool,
    pub secrets_read: bool,
    /// create on pods, or create/get on pods/exec or pods/attach.
    pub pod_exec: Vec<String>,
    pub nodes_proxy: bool,
    /// escalate, bind, impersonate.
    pub escalation: Vec<String>,
}

impl Risks {
    pub fn any(&self) -> bool {
        self.wildcard || self.secrets_read || !self.pod_exec.is_empty() || self.nodes_proxy || !self.escalation.is_empty()
    }
    /// A short list for reasons: "wildcard, secrets read, …".
    pub fn describe(&self) -> String {
        let mut v = Vec::new();
        if self.wildcard {
            v.push("wildcard (*)".to_string());
        }
        if self.secrets_read {
            v.push("read secrets".into());
        }
        v.extend(self.pod_exec.iter().cloned());
        if self.nodes_proxy {
            v.push("nodes/proxy".into());
        }
        v.extend(self.escalation.iter().cloned());
        v.join(", ")
    }
}

fn has(list: &Option<Vec<String>>, want: &str) -> bool {
    list.iter().flatten().any(|x| x == want)
}

/// What a role's rules allow that matters to an attacker. `*` in verbs or resources counts as
/// wildcard; the specific risks are only what the rules name explicitly.
pub fn role_risks(name: &str, cluster_role: bool, rules: &[PolicyRule]) -> Risks {
    let mut r = Risks { wildcard: cluster_role && name == "cluster-admin", ..Risks::default() };
    for rule in rules {
        if rule.resources.is_none() && rule.non_resource_urls.is_some() {
            continue;
        }
        if has(&Some(rule.verbs.clone()), "*") || has(&rule.resources, "*") {
            r.wildcard = true;
            continue;
        }
        let core = has(&rule.api_groups, "") || has(&rule.api_groups, "*");
        let verb = |v: &str| rule.verbs.iter().any(|x| x == v);
        let res = |x: &str| has(&rule.resources, x);
        if core && res("secrets") && (verb("get") || verb("list") || verb("watch")) {
            r.secrets_read = true;
        }
        if core && res("pods") && verb("create") {
            push(&mut r.pod_exec, "create pods");
        }
        for sub in ["pods/exec", "pods/attach"] {
            // exec over WebSocket is authorized with `get` by older servers, `create` by newer
            if core && (res(sub) || res("pods/*")) && (verb("create") || verb("get")) {
                push(&mut r.pod_exec, sub);
            }
        }
        if core && (res("nodes/proxy") || res("nodes/*")) {
            r.nodes_proxy = true;
        }
        for v in ["escalate", "bind", "impersonate"] {
            if verb(v) {
                push(&mut r.escalation, v);
            }
        }
    }
    r
}

fn push(v: &mut Vec<String>, s: &str) {
    if !v.iter().any(|x| x == s) {
        v.push(s.into());
    }
}

/// A binding as the rules need it (kept for the join with roles).
#[derive(Debug, Clone, PartialEq)]
pub struct BindingLite {
    pub ident: Ident,
    pub role_ref: RoleRef,
    pub subjects: Vec<Subject>,
    /// Part of the default policy the API server bootstraps (`kubernetes.io/bootstrapping: rbac-defaults`).
    pub bootstrap: bool,
}

const BROAD: &[&str] = &["system:authenticated", "system:unauthenticated", "system:serviceaccounts"];

fn is_broad(s: &Subject) -> bool {
    (s.kind == "Group" && BROAD.contains(&s.name.as_str())) || (s.kind == "User" && s.name == "system:anonymous")
}

/// Subjects of the default policy that are expected to hold strong permissions: the control
/// plane's own users and groups, and kube-system's controllers — only in bootstrap bindings.
fn is_expected(b: &BindingLite, s: &Subject) -> bool {
    if !b.bootstrap || is_broad(s) {
        return false;
    }
    match s.kind.as_str() {
        "User" | "Group" => s.name.starts_with("system:"),
        "ServiceAccount" => s.namespace.as_deref() == Some("kube-system"),
        _ => false,
    }
}

fn subject_name(s: &Subject) -> String {
    match (&s.kind[..], &s.namespace) {
        ("ServiceAccount", Some(ns)) => format!("ServiceAccount {ns}/{}", s.name),
        (k, _) => format!("{k} {}", s.name),
    }
}

/// Findings for one binding, given the risks of the role it references (None: role unknown).
pub fn check_binding(b: &BindingLite, risks: Option<&Risks>) -> Vec<Finding> {
    let Some(r) = risks else { return Vec::new() };
    if !r.any() {
        return Vec::new();
    }
    let role = format!("{} {}", b.role_ref.kind, b.role_ref.name);
    let scope = match &b.ident.namespace {
        Some(ns) => format!(" in namespace {ns}"),
        None => String::new(),
    };
    let subjects: Vec<&Subject> = b.subjects.iter().filter(|s| !is_expected(b, s)).collect();
    let (broad, rest): (Vec<&Subject>, Vec<&Subject>) = subjects.into_iter().partition(|s| is_broad(s));
    let (sas, people): (Vec<&Subject>, Vec<&Subject>) = rest.into_iter().partition(|s| s.kind == "ServiceAccount");
    let list = |v: &[&Subject]| v.iter().map(|s| subject_name(s)).collect::<Vec<_>>().join(", ");
    let mut out = Vec::new();
    if !broad.is_empty() {
        out.push(Finding::new(
            "KF-RBAC-002",
            Severity::Critical,
            &b.ident,
            format!("{role} ({}) granted{scope} to {}", r.describe(), list(&broad)),
        ));
    }
    if r.wildcard {
        if !sas.is_empty() {
            out.push(Finding::new(
                "KF-RBAC-001",
                Severity::Critical,
                &b.ident,
                format!("{role} (wildcard/cluster-admin) granted{scope} to {}", list(&sas)),
            ));
        }
        if !people.is_empty() {
            out.push(Finding::new(
                "KF-RBAC-007",
                Severity::Low,
                &b.ident,
                format!("{role} (wildcard/cluster-admin) granted{scope} to {}", list(&people)),
            ));
        }
        return out;
    }
    let targets: Vec<&Subject> = sas.into_iter().chain(people).collect();
    if targets.is_empty() {
        return out;
    }
    let who = list(&targets);
    if r.secrets_read {
        out.push(Finding::new("KF-RBAC-003", Severity::Medium, &b.ident, format!("{role} lets {who} read secrets{scope}")));
    }
    if !r.pod_exec.is_empty() {
        out.push(Finding::new("KF-RBAC-004", Severity::High, &b.ident, format!("{role} lets {who} {}{scope}", r.pod_exec.join(", "))));
    }
    if r.nodes_proxy {
        out.push(Finding::new(
            "KF-RBAC-005",
            Severity::High,
            &b.ident,
            format!("{role} lets {who} use nodes/proxy (kubelet API: exec on every pod of a node)"),
        ));
    }
    if !r.escalation.is_empty() {
        out.push(Finding::new("KF-RBAC-006", Severity::High, &b.ident, format!("{role} lets {who} {}{scope}", r.escalation.join(", "))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rules(v: serde_json::Value) -> Vec<PolicyRule> {
        serde_json::from_value(v).unwrap()
    }
    fn binding(ns: Option<&str>, role_kind: &str, role: &str, subjects: serde_json::Value, bootstrap: bool) -> BindingLite {
        BindingLite {
            ident: Ident {
                kind: "RoleBinding".into(),
                api_version: "rbac.authorization.k8s.io/v1".into(),
                namespace: ns.map(Into::into),
                name: "b".into(),
                uid: None,
            },
            role_ref: RoleRef { api_group: "rbac.authorization.k8s.io".into(), kind: role_kind.into(), name: role.into() },
            subjects: serde_json::from_value(subjects).unwrap(),
            bootstrap,
        }
    }
    fn ids(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.id.as_str()).collect()
    }

    #[test]
    fn risks_of_roles() {
        assert!(role_risks("cluster-admin", true, &[]).wildcard);
        assert!(!role_risks("cluster-admin", false, &[]).wildcard, "a namespaced Role named cluster-admin is just a name");
        assert!(role_risks("x", true, &rules(json!([{"apiGroups":["apps"],"resources":["*"],"verbs":["get"]}]))).wildcard);
        let r = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["secrets"],"verbs":["list"]}])));
        assert!(r.secrets_read && !r.wildcard && r.pod_exec.is_empty());
        let r = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["secrets"],"verbs":["create","delete"]}])));
        assert!(!r.any());
        let r = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["pods/exec"],"verbs":["create"]}])));
        assert_eq!(r.pod_exec, vec!["pods/exec"]);
        let r = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["pods"],"verbs":["get","list"]}])));
        assert!(!r.any());
        let r = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["nodes/proxy"],"verbs":["get"]}])));
        assert!(r.nodes_proxy);
        let r = role_risks(
            "x",
            true,
            &rules(json!([{"apiGroups":["rbac.authorization.k8s.io"],"resources":["clusterroles"],"verbs":["bind","escalate"]}])),
        );
        assert_eq!(r.escalation, vec!["escalate", "bind"]);
        let r = role_risks("x", true, &rules(json!([{"nonResourceURLs":["*"],"verbs":["*"]}])));
        assert!(!r.any(), "non-resource URLs are not API objects");
    }

    #[test]
    fn who_gets_what() {
        let admin = role_risks("cluster-admin", true, &[]);
        let sa = json!([{"kind":"ServiceAccount","name":"s","namespace":"a"}]);
        assert_eq!(
            ids(&check_binding(&binding(None, "ClusterRole", "cluster-admin", sa.clone(), false), Some(&admin))),
            vec!["KF-RBAC-001"]
        );
        let user = json!([{"kind":"User","name":"alice","apiGroup":"rbac.authorization.k8s.io"}]);
        assert_eq!(ids(&check_binding(&binding(None, "ClusterRole", "cluster-admin", user, false), Some(&admin))), vec!["KF-RBAC-007"]);
        let anon = json!([{"kind":"User","name":"system:anonymous","apiGroup":"rbac.authorization.k8s.io"}]);
        let secrets = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}])));
        assert_eq!(ids(&check_binding(&binding(None, "ClusterRole", "x", anon, false), Some(&secrets))), vec!["KF-RBAC-002"]);
        assert_eq!(ids(&check_binding(&binding(Some("a"), "Role", "x", sa.clone(), false), Some(&secrets))), vec!["KF-RBAC-003"]);
        let harmless = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["configmaps"],"verbs":["get"]}])));
        assert!(
            check_binding(
                &binding(None, "ClusterRole", "x", json!([{"kind":"Group","name":"system:authenticated"}]), true),
                Some(&harmless)
            )
            .is_empty()
        );
        // the control plane's own subjects in the default policy are expected…
        let ctl = json!([{"kind":"ServiceAccount","name":"replicaset-controller","namespace":"kube-system"}]);
        let exec = role_risks("x", true, &rules(json!([{"apiGroups":[""],"resources":["pods"],"verbs":["create"]}])));
        assert!(check_binding(&binding(None, "ClusterRole", "x", ctl.clone(), true), Some(&exec)).is_empty());
        // …but not when someone else's binding hands them out
        assert_eq!(ids(&check_binding(&binding(None, "ClusterRole", "x", ctl, false), Some(&exec))), vec!["KF-RBAC-004"]);
        assert!(check_binding(&binding(None, "ClusterRole", "missing", sa, false), None).is_empty());
    }
}
