//! `kforensic preflight`: can kforensic do its job on this cluster?

use super::GlobalArgs;
use super::output::{TableView, table};
use crate::cluster::preflight::PreflightReport;
use crate::{Error, Exit};
use clap::Args;
use std::fmt::Write;

pub const EXAMPLES: &str = "\
Examples:
  kforensic preflight
  kforensic --context prod-eu -n shop preflight -o json";

#[derive(Debug, Clone, Args)]
pub struct PreflightArgs {
    /// Namespace the collector pods run in.
    #[arg(long, default_value = "kforensic", value_name = "NS")]
    pub collector_namespace: String,
}

pub async fn run(g: &GlobalArgs, a: PreflightArgs) -> Result<Exit, Error> {
    let ctx = crate::cluster::client::connect(&super::connect_options(g)?).await?;
    let report = crate::cluster::preflight::run(&ctx, &a.collector_namespace).await?;
    super::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.ready { Exit::Ok } else { Exit::Failure })
}

impl TableView for PreflightReport {
    fn kind(&self) -> &'static str {
        "PreflightReport"
    }

    fn table(&self) -> String {
        let mut s = String::new();
        let ctx = self.cluster.context.as_deref().map(|c| format!(", context {c}")).unwrap_or_default();
        let _ = writeln!(s, "Cluster:   {} (Kubernetes {}{})", self.cluster.server, self.cluster.version, ctx);
        let who = match &self.identity.user {
            Some(u) => format!("{u} (groups: {})", self.identity.groups.join(", ")),
            None => self.identity.source.clone(),
        };
        let _ = writeln!(s, "Identity:  {who}");
        let _ = writeln!(s, "Collector: namespace {}: {}", self.collector_namespace.name, self.collector_namespace.note);
        let cni = match self.cni.warning() {
            None => format!("{} — {}", self.cni.summary(), self.cni.basis),
            Some(w) => format!("{} — {w}", self.cni.summary()),
        };
        let _ = writeln!(s, "CNI:       {cni}");
        let _ = writeln!(s, "Kubelet:   checkpoint path {} — {}", self.kubelet_path.path, self.kubelet_path.why);
        s.push_str("\nPERMISSIONS\n");
        let rows = self.permissions.iter().map(|c| {
            let p = &c.permission;
            vec![
                if c.allowed { "✔".to_string() } else { "✘".to_string() },
                p.command.to_string(),
                p.verb.to_string(),
                p.resource_name(),
                p.namespace.clone().unwrap_or_else(|| "(cluster)".into()),
                p.only_for.map(|o| format!("only for {o}")).unwrap_or_default(),
            ]
        });
        let _ = writeln!(s, "{}", table(&["", "COMMAND", "VERB", "RESOURCE", "NAMESPACE", "NOTE"], rows));
        s.push_str("\nNODES\n");
        let rows = self
            .nodes
            .iter()
            .map(|n| vec![n.name.clone(), n.kubelet.clone(), n.runtime.clone(), n.checkpoint_api.clone(), n.checkpoint_note.clone()]);
        let _ = writeln!(s, "{}", table(&["NAME", "KUBELET", "RUNTIME", "CHECKPOINT API", "NOTE"], rows));
        if self.ready {
            s.push_str("\nREADY: everything kforensic needs is in place\n");
        } else {
            s.push_str("\nNOT READY:\n");
            for p in &self.problems {
                let _ = writeln!(s, "  ✘ {p}");
            }
        }
        s
    }
}
