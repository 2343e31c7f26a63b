//! The API side's typed client of the node agent: every request goes to `kforensic agent run` in
//! the collector as a [`Request`] document; the evidence stream comes back on stdout into the
//! bundle (re-hashed on this side), the agent's [`Event`]s on stderr into the observer; the
//! cgroups the agent froze are thawed whatever happens to it.

use crate::cluster::ClusterError;
use crate::cluster::collector::Collector;
use crate::evidence::{ArtifactSink, DirBundle, stream};
use crate::observe::SharedObserver;
use crate::protocol::{
    CaptureRequest, Event, FreezePodRequest, KubeletCheckpointRequest, KubeletReply, PodFreezeReport, Request, SpaceReport, THAW_LINE,
};
use tokio::io::AsyncBufReadExt;

/// Cgroups an agent froze and has not yet reported thawed.
pub type Frozen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Thaw what an agent froze (it died, or we are stopping it): a thaw request in the collector.
pub async fn thaw_all(c: &Collector, frozen: &Frozen, obs: &SharedObserver) {
    let list: Vec<String> = std::mem::take(&mut *frozen.lock().unwrap_or_else(|e| e.into_inner()));
    for cg in list {
        let ok = c.call(&Request::Thaw { cgroup: cg.clone() }).await.0;
        if !ok {
            obs.warn(&format!(
                "could not thaw cgroup {cg} on the node: thaw it by hand (echo THAWED > {cg}/freezer.state, or echo 0 > {cg}/cgroup.freeze)"
            ));
        }
    }
}

/// Is there room on the node for a kubelet checkpoint? The agent's answer, or why there is none.
pub async fn node_space(c: &Collector, container: &str, dir: &str) -> Result<SpaceReport, String> {
    let (fits, answer, why) = c.call(&Request::NodeSpace { container: container.into(), dir: dir.into() }).await;
    match serde_json::from_str::<SpaceReport>(&answer) {
        Ok(r) => Ok(r),
        Err(_) if fits => Err("the agent's answer about free space was not understood".into()),
        Err(_) => Err(if why.is_empty() { "cannot check free space on the node".into() } else { why }),
    }
}

/// Have the agent call the node's kubelet checkpoint endpoint (`--kubelet-path direct`).
pub async fn kubelet_checkpoint(c: &Collector, req: &KubeletCheckpointRequest) -> Result<KubeletReply, String> {
    let (ok, answer, why) = c.call(&Request::KubeletCheckpoint(req.clone())).await;
    match serde_json::from_str::<KubeletReply>(&answer) {
        Ok(r) => Ok(r),
        Err(_) if ok => Err("the agent's answer about the kubelet was not understood".into()),
        Err(_) => Err(if why.is_empty() { "the agent could not call the kubelet".into() } else { why }),
    }
}

/// Record in the collector that the kubelet is about to write a checkpoint archive of this
/// container: the collector removes it from the node if this side abandons it. Why not, on failure.
pub async fn expect_archive(c: &Collector, namespace: &str, pod: &str, container_name: &str, dir: &str) -> Result<(), String> {
    let req =
        Request::ExpectArchive { namespace: namespace.into(), pod: pod.into(), container_name: container_name.into(), dir: dir.into() };
    let (ok, _, why) = c.call(&req).await;
    if ok { Ok(()) } else { Err(if why.is_empty() { "the collector could not record it".into() } else { why }) }
}

/// Remove a shipped kubelet checkpoint archive from the node.
pub async fn remove_archive(c: &Collector, container: &str, path: &str) -> bool {
    c.call(&Request::RemoveArchive { container: container.into(), path: path.into() }).await.0
}

/// A pod freeze held by an agent in the collector (`--freeze-pod`): thaw it with
/// [`PodFreeze::thaw`]. Dropped without that, its exec stream ends and the agent thaws on its own.
pub struct PodFreeze {
    proc: kube::api::AttachedProcess,
    stdin: crate::cluster::collector::AgentStdin,
    cgroup: String,
    /// The agent's events after the freeze: `Thawed` here means the freeze ended early.
    rest: tokio::task::JoinHandle<Vec<String>>,
}

/// Freeze the whole pod (the cgroup above `container`'s) and wait until the agent holds it. The
/// cgroup goes into `frozen` at once, so every way out of the capture thaws it.
pub async fn freeze_pod(c: &Collector, req: FreezePodRequest, frozen: &Frozen) -> Result<PodFreeze, ClusterError> {
    let (mut proc, stdin) = c.request(&Request::FreezePod(req)).await?;
    let stderr = proc.stderr().ok_or_else(|| ClusterError::Collector("exec gave no stderr".into()))?;
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let mut log = Vec::new();
    let first = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        while let Ok(Some(line)) = lines.next_line().await {
            match Event::parse(&line) {
                Some(Event::Frozen { cgroup }) => return Some(cgroup),
                _ => log.push(line),
            }
        }
        None
    })
    .await;
    let Ok(Some(cgroup)) = first else {
        drop(stdin);
        let _ = proc.join().await;
        let why = if first.is_err() { " (no answer within 60s)".to_string() } else { last_line(&log) };
        return Err(ClusterError::Collector(format!("could not freeze the pod{why}")));
    };
    frozen.lock().unwrap_or_else(|e| e.into_inner()).push(cgroup.clone());
    let rest = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Ok(Some(line)) = lines.next_line().await {
            seen.push(line);
        }
        seen
    });
    Ok(PodFreeze { proc, stdin, cgroup, rest })
}

impl PodFreeze {
    pub fn cgroup(&self) -> &str {
        &self.cgroup
    }

    /// Has the agent already thawed (its deadline, or it lost its stdin)?
    pub fn ended(&self) -> bool {
        self.rest.is_finished()
    }

    /// Ask the agent to thaw and wait for its report. Whatever it answers, the cgroup leaves
    /// `frozen` only once the agent said it thawed it.
    pub async fn thaw(mut self, frozen: &Frozen) -> Result<PodFreezeReport, String> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let asked = async {
            self.stdin.write_all(format!("{THAW_LINE}\n").as_bytes()).await?;
            self.stdin.flush().await
        };
        let asked = asked.await;
        let mut out = String::new();
        if let Some(mut so) = self.proc.stdout() {
            let _ = tokio::time::timeout(std::time::Duration::from_secs(60), so.read_to_string(&mut out)).await;
        }
        let log =
            tokio::time::timeout(std::time::Duration::from_secs(30), &mut self.rest).await.ok().and_then(|r| r.ok()).unwrap_or_default();
        drop(self.stdin);
        let _ = self.proc.join().await;
        if log.iter().any(|l| matches!(Event::parse(l), Some(Event::Thawed { cgroup }) if cgroup == self.cgroup)) {
            frozen.lock().unwrap_or_else(|e| e.into_inner()).retain(|c| *c != self.cgroup);
        }
        match serde_json::from_str::<PodFreezeReport>(&out) {
            Ok(r) => Ok(r),
            Err(_) => Err(format!(
                "the agent holding the pod's freeze did not report its thaw{}{}",
                asked.err().map(|e| format!(" (asking it failed: {e})")).unwrap_or_default(),
                last_line(&log)
            )),
        }
    }
}

/// Run a capture in the collector: its evidence stream into `bundle`, its events into `obs`
/// (under `label`), and check its exit status. A broken stream or a bad exit is recorded in the
/// bundle's errors; only a failure to reach the agent at all is returned. Gives back the agent's
/// stage timings (`timings …` notes) for the report.
pub async fn capture(
    c: &Collector,
    req: &CaptureRequest,
    bundle: &mut DirBundle,
    obs: &SharedObserver,
    label: &str,
    frozen: &Frozen,
) -> Result<Vec<String>, ClusterError> {
    let (mut proc, stdin) = c.request(&Request::Capture(req.clone())).await?;
    let stdout = proc.stdout().ok_or_else(|| ClusterError::Collector("exec gave no stdout".into()))?;
    let stderr = proc.stderr().ok_or_else(|| ClusterError::Collector("exec gave no stderr".into()))?;
    let status = proc.take_status();
    let progress = tokio::spawn(events(stderr, obs.clone(), label.to_string(), frozen.clone()));
    let received = tokio::task::block_in_place(|| {
        let mut reader = tokio_util::io::SyncIoBridge::new(stdout);
        stream::receive(&mut reader, bundle)
    });
    let (agent_log, timings) = progress.await.unwrap_or_default();
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    drop(stdin);
    let _ = proc.join().await;
    let ok_status = status.as_ref().and_then(|s| s.status.as_deref()) == Some("Success");
    if ok_status && received.is_ok() {
        // the agent thawed what it froze itself
        frozen.lock().unwrap_or_else(|e| e.into_inner()).clear();
    } else {
        thaw_all(c, frozen, obs).await;
    }
    let why = match received {
        Ok(report) if report.complete() && ok_status => return Ok(timings),
        Ok(_) if !ok_status => format!(
            "agent for {label} ended badly: {}{}",
            status.and_then(|s| s.message).unwrap_or_else(|| "no exit status".into()),
            last_line(&agent_log)
        ),
        Ok(report) => format!("agent for {label} reported {} failed artifact(s)", report.failed.len()),
        Err(e) => format!("evidence stream from the agent for {label} broke: {e}{}", last_line(&agent_log)),
    };
    bundle.error(None, &why)?;
    Ok(timings)
}

pub(crate) fn last_line(log: &[String]) -> String {
    log.last().map(|l| format!(" (agent: {l})")).unwrap_or_default()
}

/// Events → the observer and the frozen list; anything else is the agent's log, kept for error messages.
async fn events(
    stderr: impl tokio::io::AsyncRead + Unpin,
    obs: SharedObserver,
    label: String,
    frozen: Frozen,
) -> (Vec<String>, Vec<String>) {
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let mut log = Vec::new();
    let mut timings = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        let short = |a: &str| a.rsplit('/').next().unwrap_or("?").to_string();
        match Event::parse(&line) {
            Some(Event::Frozen { cgroup }) => {
                obs.note(&format!("{label}: frozen for the memory capture ({cgroup})"));
                frozen.lock().unwrap_or_else(|e| e.into_inner()).push(cgroup);
            }
            Some(Event::Thawed { cgroup }) => frozen.lock().unwrap_or_else(|e| e.into_inner()).retain(|c| *c != cgroup),
            Some(Event::Progress { artifact, bytes }) => obs.bytes(&format!("{label}/{}", short(&artifact)), bytes, false),
            Some(Event::Done { artifact, bytes, .. }) => obs.bytes(&format!("{label}/{}", short(&artifact)), bytes, true),
            Some(Event::Failed { artifact, .. }) => obs.bytes(&format!("{label}/{}", short(&artifact)), 0, true),
            Some(Event::Note { message }) if message.starts_with("timings ") && timings.len() < 20 => {
                tracing::info!("agent: {message}");
                timings.push(format!("{label}: {message}"));
            }
            Some(Event::Note { .. } | Event::Error { .. }) | None => {
                tracing::info!("agent: {line}");
                if log.len() >= 50 {
                    log.remove(0);
                }
                log.push(line);
            }
        }
    }
    (log, timings)
}
