//! `kforensic preflight`: incident readiness, checked before an incident.

use super::cni::{self, CniReport};
use super::error::{is_forbidden, is_not_found};
use super::permissions::{self, PermissionCheck};
use super::{ClusterCtx, ClusterError};
use crate::cluster::kubelet::CHECKPOINT_SA;
use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use k8s_openapi::api::core::v1::{Namespace, Node};
use kube::api::{Api, ListParams, PostParams};
use serde::Serialize;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct PreflightReport {
    pub cluster: ClusterInfo,
    pub identity: Identity,
    pub permissions: Vec<PermissionCheck>,
    pub collector_namespace: CollectorNamespace,
    pub nodes: Vec<NodeReadiness>,
    pub cni: CniReport,
    /// Which way `--memory=kubelet` (the default `--kubelet-path auto`) reaches the kubelet here.
    pub kubelet_path: KubeletPathReport,
    /// Everything kforensic needs is there (exit 0).
    pub ready: bool,
    /// Why not, one line each.
    pub problems: Vec<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ClusterInfo {
    pub server: String,
    pub context: Option<String>,
    pub version: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Identity {
    pub user: Option<String>,
    pub groups: Vec<String>,
    /// How the identity was learnt, or why it is unknown.
    pub source: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CollectorNamespace {
    pub name: String,
    pub exists: bool,
    /// The `pod-security.kubernetes.io/enforce` label, when present.
    pub pod_security: Option<String>,
    pub ok: bool,
    pub note: String,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct NodeReadiness {
    pub name: String,
    pub kubelet: String,
    pub runtime: String,
    /// yes / maybe / no
    pub checkpoint_api: String,
    pub checkpoint_note: String,
}

/// The kubelet checkpoint's way from here: `direct` (the collector, with the
/// `kforensic-checkpoint` account's token), `proxy` (the API server's node proxy) or `none`.
#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct KubeletPathReport {
    pub path: String,
    pub why: String,
}

/// `cluster_ca`: the kubeconfig names a CA, against which the direct path verifies the kubelet's certificate.
fn kubelet_path(perms: &[PermissionCheck], account: bool, collector_ns: &str, cluster_ca: bool) -> KubeletPathReport {
    let may = |resource: &str, sub: &str| {
        perms.iter().any(|c| c.allowed && c.permission.resource == resource && c.permission.subresource == Some(sub))
    };
    let (token, proxy) = (may("serviceaccounts", "token"), may("nodes", "proxy"));
    let direct = account && token;
    let why_not_direct = match (account, token) {
        (false, _) => format!("no ServiceAccount {collector_ns}/{CHECKPOINT_SA} (apply deploy/rbac-checkpoint.yaml)"),
        (true, false) => format!("not allowed to create serviceaccounts/token in {collector_ns}"),
        (true, true) => String::new(),
    };
    let (path, why) = match (direct, proxy) {
        (true, _) => {
            let tls = if cluster_ca {
                "the kubelet's certificate checked against the cluster CA"
            } else {
                "the kubeconfig names no cluster CA: the kubelet's certificate cannot be verified"
            };
            ("direct", format!("a token of {collector_ns}/{CHECKPOINT_SA} (nodes/checkpoint only), from the collector on the node; {tls}"))
        }
        (false, true) => ("proxy", format!("through the API server's node proxy (nodes/proxy): {why_not_direct}")),
        (false, false) => ("none", format!("{why_not_direct}; and not allowed to create nodes/proxy: --memory uses /proc capture")),
    };
    KubeletPathReport { path: path.into(), why }
}

pub async fn run(ctx: &ClusterCtx, collector_ns: &str) -> Result<PreflightReport, ClusterError> {
    let client = &ctx.client;
    let (identity, perms, collector, nodes, cni, account) = tokio::join!(
        whoami(client),
        permissions::check(client, permissions::required(&ctx.namespace, collector_ns)),
        collector_namespace(ctx, collector_ns),
        nodes(client),
        cni::detect(client),
        crate::cluster::kubelet::direct_account(ctx, collector_ns),
    );
    let permissions = perms?;
    let kubelet_path = kubelet_path(&permissions, account.is_some(), collector_ns, !ctx.ca_der.is_empty());
    let collector = collector?;
    let nodes = nodes?;

    let mut problems = Vec::new();
    for c in permissions.iter().filter(|c| !c.allowed && c.permission.only_for.is_none()) {
        let p = &c.permission;
        let ns = p.namespace.as_deref().map(|n| format!(" in namespace {n}")).unwrap_or_default();
        problems.push(format!("{}: cannot {} {}{}", p.command, p.verb, p.resource_name(), ns));
    }
    let can_create_ns = permissions.iter().any(|c| c.allowed && c.permission.verb == "create" && c.permission.resource == "namespaces");
    // fine when it exists and is usable, or when it is missing and we may create it
    if !collector.ok && (!can_create_ns || collector.exists) {
        problems.push(format!("collector namespace {}: {}", collector.name, collector.note));
    }
    Ok(PreflightReport {
        cluster: ClusterInfo { server: ctx.server.clone(), context: ctx.context.clone(), version: ctx.version.git_version.clone() },
        identity,
        ready: problems.is_empty(),
        problems,
        permissions,
        collector_namespace: collector,
        nodes,
        cni,
        kubelet_path,
    })
}

/// SelfSubjectReview (authentication.k8s.io/v1, Kubernetes 1.28+); older servers cannot say.
async fn whoami(client: &kube::Client) -> Identity {
    let api: Api<SelfSubjectReview> = Api::all(client.clone());
    match api.create(&PostParams::default(), &SelfSubjectReview::default()).await {
        Ok(r) => {
            let ui = r.status.and_then(|s| s.user_info).unwrap_or_default();
            Identity { user: ui.username, groups: ui.groups.unwrap_or_default(), source: "SelfSubjectReview".into() }
        }
        Err(e) if is_not_found(&e) => {
            Identity { user: None, groups: vec![], source: "unknown: the server has no SelfSubjectReview (Kubernetes 1.28+)".into() }
        }
        Err(e) if is_forbidden(&e) => Identity {
            user: None,
            groups: vec![],
            source: "unknown: not allowed to create selfsubjectreviews (or the server predates Kubernetes 1.28)".into(),
        },
        Err(e) => Identity { user: None, groups: vec![], source: format!("unknown: {}", super::client::short(&e)) },
    }
}

async fn collector_namespace(ctx: &ClusterCtx, name: &str) -> Result<CollectorNamespace, ClusterError> {
    let api: Api<Namespace> = Api::all(ctx.client.clone());
    let psa_enforced = ctx.minor().is_none_or(|m| m >= 23);
    match api.get_opt(name).await {
        Ok(None) => Ok(CollectorNamespace {
            name: name.into(),
            exists: false,
            pod_security: None,
            ok: false,
            note: "missing: `checkpoint` creates it (labelled pod-security privileged) if allowed to create namespaces".into(),
        }),
        Ok(Some(ns)) => {
            let psa = ns.metadata.labels.as_ref().and_then(|l| l.get("pod-security.kubernetes.io/enforce")).cloned();
            let (ok, note) = match psa.as_deref() {
                Some("privileged") => (true, "present, pod-security privileged".to_string()),
                None if !psa_enforced => (true, "present (Pod Security admission is not in this server version)".to_string()),
                None => (
                    false,
                    "present but not labelled pod-security.kubernetes.io/enforce=privileged: collector pods may be refused".to_string(),
                ),
                Some(other) => (false, format!("pod-security enforce={other}: privileged collector pods will be refused")),
            };
            Ok(CollectorNamespace { name: name.into(), exists: true, pod_security: psa, ok, note })
        }
        Err(e) if is_forbidden(&e) => Ok(CollectorNamespace {
            name: name.into(),
            exists: false,
            pod_security: None,
            ok: false,
            note: "cannot tell: not allowed to get namespaces".into(),
        }),
        Err(e) => Err(ClusterError::kube(format!("get namespace {name}"), e)),
    }
}

async fn nodes(client: &kube::Client) -> Result<Vec<NodeReadiness>, ClusterError> {
    let api: Api<Node> = Api::all(client.clone());
    let list = match api.list(&ListParams::default()).await {
        Ok(l) => l,
        Err(e) if is_forbidden(&e) => return Ok(vec![]),
        Err(e) => return Err(ClusterError::kube("list nodes", e)),
    };
    Ok(list
        .items
        .into_iter()
        .map(|n| {
            let info = n.status.and_then(|s| s.node_info).unwrap_or_default();
            let (checkpoint_api, checkpoint_note) = checkpoint_support(&info.kubelet_version, &info.container_runtime_version);
            NodeReadiness {
                name: n.metadata.name.unwrap_or_default(),
                kubelet: info.kubelet_version,
                runtime: info.container_runtime_version,
                checkpoint_api: checkpoint_api.into(),
                checkpoint_note,
            }
        })
        .collect())
}

/// `(major, minor, patch)` of `v1.30.2`, `1.6.20-1`, `2.0.0-rc.1`…
pub fn parse_version(v: &str) -> Option<(u32, u32, u32)> {
    let v = v.trim_start_matches('v');
    let mut it = v.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).map(|s| s.parse::<u32>());
    Some((it.next()?.ok()?, it.next()?.ok()?, it.next().and_then(Result::ok).unwrap_or(0)))
}

/// Can the kubelet checkpoint API ("forensic container checkpointing") work on this node?
pub fn checkpoint_support(kubelet: &str, runtime: &str) -> (&'static str, String) {
    let Some((_, kminor, _)) = parse_version(kubelet) else {
        return ("no", format!("unknown kubelet version {kubelet:?}"));
    };
    if kminor < 25 {
        return ("no", format!("kubelet {kubelet} has no checkpoint API (1.25+); `--memory` uses /proc capture"));
    }
    let (rt, rv) = runtime.split_once("://").unwrap_or((runtime, ""));
    let runtime_ok = match (rt, parse_version(rv)) {
        ("containerd", Some(v)) => v >= (2, 0, 0),
        ("cri-o", Some(v)) => v >= (1, 25, 0),
        _ => false,
    };
    if !runtime_ok {
        let need = match rt {
            "containerd" => "containerd 2.0+",
            "cri-o" => "CRI-O 1.25+",
            _ => "containerd 2.0+ or CRI-O 1.25+",
        };
        return ("no", format!("runtime {runtime} cannot checkpoint through the CRI (needs {need}); `--memory` uses /proc capture"));
    }
    if kminor < 30 {
        return (
            "maybe",
            "only if the kubelet runs with feature gate ContainerCheckpoint=true (alpha before 1.30) and CRIU is on the node".into(),
        );
    }
    ("yes", "if CRIU is installed on the node (ContainerCheckpoint is on by default since 1.30)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kubelet_path_is_direct_with_the_account_and_its_token_else_the_proxy_else_none() {
        use super::permissions::Permission;
        let check = |resource: &'static str, sub: &'static str, allowed: bool| PermissionCheck {
            permission: Permission {
                command: "checkpoint",
                verb: "create",
                group: "",
                resource,
                subresource: Some(sub),
                namespace: None,
                only_for: None,
            },
            allowed,
            reason: None,
        };
        let all = [check("serviceaccounts", "token", true), check("nodes", "proxy", true)];
        let r = kubelet_path(&all, true, "kforensic", true);
        assert_eq!(r.path, "direct");
        assert!(r.why.ends_with("checked against the cluster CA"), "{}", r.why);
        let r = kubelet_path(&all, true, "kforensic", false);
        assert!(r.why.ends_with("no cluster CA: the kubelet's certificate cannot be verified"), "{}", r.why);
        let r = kubelet_path(&all, false, "kforensic", true);
        assert_eq!(r.path, "proxy");
        assert!(r.why.contains("no ServiceAccount kforensic/kforensic-checkpoint"), "{}", r.why);
        let no_token = [check("serviceaccounts", "token", false), check("nodes", "proxy", false)];
        let r = kubelet_path(&no_token, true, "kforensic", true);
        assert_eq!(r.path, "none");
        assert!(r.why.contains("serviceaccounts/token") && r.why.contains("/proc"), "{}", r.why);
    }

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("v1.30.2"), Some((1, 30, 2)));
        assert_eq!(parse_version("1.6.20-1"), Some((1, 6, 20)));
        assert_eq!(parse_version("2.0.0-rc.1"), Some((2, 0, 0)));
        assert_eq!(parse_version("garbage"), None);
    }

    #[test]
    fn checkpoint_support_follows_kubelet_and_runtime() {
        assert_eq!(checkpoint_support("v1.20.2", "containerd://1.6.20").0, "no");
        assert_eq!(checkpoint_support("v1.31.0", "containerd://1.7.2").0, "no");
        assert_eq!(checkpoint_support("v1.31.0", "containerd://2.0.1").0, "yes");
        assert_eq!(checkpoint_support("v1.27.3", "cri-o://1.27.1").0, "maybe");
        assert_eq!(checkpoint_support("v1.35.0", "docker://24.0.0").0, "no");
    }
}
