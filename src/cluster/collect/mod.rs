//! `kforensic collect`: cluster-wide triage. Lists what matters for an investigation (logs,
//! events, pods, RBAC, webhooks, …) into `triage/<source>.ndjson` in an evidence bundle, and runs
//! rules with stable IDs over it (`triage/findings.ndjson`).
//!
//! Sources are fetched concurrently (a bound on how many at once), page by page (`limit` /
//! `continue`), and streamed into the sink as pages arrive, so memory does not grow with the
//! cluster. The sink is any [`ArtifactSink`]; it is written from one blocking thread.

mod error;
pub mod fetch;
pub mod findings;
pub mod rawlist;
pub mod report;
pub mod shell_history;
pub mod source;
pub mod sources;
pub mod writer;

use crate::observe::SharedObserver;
pub use error::CollectError;
pub use report::{CollectReport, SourceSummary};
pub use source::Source;

use crate::cluster::ClusterCtx;
use crate::evidence::{ArtifactSink, ArtifactSpec};
use findings::rbac::{Risks, check_binding, role_risks};
use findings::serviceaccount::token_in_privileged_pods;
use findings::{Finding, Ident};
use sources::{Join, Produced};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Namespaces(Vec<String>),
}

/// A resolved `collect` run.
#[derive(Debug, Clone)]
pub struct CollectPlan {
    pub scope: Scope,
    /// Label selector for pods (and so for their logs and images).
    pub selector: Option<String>,
    /// Window for logs and for "recent" objects.
    pub since: Duration,
    pub sources: BTreeSet<Source>,
    pub include_secret_values: bool,
    pub page_size: u32,
    /// Sources fetched at the same time.
    pub concurrency: usize,
    /// Pages queued per artifact while another is being written.
    pub queue: usize,
}

/// Run the plan against the cluster, writing into `sink`; returns the sink (to finalize) and the report.
pub async fn collect<S: ArtifactSink + 'static>(
    ctx: &ClusterCtx,
    plan: CollectPlan,
    sink: S,
    obs: &SharedObserver,
) -> Result<(S, CollectReport), CollectError> {
    collect_with(ctx, plan, sink, Vec::new(), obs).await
}

/// As [`collect`], with findings made elsewhere (the shell-history rules) ranked and written with the rest.
pub async fn collect_with<S: ArtifactSink + 'static>(
    ctx: &ClusterCtx,
    plan: CollectPlan,
    mut sink: S,
    extra: Vec<Finding>,
    obs: &SharedObserver,
) -> Result<(S, CollectReport), CollectError> {
    let started = jiff::Timestamp::now();
    let since_cutoff = started
        .checked_sub(jiff::SignedDuration::try_from(plan.since).unwrap_or(jiff::SignedDuration::MAX))
        .unwrap_or(jiff::Timestamp::MIN);
    let env = Arc::new(sources::Env { client: ctx.client.clone(), plan: plan.clone(), since_cutoff });
    let bar = |name: &str| -> crate::observe::SharedTask { std::sync::Arc::from(obs.task(name, None, crate::observe::Unit::Items)) };
    let mut mux = writer::Mux::new(plan.queue);
    let sem = Arc::new(Semaphore::new(plan.concurrency.max(1)));
    let want = |s: Source| plan.sources.contains(&s);
    let spec = |s: Source| ArtifactSpec::new(s.path(), "application/x-ndjson", "triage");

    // (source(s) it produces, task)
    let mut tasks: Vec<(Vec<Source>, tokio::task::JoinHandle<Produced>)> = Vec::new();
    macro_rules! spawn {
        ($sources:expr, $fut:expr) => {{
            let sem = sem.clone();
            let fut = $fut;
            tasks.push((
                $sources,
                tokio::spawn(async move {
                    let _permit = sem.acquire_owned().await;
                    fut.await
                }),
            ));
        }};
    }
    // the pod scan first: usually the largest source, and it feeds two artifacts
    if want(Source::Pods) || want(Source::Images) {
        let pods = want(Source::Pods).then(|| mux.artifact(spec(Source::Pods)));
        let images = want(Source::Images).then(|| mux.artifact(spec(Source::Images)));
        let produces: Vec<Source> = [Source::Pods, Source::Images].into_iter().filter(|s| want(*s)).collect();
        let bar = bar(if want(Source::Pods) { "pods" } else { "images" });
        spawn!(produces, sources::pods::run(env.clone(), pods, images, bar));
    }
    for s in plan.sources.iter().copied() {
        if matches!(s, Source::Pods | Source::Images) {
            continue;
        }
        let out = mux.artifact(spec(s));
        let bar = bar(s.name());
        let e = env.clone();
        match s {
            Source::Pods | Source::Images => {}
            Source::Events => spawn!(vec![s], sources::simple::raw(e, sources::simple::events(), out, bar)),
            Source::Logs => spawn!(vec![s], sources::logs::run(e, out, bar)),
            Source::ServiceAccounts => spawn!(vec![s], sources::simple::service_accounts(e, out, bar)),
            Source::Secrets => spawn!(vec![s], sources::secrets::run(e, out, bar)),
            Source::CronJobs => spawn!(vec![s], sources::cronjobs::run(e, out, bar)),
            Source::Jobs => spawn!(vec![s], sources::simple::raw(e, sources::simple::jobs(), out, bar)),
            Source::NetworkPolicies => spawn!(vec![s], sources::netpol::run(e, out, bar)),
            Source::Roles => spawn!(vec![s], sources::rbac::roles(e, false, out, bar)),
            Source::ClusterRoles => spawn!(vec![s], sources::rbac::roles(e, true, out, bar)),
            Source::RoleBindings => spawn!(vec![s], sources::rbac::bindings(e, false, out, bar)),
            Source::ClusterRoleBindings => spawn!(vec![s], sources::rbac::bindings(e, true, out, bar)),
            Source::Webhooks => spawn!(vec![s], sources::webhooks::run(e, out, bar)),
            Source::Nodes => spawn!(vec![s], sources::simple::raw(e, sources::simple::nodes(), out, bar)),
        }
    }
    let paths = mux.paths();

    let writer = tokio::task::spawn_blocking(move || {
        let outcomes = mux.write_all(&mut sink);
        (sink, outcomes)
    });

    let mut summaries: Vec<SourceSummary> = Vec::new();
    let mut all_findings: Vec<Finding> = Vec::new();
    let mut joins = Vec::new();
    for (produces, task) in tasks {
        let p =
            task.await.unwrap_or_else(|e| Produced { error: Some(format!("source task ended abnormally: {e}")), ..Produced::default() });
        for (i, s) in produces.iter().enumerate() {
            let objects = if i == 0 { p.objects } else { p.secondary };
            summaries.push(SourceSummary::new(*s, objects, p.error.clone()));
        }
        all_findings.extend(p.findings);
        joins.push(p.join);
    }
    let (mut sink, outcomes) = writer.await.map_err(|e| CollectError::Internal(format!("bundle writer: {e}")))?;
    for (path, outcome) in paths.iter().zip(outcomes) {
        if let Some(s) = summaries.iter_mut().find(|s| &s.file == path) {
            s.set_outcome(outcome);
        }
    }

    all_findings.extend(join_findings(joins));
    all_findings.extend(extra);
    findings::sort(&mut all_findings);
    let (sink, findings_summary) = tokio::task::spawn_blocking(move || {
        let spec = ArtifactSpec::new("triage/findings.ndjson", "application/x-ndjson", "triage");
        let mut buf = Vec::new();
        for f in &all_findings {
            sources::line(&mut buf, f);
        }
        let res = sink.put(&spec, &mut |w| w.write_all(&buf));
        (sink, (all_findings, res.map_err(|e| e.to_string())))
    })
    .await
    .map_err(|e| CollectError::Internal(format!("findings writer: {e}")))?;
    let (findings, findings_written) = findings_summary;
    summaries.sort_by_key(|s| s.file.clone());
    let report = CollectReport::new(&plan, started, summaries, findings, findings_written.err());
    Ok((sink, report))
}

/// The rules that need several sources: RBAC (roles × bindings), KF-SA-001 (service accounts ×
/// privileged pods).
pub fn join_findings(joins: Vec<Join>) -> Vec<Finding> {
    let mut roles: HashMap<sources::RoleKey, Risks> = HashMap::new();
    let mut bindings = Vec::new();
    let mut sas = None;
    let mut pods = None;
    for j in joins {
        match j {
            Join::Roles(m) => roles.extend(m),
            Join::Bindings(b) => bindings.extend(b),
            Join::ServiceAccounts(m) => sas = Some(m),
            Join::PrivilegedPods(p) => pods = Some(p),
            Join::None => {}
        }
    }
    let mut out = Vec::new();
    let admin = role_risks("cluster-admin", true, &[]);
    for b in &bindings {
        let key = match b.role_ref.kind.as_str() {
            "Role" => (b.ident.namespace.clone(), b.role_ref.name.clone()),
            _ => (None, b.role_ref.name.clone()),
        };
        let risks = roles.get(&key).or((b.role_ref.kind == "ClusterRole" && b.role_ref.name == "cluster-admin").then_some(&admin));
        out.extend(check_binding(b, risks));
    }
    if let Some(pods) = pods {
        let mut by_sa: HashMap<(String, String), Vec<&findings::serviceaccount::PrivilegedPod>> = HashMap::new();
        for p in &pods {
            by_sa.entry((p.namespace.clone(), p.service_account.clone())).or_default().push(p);
        }
        let sas = sas.unwrap_or_default();
        let mut keys: Vec<_> = by_sa.keys().cloned().collect();
        keys.sort();
        for k in keys {
            let (ident, automount) = sas.get(&k).cloned().unwrap_or_else(|| {
                (
                    Ident {
                        kind: "ServiceAccount".into(),
                        api_version: "v1".into(),
                        namespace: Some(k.0.clone()),
                        name: k.1.clone(),
                        uid: None,
                    },
                    None,
                )
            });
            out.extend(token_in_privileged_pods(&ident, automount, &by_sa[&k]));
        }
    }
    out
}
