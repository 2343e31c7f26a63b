//! `kforensic release pod NAME`: undo exactly what `isolate` recorded on the pod.

use super::GlobalArgs;
use crate::cluster::ConnectOptions;
use crate::cluster::isolate::ReleaseOptions;
use crate::{Error, Exit};
use clap::{Args, Subcommand};

#[derive(Debug, Clone, Args)]
pub struct ReleaseArgs {
    #[command(subcommand)]
    pub target: ReleaseTarget,
}

pub const EXAMPLES: &str = "\
Examples:
  # undo what isolate recorded on the pod (policy, label, cordon)
  kforensic -n shop release pod web-7d9f
  # and give back the labels --detach removed
  kforensic -n shop release pod web-7d9f --restore-labels --dry-run";

#[derive(Debug, Clone, Subcommand)]
pub enum ReleaseTarget {
    /// Undo exactly what `isolate pod` recorded on the pod.
    #[command(after_help = EXAMPLES)]
    Pod(ReleasePodArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ReleasePodArgs {
    /// The isolated pod, NAME or pod/NAME.
    #[arg(value_name = "NAME", value_parser = crate::app::parse_pod_name)]
    pub name: String,
    /// Put back the labels --detach removed. Its controller may then adopt the pod again, and delete
    /// it if it has more pods than it wants.
    #[arg(long)]
    pub restore_labels: bool,
    /// Print what would be undone; change nothing.
    #[arg(long)]
    pub dry_run: bool,
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

pub async fn run(g: &GlobalArgs, a: ReleasePodArgs) -> Result<Exit, Error> {
    let connect = super::connect_options(g)?;
    let ctx = crate::cluster::client::connect(&connect).await?;
    let report = crate::cluster::isolate::release(&ctx, &a.options(g, connect)).await?;
    super::isolate::emit(g, &report).map_err(Error::Output)?;
    Ok(Exit::Ok)
}
