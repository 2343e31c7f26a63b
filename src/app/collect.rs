//! `kforensic collect`: arguments → plan → triage (and the node-side shell histories) → bundle,
//! summary and exit code.

use crate::app::GlobalArgs;
use crate::app::output::{TableView, table};
use crate::app::progress::{Bars, Signals};
use crate::cluster::collect::CollectReport;
use crate::cluster::collect::{CollectPlan, Scope, Source, shell_history as history};
use crate::evidence::{ArtifactSink, BundleMeta, ClusterInfo, Destination, DirBundle, FinishOptions, Tool};
use crate::{Error, Exit};

use clap::Args;

/// Snapshot the cluster state that matters for an investigation into an evidence bundle, and
/// rank what looks wrong.
///
/// Sources (one NDJSON file each under triage/): pods, images, logs, events, serviceaccounts,
/// secrets (metadata only), cronjobs, jobs, networkpolicies, roles, clusterroles, rolebindings,
/// clusterrolebindings, webhooks, nodes. Findings go to triage/findings.ndjson and to stdout,
/// worst first. Scope: -n NS[,NS…] (repeatable; default: the context's namespace) or -A; cluster-scoped
/// sources (nodes, cluster roles and bindings, webhooks) are always collected whole.
pub const EXAMPLES: &str = "\
Examples:
  # the last 24h of namespaces shop and pay, findings worst first
  kforensic -n shop,pay --case-id INC-1234 collect
  # the whole cluster over a week, with the shell histories of running containers
  kforensic collect -A --since 7d --shell-history
  # only pods labelled app=web, only logs and events, to S3
  kforensic -n shop collect -l app=web --sources logs,events --dest s3://ir-evidence/2026";

#[derive(Debug, Clone, Args)]
pub struct CollectArgs {
    /// Every namespace (otherwise -n NS[,NS…] (repeatable), or the context's namespace).
    #[arg(short = 'A', long, help_heading = "Target")]
    pub all_namespaces: bool,
    /// Only pods (and their logs and images) matching this label selector.
    #[arg(short = 'l', long, value_name = "SELECTOR", help_heading = "Target")]
    pub selector: Option<String>,
    /// Logs from this far back; objects created within it count as recent (e.g. 30m, 24h, 7d).
    #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = parse_duration)]
    pub since: std::time::Duration,
    /// Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix.
    #[arg(long, default_value = "evidence", value_name = "DIR|s3://BUCKET/PREFIX", help_heading = "Destination")]
    pub dest: Destination,
    #[command(flatten)]
    pub s3: crate::app::s3_args::S3UploadArgs,
    #[command(flatten)]
    pub sign: crate::app::sign_args::SignArgs,
    #[command(flatten)]
    pub encrypt: crate::app::encrypt_args::EncryptArgs,
    /// Which sources (comma-separated; `rbac` = the four RBAC sources; default: all).
    #[arg(long, value_name = "LIST", default_value = "all")]
    pub sources: String,
    /// Write secrets whole, values included (default: name, type, keys, owners, age only).
    #[arg(long)]
    pub include_secret_values: bool,
    /// Also read the shell histories of every running container in scope, from the node side: one
    /// privileged collector pod per node runs the node agent (never an exec into a container);
    /// adds the KF-HIST rules. Needs the collector permissions of `checkpoint`.
    #[arg(long)]
    pub shell_history: bool,
    /// With --shell-history: the collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE).
    #[arg(long, value_name = "IMAGE", requires = "shell_history", help_heading = "Collector")]
    pub image: Option<String>,
    /// With --shell-history: when the node fetches the collector image.
    #[arg(long, value_enum, default_value = "if-not-present", value_name = "POLICY", help_heading = "Collector")]
    pub pull_policy: crate::app::checkpoint::PullPolicy,
    /// With --shell-history: namespace for the collector pods (created with pod-security `privileged` when missing).
    #[arg(long, default_value = "kforensic", value_name = "NS", help_heading = "Collector")]
    pub collector_namespace: String,
    /// Objects per list page.
    #[arg(long, default_value_t = 500, hide = true, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub page_size: u32,
    /// Sources fetched at the same time.
    #[arg(long = "source-concurrency", default_value_t = 4, hide = true, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub source_concurrency: u16,
}

fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (e.g. 30m, 24h, 7d)"))?;
    if d.is_zero() { Err("the window must be longer than 0".into()) } else { Ok(d) }
}

/// Check the flags and build the plan (no cluster needed, except for the default namespace).
pub fn plan(g: &GlobalArgs, a: &CollectArgs, context_namespace: &str) -> Result<CollectPlan, Error> {
    let given = !g.namespace.is_empty();
    let scope = match (a.all_namespaces, given) {
        (true, true) => return Err(Error::Usage("-A (all namespaces) and -n are exclusive: give one".into())),
        (true, false) => Scope::All,
        (false, true) => {
            let v = g.namespaces();
            if v.is_empty() {
                return Err(Error::Usage("-n needs a namespace (or several: repeat -n, or comma-separate them)".into()));
            }
            Scope::Namespaces(v)
        }
        (false, false) => Scope::Namespaces(vec![context_namespace.to_string()]),
    };
    let sources = Source::parse_list(&a.sources).map_err(|e| Error::Usage(e.to_string()))?;
    if sources.is_empty() {
        return Err(Error::Usage("--sources names no source".into()));
    }
    Ok(CollectPlan {
        scope,
        selector: a.selector.clone(),
        since: a.since,
        sources: sources.into_iter().collect(),
        include_secret_values: a.include_secret_values,
        page_size: a.page_size,
        concurrency: a.source_concurrency as usize,
        queue: 4,
    })
}

pub async fn run(g: &GlobalArgs, a: CollectArgs) -> Result<Exit, Error> {
    // flags first: a typo costs no round trip
    let _ = plan(g, &a, "default")?;
    let signer = a.sign.signer()?;
    let recipients = a.encrypt.recipients()?;
    // several namespaces are the plan's business; the connection only needs the context's
    let conn = crate::cluster::ConnectOptions { kubeconfig: g.kubeconfig.clone(), context: g.context.clone(), namespace: None };
    let ctx = crate::cluster::client::connect(&conn).await?;
    let plan = plan(g, &a, &ctx.namespace)?;
    let case_id = g.case_id();
    let dest = a.dest.clone();
    let meta = BundleMeta {
        cluster: ClusterInfo {
            server: Some(ctx.server.clone()),
            version: Some(ctx.version.git_version.clone()),
            context: ctx.context.clone(),
        },
        targets: serde_json::json!({"collect": {"scope": format!("{:?}", plan.scope), "selector": plan.selector}}),
        tool: Tool::current(),
        ..Default::default()
    };
    let mut bundle = DirBundle::create(dest.staging_dir(), &case_id, meta)?;
    let obs = Bars::shared(!g.quiet);
    if let Some(r) = recipients {
        bundle.seal(r)?;
        if a.shell_history {
            obs.note("the KF-HIST rules do not read encrypted histories (no private key here): run decrypt, then read them");
        }
    }
    bundle.plan(plan.sources.iter().map(|s| s.path()))?;
    // node side first: its findings are ranked with the rest
    let mut extra = Vec::new();
    let mut summary = None;
    let mut signals = None;
    if a.shell_history {
        let stop = Signals::install()
            .map_err(|e| Error::Output(std::io::Error::other(format!("cannot install signal handlers: {e}"))))?
            .stop_on_signal();
        let opts = history::HistoryOptions {
            collector_namespace: a.collector_namespace.clone(),
            image: a.image.clone().unwrap_or_else(crate::cluster::collector::default_image),
            pull_policy: a.pull_policy.as_k8s(),
            case_id: case_id.clone(),
        };
        let h = match history::capture(&ctx, &plan.scope, plan.selector.as_deref(), &opts, &mut bundle, &obs, &stop).await {
            Ok(h) => h,
            Err(e) => {
                // the API-side triage still runs; the bundle says what is missing
                obs.warn(&format!("shell history not collected: {e}"));
                bundle.error(None, &format!("shell history not collected: {e}"))?;
                history::HistoryOutcome { errors: vec![format!("shell history not collected: {e}")], ..Default::default() }
            }
        };
        if let Some(why) = h.interrupted {
            // stopped: what arrived is kept, marked incomplete, and nothing more is collected
            obs.warn(&format!("{why}: collector pods deleted, the bundle is marked incomplete"));
            let finish = FinishOptions {
                archive: false,
                s3: a.s3.connect.options(),
                upload: a.s3.options(),
                observer: obs.clone(),
                signer: signer.clone(),
            };
            let finished = crate::evidence::finish(bundle, &dest, &finish).await?;
            eprintln!("partial evidence in {} (manifest complete: false)", finished.dir.display());
            return Ok(Exit::Partial);
        }
        summary = Some(crate::cluster::collect::report::HistorySummary {
            nodes: h.nodes,
            containers: h.containers,
            files: h.files,
            errors: h.errors,
        });
        extra = h.findings;
        signals = Some(stop);
    }
    let (bundle, mut report) = crate::cluster::collect::collect_with(&ctx, plan, bundle, extra, &obs).await?;
    let finish =
        FinishOptions { archive: false, s3: a.s3.connect.options(), upload: a.s3.options(), observer: obs.clone(), signer: signer.clone() };
    // with the collectors' signal handling on, a stop gives the upload up (the bundle is kept)
    let finished = match &signals {
        Some(stop) => crate::evidence::finish_unless_stopped(bundle, &dest, &finish, stop).await?,
        None => crate::evidence::finish(bundle, &dest, &finish).await?,
    };
    report.case_id = case_id;
    report.shell_history = summary;
    report.bundle = finished.dir.display().to_string();
    report.complete = report.complete && finished.manifest.complete;
    crate::app::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.complete { Exit::Ok } else { Exit::Partial })
}

/// Rows of the findings table on a terminal; the file has them all.
const TABLE_ROWS: usize = 200;

impl TableView for CollectReport {
    fn kind(&self) -> &'static str {
        "CollectReport"
    }

    fn table(&self) -> String {
        let rows = self.sources.iter().map(|s| {
            vec![
                s.source.name().to_string(),
                s.objects.to_string(),
                s.bytes.to_string(),
                match &s.error {
                    Some(e) => format!("FAILED: {e}"),
                    None => "ok".into(),
                },
            ]
        });
        let mut out = format!("{}\n\n", table(&["SOURCE", "OBJECTS", "BYTES", "STATUS"], rows));
        if let Some(h) = &self.shell_history {
            out.push_str(&format!(
                "shell history: {} container(s) on {} node(s), {} history file(s){}\n\n",
                h.containers,
                h.nodes,
                h.files,
                h.errors.first().map(|e| format!("; FAILED: {e}")).unwrap_or_default()
            ));
        }
        if self.findings.is_empty() {
            out.push_str("No findings.\n");
        } else {
            let rows = self.findings.iter().take(TABLE_ROWS).map(|f| {
                vec![
                    f.severity.as_str().to_uppercase(),
                    f.id.clone(),
                    format!("{}/{}", f.object.kind, f.object.display_name()),
                    f.reason.clone(),
                ]
            });
            out.push_str(&format!("{}\n", table(&["SEVERITY", "ID", "OBJECT", "REASON"], rows)));
            if self.findings.len() > TABLE_ROWS {
                out.push_str(&format!("… {} more in triage/findings.ndjson\n", self.findings.len() - TABLE_ROWS));
            }
        }
        let c = &self.counts;
        out.push_str(&format!(
            "\n{} findings ({} critical, {} high, {} medium, {} low); scope: {}; bundle: {}{}\n",
            self.findings.len(),
            c.critical,
            c.high,
            c.medium,
            c.low,
            self.scope.join(","),
            self.bundle,
            if self.complete { String::new() } else { " (INCOMPLETE: see the failed sources)".into() }
        ));
        out
    }
}
