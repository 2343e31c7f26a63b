//! The node side of a checkpoint: the collector pod, the agent run per container, memory plans.

use super::agent_exec::{Frozen, run_agent};
use super::ui::Bars;
use super::{Slot, prefix};
use crate::cli::checkpoint::{CheckpointPodArgs, MemoryMode};
use crate::cluster::collector::{self, Collector, CollectorSpec};
use crate::cluster::kubelet::{self, CheckpointOutcome};
use crate::cluster::target::{Target, TargetContainer};
use crate::cluster::{ClusterCtx, ClusterError, node_upload};
use crate::evidence::{ArtifactSink, DirBundle, S3Url};
use std::time::Duration;

#[allow(clippy::too_many_arguments)]
pub(super) async fn node_side(
    ctx: &ClusterCtx,
    t: &Target,
    a: &CheckpointPodArgs,
    spec: &CollectorSpec,
    upload: Option<&S3Url>,
    bundle: &mut DirBundle,
    bars: &Bars,
    slot: &Slot,
    frozen: &Frozen,
    notes: &mut Vec<String>,
) -> Result<(), ClusterError> {
    let running: Vec<&TargetContainer> = t.containers.iter().filter(|c| c.running() && c.container_id.is_some()).collect();
    // uploading from the node needs the collector even with nothing to capture there
    if running.is_empty() && upload.is_none() {
        return Ok(());
    }
    collector::ensure_namespace(&ctx.client, &spec.namespace).await?;
    bars.note(&format!("starting collector pod on node {} (image {})", spec.node, spec.image));
    let c = Collector::start(&ctx.client, spec, Duration::from_secs(120)).await?;
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
    let c = &c;
    if let Some(url) = upload {
        // fail before any capture work when the node cannot write there
        node_upload::check(c, url, &a.s3).await?;
        bars.note(&format!("the agent uploads from node {} to {url}", spec.node));
    }
    for tc in running {
        let mut args = vec![
            "agent".to_string(),
            "capture".into(),
            "--stream".into(),
            "--container".into(),
            tc.container_id.clone().unwrap_or_default(),
            "--pod-namespace".into(),
            t.namespace.clone(),
            "--pod-name".into(),
            t.pod.clone(),
            "--pod-uid".into(),
            t.pod_uid.clone(),
            "--container-name".into(),
            tc.name.clone(),
        ];
        if a.include_volumes {
            args.push("--include-volumes".into());
        }
        if let Some(url) = upload {
            args.extend(["--upload-to".into(), url.to_string()]);
            args.extend(node_upload::agent_s3_args(&a.s3));
        }
        let mut record = serde_json::json!({});
        let mut shipped_archive = None;
        match memory_plan(ctx, t, tc, a.memory, c, bars, &mut record).await {
            MemoryPlan::None => {}
            MemoryPlan::Archive(path) => {
                args.extend(["--checkpoint-archive".into(), path.clone()]);
                shipped_archive = Some(path);
            }
            MemoryPlan::Proc => args.extend(["--steps".into(), "inspect,diff,export,volatile,memory,logs,history".into()]),
            MemoryPlan::Unavailable(why) => {
                notes.push(why.clone());
                bundle
                    .error(Some(&format!("{}memory", prefix(t, tc))), &why)
                    .map_err(|e| ClusterError::Collector(e.to_string()))?;
            }
        }
        run_agent(c, &args, bundle, bars, &tc.name, frozen).await?;
        if let Some(archive) = shipped_archive {
            // shipped and re-hashed here: the node's copy goes (the kubelet never deletes them)
            let arrived = bundle.artifacts().iter().any(|r| r.spec.path == format!("{}checkpoint.tar", prefix(t, tc)));
            let removed = if arrived && !a.keep_node_archive {
                let args = ["agent", "remove-archive", "--container", tc.container_id.as_deref().unwrap_or(""), "--path", &archive];
                c.call(&args.map(String::from)).await.0
            } else {
                false
            };
            if arrived && !a.keep_node_archive && !removed {
                notes.push(format!("could not remove {archive} from node {}: delete it by hand", t.node));
            }
            record["removed_from_node"] = removed.into();
        }
        if a.memory.is_some() {
            let spec = crate::evidence::ArtifactSpec::new(format!("{}memory-plan.json", prefix(t, tc)), "application/json", "cli").container(tc.name.clone());
            bundle
                .put(&spec, &mut |w: &mut dyn std::io::Write| serde_json::to_writer_pretty(&mut *w, &record).map_err(std::io::Error::other))
                .map_err(|e| ClusterError::Collector(e.to_string()))?;
        }
    }
    Ok(())
}

pub(super) enum MemoryPlan {
    /// No memory asked for.
    None,
    /// The kubelet made a CRIU checkpoint: the agent ships this archive.
    Archive(String),
    /// The agent reads memory from /proc (ELF cores).
    Proc,
    /// Asked for, not possible: why.
    Unavailable(String),
}

/// `--memory=kubelet|proc|auto`: ask the kubelet first where that is wanted; `auto` falls back to
/// /proc capture on any failure, with the reason on the terminal and in the manifest.
pub(super) async fn memory_plan(
    ctx: &ClusterCtx,
    t: &Target,
    tc: &TargetContainer,
    mode: Option<MemoryMode>,
    c: &Collector,
    bars: &Bars,
    record: &mut serde_json::Value,
) -> MemoryPlan {
    let Some(mode) = mode else { return MemoryPlan::None };
    if mode == MemoryMode::Proc {
        return MemoryPlan::Proc;
    }
    let fallback = |why: String| {
        if mode == MemoryMode::Auto {
            eprintln!("note: {}: capturing memory from /proc instead", crate::cli::output::terminal_safe(&why));
            MemoryPlan::Proc
        } else {
            eprintln!("note: {}", crate::cli::output::terminal_safe(&why));
            MemoryPlan::Unavailable(why)
        }
    };
    // the kubelet spools the whole memory on the node's disk: check there is room first
    let id = tc.container_id.clone().unwrap_or_default();
    let (fits, answer, _) = c.call(&["agent".into(), "node-space".into(), "--container".into(), id]).await;
    let space: serde_json::Value = serde_json::from_str(&answer).unwrap_or(serde_json::Value::Null);
    record["node_space_check"] = space.clone();
    if !fits {
        let why = space["message"].as_str().map(str::to_string).unwrap_or_else(|| "cannot check free space on the node".into());
        return fallback(format!("no kubelet checkpoint of {}: {why}", tc.name));
    }
    bars.note(&format!("asking the kubelet on {} for a CRIU checkpoint of {}", t.node, tc.name));
    match kubelet::checkpoint(&ctx.client, &t.node, &t.namespace, &t.pod, &tc.name, Duration::from_secs(120)).await {
        CheckpointOutcome::Archive(path) => {
            record["archive"] = path.clone().into();
            MemoryPlan::Archive(path)
        }
        CheckpointOutcome::Unsupported(why) => {
            record["kubelet"] = why.clone().into();
            fallback(why)
        }
    }
}

