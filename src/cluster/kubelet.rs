//! The kubelet checkpoint API ("forensic container checkpointing", KEP-2008), reached two ways:
//! through the API server's node proxy (`POST /api/v1/nodes/<node>/proxy/checkpoint/<ns>/<pod>/<container>`,
//! which needs `nodes/proxy`), or directly by the agent in the collector, on the node, with a
//! short-lived token of the `kforensic-checkpoint` ServiceAccount whose only node grant is
//! `nodes/checkpoint` (`--kubelet-path direct`).

use crate::cluster::collector::Collector;
use crate::cluster::{ClusterCtx, agent_client};
use crate::protocol::KubeletCheckpointRequest;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// How `--memory=kubelet` reaches the kubelet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KubeletPath {
    /// Through the API server's node proxy (`nodes/proxy`).
    Proxy,
    /// From the collector on the node, with the narrow ServiceAccount's token.
    Direct,
    /// Direct first, the proxy where that fails.
    Auto,
}

/// The ServiceAccount (collector namespace) whose bound token the direct path uses; its only node
/// grant is `nodes/checkpoint` (`deploy/rbac-checkpoint.yaml`).
pub const CHECKPOINT_SA: &str = "kforensic-checkpoint";

/// The direct path's account, when the collector namespace has it (a pod naming a missing
/// account would not be admitted; without it the direct path says what to apply).
pub async fn direct_account(ctx: &ClusterCtx, namespace: &str) -> Option<String> {
    let sa: kube::Api<k8s_openapi::api::core::v1::ServiceAccount> = kube::Api::namespaced(ctx.client.clone(), namespace);
    sa.get_opt(CHECKPOINT_SA).await.ok().flatten().map(|_| CHECKPOINT_SA.to_string())
}

/// How long the direct path's token lives.
const TOKEN_SECONDS: i64 = 600;

/// The container a kubelet checkpoint is asked for.
pub struct CheckpointTarget<'a> {
    pub node: &'a str,
    pub namespace: &'a str,
    pub pod: &'a str,
    pub container: &'a str,
    /// `containerd://…`: the agent finds the node's network namespace through its runtime.
    pub container_id: &'a str,
}

/// Ask the node's kubelet for a checkpoint from the collector (`--kubelet-path direct`); also
/// what could be checked of the kubelet's certificate.
pub async fn checkpoint_direct(
    ctx: &ClusterCtx,
    c: &Collector,
    t: &CheckpointTarget<'_>,
    timeout: Duration,
) -> (CheckpointOutcome, Option<String>) {
    let node = t.node;
    let req = match direct_request(ctx, c, t, timeout).await {
        Ok(r) => r,
        Err(why) => return (CheckpointOutcome::Unsupported(format!("direct kubelet path on node {node}: {why}")), None),
    };
    match agent_client::kubelet_checkpoint(c, &req).await {
        Ok(r) => {
            let outcome = match interpret(r.status, &r.body, node) {
                CheckpointOutcome::Unsupported(why) => {
                    CheckpointOutcome::Unsupported(format!("direct kubelet path ({}): {why}", r.endpoint))
                }
                ok => ok,
            };
            (outcome, Some(r.tls))
        }
        Err(why) => (CheckpointOutcome::Unsupported(format!("direct kubelet path on node {node}: {why}")), None),
    }
}

/// The request for the agent: the kubelet's addresses and port from the node's status, the
/// cluster CA, and a token bound to the collector pod.
async fn direct_request(
    ctx: &ClusterCtx,
    c: &Collector,
    t: &CheckpointTarget<'_>,
    timeout: Duration,
) -> Result<KubeletCheckpointRequest, String> {
    use base64::Engine;
    use k8s_openapi::api::core::v1::Node;
    let node = t.node;
    let nodes: kube::Api<Node> = kube::Api::all(ctx.client.clone());
    let n = nodes.get(node).await.map_err(|e| format!("cannot read node {node}: {}", super::client::short(&e)))?;
    let status = n.status.unwrap_or_default();
    let port = status.daemon_endpoints.and_then(|d| d.kubelet_endpoint).map_or(10250, |e| e.port);
    let mut hosts = vec!["127.0.0.1".to_string()];
    for a in status.addresses.unwrap_or_default() {
        if (a.type_ == "InternalIP" || a.type_ == "Hostname") && !hosts.contains(&a.address) {
            hosts.push(a.address);
        }
    }
    let endpoints = hosts.iter().map(|h| if h.contains(':') { format!("[{h}]:{port}") } else { format!("{h}:{port}") }).collect();
    let token = bound_token(ctx, c).await?;
    Ok(KubeletCheckpointRequest {
        container: t.container_id.to_string(),
        endpoints,
        server_name: node.to_string(),
        ca_der: ctx.ca_der.iter().map(|d| base64::engine::general_purpose::STANDARD.encode(d)).collect(),
        token,
        path: format!("/checkpoint/{}/{}/{}?timeout={}", t.namespace, t.pod, t.container, timeout.as_secs().max(1)),
        timeout_seconds: timeout.as_secs(),
    })
}

/// A token of [`CHECKPOINT_SA`] bound to the collector pod (it dies with the pod), minutes long.
async fn bound_token(ctx: &ClusterCtx, c: &Collector) -> Result<String, String> {
    use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
    use k8s_openapi::api::core::v1::ServiceAccount;
    let sa: kube::Api<ServiceAccount> = kube::Api::namespaced(ctx.client.clone(), &c.namespace);
    let tr = TokenRequest {
        spec: TokenRequestSpec {
            audiences: vec![],
            bound_object_ref: Some(BoundObjectReference {
                api_version: Some("v1".into()),
                kind: Some("Pod".into()),
                name: Some(c.name.clone()),
                uid: c.uid(),
            }),
            expiration_seconds: Some(TOKEN_SECONDS),
        },
        ..Default::default()
    };
    let t = sa.create_token_request(CHECKPOINT_SA, &Default::default(), &tr).await.map_err(|e| {
        if super::error::is_not_found(&e) {
            format!("no ServiceAccount {}/{CHECKPOINT_SA} (apply deploy/rbac-checkpoint.yaml)", c.namespace)
        } else if super::error::is_forbidden(&e) {
            format!("not allowed to create serviceaccounts/token for {}/{CHECKPOINT_SA}", c.namespace)
        } else {
            format!("no token for {}/{CHECKPOINT_SA}: {}", c.namespace, super::client::short(&e))
        }
    })?;
    t.status.map(|s| s.token).filter(|t| !t.is_empty()).ok_or_else(|| "the TokenRequest gave no token".into())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckpointOutcome {
    /// The archive's path on the node.
    Archive(String),
    /// Why there is none, in one line (recorded in the manifest).
    Unsupported(String),
}

#[derive(Deserialize)]
struct Answer {
    items: Vec<String>,
}

/// Ask the kubelet for a CRIU checkpoint of one container.
pub async fn checkpoint(client: &kube::Client, node: &str, ns: &str, pod: &str, container: &str, timeout: Duration) -> CheckpointOutcome {
    let uri = format!("/api/v1/nodes/{node}/proxy/checkpoint/{ns}/{pod}/{container}?timeout={}", timeout.as_secs().max(1));
    let req = match http::Request::post(&uri).body(Vec::new()) {
        Ok(r) => r,
        Err(e) => return CheckpointOutcome::Unsupported(format!("bad checkpoint request: {e}")),
    };
    match client.request_text(req).await {
        Ok(body) => interpret(200, &body, node),
        Err(kube::Error::Api(s)) => interpret(s.code, &s.message, node),
        Err(e) => CheckpointOutcome::Unsupported(format!("kubelet checkpoint on node {node} failed: {}", super::client::short(&e))),
    }
}

/// Turn the kubelet's (or API server's) answer into an outcome with a one-line reason.
pub fn interpret(code: u16, body: &str, node: &str) -> CheckpointOutcome {
    let body = body.trim();
    match code {
        200 | 201 => match serde_json::from_str::<Answer>(body) {
            Ok(a) if !a.items.is_empty() && crate::protocol::layout::kubelet_archive_ok(&a.items[0]) => {
                CheckpointOutcome::Archive(a.items[0].clone())
            }
            Ok(a) if !a.items.is_empty() => CheckpointOutcome::Unsupported(format!(
                "kubelet on node {node} named {:.200?} as the archive: not a checkpoint-*.tar in {}, refused",
                a.items[0],
                crate::protocol::layout::KUBELET_CHECKPOINT_DIR
            )),
            _ => CheckpointOutcome::Unsupported(format!("kubelet on node {node} answered without an archive path: {body:.200}")),
        },
        404 => CheckpointOutcome::Unsupported(format!(
            "kubelet on node {node} has no checkpoint API (needs Kubernetes 1.25+ with feature gate ContainerCheckpoint; on by default from 1.30)"
        )),
        403 if body.contains("checkpoint") && !body.contains("nodes/proxy") => CheckpointOutcome::Unsupported(format!(
            "kubelet on node {node} refused the API server's own identity nodes/checkpoint (grant it to the apiserver's kubelet client): {body:.200}"
        )),
        403 => CheckpointOutcome::Unsupported(format!("not allowed to create nodes/proxy on node {node}: {body:.200}")),
        500 => CheckpointOutcome::Unsupported(format!(
            "container runtime on node {node} could not checkpoint (needs containerd 2.0+ or CRI-O 1.25+ with CRIU): {body:.300}"
        )),
        c => CheckpointOutcome::Unsupported(format!("kubelet checkpoint on node {node}: HTTP {c}: {body:.200}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubelet_answers_are_interpreted() {
        // the answer format of KEP-2008
        let ok = r#"{"items":["/var/lib/kubelet/checkpoints/checkpoint-web_default-web-2026-11-01T10:00:00Z.tar"]}"#;
        assert_eq!(
            interpret(200, ok, "n1"),
            CheckpointOutcome::Archive("/var/lib/kubelet/checkpoints/checkpoint-web_default-web-2026-11-01T10:00:00Z.tar".into())
        );
        // an answer naming anything but an archive in the kubelet's directory is refused
        for bad in [
            "/etc/shadow",
            "/var/lib/kubelet/checkpoints/../../../etc/shadow.tar",
            "/var/lib/kubelet/checkpoints/sub/checkpoint-x.tar",
            "/var/lib/kubelet/checkpoints/checkpoint-x.tar\n",
            "var/lib/kubelet/checkpoints/checkpoint-x.tar",
            "/var/lib/kubelet/checkpointsX/checkpoint-x.tar",
            "/var/lib/kubelet/checkpoints/checkpoint-.tar",
            "/var/lib/kubelet/checkpoints/evil.tar",
        ] {
            let body = serde_json::json!({"items": [bad]}).to_string();
            match interpret(200, &body, "n1") {
                CheckpointOutcome::Unsupported(m) => assert!(m.contains("refused"), "{m}"),
                o => panic!("{bad}: {o:?}"),
            }
        }
        // Kubernetes 1.20 (measured on the test cluster): "404 page not found"
        match interpret(404, "404 page not found", "n1") {
            CheckpointOutcome::Unsupported(m) => assert!(m.contains("no checkpoint API"), "{m}"),
            o => panic!("{o:?}"),
        }
        match interpret(500, "checkpointing of default/web/web failed (rpc error: code = Unknown desc = criu failed: type DUMP)", "n1") {
            CheckpointOutcome::Unsupported(m) => assert!(m.contains("criu failed"), "{m}"),
            o => panic!("{o:?}"),
        }
        match interpret(
            403,
            "Forbidden (user=kube-apiserver-kubelet-client, verb=create, resource=nodes, subresource(s)=[checkpoint])",
            "n1",
        ) {
            CheckpointOutcome::Unsupported(m) => assert!(m.contains("nodes/checkpoint"), "{m}"),
            o => panic!("{o:?}"),
        }
    }
}
