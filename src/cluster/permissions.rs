//! What each kforensic subcommand needs from the API server, and asking the server whether the
//! current identity has it (SelfSubjectAccessReview, authorization.k8s.io/v1: every supported server).

use super::ClusterError;
use futures::stream::{self, StreamExt};
use k8s_openapi::api::authorization::v1::{ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec};
use kube::api::{Api, PostParams};
use serde::Serialize;

/// One permission: `verb` on `group/resource[/subresource]`, in `namespace` (None = cluster-wide).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Permission {
    pub command: &'static str,
    pub verb: &'static str,
    pub group: &'static str,
    pub resource: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subresource: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Needed only for an optional flag (e.g. `--memory`): a ✘ here does not make the cluster unready.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_for: Option<&'static str>,
}

impl Permission {
    /// `pods/exec`, `deployments.apps`, … as kubectl and RBAC rules spell it.
    pub fn resource_name(&self) -> String {
        let mut r = self.resource.to_string();
        if let Some(s) = self.subresource {
            r = format!("{r}/{s}");
        }
        if !self.group.is_empty() {
            r = format!("{r}.{}", self.group);
        }
        r
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PermissionCheck {
    #[serde(flatten)]
    pub permission: Permission,
    pub allowed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The permissions every command needs. `ns` is the target namespace, `collector_ns` where collector pods run.
pub fn required(ns: &str, collector_ns: &str) -> Vec<Permission> {
    let p = |command, verb, group, resource, sub: Option<&'static str>, namespace: Option<&str>, only_for| Permission {
        command,
        verb,
        group,
        resource,
        subresource: sub,
        namespace: namespace.map(str::to_string),
        only_for,
    };
    let t = Some(ns);
    let c = Some(collector_ns);
    vec![
        // checkpoint: API-side evidence about the target
        p("checkpoint", "get", "", "pods", None, t, None),
        p("checkpoint", "get", "", "pods", Some("log"), t, None),
        p("checkpoint", "list", "", "events", None, t, None),
        p("checkpoint", "get", "apps", "replicasets", None, t, None),
        p("checkpoint", "get", "apps", "deployments", None, t, None),
        p("checkpoint", "get", "", "serviceaccounts", None, t, None),
        p("checkpoint", "list", "rbac.authorization.k8s.io", "rolebindings", None, t, None),
        p("checkpoint", "list", "rbac.authorization.k8s.io", "clusterrolebindings", None, None, None),
        p("checkpoint", "list", "networking.k8s.io", "networkpolicies", None, t, None),
        p("checkpoint", "get", "", "nodes", None, None, None),
        // checkpoint: the collector pod
        p("checkpoint", "create", "", "pods", None, c, None),
        p("checkpoint", "delete", "", "pods", None, c, None),
        p("checkpoint", "get", "", "pods", None, c, None),
        p("checkpoint", "get", "", "pods", Some("exec"), c, None),
        p("checkpoint", "create", "", "namespaces", None, None, Some("creating the collector namespace")),
        p("checkpoint", "create", "", "serviceaccounts", Some("token"), c, Some("--memory=kubelet, direct path")),
        p("checkpoint", "create", "", "nodes", Some("proxy"), None, Some("--memory=kubelet, proxy path")),
        // isolate / release
        p("isolate", "patch", "", "pods", None, t, None),
        p("isolate", "create", "networking.k8s.io", "networkpolicies", None, t, None),
        p("isolate", "delete", "networking.k8s.io", "networkpolicies", None, t, None),
        p("isolate", "list", "", "services", None, t, Some("--detach")),
        p("isolate", "patch", "", "nodes", None, None, Some("--cordon")),
        // collect
        p("collect", "list", "", "pods", None, None, None),
        p("collect", "list", "", "events", None, None, None),
        p("collect", "list", "", "serviceaccounts", None, None, None),
        p("collect", "list", "batch", "jobs", None, None, None),
        p("collect", "list", "batch", "cronjobs", None, None, None),
        p("collect", "list", "rbac.authorization.k8s.io", "clusterroles", None, None, None),
        p("collect", "list", "rbac.authorization.k8s.io", "clusterrolebindings", None, None, None),
        p("collect", "list", "rbac.authorization.k8s.io", "roles", None, None, None),
        p("collect", "list", "rbac.authorization.k8s.io", "rolebindings", None, None, None),
        p("collect", "list", "admissionregistration.k8s.io", "mutatingwebhookconfigurations", None, None, None),
        p("collect", "list", "admissionregistration.k8s.io", "validatingwebhookconfigurations", None, None, None),
        p("collect", "list", "", "nodes", None, None, None),
        p("collect", "list", "", "secrets", None, None, None),
        p("collect", "get", "", "pods", Some("log"), None, None),
        p("collect", "create", "", "pods", None, c, Some("--shell-history")),
        p("collect", "delete", "", "pods", None, c, Some("--shell-history")),
        p("collect", "get", "", "pods", Some("exec"), c, Some("--shell-history")),
    ]
}

/// Ask the server about every permission (bounded concurrency, order kept).
pub async fn check(client: &kube::Client, perms: Vec<Permission>) -> Result<Vec<PermissionCheck>, ClusterError> {
    let api: Api<SelfSubjectAccessReview> = Api::all(client.clone());
    let results: Vec<Result<PermissionCheck, ClusterError>> = stream::iter(perms)
        .map(|perm| {
            let api = api.clone();
            async move {
                let review = SelfSubjectAccessReview {
                    spec: SelfSubjectAccessReviewSpec {
                        resource_attributes: Some(ResourceAttributes {
                            verb: Some(perm.verb.into()),
                            group: Some(perm.group.into()),
                            resource: Some(perm.resource.into()),
                            subresource: perm.subresource.map(Into::into),
                            namespace: perm.namespace.clone(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    },
                    ..Default::default()
                };
                let answer =
                    api.create(&PostParams::default(), &review).await.map_err(|e| ClusterError::kube("SelfSubjectAccessReview", e))?;
                let status = answer.status.unwrap_or_default();
                let reason = status.reason.filter(|r| !r.is_empty()).or(status.evaluation_error);
                Ok(PermissionCheck { permission: perm, allowed: status.allowed, reason })
            }
        })
        .buffered(8)
        .collect()
        .await;
    results.into_iter().collect()
}
