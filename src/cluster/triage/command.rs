//! `kforensic collect` from parsed arguments to exit code: resolve the plan, connect, open the
//! bundle, collect, print the summary.

use super::{CollectPlan, Scope, Source};
use crate::cli::collect::CollectArgs;
use crate::cli::GlobalArgs;
use crate::{Error, Exit};
use crate::evidence::{ArtifactSink, BundleMeta, ClusterInfo, Destination, DirBundle, FinishOptions, Tool};

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
        progress: !g.quiet,
    })
}

pub async fn run(g: &GlobalArgs, a: CollectArgs) -> Result<Exit, Error> {
    // flags first: a typo costs no round trip
    let _ = plan(g, &a, "default")?;
    // several namespaces are the plan's business; the connection only needs the context's
    let conn = crate::cluster::ConnectOptions { kubeconfig: g.kubeconfig.clone(), context: g.context.clone(), namespace: None };
    let ctx = crate::cluster::client::connect(&conn).await?;
    let plan = plan(g, &a, &ctx.namespace)?;
    let case_id = g.case_id();
    let dest = Destination::parse(&a.dest)?;
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
    bundle.plan(plan.sources.iter().map(|s| s.path()))?;
    // node side first: its findings are ranked with the rest
    let mut extra = Vec::new();
    let mut summary = None;
    if a.shell_history {
        let opts = super::history::HistoryOptions {
            collector_namespace: a.collector_namespace.clone(),
            image: a.image.clone().unwrap_or_else(crate::cluster::collector::default_image),
            pull_policy: a.pull_policy.as_k8s(),
            case_id: case_id.clone(),
            progress: !g.quiet,
        };
        let h = match super::history::capture(&ctx, &plan.scope, plan.selector.as_deref(), &opts, &mut bundle).await {
            Ok(h) => h,
            Err(e) => {
                // the API-side triage still runs; the bundle says what is missing
                eprintln!("warning: shell history not collected: {}", crate::cli::output::terminal_safe(&e.to_string()));
                bundle.error(None, &format!("shell history not collected: {e}"))?;
                super::history::HistoryOutcome { errors: vec![format!("shell history not collected: {e}")], ..Default::default() }
            }
        };
        if let Some(why) = h.interrupted {
            // stopped: what arrived is kept, marked incomplete, and nothing more is collected
            eprintln!("warning: {why}: collector pods deleted, the bundle is marked incomplete");
            let finish = FinishOptions { archive: false, s3: a.s3.connect.options(), upload: a.s3.options(), progress: !g.quiet };
            let finished = crate::evidence::finish(bundle, &dest, &finish).await?;
            eprintln!("partial evidence in {} (manifest complete: false)", finished.dir.display());
            return Ok(Exit::Partial);
        }
        summary = Some(super::report::HistorySummary { nodes: h.nodes, containers: h.containers, files: h.files, errors: h.errors });
        extra = h.findings;
    }
    let (bundle, mut report) = super::collect_with(&ctx, plan, bundle, extra).await?;
    let finish = FinishOptions { archive: false, s3: a.s3.connect.options(), upload: a.s3.options(), progress: !g.quiet };
    let finished = crate::evidence::finish(bundle, &dest, &finish).await?;
    report.case_id = case_id;
    report.shell_history = summary;
    report.bundle = finished.dir.display().to_string();
    report.complete = report.complete && finished.manifest.complete;
    crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.complete { Exit::Ok } else { Exit::Partial })
}
