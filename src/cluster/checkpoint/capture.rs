//! The capture itself: a task that writes the API-side evidence and drives the agent, stopped by
//! the timeout or a stop request; the collector and the cgroups the agent froze are owned here and
//! cleaned up in one place.

use super::node_side::node_side;
use super::plan::{Options, Plan};
use crate::cluster::agent_client::{Frozen, thaw_all};
use crate::cluster::collector::Collector;
use crate::cluster::{ClusterCtx, ClusterError, api_evidence};
use crate::evidence::{ArtifactSink, DirBundle};
use crate::observe::{SharedObserver, Stop};
use std::time::Duration;

/// The running collector, shared with the code that must delete it.
pub(super) type Slot = std::sync::Arc<std::sync::Mutex<Option<Collector>>>;

pub(super) struct Capture {
    obs: SharedObserver,
    slot: Slot,
    frozen: Frozen,
    /// The collector is the node's, shared by the pods captured there one after another (a fleet
    /// capture): released, it stays for the next pod, unless this capture was stopped (its exec
    /// stream only ends with the pod). Whoever shares the slot deletes what is left in it.
    shared: bool,
    stopped: std::sync::atomic::AtomicBool,
    /// The collector's deletion, started once the capture is over (it runs while the bundle is
    /// finished here); [`Capture::release`] waits for it.
    deleting: std::sync::Mutex<Option<tokio::task::JoinHandle<Result<(), String>>>>,
}

/// How the capture ended.
pub(super) struct Ended {
    pub bundle: DirBundle,
    pub notes: Vec<String>,
    /// Why it was stopped early (timeout, signal): the bundle says so.
    pub stopped: Option<String>,
    /// The error that ended it (also in the bundle's errors).
    pub fatal: Option<ClusterError>,
}

impl Capture {
    pub(super) fn new(obs: SharedObserver) -> Capture {
        Capture {
            obs,
            slot: Default::default(),
            frozen: Default::default(),
            shared: false,
            stopped: Default::default(),
            deleting: Default::default(),
        }
    }

    /// A capture on the node's shared collector (started here when the slot is empty).
    pub(super) fn shared(obs: SharedObserver, slot: Slot) -> Capture {
        Capture { obs, slot, frozen: Default::default(), shared: true, stopped: Default::default(), deleting: Default::default() }
    }

    /// The collector, while this capture holds it.
    pub(super) fn held(&self) -> Option<Collector> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Thaw what is still frozen, then delete the collector (or keep it, for debugging, when asked).
    /// A deletion already under way is waited for: the command never ends with its collector there.
    pub(super) async fn release(&self, keep: bool, notes: &mut Vec<String>) {
        let deleting = self.deleting.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(d) = deleting {
            match d.await {
                Ok(Ok(())) => {}
                Ok(Err(why)) => self.obs.warn(&why),
                Err(e) => self.obs.warn(&format!("deleting the collector pod: {e}")),
            }
        }
        if self.shared && !self.stopped.load(std::sync::atomic::Ordering::SeqCst) {
            if let Some(c) = self.held() {
                thaw_all(&c, &self.frozen, &self.obs).await;
            }
            return;
        }
        let c = self.slot.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(c) = c else { return };
        // never leave a container frozen: thaw before the collector (and its agent) goes away
        thaw_all(&c, &self.frozen, &self.obs).await;
        if keep {
            c.mark_kept().await;
            notes.push(format!("collector pod kept: kubectl -n {} delete pod {}", c.namespace, c.name));
        } else if let Err(why) = c.delete().await {
            self.obs.warn(&why);
        }
    }

    /// Run the capture task until it ends, the timeout passes or `stop` is asked. With a node
    /// upload that was not stopped, the collector stays for the node to finish the bundle.
    pub(super) async fn run(
        &self,
        ctx: &ClusterCtx,
        opts: &Options,
        plan: &Plan,
        bundle: DirBundle,
        stop: &Stop,
    ) -> Result<Ended, ClusterError> {
        // The capture runs as its own task (it blocks on the evidence stream), so that a stop or
        // the timeout can end it: the collector pod is deleted, its exec stream ends, the task
        // returns the bundle, which is then finalized as incomplete.
        // told to the task when the capture is stopped, so a call it waits on is given up at once
        let halt = Stop::new();
        let task = {
            let (ctx, plan, opts, obs, slot, frozen, halt) =
                (ctx.clone(), plan.clone(), opts.clone(), self.obs.clone(), self.slot.clone(), self.frozen.clone(), halt.clone());
            let mut bundle = bundle;
            tokio::spawn(async move {
                let mut notes = Vec::new();
                let r = async {
                    // the API side while the collector starts: it needs nothing on the node, and it
                    // is kept whatever happens on the node (a collector started for nothing is
                    // deleted with the capture's collector, from `slot`)
                    let (api, started) = tokio::join!(
                        api_evidence::collect(&ctx.client, &plan.target, &mut bundle),
                        super::node_side::start_collector(&ctx, &plan, &opts, &obs, &slot)
                    );
                    api.map_err(ClusterError::ApiEvidence)?;
                    started?;
                    node_side(&ctx, &plan, &opts, &mut bundle, &obs, &slot, &frozen, &mut notes, &halt).await
                }
                .await;
                (bundle, notes, r)
            })
        };
        tokio::pin!(task);
        let mut stopped = None;
        let joined = tokio::select! {
            j = &mut task => Some(j),
            _ = tokio::time::sleep(opts.timeout) => { stopped = Some(format!("timed out after {}", humantime::format_duration(opts.timeout))); None }
            why = stop.stopped() => { stopped = Some(why); None }
        };
        if let Some(why) = &stopped {
            halt.stop(why);
            self.stopped.store(true, std::sync::atomic::Ordering::SeqCst);
            self.obs.note(&format!("{why}: stopping the capture"));
        }
        // uploading from the node: the collector stays until the agent has shipped the rest
        let mut notes = Vec::new();
        if plan.node_upload.is_none() && joined.is_some() && !opts.keep_collector && !self.shared {
            // over on its own: thawed now, the collector goes while the bundle is finished here
            // (`release` waits for it)
            let c = self.slot.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(c) = c {
                thaw_all(&c, &self.frozen, &self.obs).await;
                *self.deleting.lock().unwrap_or_else(|e| e.into_inner()) = Some(tokio::spawn(async move { c.delete().await }));
            }
        } else if plan.node_upload.is_none() || stopped.is_some() {
            self.release(opts.keep_collector && stopped.is_none(), &mut notes).await;
        } else if let Some(c) = self.held() {
            thaw_all(&c, &self.frozen, &self.obs).await;
        }
        let joined = match joined {
            Some(j) => j,
            // the stream ends once the collector is gone: give the task a moment to hand the bundle back
            None => match tokio::time::timeout(Duration::from_secs(60), &mut task).await {
                Ok(j) => j,
                Err(_) => {
                    task.abort();
                    return Err(ClusterError::Collector(format!(
                        "{}; the capture did not stop within 60s: the bundle is left without a manifest (incomplete)",
                        stopped.unwrap_or_default()
                    )));
                }
            },
        };
        let (mut bundle, task_notes, outcome) = joined.map_err(|source| ClusterError::Task { what: "capture", source })?;
        notes.extend(task_notes);
        let mut fatal = None;
        match (&stopped, outcome) {
            (Some(why), _) => {
                bundle.error(None, why)?;
                self.obs.warn(&format!("{why}: collector pod deleted, the bundle is marked incomplete"));
            }
            (None, Ok(())) => {}
            (None, Err(e)) => {
                bundle.error(None, &e.to_string())?;
                fatal = Some(e);
            }
        }
        Ok(Ended { bundle, notes, stopped, fatal })
    }
}
