//! Arguments of `kforensic checkpoint pod`.

use crate::app::GlobalArgs;
use crate::app::output::{TableView, human_bytes, table, terminal_safe};
use crate::app::progress::{Bars, Signals};
use crate::cluster::checkpoint::fleet::{FleetOptions, FleetPlan, FleetReport};
use crate::cluster::checkpoint::{self, CheckpointReport, MemoryMode, Options, Plan, UploadFrom};
use crate::cluster::kubelet::KubeletPath;
use crate::cluster::targets::{Selection, TargetRef};
use crate::evidence::Destination;
use crate::protocol::MemoryRequest;
use crate::{Error, Exit};
use clap::{Args, Subcommand, ValueEnum};
use std::time::Duration;

pub const EXAMPLES: &str = "\
Examples:
  # capture every container of pod web-7d9f into ./evidence/INC-1234/
  kforensic -n shop --case-id INC-1234 checkpoint pod web-7d9f
  # with memory (kubelet checkpoint where supported, else /proc), then isolate it
  kforensic -n shop --case-id INC-1234 checkpoint pod web-7d9f --memory --isolate
  # see what would be captured, change nothing
  kforensic -n shop checkpoint pod web-7d9f --memory=proc --memory-max-bytes 4GiB --dry-run
  # straight to S3, uploaded from the node
  kforensic -n shop checkpoint pod web-7d9f --dest s3://ir-evidence/2026 --upload-from node --sse AES256";

#[derive(Debug, Clone, Subcommand)]
pub enum CheckpointTarget {
    /// Snapshot a live pod: API-side state, then every container from its node.
    #[command(after_help = EXAMPLES)]
    Pod(CheckpointPodArgs),
}

#[derive(Debug, Clone, Args)]
pub struct CheckpointPodArgs {
    /// What to capture: pods (NAME or pod/NAME, several allowed), or every pod a controller owns
    /// (deploy/NAME, sts/NAME, ds/NAME, job/NAME, rs/NAME; also written `checkpoint deploy/NAME`).
    /// Namespace from -n, else the context's.
    #[arg(value_name = "NAME", value_parser = TargetRef::parse, required_unless_present_any = ["selector", "node"])]
    pub names: Vec<TargetRef>,
    /// Every running pod matching this label selector (e.g. app=web,tier!=db).
    #[arg(short = 'l', long, value_name = "SELECTOR", help_heading = "Target")]
    pub selector: Option<String>,
    /// Every running pod on this node (with -l: those of them that match).
    #[arg(long, value_name = "NODE", help_heading = "Target")]
    pub node: Option<String>,
    /// With -l or --node: in every namespace.
    #[arg(short = 'A', long, help_heading = "Target")]
    pub all_namespaces: bool,
    /// Several pods: capture at most this many nodes at the same time (the pods of one node go
    /// one after another through that node's one collector).
    #[arg(long, default_value_t = 4, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64), help_heading = "Target")]
    pub parallel: u16,
    /// Only these containers (repeatable; default: all, init and ephemeral included).
    #[arg(short = 'c', long = "container", value_name = "NAME", help_heading = "Target")]
    pub containers: Vec<String>,
    /// Where the bundle goes: a directory (the bundle is DIR/<case-id>/) or s3://bucket/prefix.
    #[arg(long, default_value = "./evidence", value_name = "DIR|s3://BUCKET/PREFIX", help_heading = "Destination")]
    pub dest: Destination,
    /// Also capture memory: `kubelet` (CRIU checkpoint through the kubelet API), `proc` (ELF cores
    /// read from /proc by the agent), `auto` (kubelet where supported, else proc). `--memory` alone = auto.
    #[arg(long, value_enum, num_args = 0..=1, require_equals = true, default_missing_value = "auto", value_name = "MODE", help_heading = "Memory")]
    pub memory: Option<MemoryArg>,
    /// With --memory=proc (or auto falling back to it): also dump read-only mappings of files still on disk.
    #[arg(long, help_heading = "Memory")]
    pub memory_file_mappings: bool,
    /// With --memory=proc: at most this many bytes of memory per container (e.g. 4GiB).
    #[arg(long, value_name = "SIZE", value_parser = crate::app::s3_args::parse_size, help_heading = "Memory")]
    pub memory_max_bytes: Option<u64>,
    /// With --memory=kubelet|auto: how the kubelet is asked. `direct`: by the collector on the node,
    /// with a short-lived token of the kforensic-checkpoint ServiceAccount (nodes/checkpoint only;
    /// see deploy/rbac-checkpoint.yaml). `proxy`: through the API server's node proxy (needs
    /// nodes/proxy). `auto`: direct, else the proxy.
    #[arg(long, value_enum, default_value = "auto", value_name = "PATH", help_heading = "Memory")]
    pub kubelet_path: KubeletPathArg,
    /// With --memory=proc: do not freeze the container while its memory is read (no consistent cut).
    #[arg(long, help_heading = "Memory", conflicts_with = "freeze_pod")]
    pub no_freeze: bool,
    /// Freeze all containers of the pod together (the pod's cgroup) before any of them is
    /// captured and thaw them together afterwards: one consistent cut across the pod (memory,
    /// files, processes). Thawed whatever happens (at the latest after 5 minutes, the freeze limit).
    #[arg(long)]
    pub freeze_pod: bool,
    /// Print the plan (target, containers, memory, collector, destination, expected artifacts) and stop: nothing is created or changed.
    #[arg(long)]
    pub dry_run: bool,
    /// After the volatile state is captured, isolate the pod (deny-all NetworkPolicy + quarantine label).
    #[arg(long)]
    pub isolate: bool,
    /// Collector image (default: the published kforensic image of this version, or $KFORENSIC_IMAGE).
    #[arg(long, value_name = "IMAGE", env = "KFORENSIC_IMAGE", help_heading = "Collector")]
    pub image: Option<String>,
    /// When the node fetches the collector image.
    #[arg(long, value_enum, default_value = "if-not-present", value_name = "POLICY", help_heading = "Collector")]
    pub pull_policy: PullPolicy,
    /// Namespace for the collector pod (created with pod-security `privileged` when missing).
    #[arg(long, default_value = "kforensic", value_name = "NS", help_heading = "Collector")]
    pub collector_namespace: String,
    /// Give up after this long (the collector pod ends itself then too).
    #[arg(long, default_value = "10m", value_parser = parse_duration, value_name = "DURATION")]
    pub timeout: Duration,
    /// Leave the collector pod running afterwards (for debugging).
    #[arg(long, help_heading = "Collector")]
    pub keep_collector: bool,
    /// Include mounted volumes in the root filesystem export.
    #[arg(long)]
    pub include_volumes: bool,
    /// Replace environment values in inspect.json and volatile.json with sha256:<hex> of the
    /// value (names kept), for a responder who must not carry the workload's secrets. Memory
    /// captures still hold them. Default: values kept (they are evidence).
    #[arg(long)]
    pub mask_env: bool,
    /// Do not triage the capture (by default the findings are printed, worst first, and stored
    /// in the bundle as findings.json; see `kforensic triage`).
    #[arg(long)]
    pub no_triage: bool,
    /// Also write the bundle as one .tar next to the directory.
    #[arg(long, help_heading = "Destination")]
    pub archive: bool,
    /// Keep the kubelet's checkpoint archive on the node after it was shipped (default: delete it).
    #[arg(long)]
    pub keep_node_archive: bool,
    /// With --dest s3://: who uploads. `client`: this machine, once the bundle is finished (its
    /// AWS credentials). `node`: the agent on the pod's node, as it captures (the node's
    /// credentials: instance role or --node-credentials-secret); bulk data never crosses the API server.
    #[arg(long, value_enum, default_value = "client", value_name = "WHO", help_heading = "Destination")]
    pub upload_from: UploadFromArg,
    /// With --upload-from node: a Secret in the collector namespace whose keys become the agent's
    /// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION…).
    /// Default: the node's own credentials (instance metadata, reachable as the collector uses the node's network).
    #[arg(long, value_name = "SECRET", help_heading = "Destination")]
    pub node_credentials_secret: Option<String>,
    #[command(flatten)]
    pub s3: crate::app::s3_args::S3UploadArgs,
    #[command(flatten)]
    pub sign: crate::app::sign_args::SignArgs,
    #[command(flatten)]
    pub encrypt: crate::app::encrypt_args::EncryptArgs,
}

impl CheckpointPodArgs {
    /// What to capture.
    pub fn selection(&self) -> Selection {
        Selection {
            refs: self.names.clone(),
            selector: self.selector.clone(),
            node: self.node.clone(),
            all_namespaces: self.all_namespaces,
        }
    }

    /// Flag combinations a capture of several pods cannot take, as one line.
    pub fn check_fleet(&self) -> Result<(), String> {
        if self.upload_from == UploadFromArg::Node {
            return Err(
                "--upload-from node takes one pod: several pods are captured here and uploaded by this machine (drop --upload-from)".into(),
            );
        }
        if self.archive {
            return Err(
                "--archive applies to one pod's bundle: with several pods, drop it (each pod's bundle is a directory in the case)".into()
            );
        }
        Ok(())
    }

    /// Flag combinations that cannot work, as one line for the user.
    pub fn check(&self) -> Result<(), String> {
        if self.all_namespaces && (self.selector.is_none() && self.node.is_none() || !self.names.is_empty()) {
            return Err("-A takes -l SELECTOR or --node NODE, not names: names are looked up in one namespace (-n)".into());
        }
        if self.upload_from == UploadFromArg::Node {
            if let Destination::Local(_) = self.dest {
                return Err(format!(
                    "--upload-from node needs --dest s3://bucket/prefix (got '{}'): the node uploads to S3, not to a local directory",
                    self.dest
                ));
            }
            if self.archive {
                return Err("--archive makes a local .tar of the bundle, which --upload-from node never has: drop one of them".into());
            }
        } else if self.node_credentials_secret.is_some() {
            return Err("--node-credentials-secret only applies with --upload-from node".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KubeletPathArg {
    Proxy,
    Direct,
    Auto,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

impl PullPolicy {
    /// As the Pod spec spells it.
    pub fn as_k8s(self) -> &'static str {
        match self {
            PullPolicy::Always => "Always",
            PullPolicy::IfNotPresent => "IfNotPresent",
            PullPolicy::Never => "Never",
        }
    }
}

/// `--memory`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MemoryArg {
    Auto,
    Kubelet,
    Proc,
}

impl From<MemoryArg> for MemoryMode {
    fn from(m: MemoryArg) -> MemoryMode {
        match m {
            MemoryArg::Auto => MemoryMode::Auto,
            MemoryArg::Kubelet => MemoryMode::Kubelet,
            MemoryArg::Proc => MemoryMode::Proc,
        }
    }
}

/// `--upload-from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UploadFromArg {
    Client,
    Node,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("{e} (examples: 90s, 10m, 1h)"))
}

impl CheckpointPodArgs {
    /// The plain options the checkpoint library takes.
    pub fn options(&self, g: &GlobalArgs) -> Result<Options, Error> {
        self.check().map_err(Error::Usage)?;
        Ok(Options {
            pod: self.selection().single_pod().unwrap_or_default().to_string(),
            containers: self.containers.clone(),
            dest: self.dest.clone(),
            memory: self.memory.map(MemoryMode::from),
            memory_options: MemoryRequest {
                file_mappings: self.memory_file_mappings,
                max_bytes: self.memory_max_bytes,
                freeze: !self.no_freeze,
            },
            isolate: self.isolate,
            image: self.image.clone().unwrap_or_else(checkpoint::plan::default_image),
            pull_policy: self.pull_policy.as_k8s(),
            collector_namespace: self.collector_namespace.clone(),
            timeout: self.timeout,
            keep_collector: self.keep_collector,
            include_volumes: self.include_volumes,
            mask_env: self.mask_env,
            triage: !self.no_triage,
            encrypt_to: self.encrypt.recipients()?,
            keep_node_archive: self.keep_node_archive,
            freeze_pod: self.freeze_pod,
            kubelet_path: match self.kubelet_path {
                KubeletPathArg::Proxy => KubeletPath::Proxy,
                KubeletPathArg::Direct => KubeletPath::Direct,
                KubeletPathArg::Auto => KubeletPath::Auto,
            },
            upload_from: match self.upload_from {
                UploadFromArg::Client => UploadFrom::Client,
                UploadFromArg::Node => UploadFrom::Node,
            },
            node_credentials_secret: self.node_credentials_secret.clone(),
            s3_connect: self.s3.connect.options(),
            s3_upload: self.s3.options(),
            connect: crate::app::connect_options(g)?,
            case_id: g.case_id(),
            finish: crate::evidence::FinishOptions {
                archive: self.archive,
                s3: self.s3.connect.options(),
                upload: self.s3.options(),
                observer: Bars::shared(!g.quiet),
                signer: self.sign.signer()?,
            },
        })
    }
}

/// `kforensic checkpoint pod`: plan, then (unless --dry-run) capture; report and exit code.
pub async fn run(g: &GlobalArgs, a: CheckpointPodArgs) -> Result<Exit, Error> {
    let opts = a.options(g)?;
    if a.selection().single_pod().is_none() {
        return run_fleet(g, &a, opts).await;
    }
    let ctx = crate::cluster::client::connect(&opts.connect).await?;
    // from here on a Ctrl-C / SIGTERM cleans up instead of killing us
    let signals = Signals::install().map_err(|e| Error::Output(std::io::Error::other(format!("cannot install signal handlers: {e}"))))?;
    let plan = checkpoint::resolve(&ctx, &opts).await?;
    if a.dry_run {
        crate::app::output::emit(g.output, &plan).map_err(Error::Output)?;
        return Ok(Exit::Ok);
    }
    let stop = signals.stop_on_signal();
    let report = checkpoint::run(&ctx, &opts, plan, Bars::shared(!g.quiet), stop).await?;
    crate::app::output::emit(g.output, &report).map_err(Error::Output)?;
    if let Some(e) = &report.error {
        // the bundle is on disk and says what is missing; the error is what the user must read
        eprintln!("error: {}", terminal_safe(e));
        eprintln!("partial evidence in {} (manifest complete: false)", report.bundle);
        return Ok(Exit::Failure);
    }
    Ok(if report.complete { Exit::Ok } else { Exit::Partial })
}

/// Several pods (`deploy/NAME`, `-l`, `--node`, several names): one case, a sub-bundle per pod.
async fn run_fleet(g: &GlobalArgs, a: &CheckpointPodArgs, base: Options) -> Result<Exit, Error> {
    a.check_fleet().map_err(Error::Usage)?;
    let opts = FleetOptions { base, selection: a.selection(), parallel: a.parallel as usize };
    let ctx = crate::cluster::client::connect(&opts.base.connect).await?;
    let signals = Signals::install().map_err(|e| Error::Output(std::io::Error::other(format!("cannot install signal handlers: {e}"))))?;
    let plan = checkpoint::fleet::resolve(&ctx, &opts).await?;
    if a.dry_run {
        crate::app::output::emit(g.output, &plan).map_err(Error::Output)?;
        return Ok(Exit::Ok);
    }
    let stop = signals.stop_on_signal();
    let report = checkpoint::fleet::run(&ctx, &opts, plan, Bars::shared(!g.quiet), stop).await?;
    crate::app::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.complete { Exit::Ok } else { Exit::Partial })
}

fn memory_label(m: Option<MemoryMode>) -> &'static str {
    match m {
        None => "no",
        Some(MemoryMode::Auto) => "kubelet, else /proc",
        Some(MemoryMode::Kubelet) => "kubelet",
        Some(MemoryMode::Proc) => "/proc",
    }
}

impl TableView for FleetPlan {
    fn kind(&self) -> &'static str {
        "CheckpointFleetPlan"
    }

    fn table(&self) -> String {
        let mut s = format!(
            "case {} · {} pod(s) on {} node(s), {} node(s) at a time, one collector per node\n",
            self.case_id,
            self.pods.len(),
            self.nodes,
            self.parallel
        );
        let rows = self.pods.iter().map(|p| {
            let mut containers = p.containers.join(",");
            if !p.api_only.is_empty() {
                containers.push_str(&format!(" (API only: {})", p.api_only.join(",")));
            }
            let memory = if p.containers.is_empty() { "-" } else { memory_label(p.memory) };
            let state = match &p.problem {
                Some(why) => format!("✘ {why}"),
                None => p.via.clone(),
            };
            vec![format!("{}/{}", p.namespace, p.pod), p.node.clone(), containers, memory.to_string(), state]
        });
        s.push_str(&format!("{}\n", table(&["POD", "NODE", "CONTAINERS", "MEMORY", "VIA"], rows)));
        s.push_str(&format!("bundle: {} (one sub-bundle per pod under pods/<namespace>/<pod>/)\n", self.destination));
        s.push_str("dry run: nothing was created or changed\n");
        s
    }
}

impl TableView for FleetReport {
    fn kind(&self) -> &'static str {
        "CheckpointFleetReport"
    }

    fn table(&self) -> String {
        let rows = self.pods.iter().map(|p| {
            let state = if p.complete { "✔ complete".to_string() } else { format!("✘ {}", p.error.as_deref().unwrap_or("incomplete")) };
            vec![format!("{}/{}", p.namespace, p.pod), p.node.clone(), p.artifacts.to_string(), format!("{:.1}s", p.seconds), state]
        });
        let mut s = format!("{}\n", table(&["POD", "NODE", "ARTIFACTS", "TIME", "STATE"], rows));
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        let failed: Vec<String> = self.failed().map(|p| format!("{}/{}", p.namespace, p.pod)).collect();
        if failed.is_empty() {
            s.push_str(&format!("✔ complete case {} ({} pods, {:.1}s)\n", self.bundle, self.pods.len(), self.seconds));
        } else {
            s.push_str(&format!(
                "✘ INCOMPLETE case {}: {} of {} pod(s) not captured completely: {}\n",
                self.bundle,
                failed.len(),
                self.pods.len(),
                failed.join(", ")
            ));
        }
        s
    }
}

impl TableView for CheckpointReport {
    fn kind(&self) -> &'static str {
        "CheckpointReport"
    }

    fn table(&self) -> String {
        let rows = self.manifest.artifacts.iter().map(|a| vec![a.spec.path.clone(), human_bytes(a.bytes), a.sha256.clone()]);
        let mut s = format!("{}\n", table(&["ARTIFACT", "SIZE", "SHA-256"], rows));
        for e in &self.manifest.errors {
            s.push_str(&format!("✘ {}\n", e.message));
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        if let Some(t) = &self.triage {
            s.push_str(&triage_summary(t));
        }
        let timing: Vec<String> = self.steps.iter().map(|t| format!("{} {:.1}s", t.step, t.seconds)).collect();
        s.push_str(&format!("time: {}\n", timing.join(", ")));
        s.push_str(&format!(
            "{} bundle {} ({} artifacts){}\n",
            if self.complete { "✔ complete" } else { "✘ INCOMPLETE" },
            self.bundle,
            self.manifest.artifacts.len(),
            if self.complete { "" } else { ": see the errors above and manifest.json" }
        ));
        s
    }
}

/// The top findings of the capture's triage, worst first.
fn triage_summary(t: &crate::triage::TriageReport) -> String {
    const TOP: usize = 10;
    if t.findings.is_empty() {
        return "triage: no findings\n".into();
    }
    let mut s = format!("triage: {} finding(s): {}\n", t.findings.len(), crate::app::triage::counts(&t.findings));
    s.push_str(&crate::app::triage::findings_table(&t.findings[..t.findings.len().min(TOP)]));
    s.push('\n');
    if t.findings.len() > TOP {
        s.push_str(&format!("… {} more in the bundle's findings.json (or: kforensic triage BUNDLE)\n", t.findings.len() - TOP));
    }
    s
}

impl TableView for Plan {
    fn kind(&self) -> &'static str {
        "CheckpointPlan"
    }

    fn table(&self) -> String {
        let mut s = format!("case {} · pod {}/{} on node {}\n", self.case_id, self.namespace, self.pod, self.node);
        let rows = self.containers.iter().map(|c| {
            let memory = match (c.node_side, c.memory) {
                (false, _) => "-".to_string(),
                (true, None) => "no".to_string(),
                (true, Some(MemoryMode::Auto)) => "kubelet, else /proc".to_string(),
                (true, Some(MemoryMode::Kubelet)) => "kubelet".to_string(),
                (true, Some(MemoryMode::Proc)) => "/proc".to_string(),
            };
            let capture = if c.node_side { "node + API" } else { "API only" };
            vec![c.name.clone(), c.kind.to_string(), c.state.to_string(), capture.to_string(), memory]
        });
        s.push_str(&format!("{}\n", table(&["CONTAINER", "KIND", "STATE", "CAPTURE", "MEMORY"], rows)));
        match &self.collector {
            Some(c) => s.push_str(&format!(
                "collector: pod in namespace {} on node {}, image {} ({}){}\n",
                c.namespace,
                c.node,
                c.image,
                c.pull_policy,
                if c.host_network { ", node network" } else { "" }
            )),
            None => s.push_str("collector: none (nothing runs on the node)\n"),
        }
        let who = match self.upload_from {
            UploadFrom::Client => "",
            UploadFrom::Node => " (uploaded from the node)",
        };
        s.push_str(&format!("bundle: {}{who}\n", self.destination));
        if self.freeze_pod {
            s.push_str("freeze: the whole pod, from before the first container's capture until after the last\n");
        }
        if self.isolate {
            s.push_str("then: isolate the pod (deny-all NetworkPolicy + quarantine label)\n");
        }
        s.push_str(&format!("expected artifacts ({}):\n", self.expected.len()));
        for e in &self.expected {
            s.push_str(&format!("  {e}\n"));
        }
        if !self.optional.is_empty() {
            s.push_str(&format!("and, where the container has them: {}\n", self.optional.join(", ")));
        }
        s.push_str("dry run: nothing was created or changed\n");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn every_s3_option_reaches_the_agent_unchanged() {
        let cli = crate::app::Cli::try_parse_from([
            "kforensic",
            "checkpoint",
            "pod",
            "p",
            "--dest",
            "s3://bkt/p",
            "--upload-from",
            "node",
            "--region",
            "eu-west-3",
            "--endpoint-url",
            "https://s3.example.test:9000",
            "--virtual-hosted-style",
            "--sse",
            "aws:kms",
            "--sse-kms-key-id",
            "k-1",
            "--object-lock-mode",
            "COMPLIANCE",
            "--retain-until",
            "2999-01-01T00:00:00Z",
            "--part-size",
            "64MiB",
            "--concurrency",
            "7",
        ])
        .unwrap();
        let crate::app::Command::Checkpoint { target: CheckpointTarget::Pod(a) } = cli.command else { panic!() };
        let dest = a.s3.destination("s3://b/p/case-1");
        let line = crate::protocol::Request::Put(crate::protocol::PutRequest { dest, check: false }).to_line();
        let back = crate::protocol::Request::read_from(&mut std::io::Cursor::new(line.into_bytes())).unwrap();
        let crate::protocol::Request::Put(p) = back else { panic!() };
        assert_eq!(format!("{:?}", p.dest.connect), format!("{:?}", a.s3.connect.options()));
        assert_eq!(format!("{:?}", p.dest.upload), format!("{:?}", a.s3.options()));
        assert_eq!(p.dest.url, "s3://b/p/case-1");
    }

    #[test]
    fn the_agents_memory_options_are_reachable_from_checkpoint() {
        let cli = crate::app::Cli::try_parse_from([
            "kforensic",
            "checkpoint",
            "pod",
            "p",
            "--memory=proc",
            "--memory-max-bytes",
            "2GiB",
            "--no-freeze",
            "--memory-file-mappings",
        ])
        .unwrap();
        let crate::app::Command::Checkpoint { target: CheckpointTarget::Pod(a) } = cli.command else { panic!() };
        let o = a.options(&cli.global).unwrap();
        assert_eq!(o.memory, Some(MemoryMode::Proc));
        assert_eq!(o.memory_options, MemoryRequest { file_mappings: true, max_bytes: Some(2 << 30), freeze: false });
    }
}
