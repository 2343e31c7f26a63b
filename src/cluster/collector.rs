//! The collector pod: an ephemeral, privileged, hostPID pod pinned to the target's node that runs
//! the kforensic binary in agent mode. Created, waited for (image problems reported within
//! seconds), exec'd into, and always deleted.

use super::error::{is_conflict, is_forbidden, is_not_found};
use super::{ClusterCtx, ClusterError};
use crate::protocol::{AGENT_RUN, DEADLINE_ENV, LEDGER_DIR, LEDGER_ENV, Request, SPOOL_DIR, SPOOL_ENV};
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use kube::api::{Api, AttachParams, AttachedProcess, DeleteParams, ObjectMeta, Patch, PatchParams, PostParams};
use serde_json::json;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

pub const DEFAULT_NAMESPACE: &str = "kforensic";
pub const CONTAINER: &str = "agent";
/// Where the binary lives in the collector image.
/// The agent's stdin while a request runs.
pub type AgentStdin = Box<dyn tokio::io::AsyncWrite + Unpin + Send>;

pub const AGENT_BIN: &str = "/usr/local/bin/kforensic";

/// How often the collector pod is read again where no watch tells of its changes.
const POLL: Duration = Duration::from_millis(300);
/// The longest one watch for the collector pod's next change lasts before it is read again.
const CHANGE_WAIT: Duration = Duration::from_secs(5);

/// The digest a reference pins (`name@sha256:…`), lower-case hex.
pub fn pinned_digest(image: &str) -> Option<&str> {
    image.rsplit_once("@sha256:").map(|(_, d)| d).filter(|d| d.len() == 64 && d.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Does the image the node runs (`imageID`: `docker-pullable://name@sha256:…`, `name@sha256:…`
/// or `sha256:…`) carry this digest?
pub fn runs_digest(image_id: &str, digest: &str) -> bool {
    image_id.rsplit_once("sha256:").is_some_and(|(_, d)| d.eq_ignore_ascii_case(digest))
}

/// The repository releases publish the collector image to (the release build sets
/// `KFORENSIC_PUBLISHED_REPO` to the registry it pushes to, so a fork's binaries name its own).
pub const PUBLISHED_REPO: &str = match option_env!("KFORENSIC_PUBLISHED_REPO") {
    Some(r) => r,
    None => "ghcr.io/kforensic/kforensic",
};

/// The image published for this version of kforensic (`kforensic image push` of the release's
/// binaries: linux/amd64 and linux/arm64).
pub fn published_image() -> String {
    format!("{PUBLISHED_REPO}:v{}", env!("CARGO_PKG_VERSION"))
}

/// The collector image when none is given: `$KFORENSIC_IMAGE`, else [`published_image`].
pub fn default_image() -> String {
    std::env::var("KFORENSIC_IMAGE").ok().filter(|s| !s.is_empty()).unwrap_or_else(published_image)
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CollectorSpec {
    pub namespace: String,
    pub node: String,
    pub image: String,
    /// `Always` / `IfNotPresent` / `Never`
    pub pull_policy: &'static str,
    pub case_id: String,
    /// The pod ends itself after this long even if nobody deletes it.
    #[serde(rename = "deadline_seconds", serialize_with = "as_seconds")]
    pub deadline: Duration,
    /// Use the node's network (`--upload-from node`: the node's route to S3 and its instance
    /// metadata credentials, which a pod network often cannot reach).
    pub host_network: bool,
    /// A Secret whose keys become the agent's environment (node-side S3 credentials).
    pub env_secret: Option<String>,
    /// Memory the agent will hold beyond its own few MiB (upload part buffers), so the node
    /// accounts for it and does not evict the collector first under pressure.
    pub extra_memory: u64,
    /// Run as this ServiceAccount (its token is never mounted): the direct kubelet path's token is
    /// bound to the collector pod, which the API allows only for a pod of that account.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_account: Option<String>,
}

/// How long the collector has to end once deleted: `agent hold` thaws what is still frozen.
pub const GRACE_SECONDS: i64 = 15;

fn as_seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_secs())
}

impl CollectorSpec {
    pub fn pod_name(&self) -> String {
        // unique per run: a case may be captured more than once; a name is lowercase DNS, the
        // case id as given stays in the label
        format!("kforensic-collector-{}-{:04x}", super::case_id::dns_form(&self.case_id), fastrand::u16(..))
    }
}

/// The collector pod, exactly as the architecture describes it. Its only volume is the freeze
/// ledger, in memory; the root filesystem stays read-only.
pub fn manifest(spec: &CollectorSpec, name: &str) -> Pod {
    let secs = spec.deadline.as_secs().max(60);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": spec.namespace,
            "labels": {
                "app.kubernetes.io/name": "kforensic",
                "app.kubernetes.io/component": "collector",
                "kforensic.io/case": spec.case_id,
            },
        },
        "spec": {
            "nodeName": spec.node,
            "tolerations": [{"operator": "Exists"}],
            "hostPID": true,
            "automountServiceAccountToken": false,
            "enableServiceLinks": false,
            "restartPolicy": "Never",
            "activeDeadlineSeconds": secs,
            "terminationGracePeriodSeconds": GRACE_SECONDS,
            // the ledger in memory (it outlives nothing); the spool on the node's disk (cores
            // written while a container is frozen, shipped after the thaw; gone with the pod)
            "volumes": [
                {"name": "ledger", "emptyDir": {"medium": "Memory", "sizeLimit": "1Mi"}},
                {"name": "spool", "emptyDir": {}},
            ],
            "containers": [{
                "name": CONTAINER,
                "image": spec.image,
                "imagePullPolicy": spec.pull_policy,
                // idles until its deadline; the captures run through exec
                "command": [AGENT_BIN, "agent", "hold", "--seconds", secs.to_string()],
                "env": [
                    {"name": LEDGER_ENV, "value": LEDGER_DIR},
                    {"name": SPOOL_ENV, "value": SPOOL_DIR},
                    // the pod is ended this long after its creation at the latest
                    {"name": DEADLINE_ENV, "value": (now + secs).to_string()},
                ],
                "volumeMounts": [{"name": "ledger", "mountPath": LEDGER_DIR}, {"name": "spool", "mountPath": SPOOL_DIR}],
                "securityContext": {
                    "privileged": true,
                    "readOnlyRootFilesystem": true,
                    "runAsUser": 0,
                },
                "resources": resources(spec),
            }],
        },
    });
    let mut pod = pod;
    pod["spec"]["priorityClassName"] = json!(PRIORITY_CLASS);
    if spec.host_network {
        pod["spec"]["hostNetwork"] = json!(true);
        pod["spec"]["dnsPolicy"] = json!("ClusterFirstWithHostNet");
    }
    if let Some(secret) = &spec.env_secret {
        pod["spec"]["containers"][0]["envFrom"] = json!([{"secretRef": {"name": secret}}]);
    }
    if let Some(sa) = &spec.service_account {
        pod["spec"]["serviceAccountName"] = json!(sa);
    }
    serde_json::from_value(pod).expect("static collector manifest is a valid Pod")
}

/// The agent's memory is requested and limited alike: the collector is the last pod the kubelet
/// evicts under memory pressure (it never uses more than it asked for) and a runaway agent is
/// stopped by its own cgroup, not by the node's OOM killer choosing among the workloads. CPU has a
/// request but no limit: a limit would throttle the capture (compression uses every core it gets)
/// while the suspect waits, frozen or not.
fn resources(spec: &CollectorSpec) -> serde_json::Value {
    let memory = format!("{}Mi", AGENT_MEMORY_MIB + spec.extra_memory.div_ceil(1 << 20));
    json!({"requests": {"cpu": "100m", "memory": memory}, "limits": {"memory": memory}})
}

/// What the agent itself may use (its buffers, the zstd window, the memory dump's batches); node
/// uploads add their parts on top (`CollectorSpec::extra_memory`).
pub const AGENT_MEMORY_MIB: u64 = 256;

/// The priority class a collector asks for first: the kubelet evicts it last and it preempts
/// nothing on a node that has room. Where the namespace may not use it, the pod is created without.
pub const PRIORITY_CLASS: &str = "system-node-critical";

/// Create the pod, again after a dropped connection or a server error. A create that reached the
/// server before its answer was lost is found by name (409) and taken as done: the name is this
/// run's own.
async fn create(api: &Api<Pod>, pod: &Pod) -> Result<(), kube::Error> {
    let mut first = true;
    retry(|| {
        let again = !std::mem::replace(&mut first, false);
        async move {
            match api.create(&PostParams::default(), pod).await {
                Err(e) if again && is_conflict(&e) => Ok(()),
                other => other.map(|_| ()),
            }
        }
    })
    .await
}

/// Answers worth asking again: the server's own errors (5xx), throttling (429) and anything that is
/// not an answer (a dropped connection, a timeout). A 4xx is final.
fn transient(e: &kube::Error) -> bool {
    match e {
        kube::Error::Api(s) => s.code >= 500 || s.code == 429,
        kube::Error::HyperError(_) | kube::Error::Service(_) => true,
        // an exec whose upgrade the server answered with its own error, or that was cut meanwhile
        kube::Error::UpgradeConnection(u) => match u {
            kube::client::UpgradeConnectionError::ProtocolSwitch(c) => c.is_server_error(),
            kube::client::UpgradeConnectionError::GetPendingUpgrade(_) => true,
            _ => false,
        },
        _ => false,
    }
}

/// Run `call` up to four times while it fails transiently (0.5, 1, 2 s apart).
async fn retry<T, F, Fut>(mut call: F) -> Result<T, kube::Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, kube::Error>>,
{
    let mut wait = Duration::from_millis(500);
    for _ in 0..3 {
        match call().await {
            Err(e) if transient(&e) => {
                tracing::debug!("retrying after {}: {}", humantime::format_duration(wait), super::client::short(&e));
                tokio::time::sleep(wait).await;
                wait *= 2;
            }
            done => return done,
        }
    }
    call().await
}

/// Did the API refuse the pod for what its priority class implies (the Priority admission, or a
/// quota scoped to priority classes)? A quota that admits no pod at all fails again without it.
fn refused_priority(e: &kube::Error) -> bool {
    let kube::Error::Api(s) = e else { return false };
    let m = s.message.to_ascii_lowercase();
    (is_forbidden(e) || s.code == 422) && (m.contains("priority") || m.contains("exceeded quota"))
}

/// Make sure the collector namespace exists and admits privileged pods.
pub async fn ensure_namespace(client: &kube::Client, ns: &str) -> Result<(), ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let labels: BTreeMap<String, String> = [
        ("pod-security.kubernetes.io/enforce", "privileged"),
        ("pod-security.kubernetes.io/audit", "privileged"),
        ("pod-security.kubernetes.io/warn", "privileged"),
        ("app.kubernetes.io/managed-by", "kforensic"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    match api.get_opt(ns).await {
        Ok(Some(existing)) => {
            let psa = existing.metadata.labels.as_ref().and_then(|l| l.get("pod-security.kubernetes.io/enforce")).cloned();
            if psa.as_deref().is_some_and(|p| p != "privileged") {
                tracing::warn!("collector namespace {ns} enforces pod-security {:?}: the privileged collector pod may be refused", psa);
            }
            Ok(())
        }
        Ok(None) => {
            let obj = Namespace {
                metadata: ObjectMeta { name: Some(ns.into()), labels: Some(labels), ..Default::default() },
                ..Default::default()
            };
            match api.create(&PostParams::default(), &obj).await {
                Ok(_) => Ok(()),
                Err(e) if is_conflict(&e) => Ok(()),
                Err(e) => Err(ClusterError::kube(format!("create collector namespace {ns}"), e)),
            }
        }
        // cannot read namespaces: try to go on, pod creation will tell
        Err(e) if is_forbidden(&e) => Ok(()),
        Err(e) => Err(ClusterError::kube(format!("get namespace {ns}"), e)),
    }
}

/// Why the collector cannot run on this node, from its labels (None: it can, or nothing says otherwise).
pub fn unsupported_node(node: &str, labels: Option<&BTreeMap<String, String>>) -> Option<String> {
    let os = labels?.get("kubernetes.io/os")?;
    (os != "linux")
        .then(|| format!("node {node} runs {os}: the node agent captures Linux nodes only (the API-side evidence is still collected)"))
}

/// Waiting reasons that will not resolve by waiting longer.
const FATAL_WAITING: &[&str] = &[
    "ErrImagePull",
    "ImagePullBackOff",
    "ErrImageNeverPull",
    "InvalidImageName",
    "ImageInspectError",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "CrashLoopBackOff",
];

/// Has every container of the pod ended (or never started)? Then nothing in it holds a freeze.
fn containers_ended(p: &Pod) -> bool {
    let Some(status) = p.status.as_ref() else { return false };
    if matches!(status.phase.as_deref(), Some("Failed" | "Succeeded")) {
        return true;
    }
    let cs = status.container_statuses.as_deref().unwrap_or_default();
    !cs.is_empty() && cs.iter().all(|c| c.state.as_ref().is_some_and(|s| s.running.is_none() && s.terminated.is_some()))
}

/// A running collector pod. Call [`Collector::delete`] on every path out.
#[derive(Clone)]
pub struct Collector {
    api: Api<Pod>,
    /// The same pods through the client without an idle read timeout: for the agent's exec streams.
    exec_api: Api<Pod>,
    pub name: String,
    pub namespace: String,
    /// The image the node runs, as the kubelet reports it once the pod runs.
    image_id: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// The pod's UID (what a token bound to the collector names), once read.
    uid: std::sync::Arc<std::sync::Mutex<Option<String>>>,
}

impl Collector {
    /// Create the pod (it is deleted again if it never gets running).
    pub async fn start(ctx: &ClusterCtx, spec: &CollectorSpec, ready_timeout: Duration) -> Result<Collector, ClusterError> {
        let client = &ctx.client;
        // a node the agent cannot run on is said at once, not after a start timeout
        let nodes: Api<Node> = Api::all(client.clone());
        if let Ok(Some(n)) = nodes.get_opt(&spec.node).await
            && let Some(why) = unsupported_node(&spec.node, n.metadata.labels.as_ref())
        {
            return Err(ClusterError::Collector(why));
        }
        let api: Api<Pod> = Api::namespaced(client.clone(), &spec.namespace);
        let name = spec.pod_name();
        let mut pod = manifest(spec, &name);
        let created = match create(&api, &pod).await {
            // some namespaces may not use the critical classes (quota, admission): ask for none
            Err(e) if refused_priority(&e) => {
                tracing::warn!("collector pod without priority class {PRIORITY_CLASS}: {}", super::client::short(&e));
                if let Some(s) = pod.spec.as_mut() {
                    s.priority_class_name = None;
                }
                create(&api, &pod).await
            }
            other => other,
        };
        created.map_err(|e| ClusterError::kube(format!("create collector pod in namespace {}", spec.namespace), e))?;
        let exec_api = Api::namespaced(ctx.streaming.clone(), &spec.namespace);
        let c = Collector { api, exec_api, name, namespace: spec.namespace.clone(), image_id: Default::default(), uid: Default::default() };
        match c.wait_running(ready_timeout).await {
            Ok(()) => Ok(c),
            // it never ran, so no agent froze anything: no grace period to wait for
            Err(e) => match c.delete_with(0).await {
                Ok(()) => Err(e),
                Err(left) => Err(ClusterError::Collector(format!("{e}; {left}"))),
            },
        }
    }

    async fn wait_running(&self, timeout: Duration) -> Result<(), ClusterError> {
        let start = Instant::now();
        loop {
            let pod = self.api.get(&self.name).await.map_err(|e| ClusterError::kube("get collector pod", e))?;
            *self.uid.lock().unwrap_or_else(|e| e.into_inner()) = pod.metadata.uid.clone();
            let status = pod.status.unwrap_or_default();
            let cs = status.container_statuses.unwrap_or_default();
            if let Some(s) = cs.first() {
                let state = s.state.clone().unwrap_or_default();
                if state.running.is_some() {
                    *self.image_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(s.image_id.clone());
                    return Ok(());
                }
                if let Some(w) = state.waiting {
                    let reason = w.reason.unwrap_or_default();
                    if FATAL_WAITING.contains(&reason.as_str()) {
                        return Err(ClusterError::Collector(format!(
                            "collector pod cannot start: {reason}: {} (image {})",
                            w.message.unwrap_or_default(),
                            s.image
                        )));
                    }
                }
                if let Some(t) = state.terminated {
                    return Err(ClusterError::Collector(format!(
                        "collector pod exited before the capture: {} (exit code {}) {}",
                        t.reason.unwrap_or_default(),
                        t.exit_code,
                        t.message.unwrap_or_default()
                    )));
                }
            }
            if let Some(phase) = status.phase.as_deref().filter(|p| *p == "Failed" || *p == "Succeeded") {
                return Err(ClusterError::Collector(format!(
                    "collector pod {phase}: {}",
                    status.message.or(status.reason).unwrap_or_default()
                )));
            }
            if start.elapsed() > timeout {
                return Err(ClusterError::Collector(format!(
                    "collector pod not running after {}s (phase {}): see `kubectl -n {} describe pod {}`",
                    timeout.as_secs(),
                    status.phase.unwrap_or_default(),
                    self.namespace,
                    self.name
                )));
            }
            let left = timeout.saturating_sub(start.elapsed());
            self.next_change(pod.metadata.resource_version.as_deref(), left.min(CHANGE_WAIT)).await;
        }
    }

    /// Wait until the pod changes after `version` (a watch on this pod alone), at most `max`: the
    /// caller then reads it again. Without a watch (not granted, or the API failed it) this is a
    /// short sleep, so the caller polls instead.
    async fn next_change(&self, version: Option<&str>, max: Duration) {
        use futures::StreamExt;
        use kube::api::{WatchEvent, WatchParams};
        let started = Instant::now();
        let changed = async {
            let Some(version) = version else { return false };
            let wp = WatchParams::default().fields(&format!("metadata.name={}", self.name)).timeout(max.as_secs().clamp(1, 290) as u32);
            let Ok(stream) = self.api.watch(&wp, version).await else { return false };
            let mut stream = std::pin::pin!(stream);
            matches!(stream.next().await, Some(Ok(WatchEvent::Added(_) | WatchEvent::Modified(_) | WatchEvent::Deleted(_))))
        };
        match tokio::time::timeout(max, changed).await {
            Ok(true) | Err(_) => {}
            Ok(false) => tokio::time::sleep(POLL.saturating_sub(started.elapsed()).min(max)).await,
        }
    }

    /// The pod's UID, when the API reported it.
    pub fn uid(&self) -> Option<String> {
        self.uid.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The image the node runs (`imageID` of the container status), once it runs.
    pub fn image_id(&self) -> Option<String> {
        self.image_id.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Start `kforensic agent run` in the collector with `request` as the first line of its stdin;
    /// stdout with a 1 MiB buffer, stderr with 64 KiB. The returned stdin must stay open until stdout has
    /// ended: before Kubernetes 1.29, closing stdin closes the whole exec connection.
    pub async fn request(&self, request: &Request) -> Result<(AttachedProcess, AgentStdin), ClusterError> {
        use tokio::io::AsyncWriteExt;
        let mut cmd = vec![AGENT_BIN.to_string()];
        cmd.extend(AGENT_RUN.iter().map(|s| s.to_string()));
        let mut ap = AttachParams::default().container(CONTAINER).stdin(true).stdout(true).stderr(true);
        // 1 MiB between the exec stream and the reader here: the stream keeps flowing while a
        // frame is hashed and written to disk
        ap.max_stdout_buf_size = Some(1 << 20);
        ap.max_stderr_buf_size = Some(64 * 1024);
        let what = || format!("exec into collector pod {}/{} (pods/exec)", self.namespace, self.name);
        // an exec that never got its stream started no agent: it is safe to ask again
        let mut proc = retry(|| self.exec_api.exec(&self.name, cmd.clone(), &ap)).await.map_err(|e| ClusterError::kube(what(), e))?;
        let mut stdin: AgentStdin = Box::new(proc.stdin().ok_or_else(|| ClusterError::Collector(format!("{}: no stdin", what())))?);
        let sent = async {
            stdin.write_all(request.to_line().as_bytes()).await?;
            stdin.flush().await
        };
        sent.await.map_err(|source| ClusterError::Exec { what: format!("{}: sending the request", what()), source })?;
        Ok((proc, stdin))
    }

    /// Run a short request to its end: (succeeded, stdout, last line of stderr).
    pub async fn call(&self, request: &Request) -> (bool, String, String) {
        use tokio::io::AsyncReadExt;
        let (mut p, stdin) = match self.request(request).await {
            Ok(x) => x,
            Err(e) => return (false, String::new(), e.to_string()),
        };
        let (mut out, mut err) = (String::new(), String::new());
        let (so, se) = (p.stdout(), p.stderr());
        let read_out = async {
            if let Some(mut so) = so {
                let _ = so.read_to_string(&mut out).await;
            }
        };
        let read_err = async {
            if let Some(mut se) = se {
                let _ = se.read_to_string(&mut err).await;
            }
        };
        tokio::join!(read_out, read_err);
        let st = match p.take_status() {
            Some(s) => s.await,
            None => None,
        };
        drop(stdin);
        let _ = p.join().await;
        let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
        (st.and_then(|s| s.status).as_deref() == Some("Success"), out, last)
    }

    /// Delete, with a grace period: `agent hold` gets SIGTERM and thaws whatever an agent still
    /// holds frozen before the pod goes. A pod that cannot be deleted is reported in one line
    /// (with the command that deletes it), for the caller to show.
    pub async fn delete(&self) -> Result<(), String> {
        self.delete_with(GRACE_SECONDS as u32).await
    }

    /// Delete with this grace period and wait until the pod is gone.
    async fn delete_with(&self, grace: u32) -> Result<(), String> {
        let dp = DeleteParams { grace_period_seconds: Some(grace), ..Default::default() };
        match retry(|| self.api.delete(&self.name, &dp)).await {
            Ok(_) => self.wait_gone().await,
            Err(e) if is_not_found(&e) => Ok(()),
            Err(e) => Err(format!(
                "could not delete collector pod {}/{}: {} — delete it with: kubectl -n {} delete pod {}",
                self.namespace,
                self.name,
                super::client::short(&e),
                self.namespace,
                self.name
            )),
        }
    }

    /// Wait (up to the grace period and a little more) until the deleted pod is gone: `hold` has
    /// then thawed what it recorded. Once its container has ended (so `hold` has run its sweep),
    /// the pod object is removed at once rather than left for a busy kubelet to finish; a pod
    /// whose container still runs is never forced (its `hold` may not have thawed yet).
    async fn wait_gone(&self) -> Result<(), String> {
        let end = Instant::now() + Duration::from_secs(GRACE_SECONDS as u64 + 10);
        let mut forced = false;
        loop {
            let version = match self.api.get_opt(&self.name).await {
                Ok(None) => return Ok(()),
                Ok(Some(p)) if !forced && containers_ended(&p) => {
                    let uid = p.metadata.uid.clone();
                    let dp = DeleteParams {
                        grace_period_seconds: Some(0),
                        preconditions: Some(kube::api::Preconditions { uid, resource_version: None }),
                        ..Default::default()
                    };
                    forced = true;
                    match self.api.delete(&self.name, &dp).await {
                        Err(e) if is_not_found(&e) || is_conflict(&e) => return Ok(()),
                        Err(e) => tracing::debug!("removing the ended collector pod: {}", super::client::short(&e)),
                        Ok(_) => {}
                    }
                    // read it again at once: the forced deletion may already have removed it
                    continue;
                }
                Ok(Some(p)) => p.metadata.resource_version,
                // the API went away: the pod was deleted and the kubelet ends it; say nothing more
                Err(_) => return Ok(()),
            };
            if Instant::now() >= end {
                return Err(format!(
                    "collector pod {}/{} still terminating {}s after its deletion — check it with: kubectl -n {} get pod {}",
                    self.namespace,
                    self.name,
                    GRACE_SECONDS + 10,
                    self.namespace,
                    self.name
                ));
            }
            self.next_change(version.as_deref(), end.saturating_duration_since(Instant::now()).min(CHANGE_WAIT)).await;
        }
    }

    /// Mark the pod so a later run (or a person) knows it was left on purpose.
    pub async fn mark_kept(&self) {
        let patch = json!({"metadata": {"annotations": {"kforensic.io/kept": "true"}}});
        let _ = self.api.patch(&self.name, &PatchParams::default(), &Patch::Merge(&patch)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(host_network: bool, secret: Option<&str>) -> CollectorSpec {
        CollectorSpec {
            namespace: "kforensic".into(),
            node: "n1".into(),
            image: "img:1".into(),
            pull_policy: "Never",
            case_id: "c1".into(),
            deadline: Duration::from_secs(600),
            host_network,
            env_secret: secret.map(String::from),
            extra_memory: if host_network { 80 << 20 } else { 0 },
            service_account: None,
        }
    }

    #[test]
    fn only_a_pod_whose_containers_all_ended_counts_as_ended() {
        let pod = |statuses: serde_json::Value, phase: &str| -> Pod {
            serde_json::from_value(json!({"metadata": {"name": "c"}, "status": {"phase": phase, "containerStatuses": statuses}})).unwrap()
        };
        let st = |state: serde_json::Value| json!({"name": "agent", "image": "i", "imageID": "", "ready": false, "restartCount": 0, "state": state});
        let ended = st(json!({"terminated": {"exitCode": 0}}));
        let running = st(json!({"running": {}}));
        assert!(containers_ended(&pod(json!([ended.clone()]), "Running")));
        assert!(!containers_ended(&pod(json!([running.clone()]), "Running")), "hold may still thaw");
        assert!(!containers_ended(&pod(json!([ended, running]), "Running")));
        assert!(!containers_ended(&pod(json!([]), "Pending")), "no status yet: unknown");
        assert!(containers_ended(&pod(json!([]), "Failed")));
    }

    #[test]
    fn a_ticket_style_case_id_is_lowercased_in_the_pod_name_and_kept_in_its_label() {
        let s = CollectorSpec { case_id: "INC-1234.x".into(), ..spec(false, None) };
        let name = s.pod_name();
        let dns = crate::cluster::case_id::dns_form("INC-1234.x");
        assert!(name.starts_with(&format!("kforensic-collector-{dns}-")) && dns.starts_with("inc-1234-x-"), "{name}");
        assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'), "{name}");
        let p = manifest(&s, &name);
        assert_eq!(p.metadata.labels.unwrap()["kforensic.io/case"], "INC-1234.x");
    }

    #[test]
    fn the_collector_is_pinned_privileged_tokenless_and_uses_the_node_network_only_for_node_uploads() {
        let p = manifest(&spec(false, None), "kforensic-collector-c1-0001");
        let s = p.spec.unwrap();
        assert_eq!(s.node_name.as_deref(), Some("n1"));
        assert_eq!(s.host_pid, Some(true));
        assert_eq!(s.automount_service_account_token, Some(false));
        assert_eq!(s.host_network, None);
        let vols = s.volumes.as_ref().unwrap();
        assert!(vols.iter().all(|v| v.host_path.is_none()), "no hostPath: the node is reached through /proc");
        assert_eq!(vols[0].empty_dir.as_ref().unwrap().medium.as_deref(), Some("Memory"), "the freeze ledger is in memory");
        assert_eq!(vols[1].empty_dir.as_ref().unwrap().medium, None, "the spool is on the node's disk, gone with the pod");
        assert_eq!(s.termination_grace_period_seconds, Some(GRACE_SECONDS), "hold has time to thaw");
        let c = &s.containers[0];
        assert_eq!(c.security_context.as_ref().unwrap().privileged, Some(true));
        assert!(c.env_from.is_none());
        assert_eq!(c.security_context.as_ref().unwrap().read_only_root_filesystem, Some(true));
        let env = |k: &str| c.env.as_ref().unwrap().iter().find(|e| e.name == k).and_then(|e| e.value.clone()).unwrap();
        assert_eq!(env(LEDGER_ENV), LEDGER_DIR);
        assert_eq!(c.volume_mounts.as_ref().unwrap()[0].mount_path, LEDGER_DIR);
        assert_eq!(env(SPOOL_ENV), SPOOL_DIR);
        assert_eq!(c.volume_mounts.as_ref().unwrap()[1].mount_path, SPOOL_DIR);
        let deadline: u64 = env(DEADLINE_ENV).parse().unwrap();
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
        assert!(deadline >= now + 590 && deadline <= now + 610, "{deadline} vs {now}");
        let mem = |s: &k8s_openapi::api::core::v1::PodSpec| {
            let r = s.containers[0].resources.as_ref().unwrap();
            let (req, lim) = (&r.requests.as_ref().unwrap()["memory"].0, &r.limits.as_ref().unwrap()["memory"].0);
            assert_eq!(req, lim, "memory limited to what is requested");
            assert!(!r.limits.as_ref().unwrap().contains_key("cpu"), "no CPU throttling while the suspect waits");
            req.clone()
        };
        assert_eq!(mem(&s), "256Mi");
        assert_eq!(s.priority_class_name.as_deref(), Some(PRIORITY_CLASS));

        let s = manifest(&spec(true, Some("s3-node")), "x").spec.unwrap();
        assert_eq!(s.host_network, Some(true));
        assert_eq!(s.dns_policy.as_deref(), Some("ClusterFirstWithHostNet"));
        assert_eq!(mem(&s), "336Mi", "the upload buffers are requested");
        let from = s.containers[0].env_from.as_ref().unwrap();
        assert_eq!(from[0].secret_ref.as_ref().unwrap().name, "s3-node");
    }

    #[test]
    fn a_pinned_digest_is_checked_against_what_the_node_runs() {
        let d = "4f3a".repeat(16);
        assert_eq!(pinned_digest(&format!("registry.example/kf@sha256:{d}")), Some(d.as_str()));
        assert_eq!(pinned_digest("registry.example/kf:v1"), None);
        assert_eq!(pinned_digest("kf@sha256:short"), None);
        for id in
            [format!("docker-pullable://registry.example/kf@sha256:{d}"), format!("registry.example/kf@sha256:{d}"), format!("sha256:{d}")]
        {
            assert!(runs_digest(&id, &d), "{id}");
        }
        assert!(!runs_digest(&format!("sha256:{}", "0".repeat(64)), &d));
        assert!(!runs_digest("", &d));
    }

    #[test]
    fn only_linux_nodes_take_a_collector() {
        let labels = |os: &str| BTreeMap::from([("kubernetes.io/os".to_string(), os.to_string())]);
        assert_eq!(unsupported_node("n1", Some(&labels("linux"))), None);
        assert_eq!(unsupported_node("n1", None), None, "nothing says otherwise");
        let why = unsupported_node("win-1", Some(&labels("windows"))).unwrap();
        assert!(why.contains("win-1 runs windows") && why.contains("Linux nodes only"), "{why}");
    }
}
