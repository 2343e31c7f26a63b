//! Findings: rules with stable IDs over the collected objects. Every rule is a pure function of
//! the objects it looks at (no I/O), so each can be tested on hand-written objects.

pub mod cronjob;
pub mod history;
pub mod namespace;
pub mod pod;
pub mod rbac;
pub mod serviceaccount;
pub mod webhook;

use serde::{Deserialize, Serialize};

/// The one severity scale, shared with the capture triage (`collect` never says `info`).
pub use crate::triage::finding::Severity;

/// The identity of a Kubernetes object, as every NDJSON line carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ident {
    pub kind: String,
    pub api_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

impl Ident {
    pub fn new(kind: &str, api_version: &str, meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta) -> Ident {
        Ident {
            kind: kind.into(),
            api_version: api_version.into(),
            namespace: meta.namespace.clone(),
            name: meta.name.clone().unwrap_or_default(),
            uid: meta.uid.clone(),
        }
    }
    /// `ns/name` or `name`.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// One finding: which rule, how bad, on which object, and why (one line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    #[serde(flatten)]
    pub object: Ident,
    pub reason: String,
}

impl Finding {
    pub fn new(id: &str, severity: Severity, object: &Ident, reason: impl Into<String>) -> Finding {
        Finding { id: id.into(), severity, object: object.clone(), reason: reason.into() }
    }
}

/// Sort for display and for `findings.ndjson`: worst first, then by rule and object.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (a.severity, &a.id, &a.object.namespace, &a.object.name, &a.object.kind).cmp(&(
            b.severity,
            &b.id,
            &b.object.namespace,
            &b.object.name,
            &b.object.kind,
        ))
    });
}

/// The rule catalogue: id, severity (the usual one; some rules raise or lower it per case), title.
pub const RULES: &[(&str, &str, &str)] = &[
    ("KF-POD-001", "critical", "privileged container"),
    ("KF-POD-002", "high", "pod shares the host PID namespace (hostPID)"),
    ("KF-POD-003", "medium", "pod shares the host IPC namespace (hostIPC)"),
    ("KF-POD-004", "medium", "pod uses the host network (hostNetwork)"),
    ("KF-POD-005", "high", "dangerous capability added (critical for ALL, SYS_ADMIN, SYS_MODULE)"),
    ("KF-POD-006", "medium", "allowPrivilegeEscalation: true"),
    ("KF-POD-007", "medium", "container runs as root (runAsUser: 0)"),
    ("KF-POD-008", "high", "writable hostPath mount"),
    ("KF-POD-009", "critical", "writable hostPath of a sensitive host path (/, /etc, /proc, /root, runtime sockets)"),
    ("KF-POD-010", "low", "image by tag without digest"),
    ("KF-POD-011", "medium", "image :latest or without tag"),
    ("KF-RBAC-001", "critical", "cluster-admin or wildcard permissions bound to a service account"),
    (
        "KF-RBAC-002",
        "critical",
        "risky permissions bound to system:anonymous / system:unauthenticated / system:authenticated / system:serviceaccounts",
    ),
    ("KF-RBAC-003", "medium", "binding grants get/list/watch on secrets"),
    ("KF-RBAC-004", "high", "binding grants create pods, or pods/exec / pods/attach"),
    ("KF-RBAC-005", "high", "binding grants nodes/proxy"),
    ("KF-RBAC-006", "high", "binding grants escalate, bind or impersonate"),
    ("KF-RBAC-007", "low", "cluster-admin or wildcard permissions bound to a user or group"),
    (
        "KF-WH-001",
        "high",
        "webhook intercepts pods or RBAC objects with failurePolicy Ignore, served from outside kube-system (medium for validating)",
    ),
    ("KF-CRON-001", "medium", "cronjob created within the --since window"),
    ("KF-CRON-002", "high", "cronjob runs a privileged pod template"),
    ("KF-NS-001", "low", "namespace without any NetworkPolicy"),
    (
        "KF-SA-001",
        "high",
        "service account token automounted into a privileged pod (privileged, hostPID, ALL/SYS_ADMIN/SYS_MODULE, writable sensitive hostPath)",
    ),
];
