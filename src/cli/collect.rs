//! `kforensic collect`: arguments.

use clap::Args;

/// Snapshot the cluster state that matters for an investigation into an evidence bundle, and
/// rank what looks wrong.
///
/// Sources (one NDJSON file each under triage/): pods, images, logs, events, serviceaccounts,
/// secrets (metadata only), cronjobs, jobs, networkpolicies, roles, clusterroles, rolebindings,
/// clusterrolebindings, webhooks, nodes. Findings go to triage/findings.ndjson and to stdout,
/// worst first. Scope: -n NS[,NS…] (repeatable; default: the context's namespace) or -A; cluster-scoped
/// sources (nodes, cluster roles and bindings, webhooks) are always collected whole.
#[derive(Debug, Clone, Args)]
pub struct CollectArgs {
    /// Every namespace (otherwise -n NS[,NS…] (repeatable), or the context's namespace).
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Only pods (and their logs and images) matching this label selector.
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Logs from this far back; objects created within it count as recent (e.g. 30m, 24h, 7d).
    #[arg(long, default_value = "24h", value_name = "DURATION", value_parser = parse_duration)]
    pub since: std::time::Duration,
    /// Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix.
    #[arg(long, default_value = "evidence", value_name = "DIR")]
    pub dest: String,
    #[command(flatten)]
    pub s3: crate::cli::evidence::S3UploadArgs,
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
    #[arg(long, value_name = "IMAGE", requires = "shell_history")]
    pub image: Option<String>,
    /// With --shell-history: when the node fetches the collector image.
    #[arg(long, value_enum, default_value = "if-not-present", value_name = "POLICY")]
    pub pull_policy: crate::cli::checkpoint::PullPolicy,
    /// With --shell-history: namespace for the collector pods (created with pod-security `privileged` when missing).
    #[arg(long, default_value = "kforensic", value_name = "NS")]
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
