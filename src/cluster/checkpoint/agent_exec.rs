//! One agent run through exec: its evidence stream into the bundle, its progress into the bars,
//! and the cgroups it froze thawed whatever happens to it.

use super::ui::Bars;
use crate::cluster::ClusterError;
use crate::cluster::collector::Collector;
use crate::evidence::{ArtifactSink, DirBundle, stream};
use tokio::io::AsyncBufReadExt;

/// Cgroups an agent froze and has not yet reported thawed.
pub(crate) type Frozen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Thaw what an agent froze (it died, or we are stopping it): `kforensic agent thaw` in the collector.
pub(crate) async fn thaw_all(c: &Collector, frozen: &Frozen) {
    let list: Vec<String> = std::mem::take(&mut *frozen.lock().unwrap_or_else(|e| e.into_inner()));
    for cg in list {
        let args = vec!["agent".to_string(), "thaw".into(), "--cgroup".into(), cg.clone()];
        let ok = c.call(&args).await.0;
        if !ok {
            eprintln!("warning: could not thaw cgroup {cg} on the node: thaw it by hand (echo THAWED > {cg}/freezer.state, or echo 0 > {cg}/cgroup.freeze)");
        }
    }
}

/// Exec the agent in the collector, feed its stdout into the bundle (re-hashed on this side),
/// its stderr into the progress bars, and check its exit status.
pub(crate) async fn run_agent(
    c: &Collector,
    args: &[String],
    bundle: &mut DirBundle,
    bars: &Bars,
    container: &str,
    frozen: &Frozen,
) -> Result<(), ClusterError> {
    let mut proc = c.exec(args).await?;
    let stdout = proc.stdout().ok_or_else(|| ClusterError::Collector("exec gave no stdout".into()))?;
    let stderr = proc.stderr().ok_or_else(|| ClusterError::Collector("exec gave no stderr".into()))?;
    let status = proc.take_status();
    let progress = tokio::spawn(progress_lines(stderr, bars.clone(), container.to_string(), frozen.clone()));
    let received = tokio::task::block_in_place(|| {
        let mut reader = tokio_util::io::SyncIoBridge::new(stdout);
        stream::receive(&mut reader, bundle)
    });
    let agent_log = progress.await.unwrap_or_default();
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    let _ = proc.join().await;
    let ok_status = status.as_ref().and_then(|s| s.status.as_deref()) == Some("Success");
    if ok_status && received.is_ok() {
        // the agent thawed what it froze itself
        frozen.lock().unwrap_or_else(|e| e.into_inner()).clear();
    } else {
        thaw_all(c, frozen).await;
    }
    match received {
        Ok(report) if report.complete() && ok_status => Ok(()),
        Ok(report) => {
            let why = if !ok_status {
                format!(
                    "agent for {container} ended badly: {}{}",
                    status.and_then(|s| s.message).unwrap_or_else(|| "no exit status".into()),
                    last_line(&agent_log)
                )
            } else {
                format!("agent for {container} reported {} failed artifact(s)", report.failed.len())
            };
            bundle.error(None, &why).map_err(|e| ClusterError::Collector(e.to_string()))?;
            Ok(())
        }
        Err(e) => {
            let why = format!("evidence stream from the agent for {container} broke: {e}{}", last_line(&agent_log));
            bundle.error(None, &why).map_err(|e| ClusterError::Collector(e.to_string()))?;
            Ok(())
        }
    }
}

pub(crate) fn last_line(log: &[String]) -> String {
    log.last().map(|l| format!(" (agent: {l})")).unwrap_or_default()
}

/// Progress JSON lines → bars; anything else is the agent's log, kept for error messages.
pub(crate) async fn progress_lines(stderr: impl tokio::io::AsyncRead + Unpin, bars: Bars, container: String, frozen: Frozen) -> Vec<String> {
    let mut lines = tokio::io::BufReader::new(stderr).lines();
    let mut log = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(v) if v.get("frozen_cgroup").is_some() => {
                if let Some(cg) = v["frozen_cgroup"].as_str() {
                    bars.note(&format!("{container}: frozen for the memory capture ({cg})"));
                    frozen.lock().unwrap_or_else(|e| e.into_inner()).push(cg.to_string());
                }
            }
            Ok(v) if v.get("artifact").is_some() => {
                let art = v["artifact"].as_str().unwrap_or("?").rsplit('/').next().unwrap_or("?").to_string();
                let bytes = v["bytes"].as_u64().unwrap_or(0);
                let done = v.get("done").and_then(|d| d.as_bool()).unwrap_or(false);
                bars.artifact(&container, &art, bytes, done);
            }
            _ => {
                tracing::info!("agent: {line}");
                if log.len() >= 50 {
                    log.remove(0);
                }
                log.push(line);
            }
        }
    }
    log
}

