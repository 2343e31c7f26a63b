//! `checkpoint pod`: API-side evidence, then every container captured from its node by the agent
//! in an ephemeral collector pod, streamed back through exec into the evidence bundle. A
//! [`Plan`] is resolved first (the same plan a dry run shows); a [`Capture`] owns the collector
//! and the frozen cgroups and cleans both up in one place, on every way out: success, error,
//! timeout, a stop request (Ctrl-C / SIGTERM caught by the command layer).

mod capture;
mod finish;
pub mod fleet;
mod node_side;
pub mod plan;
mod report;

pub use plan::{MemoryDecision, MemoryMode, Options, Plan, PlannedContainer, UploadFrom, resolve};
pub use report::{CheckpointReport, StepTiming};

use crate::cluster::{ClusterCtx, ClusterError};
use crate::evidence::{ArtifactSink, BundleMeta, ClusterInfo, DirBundle, Tool};
use crate::observe::{SharedObserver, Stop};
use capture::Capture;
use std::time::Instant;

/// Timings of the run's steps.
struct Laps {
    steps: Vec<StepTiming>,
    lap: Instant,
}

impl Laps {
    fn new() -> Laps {
        Laps { steps: vec![], lap: Instant::now() }
    }
    fn step(&mut self, name: &str) {
        self.steps.push(StepTiming { step: name.into(), seconds: self.lap.elapsed().as_secs_f64() });
        self.lap = Instant::now();
    }
}

/// Carry out `plan`. The bundle always ends finalized (incomplete when anything is missing);
/// an error that stopped the capture is in the report's `error`.
pub async fn run(ctx: &ClusterCtx, opts: &Options, plan: Plan, obs: SharedObserver, stop: Stop) -> Result<CheckpointReport, ClusterError> {
    run_in(ctx, opts, plan, obs, stop, Place::default()).await
}

/// Where one capture goes when it is part of a fleet: its bundle directory and the node's shared
/// collector. The default is a bundle of its own at `<dest>/<case-id>` and a collector of its own.
#[derive(Default)]
pub(super) struct Place {
    /// (parent directory, directory name) of the sub-bundle.
    pub bundle: Option<(std::path::PathBuf, String)>,
    pub collector: Option<capture::Slot>,
}

pub(super) async fn run_in(
    ctx: &ClusterCtx,
    opts: &Options,
    plan: Plan,
    obs: SharedObserver,
    stop: Stop,
    place: Place,
) -> Result<CheckpointReport, ClusterError> {
    let mut laps = Laps::new();
    let t = &plan.target;
    let meta = BundleMeta {
        operator: crate::cluster::whoami::identity(&ctx.client, &opts.connect, ctx.context.as_deref()).await,
        cluster: ClusterInfo {
            server: Some(ctx.server.clone()),
            version: Some(ctx.version.git_version.clone()),
            context: ctx.context.clone(),
        },
        targets: serde_json::to_value(t).unwrap_or_default(),
        tool: Tool::current(),
    };
    let mut bundle = match &place.bundle {
        Some((parent, name)) => DirBundle::create_sub(parent, name, &opts.case_id, meta)?,
        None => DirBundle::create(opts.dest.staging_dir(), &opts.case_id, meta)?,
    };
    if let Some(r) = &opts.encrypt_to {
        bundle.seal(r.clone())?;
    }
    bundle.plan(plan.expected.iter())?;
    for c in plan.containers.iter().filter(|c| !c.node_side) {
        bundle.error(None, &format!("container {} is {}: no node-side capture (API-side evidence only)", c.name, c.state))?;
    }
    laps.step("resolve");
    obs.note(&format!(
        "case {} · pod {}/{} on node {} · {} container(s) to capture · bundle {}",
        opts.case_id,
        t.namespace,
        t.pod,
        t.node,
        plan.node_side().count(),
        bundle.dir().display()
    ));

    let capture = match place.collector {
        Some(slot) => Capture::shared(obs.clone(), slot),
        None => Capture::new(obs.clone()),
    };
    let ended = capture.run(ctx, opts, &plan, bundle, &stop).await;
    let ended = match ended {
        Ok(e) => e,
        Err(e) => {
            capture.release(false, &mut vec![]).await;
            return Err(e);
        }
    };
    laps.step("capture");
    let (mut bundle, mut notes, stopped, fatal) = (ended.bundle, ended.notes, ended.stopped, ended.fatal);
    let mut r = Ok(());
    if opts.isolate && fatal.is_none() && stopped.is_none() {
        // after the volatile state is safe: cut the pod off and mark it (same case id)
        r = finish::isolate_after(ctx, opts, t, &mut bundle, &mut notes, &obs).await;
    }
    let mut triage = None;
    if opts.triage && stopped.is_none() && r.is_ok() && plan.node_side().count() > 0 {
        triage = match finish::triage_into(&mut bundle, plan.node_upload.is_some(), &mut notes, &obs).await {
            Ok(t) => t,
            Err(e) => {
                // the collector's deletion may be under way: never return before it is gone
                capture.release(false, &mut notes).await;
                return Err(e);
            }
        };
        laps.step("triage");
    }
    let put_via = capture.held();
    let finished = match r {
        Ok(()) => {
            let ends = finish::Ends { opts, node_upload: plan.node_upload.as_ref(), put_via: put_via.as_ref(), obs: &obs };
            finish::finish(ends, bundle, &stop, &mut notes, fatal).await
        }
        Err(e) => Err(e),
    };
    laps.step("finalize");
    // the collector stayed for the node to finish the upload: it goes now (or is kept when asked)
    capture.release(opts.keep_collector && stopped.is_none() && finished.is_ok(), &mut notes).await;
    let (manifest, location, fatal) = finished?;
    laps.step("collector gone");
    obs.clear();
    Ok(CheckpointReport {
        case_id: opts.case_id.clone(),
        bundle: location,
        complete: manifest.complete,
        manifest,
        notes,
        triage,
        steps: laps.steps,
        error: fatal.map(|e| e.to_string()),
    })
}
