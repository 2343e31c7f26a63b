//! `kforensic isolate pod NAME` / `kforensic release pod NAME`.

use super::GlobalArgs;
use crate::cluster::ConnectOptions;
use crate::cluster::isolate::{IsolateOptions, ReleaseOptions, Report};
use clap::{Args, Subcommand};

#[derive(Debug, Clone, Args)]
pub struct IsolateArgs {
    #[command(subcommand)]
    pub target: IsolateTarget,
}

#[derive(Debug, Clone, Subcommand)]
pub enum IsolateTarget {
    /// Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it
    /// from its controller and Services and cordon its node. The pod keeps running.
    Pod(IsolatePodArgs),
}

#[derive(Debug, Clone, Args)]
pub struct IsolatePodArgs {
    /// The suspect pod.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Also mark the pod's node unschedulable (release uncordons it only if kforensic cordoned it).
    #[arg(long)]
    pub cordon: bool,
    /// Remove the labels its controller and Services select on: the controller releases it and starts
    /// a replacement, traffic stops reaching it, and it keeps running for forensics.
    #[arg(long)]
    pub detach: bool,
    /// Allow egress to kube-dns (53/UDP and 53/TCP), nothing else.
    #[arg(long)]
    pub allow_dns: bool,
    /// Print the objects and patches that would be applied (-o yaml|json for all of them); change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    #[command(subcommand)]
    pub target: ReleaseTarget,
}

#[derive(Debug, Clone, Subcommand)]
pub enum ReleaseTarget {
    /// Undo exactly what `isolate pod` recorded on the pod.
    Pod(ReleasePodArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ReleasePodArgs {
    /// The isolated pod.
    #[arg(value_name = "NAME")]
    pub name: String,
    /// Put back the labels --detach removed. Its controller may then adopt the pod again, and delete
    /// it if it has more pods than it wants.
    #[arg(long)]
    pub restore_labels: bool,
    /// Print what would be undone; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

impl IsolatePodArgs {
    pub fn options(&self, g: &GlobalArgs, connect: ConnectOptions) -> IsolateOptions {
        IsolateOptions {
            pod: self.name.clone(),
            case_id: g.case_id(),
            case_id_given: g.case_id.is_some(),
            cordon: self.cordon,
            detach: self.detach,
            allow_dns: self.allow_dns,
            dry_run: self.dry_run,
            connect,
        }
    }
}

impl ReleasePodArgs {
    pub fn options(&self, g: &GlobalArgs, connect: ConnectOptions) -> ReleaseOptions {
        ReleaseOptions {
            pod: self.name.clone(),
            restore_labels: self.restore_labels,
            dry_run: self.dry_run,
            case_id: g.case_id.clone(),
            connect,
        }
    }
}

/// Warnings on stderr (unless -q), then the summary on stdout.
pub fn emit(g: &GlobalArgs, report: &Report) -> std::io::Result<()> {
    if !g.quiet {
        for w in &report.warnings {
            eprintln!("warning: {}", crate::cli::output::terminal_safe(w));
        }
    }
    super::output::emit(g.output, report)
}
