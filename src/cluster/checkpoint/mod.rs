//! `kforensic checkpoint pod`: API-side evidence, then every container captured from its node by
//! the agent in an ephemeral collector pod, streamed back through exec into the evidence bundle.
//! The collector pod is deleted on every way out: success, error, timeout, Ctrl-C / SIGTERM.

use super::collector::{self, Collector, CollectorSpec};
use super::target::{self, Target, TargetContainer};
use super::{ClusterCtx, ClusterError, api_evidence};
use crate::cli::checkpoint::{CheckpointPodArgs, UploadFrom};
use crate::evidence::{
    ArtifactSink, BundleMeta, ClusterInfo, Destination, DirBundle, FinishOptions, Operator, S3Url, Tool,
};
use crate::{Error, Exit};
use agent_exec::{Frozen, thaw_all};
use node::node_side;
use std::time::{Duration, Instant};

/// The agent's artifacts for one running container, in the order it writes them.
pub const AGENT_ARTIFACTS: &[&str] = &["inspect.json", "diff.json", "diff.tar.zst", "rootfs.tar.zst", "volatile.json"];

pub struct Options {
    pub args: CheckpointPodArgs,
    /// For `--isolate`: to name the operator when the server cannot.
    pub connect: super::ConnectOptions,
    pub case_id: String,
    pub progress: bool,
    pub finish: FinishOptions,
}

mod agent_exec;
mod finish;
mod node;
mod report;
mod ui;

pub use report::{CheckpointReport, StepTiming};
/// For other node-side captures (collect --shell-history).
pub(crate) use agent_exec::{Frozen as FrozenCgroups, run_agent};
pub(crate) use ui::{Bars, Signals};

pub async fn run(ctx: &ClusterCtx, opts: Options) -> Result<(CheckpointReport, Exit), Error> {
    let a = &opts.args;
    let started = Instant::now();
    let mut steps = Vec::new();
    let mut lap = Instant::now();
    let mut step = |name: &str, lap: &mut Instant| {
        steps.push(StepTiming { step: name.into(), seconds: lap.elapsed().as_secs_f64() });
        *lap = Instant::now();
    };

    // from here on a Ctrl-C / SIGTERM cleans up instead of killing us
    let mut signals = Signals::install().map_err(|e| ClusterError::Collector(format!("cannot install signal handlers: {e}")))?;
    let dest = Destination::parse(&a.dest)?;
    // --upload-from node: the agent writes to the bundle's prefix itself
    let node_upload: Option<S3Url> = match (&dest, a.upload_from) {
        (Destination::S3(url), UploadFrom::Node) => Some(url.for_case(&opts.case_id)),
        _ => None,
    };
    let t = target::resolve(&ctx.client, &ctx.namespace, &a.name, &a.containers).await?;
    let running: Vec<&TargetContainer> = t.containers.iter().filter(|c| c.running() && c.container_id.is_some()).collect();
    let meta = BundleMeta {
        operator: Operator { user: None, groups: vec![] },
        cluster: ClusterInfo {
            server: Some(ctx.server.clone()),
            version: Some(ctx.version.git_version.clone()),
            context: ctx.context.clone(),
        },
        targets: serde_json::to_value(&t).unwrap_or_default(),
        tool: Tool::current(),
    };
    let mut bundle = DirBundle::create(dest.staging_dir(), &opts.case_id, meta)?;
    let mut plan = api_evidence::planned(&t);
    for c in &running {
        plan.extend(AGENT_ARTIFACTS.iter().map(|f| format!("{}{f}", prefix(&t, c))));
    }
    bundle.plan(plan.iter())?;
    for c in t.containers.iter().filter(|c| !(c.running() && c.container_id.is_some())) {
        bundle.error(None, &format!("container {} is {}: no node-side capture (API-side evidence only)", c.name, c.state))?;
    }
    step("resolve", &mut lap);

    let bars = Bars::new(opts.progress);
    bars.note(&format!(
        "case {} · pod {}/{} on node {} · {} container(s) to capture · bundle {}",
        opts.case_id,
        t.namespace,
        t.pod,
        t.node,
        running.len(),
        bundle.dir().display()
    ));

    let mut notes = Vec::new();
    let deadline = a.timeout;
    let spec = CollectorSpec {
        namespace: a.collector_namespace.clone(),
        node: t.node.clone(),
        image: a.image.clone().unwrap_or_else(collector::default_image),
        pull_policy: a.pull_policy.as_k8s(),
        case_id: opts.case_id.clone(),
        deadline: deadline + Duration::from_secs(60),
        host_network: node_upload.is_some(),
        env_secret: a.node_credentials_secret.clone(),
        // the node upload's part buffers: at most `concurrency` in flight plus the one filling
        extra_memory: if node_upload.is_some() { (a.s3.concurrency as u64 + 1) * a.s3.part_size } else { 0 },
    };

    // The capture runs as its own task (it blocks on the evidence stream), so that a signal or the
    // timeout can stop it: the collector pod is deleted, its exec stream ends, the task returns the
    // bundle, which is then finalized as incomplete. The collector is deleted on every path.
    let slot: Slot = Default::default();
    let frozen: Frozen = Default::default();
    let task = {
        let (ctx, t, a, spec, bars, slot, frozen, upload) =
            (ctx.clone(), t.clone(), a.clone(), spec.clone(), bars.clone(), slot.clone(), frozen.clone(), node_upload.clone());
        tokio::spawn(async move {
            let mut notes = Vec::new();
            let r = async {
                // API side first: it needs nothing on the node and survives a node-side failure
                api_evidence::collect(&ctx.client, &t, &mut bundle)
                    .await
                    .map_err(|e| ClusterError::Collector(format!("writing API-side evidence: {e}")))?;
                node_side(&ctx, &t, &a, &spec, upload.as_ref(), &mut bundle, &bars, &slot, &frozen, &mut notes).await
            }
            .await;
            (bundle, notes, r)
        })
    };
    tokio::pin!(task);
    let mut stop = None;
    let joined = tokio::select! {
        j = &mut task => Some(j),
        _ = tokio::time::sleep(deadline) => { stop = Some(format!("timed out after {}", humantime::format_duration(deadline))); None }
        s = signals.recv() => { stop = Some(format!("interrupted by {s}")); None }
    };
    if let Some(why) = &stop {
        bars.note(&format!("{why}: stopping the capture"));
    }
    let collector = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(c) = &collector {
        // never leave a container frozen: thaw before the collector (and its agent) goes away
        thaw_all(c, &frozen).await;
    }
    // uploading from the node: the collector stays until the agent has shipped the rest
    let put_via = collector.clone().filter(|_| node_upload.is_some() && stop.is_none());
    if put_via.is_none()
        && let Some(c) = &collector
    {
        release(c, a.keep_collector && stop.is_none(), &mut notes).await;
    }
    let joined = match joined {
        Some(j) => j,
        // the stream ends once the collector is gone: give the task a moment to hand the bundle back
        None => match tokio::time::timeout(Duration::from_secs(60), &mut task).await {
            Ok(j) => j,
            Err(_) => {
                return Err(ClusterError::Collector(format!(
                    "{}; the capture did not stop within 60s: the bundle is left without a manifest (incomplete)",
                    stop.unwrap_or_default()
                ))
                .into());
            }
        },
    };
    let (mut bundle, task_notes, outcome) =
        joined.map_err(|e| ClusterError::Collector(format!("the capture task failed: {e}")))?;
    notes.extend(task_notes);
    let outcome = match stop {
        Some(why) => Ok(Some(why)),
        None => outcome.map(|_| None),
    };
    step("capture", &mut lap);
    let mut stopped = false;
    let fatal = match outcome {
        Ok(None) => None,
        Ok(Some(stop)) => {
            stopped = true;
            bundle.error(None, &stop)?;
            bars.clear();
            eprintln!("warning: {stop}: collector pod deleted, the bundle is marked incomplete");
            None
        }
        Err(e) => {
            bundle.error(None, &e.to_string())?;
            Some(e)
        }
    };

    if a.isolate && fatal.is_none() && !stopped {
        // after the volatile state is safe: cut the pod off and mark it (same case id)
        finish::isolate_after(ctx, &opts, &t, &mut bundle, &mut notes).await?;
    }
    let ends = finish::Ends { opts: &opts, dest: &dest, node_upload: node_upload.as_ref(), put_via: put_via.as_ref(), bars: &bars };
    let (manifest, location, fatal) = finish::finish(ends, bundle, &mut signals, &mut notes, fatal).await?;
    step("finalize", &mut lap);
    let complete = manifest.complete;
    bars.clear();
    let _ = started;
    let report = CheckpointReport {
        case_id: opts.case_id.clone(),
        bundle: location,
        complete,
        manifest,
        notes,
        steps,
    };
    if let Some(e) = fatal {
        // the bundle is on disk and says what is missing; the error is what the user must read
        eprintln!("error: {}", crate::cli::output::terminal_safe(&e.to_string()));
        eprintln!("partial evidence in {} (manifest complete: false)", report.bundle);
        return Ok((report, Exit::Failure));
    }
    Ok((report, if complete { Exit::Ok } else { Exit::Partial }))
}

/// Delete the collector (or keep it, for debugging, when asked and nothing went wrong).
async fn release(c: &Collector, keep: bool, notes: &mut Vec<String>) {
    if keep {
        c.mark_kept().await;
        notes.push(format!("collector pod kept: kubectl -n {} delete pod {}", c.namespace, c.name));
    } else {
        c.delete().await;
    }
}

/// The running collector, shared with the code that must delete it.
type Slot = std::sync::Arc<std::sync::Mutex<Option<Collector>>>;

/// `pods/<ns>/<pod>/<container>/`
fn prefix(t: &Target, c: &TargetContainer) -> String {
    format!("pods/{}/{}/{}/", t.namespace, t.pod, c.name)
}

