//! `kforensic isolate pod NAME`: contain a suspect pod; and how isolation reports are shown.

use super::GlobalArgs;
use super::output::{TableView, table};
use crate::cluster::ConnectOptions;
use crate::cluster::isolate::{IsolateOptions, Report};
use crate::{Error, Exit};
use clap::{Args, Subcommand};

#[derive(Debug, Clone, Args)]
pub struct IsolateArgs {
    #[command(subcommand)]
    pub target: IsolateTarget,
}

pub const EXAMPLES: &str = "\
Examples:
  # deny all traffic to and from the pod, label it for case INC-1234
  kforensic -n shop --case-id INC-1234 isolate pod web-7d9f
  # also take it out of its Deployment and Services, and cordon its node
  kforensic -n shop --case-id INC-1234 isolate pod web-7d9f --detach --cordon
  # show the NetworkPolicy and patches, change nothing
  kforensic -n shop isolate pod web-7d9f --allow-dns --dry-run -o yaml";

#[derive(Debug, Clone, Subcommand)]
pub enum IsolateTarget {
    /// Cut a pod off the network (deny-all NetworkPolicy), label and annotate it; optionally detach it
    /// from its controller and Services and cordon its node. The pod keeps running.
    #[command(after_help = EXAMPLES)]
    Pod(IsolatePodArgs),
}

#[derive(Debug, Clone, Args)]
pub struct IsolatePodArgs {
    /// The suspect pod, NAME or pod/NAME.
    #[arg(value_name = "NAME", value_parser = crate::app::parse_pod_name)]
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

/// Warnings on stderr (unless -q), then the summary on stdout.
pub fn emit(g: &GlobalArgs, report: &Report) -> std::io::Result<()> {
    if !g.quiet {
        for w in &report.warnings {
            eprintln!("warning: {}", crate::app::output::terminal_safe(w));
        }
    }
    super::output::emit(g.output, report)
}

pub async fn run(g: &GlobalArgs, a: IsolatePodArgs) -> Result<Exit, Error> {
    let connect = super::connect_options(g)?;
    let ctx = crate::cluster::client::connect(&connect).await?;
    let report = crate::cluster::isolate::isolate(&ctx, &a.options(g, connect)).await?;
    emit(g, &report).map_err(Error::Output)?;
    Ok(Exit::Ok)
}

impl TableView for Report {
    fn kind(&self) -> &'static str {
        if self.command == "isolate" { "IsolateReport" } else { "ReleaseReport" }
    }

    fn table(&self) -> String {
        let mut s = format!("{} pod {}/{}  case {}  by {}\n", self.command, self.namespace, self.pod, self.case_id, self.operator);
        if self.dry_run {
            s.push_str("dry run: nothing was changed; this is what would be done\n");
        }
        if self.nothing_to_do {
            s.push_str(match self.command {
                "isolate" => "already isolated as asked: nothing to change\n",
                _ => "nothing to release\n",
            });
        }
        if !self.changes.is_empty() {
            let rows = self.changes.iter().map(|c| vec![c.action.clone(), c.object.clone(), c.detail.clone()]);
            s.push_str(&table(&["ACTION", "OBJECT", "DETAIL"], rows).to_string());
            s.push('\n');
        }
        if let Some(c) = &self.network_plugin {
            s.push_str(&format!("network plugin: {}\n", c.summary()));
        }
        s
    }
}
