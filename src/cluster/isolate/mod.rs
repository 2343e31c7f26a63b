//! `kforensic isolate` / `release`: contain a suspect pod without destroying evidence, and undo
//! exactly that afterwards.
//!
//! Isolate order ("no half-applied state"): the NetworkPolicy first (it selects nothing until the
//! label lands), then the node cordon, then one pod patch (label + record + detach); a failing step
//! undoes the earlier ones. Release order: node, NetworkPolicy, and the pod's record last, so that
//! an interrupted release can simply be run again.

mod apply;
mod detach;
mod error;
mod netpol;
mod node;
mod plan;
pub mod record;
mod release;
mod report;
pub mod selector;

pub use error::{Call, IsolateError};
pub use netpol::policy_name;
pub use plan::{IsolateOptions, IsolatePlan};
pub use release::{ReleaseOptions, ReleasePlan};
pub use report::{ChangeLine, Planned, Report};

use crate::cluster::ClusterCtx;

/// Pod label the NetworkPolicy selects; its value is the case id.
pub const QUARANTINE_LABEL: &str = "kforensic.io/quarantine";
/// Pod annotation holding the isolation record (JSON).
pub const RECORD_ANNOTATION: &str = "kforensic.io/isolation";
/// Node annotation: which cases hold a cordon on it.
pub const NODE_ANNOTATION: &str = "kforensic.io/cordon";
/// `app.kubernetes.io/managed-by` value on the objects kforensic creates.
pub const MANAGED_BY: &str = "kforensic";
/// Field manager named in the patches.
pub const FIELD_MANAGER: &str = "kforensic";

/// Isolate a pod (or, with `dry_run`, show what that would do).
pub async fn isolate(ctx: &ClusterCtx, opts: &IsolateOptions) -> Result<Report, IsolateError> {
    let plan = plan::build(ctx, opts).await?;
    if opts.dry_run || plan.nothing_to_do() {
        return Ok(plan.report(opts.dry_run));
    }
    apply::apply(ctx, plan).await
}

/// Release a pod isolated by kforensic (or, with `dry_run`, show what that would do).
pub async fn release(ctx: &ClusterCtx, opts: &ReleaseOptions) -> Result<Report, IsolateError> {
    let plan = release::build(ctx, opts).await?;
    if opts.dry_run || plan.nothing_to_do {
        return Ok(plan.report(opts.dry_run));
    }
    release::apply(ctx, plan).await
}
