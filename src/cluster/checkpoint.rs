//! `kforensic checkpoint pod`: API-side evidence, then every container captured from its node by
//! the agent in an ephemeral collector pod, streamed back through exec into the evidence bundle.
//! The collector pod is deleted on every way out: success, error, timeout, Ctrl-C / SIGTERM.

use super::collector::{self, Collector, CollectorSpec};
use super::kubelet::{self, CheckpointOutcome};
use super::target::{self, Target, TargetContainer};
use super::{ClusterCtx, ClusterError, api_evidence};
use crate::cli::checkpoint::{CheckpointPodArgs, MemoryMode, UploadFrom};
use crate::cli::output::{TableView, human_bytes, table};
use crate::evidence::stream;
use crate::evidence::{
    ArtifactSink, BundleMeta, ClusterInfo, Destination, DirBundle, FinishOptions, Manifest, Operator, S3Url, Tool,
};
use crate::{Error, Exit};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::collections::HashMap;
use std::time::{Duration, Instant};
use tokio::io::AsyncBufReadExt;

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

#[derive(Debug, Serialize)]
pub struct CheckpointReport {
    pub case_id: String,
    pub bundle: String,
    pub complete: bool,
    pub manifest: Manifest,
    pub notes: Vec<String>,
    pub steps: Vec<StepTiming>,
}

#[derive(Debug, Serialize)]
pub struct StepTiming {
    pub step: String,
    pub seconds: f64,
}

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
        let iso = super::isolate::IsolateOptions {
            pod: t.pod.clone(),
            case_id: opts.case_id.clone(),
            case_id_given: true,
            cordon: false,
            detach: false,
            allow_dns: false,
            dry_run: false,
            connect: opts.connect.clone(),
        };
        match super::isolate::isolate(ctx, &iso).await {
            Ok(report) => {
                let spec = crate::evidence::ArtifactSpec::new("cluster/isolation.json", "application/json", "api");
                bundle.put(&spec, &mut |w: &mut dyn std::io::Write| {
                    serde_json::to_writer_pretty(&mut *w, &report).map_err(std::io::Error::other)
                })?;
                notes.push(format!("pod isolated (case {}): undo with `kforensic release pod {} -n {}`", opts.case_id, t.pod, t.namespace));
            }
            Err(e) => {
                eprintln!("warning: --isolate failed: {e}");
                bundle.error(None, &format!("--isolate failed: {e}"))?;
            }
        }
    }

    let (manifest, location, fatal) = match (&node_upload, &put_via) {
        (Some(url), Some(c)) => {
            bars.note(&format!("the node uploads the API-side evidence and the manifest to {url}"));
            let shipped = tokio::select! {
                r = super::node_upload::finish(bundle, c, url, &a.s3) => Some(r),
                s = signals.recv() => { eprintln!("warning: interrupted by {s} while the node was finishing the upload"); None }
            };
            release(c, a.keep_collector && shipped.is_some(), &mut notes).await;
            match shipped {
                Some(Ok(Ok(s))) => (s.manifest, s.location, fatal),
                Some(Ok(Err(n))) => {
                    let e = ClusterError::Collector(format!(
                        "the node could not finish the bundle in {url}: {}; what it stored has no manifest there, the API-side evidence and the manifest are in {}",
                        n.why,
                        n.dir.display()
                    ));
                    (n.manifest, n.dir.display().to_string(), fatal.or(Some(e)))
                }
                Some(Err(e)) => return Err(e.into()),
                None => {
                    return Err(ClusterError::Collector(format!(
                        "interrupted: {url} has no manifest (incomplete); the API-side evidence is in ./{}/{}",
                        crate::evidence::destination::DEFAULT_DIR,
                        opts.case_id
                    ))
                    .into());
                }
            }
        }
        (Some(url), None) => {
            // stopped, or no collector ever ran: the local part is all this side can keep
            let dir = bundle.dir().display().to_string();
            let m = bundle.finalize()?;
            if m.artifacts.iter().any(|r| r.spec.source == "agent") {
                notes.push(format!("artifacts the node uploaded are in {url} (no manifest there); this side's part is in {dir}"));
            }
            (m, dir, fatal)
        }
        (None, _) => {
            let finished = crate::evidence::finish(bundle, &dest, &opts.finish).await?;
            (finished.manifest, finished.dir.display().to_string(), fatal)
        }
    };
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
        eprintln!("error: {e}");
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

#[allow(clippy::too_many_arguments)]
async fn node_side(
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
        super::node_upload::check(c, url, &a.s3).await?;
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
            args.extend(super::node_upload::agent_s3_args(&a.s3));
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

enum MemoryPlan {
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
async fn memory_plan(
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
            eprintln!("note: {why}: capturing memory from /proc instead");
            MemoryPlan::Proc
        } else {
            eprintln!("note: {why}");
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

/// Cgroups an agent froze and has not yet reported thawed.
type Frozen = std::sync::Arc<std::sync::Mutex<Vec<String>>>;

/// Thaw what an agent froze (it died, or we are stopping it): `kforensic agent thaw` in the collector.
async fn thaw_all(c: &Collector, frozen: &Frozen) {
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
async fn run_agent(
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

fn last_line(log: &[String]) -> String {
    log.last().map(|l| format!(" (agent: {l})")).unwrap_or_default()
}

/// Progress JSON lines → bars; anything else is the agent's log, kept for error messages.
async fn progress_lines(stderr: impl tokio::io::AsyncRead + Unpin, bars: Bars, container: String, frozen: Frozen) -> Vec<String> {
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

/// One line per container and artifact with bytes and rate (hidden when quiet or not a terminal).
#[derive(Clone)]
struct Bars {
    multi: MultiProgress,
    bars: std::sync::Arc<std::sync::Mutex<HashMap<String, ProgressBar>>>,
}

impl Bars {
    fn new(show: bool) -> Bars {
        let target = if show { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Bars { multi: MultiProgress::with_draw_target(target), bars: Default::default() }
    }
    fn note(&self, msg: &str) {
        if self.multi.is_hidden() {
            tracing::info!("{msg}");
        } else {
            let _ = self.multi.println(msg);
        }
    }
    fn artifact(&self, container: &str, name: &str, bytes: u64, done: bool) {
        let key = format!("{container}/{name}");
        let mut map = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        let bar = map.entry(key.clone()).or_insert_with(|| {
            let b = self.multi.add(ProgressBar::new_spinner());
            b.set_style(
                ProgressStyle::with_template("{spinner} {prefix:<40} {bytes:>10} {bytes_per_sec:>12} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.set_prefix(key);
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        bar.set_position(bytes);
        if done {
            bar.finish();
        }
    }
    fn clear(&self) {
        let _ = self.multi.clear();
    }
}

/// SIGINT and SIGTERM, caught from the moment they are installed.
struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals { int: signal(SignalKind::interrupt())?, term: signal(SignalKind::terminate())? })
    }
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

impl TableView for CheckpointReport {
    fn table(&self) -> String {
        let rows = self.manifest.artifacts.iter().map(|a| {
            vec![a.spec.path.clone(), human_bytes(a.bytes), a.sha256.clone()]
        });
        let mut s = format!("{}\n", table(&["ARTIFACT", "SIZE", "SHA-256"], rows));
        for e in &self.manifest.errors {
            s.push_str(&format!("✘ {}\n", e.message));
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        let timing: Vec<String> = self.steps.iter().map(|t| format!("{} {:.1}s", t.step, t.seconds)).collect();
        s.push_str(&format!("time: {}\n", timing.join(", ")));
        s.push_str(&format!(
            "{} bundle {} ({} artifacts){}\n",
            if self.complete { "✔ complete" } else { "✘ INCOMPLETE" },
            self.bundle,
            self.manifest.artifacts.len(),
            if self.complete { "" } else { ": see the errors above and manifest.json" }
        ));
        s
    }
}
