//! The kubelet checkpoint API ("forensic container checkpointing", KEP-2008), reached through the
//! API server's node proxy: `POST /api/v1/nodes/<node>/proxy/checkpoint/<ns>/<pod>/<container>`.

use serde::Deserialize;
use std::time::Duration;

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
