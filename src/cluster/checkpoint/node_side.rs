//! The node side of a checkpoint: the collector pod, the memory decision and one agent request
//! per container.

use super::capture::Slot;
use super::plan::{MemoryDecision, MemoryMode, Options, Plan, container_dir};
use crate::cluster::agent_client::{self, Frozen};
use crate::cluster::collector::{self, Collector};
use crate::cluster::kubelet::{self, CheckpointOutcome, KubeletPath};
use crate::cluster::target::TargetContainer;
use crate::cluster::{ClusterCtx, ClusterError, node_upload};
use crate::evidence::{ArtifactSink, DirBundle};
use crate::observe::{SharedObserver, Stop};
use crate::protocol::{FreezePodRequest, layout};
use std::time::Duration;

/// The node's collector: the one a capture before this one on the same node started (in
/// `slot`), or a new one, put in `slot` once it runs. `None` when the plan needs none.
pub(super) async fn start_collector(
    ctx: &ClusterCtx,
    plan: &Plan,
    opts: &Options,
    obs: &SharedObserver,
    slot: &Slot,
) -> Result<Option<Collector>, ClusterError> {
    let Some(spec) = &plan.collector else { return Ok(None) };
    let running = slot.lock().unwrap_or_else(|e| e.into_inner()).clone();
    if let Some(c) = running {
        return Ok(Some(c));
    }
    collector::ensure_namespace(&ctx.client, &spec.namespace).await?;
    obs.note(&format!("starting collector pod on node {} (image {})", spec.node, spec.image));
    let mut spec = spec.clone();
    if opts.memory.is_some_and(|m| m != MemoryMode::Proc) && opts.kubelet_path != KubeletPath::Proxy {
        spec.service_account = kubelet::direct_account(ctx, &spec.namespace).await;
    }
    let c = Collector::start(ctx, &spec, Duration::from_secs(120)).await?;
    *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(c.clone());
    Ok(Some(c))
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn node_side(
    ctx: &ClusterCtx,
    plan: &Plan,
    opts: &Options,
    bundle: &mut DirBundle,
    obs: &SharedObserver,
    slot: &Slot,
    frozen: &Frozen,
    notes: &mut Vec<String>,
    halt: &Stop,
) -> Result<(), ClusterError> {
    let Some(spec) = &plan.collector else { return Ok(()) };
    let c = start_collector(ctx, plan, opts, obs, slot).await?.ok_or_else(|| ClusterError::Collector("no collector".into()))?;
    let c = &c;
    let image_id = c.image_id().unwrap_or_default();
    if let Some(pin) = collector::pinned_digest(&spec.image)
        && !collector::runs_digest(&image_id, pin)
    {
        return Err(ClusterError::Collector(format!(
            "the collector on node {} runs image {image_id:?}, not the pinned sha256:{pin}: refusing to capture with it",
            spec.node
        )));
    }
    bundle.set_collector(crate::evidence::manifest::CollectorRecord {
        image: spec.image.clone(),
        image_id,
        pod: c.name.clone(),
        namespace: c.namespace.clone(),
        node: spec.node.clone(),
    })?;
    if let Some(url) = &plan.node_upload {
        // fail before any capture work when the node cannot write there
        node_upload::check(c, &plan.s3_destination(opts)).await?;
        obs.note(&format!("the agent uploads from node {} to {url}", spec.node));
    }
    let pod_freeze = if plan.freeze_pod { start_pod_freeze(c, plan, bundle, obs, frozen).await? } else { None };
    let mut said = false;
    for tc in plan.node_side() {
        if !said && pod_freeze.as_ref().is_some_and(|f| f.ended()) {
            said = true;
            bundle.error(
                None,
                &format!("the pod's freeze ended before container {} was captured: no consistent cut from here on", tc.name),
            )?;
        }
        let mut record = serde_json::json!({});
        // a stop (timeout, signal) ends the capture here at once: a kubelet call may be held for
        // minutes, and what it leaves on the node the collector removes as it goes
        if halt.is_stopped() {
            return Ok(());
        }
        let memory = tokio::select! {
            m = memory_decision(ctx, plan, tc, (opts.memory, opts.kubelet_path), c, obs, &mut record) => m,
            _ = halt.stopped() => return Ok(()),
        };
        if let MemoryDecision::Unavailable(why) = &memory {
            notes.push(why.clone());
            bundle.error(Some(&format!("{}memory", container_dir(&plan.target, tc))), why)?;
        }
        let req = plan.capture_request(opts, tc, &memory);
        notes.extend(agent_client::capture(c, &req, bundle, obs, &tc.name, frozen).await?);
        if let MemoryDecision::Archive(archive) = &memory {
            // shipped and re-hashed here: the node's copy goes (the kubelet never deletes them)
            let shipped = format!("{}{}", container_dir(&plan.target, tc), layout::CHECKPOINT_TAR);
            let arrived = bundle.artifacts().iter().any(|r| r.spec.path == shipped);
            let removed = arrived
                && !opts.keep_node_archive
                && agent_client::remove_archive(c, tc.container_id.as_deref().unwrap_or(""), archive).await;
            if arrived && !opts.keep_node_archive && !removed {
                notes.push(format!("could not remove {archive} from node {}: delete it by hand", plan.node));
            }
            record["removed_from_node"] = removed.into();
        }
        if opts.memory.is_some() {
            let path = format!("{}{}", container_dir(&plan.target, tc), layout::MEMORY_PLAN);
            let spec = crate::evidence::ArtifactSpec::new(path, "application/json", "cli").container(tc.name.clone());
            bundle.put(&spec, &mut |w: &mut dyn std::io::Write| {
                serde_json::to_writer_pretty(&mut *w, &record).map_err(std::io::Error::other)
            })?;
        }
    }
    if let Some(f) = pod_freeze {
        end_pod_freeze(f, plan, bundle, obs, frozen, notes).await?;
    }
    Ok(())
}

/// `--freeze-pod`: freeze the pod's cgroup through the agent before any container is captured.
/// A freeze that cannot be made is an error of the bundle, and the capture goes on unfrozen.
async fn start_pod_freeze(
    c: &Collector,
    plan: &Plan,
    bundle: &mut DirBundle,
    obs: &SharedObserver,
    frozen: &Frozen,
) -> Result<Option<agent_client::PodFreeze>, ClusterError> {
    let Some(first) = plan.node_side().next() else { return Ok(None) };
    let req = FreezePodRequest {
        container: first.container_id.clone().unwrap_or_default(),
        pod_uid: plan.target.pod_uid.clone(),
        max_seconds: POD_FREEZE_LIMIT.as_secs(),
    };
    match agent_client::freeze_pod(c, req, frozen).await {
        Ok(f) => {
            obs.note(&format!("pod {} frozen as a whole ({})", plan.target.pod, f.cgroup()));
            Ok(Some(f))
        }
        Err(e) => {
            obs.warn(&format!("{e}: capturing without --freeze-pod"));
            bundle.error(Some(&pod_freeze_path(plan)), &format!("--freeze-pod: {e}"))?;
            Ok(None)
        }
    }
}

/// Thaw the pod and record how the freeze went (`pods/<ns>/<pod>/pod-freeze.json`).
async fn end_pod_freeze(
    f: agent_client::PodFreeze,
    plan: &Plan,
    bundle: &mut DirBundle,
    obs: &SharedObserver,
    frozen: &Frozen,
    notes: &mut Vec<String>,
) -> Result<(), ClusterError> {
    let path = pod_freeze_path(plan);
    match f.thaw(frozen).await {
        Ok(r) => {
            if r.ended_by != "thaw" {
                bundle
                    .error(Some(&path), &format!("the pod's freeze ended by {} before the capture did: no consistent cut", r.ended_by))?;
            }
            notes.push(format!("pod frozen for {:.1}s ({})", r.frozen_ms as f64 / 1000.0, r.cgroup));
            let spec = crate::evidence::ArtifactSpec::new(path, "application/json", "agent");
            bundle
                .put(&spec, &mut |w: &mut dyn std::io::Write| serde_json::to_writer_pretty(&mut *w, &r).map_err(std::io::Error::other))?;
        }
        Err(why) => {
            obs.warn(&why);
            bundle.error(Some(&path), &why)?;
        }
    }
    Ok(())
}

/// The kubelet checkpoint by the path asked for: the collector's direct call (`auto`: falling
/// back to the API server's node proxy, both reasons recorded).
async fn kubelet_checkpoint(
    ctx: &ClusterCtx,
    c: &Collector,
    plan: &Plan,
    tc: &TargetContainer,
    path: KubeletPath,
    limit: Duration,
    record: &mut serde_json::Value,
) -> CheckpointOutcome {
    let t = &plan.target;
    let proxy = || kubelet::checkpoint(&ctx.streaming, &t.node, &t.namespace, &t.pod, &tc.name, limit);
    if path == KubeletPath::Proxy {
        record["kubelet_path"] = "proxy".into();
        return proxy().await;
    }
    let target = kubelet::CheckpointTarget {
        node: &t.node,
        namespace: &t.namespace,
        pod: &t.pod,
        container: &tc.name,
        container_id: tc.container_id.as_deref().unwrap_or(""),
    };
    let (direct, tls) = kubelet::checkpoint_direct(ctx, c, &target, limit).await;
    if let Some(tls) = tls {
        record["kubelet_tls"] = tls.into();
    }
    match (direct, path) {
        (CheckpointOutcome::Unsupported(why), KubeletPath::Auto) => {
            record["kubelet_direct"] = why.into();
            record["kubelet_path"] = "proxy".into();
            proxy().await
        }
        (outcome, _) => {
            record["kubelet_path"] = "direct".into();
            outcome
        }
    }
}

/// The longest a pod stays frozen (the container freeze's limit too): past it the agent thaws.
const POD_FREEZE_LIMIT: Duration = Duration::from_secs(300);

fn pod_freeze_path(plan: &Plan) -> String {
    format!("{}{}", layout::pod_dir(&plan.target.namespace, &plan.target.pod), layout::POD_FREEZE)
}

/// `--memory=kubelet|proc|auto`: ask the kubelet first where that is wanted; `auto` falls back to
/// /proc capture on any failure, with the reason on the terminal and in the manifest.
async fn memory_decision(
    ctx: &ClusterCtx,
    plan: &Plan,
    tc: &TargetContainer,
    (mode, path): (Option<MemoryMode>, KubeletPath),
    c: &Collector,
    obs: &SharedObserver,
    record: &mut serde_json::Value,
) -> MemoryDecision {
    let Some(mode) = mode else { return MemoryDecision::None };
    if mode == MemoryMode::Proc {
        return MemoryDecision::Proc;
    }
    let fallback = |why: String| {
        if mode == MemoryMode::Auto {
            obs.notice(&format!("{why}: capturing memory from /proc instead"));
            MemoryDecision::Proc
        } else {
            obs.notice(&why);
            MemoryDecision::Unavailable(why)
        }
    };
    // the kubelet spools the whole memory on the node's disk: check there is room first
    let id = tc.container_id.clone().unwrap_or_default();
    let space = agent_client::node_space(c, &id, layout::KUBELET_CHECKPOINT_DIR).await;
    record["node_space_check"] = match &space {
        Ok(r) => serde_json::to_value(r).unwrap_or_default(),
        Err(_) => serde_json::Value::Null,
    };
    match space {
        Ok(r) if r.ok => {}
        Ok(r) => return fallback(format!("no kubelet checkpoint of {}: {}", tc.name, r.message)),
        Err(why) => return fallback(format!("no kubelet checkpoint of {}: {why}", tc.name)),
    }
    let t = &plan.target;
    // recorded on the node first: an archive this side abandons is removed by the collector
    if let Err(why) = agent_client::expect_archive(c, &t.namespace, &t.pod, &tc.name, layout::KUBELET_CHECKPOINT_DIR).await {
        return fallback(format!("no kubelet checkpoint of {}: the collector cannot record it for removal: {why}", tc.name));
    }
    obs.note(&format!("asking the kubelet on {} for a CRIU checkpoint of {}", t.node, tc.name));
    // no idle read timeout (CRIU may be quiet for minutes); the kubelet's own limit is the
    // collector's lifetime, and the command's --timeout ends the whole capture before that
    let limit = plan.collector.as_ref().map_or(Duration::from_secs(120), |s| s.deadline);
    match kubelet_checkpoint(ctx, c, plan, tc, path, limit, record).await {
        CheckpointOutcome::Archive(path) => {
            record["archive"] = path.clone().into();
            MemoryDecision::Archive(path)
        }
        CheckpointOutcome::Unsupported(why) => {
            record["kubelet"] = why.clone().into();
            fallback(why)
        }
    }
}
