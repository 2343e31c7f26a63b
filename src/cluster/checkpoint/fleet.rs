//! A capture of several pods (`checkpoint pod A B`, `-l`, `deploy/NAME`, `--node`): one case, one
//! sub-bundle per pod, one collector per node. The nodes are worked on in parallel (at most
//! `parallel` at a time); the pods of one node one after another on that node's collector. A pod
//! that fails does not stop the others. The case's top-level bundle lists the SHA-256 of each
//! sub-bundle's manifest, so `verify` on the case checks every sub-bundle and their binding.
//!
//! ```text
//! <dest>/<case-id>/
//!   manifest.json  custody.log            the case: one artifact per sub-bundle manifest
//!   pods/<ns>/<pod>/                      a whole bundle per pod (its own manifest and custody log)
//! ```

use super::capture::Slot;
use super::plan::{MemoryMode, Options, Plan, plan_for};
use super::{CheckpointReport, Place, run_in};
use crate::cluster::targets::{self, Selection};
use crate::cluster::{ClusterCtx, ClusterError, target};
use crate::evidence::manifest::{MANIFEST, SUB_BUNDLE_MEDIA};
use crate::evidence::{ArtifactSink, ArtifactSpec, BundleMeta, ClusterInfo, DirBundle, Manifest, Tool};
use crate::observe::{Observer, SharedObserver, SharedTask, Stop, Task, Unit};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A fleet capture: the options every pod is captured with, what to capture, how wide to go.
#[derive(Debug, Clone)]
pub struct FleetOptions {
    /// The options of each pod's capture (`pod` is set per pod).
    pub base: Options,
    pub selection: Selection,
    /// At most this many nodes captured at the same time.
    pub parallel: usize,
}

/// One pod of the fleet, as the plan (and `--dry-run`) shows it.
#[derive(Debug, Clone, Serialize)]
pub struct FleetPod {
    pub namespace: String,
    pub pod: String,
    pub node: String,
    /// How it was selected (`pod/NAME`, `deploy/web → rs/web-5d4`, `-l app=web`).
    pub via: String,
    /// Containers captured from the node.
    pub containers: Vec<String>,
    /// Containers with API-side evidence only (not running).
    pub api_only: Vec<String>,
    pub memory: Option<MemoryMode>,
    /// The sub-bundle's directory inside the case.
    pub bundle: String,
    /// Why it cannot be captured (not scheduled, no such container): recorded, the others go on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    #[serde(skip)]
    plan: Option<Plan>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FleetPlan {
    pub case_id: String,
    /// `DIR/<case-id>`
    pub destination: String,
    pub parallel: usize,
    pub nodes: usize,
    pub pods: Vec<FleetPod>,
}

/// What happened to one pod.
#[derive(Debug, Clone, Serialize)]
pub struct PodResult {
    pub namespace: String,
    pub pod: String,
    pub node: String,
    /// The sub-bundle's directory inside the case (absent when none was written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    pub complete: bool,
    pub artifacts: usize,
    /// The error that stopped this pod's capture, else its first bundle error.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub struct FleetReport {
    pub case_id: String,
    pub bundle: String,
    pub complete: bool,
    pub pods: Vec<PodResult>,
    /// The case's top-level manifest (one artifact per sub-bundle manifest).
    pub manifest: Manifest,
    pub notes: Vec<String>,
    pub seconds: f64,
}

impl FleetReport {
    /// The pods not captured completely.
    pub fn failed(&self) -> impl Iterator<Item = &PodResult> {
        self.pods.iter().filter(|p| !p.complete)
    }
}

/// `pods/<ns>/<pod>` (names the API checked: DNS labels and subdomains, no '/').
fn sub_dir(ns: &str, pod: &str) -> String {
    format!("pods/{ns}/{pod}")
}

/// One pod's capture: into its sub-bundle here (a case bound for S3 goes up whole at the end).
fn pod_options(base: &Options, pod: &str) -> Options {
    let mut o = base.clone();
    o.pod = pod.to_string();
    o.dest = crate::evidence::Destination::Local(base.dest.staging_dir().to_path_buf());
    o
}

/// Select the pods and plan each one. Reads only.
pub async fn resolve(ctx: &ClusterCtx, opts: &FleetOptions) -> Result<FleetPlan, ClusterError> {
    let selected = targets::select(&ctx.client, &ctx.namespace, &opts.selection).await?;
    let mut pods: Vec<FleetPod> = Vec::new();
    for s in selected {
        let (ns, name) = (s.namespace().to_string(), s.name().to_string());
        let node = s.pod.spec.as_ref().and_then(|p| p.node_name.clone()).unwrap_or_default();
        let mut fp = FleetPod {
            bundle: sub_dir(&ns, &name),
            namespace: ns,
            pod: name.clone(),
            node,
            via: s.via.clone(),
            containers: vec![],
            api_only: vec![],
            memory: None,
            problem: None,
            plan: None,
        };
        match target::from_pod(s.pod, &opts.base.containers) {
            Ok(t) => {
                let plan = plan_for(t, &pod_options(&opts.base, &name));
                fp.containers = plan.containers.iter().filter(|c| c.node_side).map(|c| c.name.clone()).collect();
                fp.api_only = plan.containers.iter().filter(|c| !c.node_side).map(|c| c.name.clone()).collect();
                fp.memory = if fp.containers.is_empty() { None } else { opts.base.memory };
                fp.plan = Some(plan);
            }
            Err(e) => fp.problem = Some(e.to_string()),
        }
        pods.push(fp);
    }
    // a node's collector lives as long as the captures of all its pods
    let mut per_node: BTreeMap<String, u32> = BTreeMap::new();
    for p in pods.iter().filter(|p| p.plan.is_some()) {
        *per_node.entry(p.node.clone()).or_default() += 1;
    }
    for p in pods.iter_mut() {
        let n = per_node.get(&p.node).copied().unwrap_or(1);
        if let Some(c) = p.plan.as_mut().and_then(|pl| pl.collector.as_mut()) {
            c.deadline = opts.base.timeout * n + Duration::from_secs(60);
        }
    }
    Ok(FleetPlan {
        case_id: opts.base.case_id.clone(),
        destination: match &opts.base.dest {
            crate::evidence::Destination::S3(url) => url.for_case(&opts.base.case_id).to_string(),
            d => d.staging_dir().join(&opts.base.case_id).display().to_string(),
        },
        parallel: opts.parallel.max(1),
        nodes: per_node.len(),
        pods,
    })
}

/// One pod's progress row, and its messages under its name.
struct PodObserver {
    inner: SharedObserver,
    label: String,
    row: SharedTask,
}

impl Observer for PodObserver {
    fn note(&self, msg: &str) {
        self.inner.note(&format!("{}: {msg}", self.label));
    }
    fn notice(&self, msg: &str) {
        self.inner.notice(&format!("{}: {msg}", self.label));
    }
    fn warn(&self, msg: &str) {
        self.inner.warn(&format!("{}: {msg}", self.label));
    }
    fn bytes(&self, item: &str, bytes: u64, done: bool) {
        if !done {
            self.row.message(&format!("capturing {item} {:.1} MiB", bytes as f64 / (1u64 << 20) as f64));
        }
    }
    fn task(&self, label: &str, total: Option<u64>, unit: Unit) -> Box<dyn Task> {
        self.inner.task(&format!("{} {label}", self.label), total, unit)
    }
    // the fleet's table stays until the fleet is done
    fn clear(&self) {}
}

/// Capture every planned pod. The case's bundle always ends finalized (incomplete when any pod is).
pub async fn run(
    ctx: &ClusterCtx,
    opts: &FleetOptions,
    plan: FleetPlan,
    obs: SharedObserver,
    stop: Stop,
) -> Result<FleetReport, ClusterError> {
    let started = Instant::now();
    let base = &opts.base;
    let targets: Vec<serde_json::Value> = plan
        .pods
        .iter()
        .map(|p| serde_json::json!({"namespace": p.namespace, "pod": p.pod, "node": p.node, "via": p.via, "bundle": p.bundle}))
        .collect();
    let meta = BundleMeta {
        operator: crate::cluster::whoami::identity(&ctx.client, &base.connect, ctx.context.as_deref()).await,
        cluster: ClusterInfo {
            server: Some(ctx.server.clone()),
            version: Some(ctx.version.git_version.clone()),
            context: ctx.context.clone(),
        },
        targets: serde_json::Value::Array(targets),
        tool: Tool::current(),
    };
    let mut top = DirBundle::create(base.dest.staging_dir(), &base.case_id, meta)?;
    top.plan(plan.pods.iter().map(|p| format!("{}/{MANIFEST}", p.bundle)))?;
    let case_dir = top.dir().to_path_buf();
    obs.note(&format!(
        "case {} · {} pod(s) on {} node(s), {} node(s) at a time · bundle {}",
        base.case_id,
        plan.pods.len(),
        plan.nodes,
        plan.parallel,
        case_dir.display()
    ));

    // one row per pod, then one worker per node
    let rows: Vec<SharedTask> = plan
        .pods
        .iter()
        .map(|p| {
            let row: SharedTask = Arc::from(obs.task(&format!("{}/{}", p.namespace, p.pod), None, Unit::Items));
            row.message(&format!("queued (node {})", p.node));
            row
        })
        .collect();
    let mut results: Vec<Option<PodResult>> = vec![None; plan.pods.len()];
    let mut by_node: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, p) in plan.pods.iter().enumerate() {
        match &p.problem {
            Some(why) => {
                rows[i].failed(why);
                results[i] = Some(PodResult {
                    namespace: p.namespace.clone(),
                    pod: p.pod.clone(),
                    node: p.node.clone(),
                    bundle: None,
                    complete: false,
                    artifacts: 0,
                    error: Some(why.clone()),
                    seconds: 0.0,
                });
            }
            None => by_node.entry(p.node.clone()).or_default().push(i),
        }
    }
    let gate = Arc::new(tokio::sync::Semaphore::new(plan.parallel));
    let pods = Arc::new(plan.pods);
    // the node workers run side by side in this task: each capture streams in a task of its own
    // (see `Capture::run`), so a worker only waits here
    let workers = by_node.into_iter().map(|(node, idx)| {
        let (obs, stop, gate, pods, case_dir) = (obs.clone(), stop.clone(), gate.clone(), pods.clone(), case_dir.clone());
        let rows: Vec<(usize, SharedTask)> = idx.iter().map(|i| (*i, rows[*i].clone())).collect();
        async move {
            let _permit = gate.acquire_owned().await;
            node_worker(ctx, opts, &node, pods, rows, case_dir, obs, stop).await
        }
    });
    for (i, r) in futures::future::join_all(workers).await.into_iter().flatten() {
        results[i] = Some(r);
    }
    let results: Vec<PodResult> = results.into_iter().flatten().collect();

    // the case: each sub-bundle's manifest, hashed here; a pod without one is an error line
    for r in &results {
        let path = format!("{}/{MANIFEST}", sub_dir(&r.namespace, &r.pod));
        let file = case_dir.join(&path);
        let bytes = if r.bundle.is_some() { std::fs::read(&file).ok() } else { None };
        match bytes {
            Some(b) => {
                let spec = ArtifactSpec::new(path.clone(), SUB_BUNDLE_MEDIA, "cli");
                top.put(&spec, &mut |w: &mut dyn std::io::Write| w.write_all(&b))?;
                if !r.complete {
                    let why = r.error.clone().unwrap_or_else(|| "incomplete".into());
                    top.error(None, &format!("pod {}/{}: sub-bundle incomplete: {why}", r.namespace, r.pod))?;
                }
            }
            None => {
                let why = r.error.clone().unwrap_or_else(|| "no bundle was written".into());
                top.error(Some(&path), &format!("pod {}/{} not captured: {why}", r.namespace, r.pod))?;
            }
        }
    }
    // finalized and signed here; with --dest s3:// every sub-bundle, then the case, goes up
    let finished = crate::evidence::finish_unless_stopped(top, &base.dest, &base.finish, &stop).await?;
    let manifest = finished.manifest;
    obs.clear();
    let mut notes = Vec::new();
    let bundle = match &finished.upload {
        Some(u) => {
            notes.push(format!("{} object(s) uploaded to {}; the case is also here: {}", u.uploaded, u.destination, case_dir.display()));
            u.destination.clone()
        }
        None => case_dir.display().to_string(),
    };
    if stop.is_stopped() {
        notes.push("stopped before every pod was captured: the case is marked incomplete".into());
    }
    Ok(FleetReport {
        case_id: base.case_id.clone(),
        bundle,
        complete: manifest.complete,
        pods: results,
        manifest,
        notes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// The pods of one node, one after another, on the node's one collector; the collector goes at
/// the end (or is kept with --keep-collector), whatever happened.
#[allow(clippy::too_many_arguments)]
async fn node_worker(
    ctx: &ClusterCtx,
    opts: &FleetOptions,
    node: &str,
    pods: Arc<Vec<FleetPod>>,
    rows: Vec<(usize, SharedTask)>,
    case_dir: PathBuf,
    obs: SharedObserver,
    stop: Stop,
) -> Vec<(usize, PodResult)> {
    let slot: Slot = Default::default();
    let mut out = Vec::new();
    for (i, row) in rows {
        let p = &pods[i];
        let started = Instant::now();
        let mut result = PodResult {
            namespace: p.namespace.clone(),
            pod: p.pod.clone(),
            node: node.to_string(),
            bundle: None,
            complete: false,
            artifacts: 0,
            error: None,
            seconds: 0.0,
        };
        if stop.is_stopped() {
            let why = format!("{}: not started", stop.stopped().await);
            row.failed(&why);
            result.error = Some(why);
            out.push((i, result));
            continue;
        }
        row.message("capturing");
        let Some(plan) = p.plan.clone() else { continue };
        let mut pctx = ctx.clone();
        pctx.namespace = p.namespace.clone();
        let popts = pod_options(&opts.base, &p.pod);
        let pobs: SharedObserver =
            Arc::new(PodObserver { inner: obs.clone(), label: format!("{}/{}", p.namespace, p.pod), row: row.clone() });
        let parent: PathBuf = case_dir.join("pods").join(&p.namespace);
        let place = Place { bundle: Some((parent, p.pod.clone())), collector: Some(slot.clone()) };
        let r: Result<CheckpointReport, ClusterError> = run_in(&pctx, &popts, plan, pobs, stop.clone(), place).await;
        result.seconds = started.elapsed().as_secs_f64();
        match r {
            Ok(rep) => {
                result.bundle = Some(p.bundle.clone());
                result.complete = rep.complete && rep.error.is_none();
                result.artifacts = rep.manifest.artifacts.len();
                result.error = rep.error.clone().or_else(|| rep.manifest.errors.first().map(|e| e.message.clone()));
            }
            Err(e) => {
                // a bundle that was created (and so finalized or left unfinished) is still named
                if case_dir.join(&p.bundle).join(MANIFEST).is_file() {
                    result.bundle = Some(p.bundle.clone());
                }
                result.error = Some(e.to_string());
            }
        }
        if result.complete {
            row.message(&format!("done: {} artifacts in {:.1}s", result.artifacts, result.seconds));
            row.done();
        } else {
            row.failed(result.error.as_deref().unwrap_or("incomplete"));
        }
        out.push((i, result));
    }
    let left = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(c) = left {
        if opts.base.keep_collector && !stop.is_stopped() {
            c.mark_kept().await;
            obs.notice(&format!("collector pod kept on node {node}: kubectl -n {} delete pod {}", c.namespace, c.name));
        } else if let Err(why) = c.delete().await {
            obs.warn(&why);
        }
    }
    out
}
