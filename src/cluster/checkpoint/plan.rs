//! The resolved plan of a checkpoint: the target and its containers, the memory decision per
//! container, the collector, the destination and the artifacts the bundle must hold. The same
//! plan drives the run, `checkpoint pod --dry-run` and the manifest's expected list.

/// The triage's findings in the bundle (`checkpoint` without `--no-triage`).
pub const FINDINGS: &str = "findings.json";

use crate::cluster::api_evidence;
use crate::cluster::collector::{self, CollectorSpec};
use crate::cluster::target::{self, Target, TargetContainer};
use crate::cluster::{ClusterCtx, ClusterError, ConnectOptions};
use crate::evidence::s3::{ConnectOptions as S3Connect, UploadOptions};
use crate::evidence::{Destination, FinishOptions, S3Url};
use crate::protocol::{CaptureRequest, ContainerRef, MemoryRequest, Runtime, S3Destination, Step, TargetSpec, layout};
use serde::Serialize;
use std::time::Duration;

/// How memory is captured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MemoryMode {
    /// The kubelet's CRIU checkpoint where the node supports it, else /proc.
    Auto,
    /// Only the kubelet's CRIU checkpoint.
    Kubelet,
    /// ELF cores read from /proc by the agent.
    Proc,
}

/// Who uploads to S3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadFrom {
    /// This machine, once the bundle is finished.
    Client,
    /// The agent on the pod's node, as it captures.
    Node,
}

/// Everything a checkpoint needs to know, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    pub pod: String,
    /// Only these containers (empty: all).
    pub containers: Vec<String>,
    pub dest: Destination,
    pub memory: Option<MemoryMode>,
    /// How the agent reads memory (/proc captures).
    pub memory_options: MemoryRequest,
    pub isolate: bool,
    pub image: String,
    /// `Always` / `IfNotPresent` / `Never`.
    pub pull_policy: &'static str,
    pub collector_namespace: String,
    pub timeout: Duration,
    pub keep_collector: bool,
    pub include_volumes: bool,
    /// Environment values in inspect and volatile state replaced by their SHA-256.
    pub mask_env: bool,
    /// Triage the capture before the bundle is finalized (`findings.json`).
    pub triage: bool,
    /// Seal every artifact to these public recipients, on the node and here (`--encrypt-to`).
    pub encrypt_to: Option<std::sync::Arc<crate::evidence::seal::Recipients>>,
    pub keep_node_archive: bool,
    /// Freeze the whole pod (its cgroup) for the node-side capture of all its containers.
    pub freeze_pod: bool,
    /// How `--memory=kubelet|auto` reaches the kubelet.
    pub kubelet_path: crate::cluster::kubelet::KubeletPath,
    pub upload_from: UploadFrom,
    pub node_credentials_secret: Option<String>,
    pub s3_connect: S3Connect,
    pub s3_upload: UploadOptions,
    /// How this side reached the cluster (for `--isolate`).
    pub connect: ConnectOptions,
    pub case_id: String,
    pub finish: FinishOptions,
}

impl Options {
    /// The bundle's own prefix `url` and how to write there, as the agent takes it.
    pub fn s3_destination(&self, url: &str) -> S3Destination {
        S3Destination { url: url.to_string(), connect: self.s3_connect.clone(), upload: self.s3_upload.clone() }
    }
}

/// What will be done to one container.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedContainer {
    pub name: String,
    pub kind: &'static str,
    pub state: &'static str,
    pub container_id: Option<String>,
    /// Captured from the node (running, with a runtime id); else API-side evidence only.
    pub node_side: bool,
    pub memory: Option<MemoryMode>,
    /// The bundle directory of the container.
    pub dir: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub case_id: String,
    pub namespace: String,
    pub pod: String,
    pub node: String,
    pub containers: Vec<PlannedContainer>,
    /// The collector pod, when anything runs on the node.
    pub collector: Option<CollectorSpec>,
    /// `DIR/<case-id>` or `s3://bucket/prefix/<case-id>`.
    pub destination: String,
    pub upload_from: UploadFrom,
    pub isolate: bool,
    /// The pod is frozen as one (`--freeze-pod`) while its containers are captured.
    pub freeze_pod: bool,
    /// Every artifact the bundle must hold (the manifest's expected list).
    pub expected: Vec<String>,
    /// What the bundle may also hold (node log files, histories, memory): path patterns, `*` = any rest.
    pub optional: Vec<String>,
    /// Node-side steps of every container; memory is added per container once decided.
    pub steps: Vec<Step>,
    #[serde(skip)]
    pub target: Target,
    #[serde(skip)]
    pub(super) node_upload: Option<S3Url>,
}

impl Plan {
    /// The containers captured from the node.
    pub fn node_side(&self) -> impl Iterator<Item = &TargetContainer> {
        self.target.containers.iter().filter(|c| captured_on_node(c))
    }

    /// Where the node uploads (`--upload-from node`) and how.
    pub fn s3_destination(&self, opts: &Options) -> S3Destination {
        opts.s3_destination(&self.node_upload.as_ref().map(|u| u.to_string()).unwrap_or_default())
    }

    /// The agent's request for one container, after the memory decision.
    pub fn capture_request(&self, opts: &Options, tc: &TargetContainer, memory: &MemoryDecision) -> CaptureRequest {
        let t = &self.target;
        let spec = TargetSpec {
            container_id: tc.container_id.clone().unwrap_or_default(),
            namespace: Some(t.namespace.clone()),
            pod: Some(t.pod.clone()),
            pod_uid: Some(t.pod_uid.clone()),
            container: Some(tc.name.clone()),
            checkpoint_archive: match memory {
                MemoryDecision::Archive(p) => Some(p.clone()),
                _ => None,
            },
        };
        let mut steps = self.steps.clone();
        if matches!(memory, MemoryDecision::Proc) {
            // memory before the logs and histories, as the agent has always ordered it
            steps.insert(4.min(steps.len()), Step::Memory);
        }
        let mut req = CaptureRequest::new(vec![spec], steps);
        req.include_volumes = opts.include_volumes;
        req.mask_env = opts.mask_env;
        req.encrypt_to = opts.encrypt_to.as_ref().map(|r| r.as_strings().to_vec()).unwrap_or_default();
        req.memory = opts.memory_options.clone();
        req.upload = self.node_upload.as_ref().map(|_| self.s3_destination(opts));
        req.keep_checkpoint_archive = opts.keep_node_archive;
        req
    }
}

/// What happens to one container's memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryDecision {
    /// No memory asked for.
    None,
    /// The kubelet made a CRIU checkpoint: the agent ships this archive.
    Archive(String),
    /// The agent reads memory from /proc (ELF cores).
    Proc,
    /// Asked for, not possible: why.
    Unavailable(String),
}

fn captured_on_node(c: &TargetContainer) -> bool {
    c.running() && c.container_id.is_some()
}

/// `pods/<ns>/<pod>/<container>/`
pub fn container_dir(t: &Target, c: &TargetContainer) -> String {
    layout::container_dir(&t.namespace, &t.pod, &c.name)
}

/// Resolve the target and everything that follows from it. Reads the pod; changes nothing.
pub async fn resolve(ctx: &ClusterCtx, opts: &Options) -> Result<Plan, ClusterError> {
    let t = target::resolve(&ctx.client, &ctx.namespace, &opts.pod, &opts.containers).await?;
    Ok(plan_for(t, opts))
}

/// The plan for a resolved target.
pub fn plan_for(t: Target, opts: &Options) -> Plan {
    let node_upload = match (&opts.dest, opts.upload_from) {
        (Destination::S3(url), UploadFrom::Node) => Some(url.for_case(&opts.case_id)),
        _ => None,
    };
    let steps = Step::ALL.to_vec();
    let mut expected = api_evidence::planned(&t);
    let mut optional = Vec::new();
    let mut containers = Vec::new();
    for c in &t.containers {
        let node_side = captured_on_node(c);
        if node_side {
            let dir = container_dir(&t, c);
            let runtime = c.container_id.as_deref().and_then(|id| ContainerRef::parse(id).ok()).map_or(Runtime::Unknown, |r| r.runtime);
            expected.extend(layout::expected_artifacts(&steps, runtime).iter().map(|f| format!("{dir}{f}")));
            optional.extend(layout::optional_artifacts(&steps, opts.memory.is_some()).iter().map(|f| format!("{dir}{f}")));
        }
        containers.push(PlannedContainer {
            name: c.name.clone(),
            kind: c.kind,
            state: c.state,
            container_id: c.container_id.clone(),
            node_side,
            memory: if node_side { opts.memory } else { None },
            dir: container_dir(&t, c),
        });
    }
    if opts.isolate {
        expected.push("cluster/isolation.json".into());
    }
    let any_node_side = containers.iter().any(|c| c.node_side);
    let freeze_pod = opts.freeze_pod && any_node_side;
    if freeze_pod {
        expected.push(format!("{}{}", layout::pod_dir(&t.namespace, &t.pod), layout::POD_FREEZE));
    }
    if opts.triage && any_node_side && node_upload.is_none() {
        expected.push(FINDINGS.into());
    }
    let collector = (any_node_side || node_upload.is_some()).then(|| CollectorSpec {
        namespace: opts.collector_namespace.clone(),
        node: t.node.clone(),
        image: opts.image.clone(),
        pull_policy: opts.pull_policy,
        case_id: opts.case_id.clone(),
        deadline: opts.timeout + Duration::from_secs(60),
        host_network: node_upload.is_some(),
        env_secret: opts.node_credentials_secret.clone(),
        // the node upload's part buffers: at most `concurrency` in flight plus the one filling
        extra_memory: if node_upload.is_some() { (opts.s3_upload.concurrency as u64 + 1) * opts.s3_upload.part_size } else { 0 },
        // set when the run finds the direct kubelet path's account (see `node_side`)
        service_account: None,
    });
    let destination = match &opts.dest {
        Destination::S3(url) => url.for_case(&opts.case_id).to_string(),
        d => d.staging_dir().join(&opts.case_id).display().to_string(),
    };
    Plan {
        case_id: opts.case_id.clone(),
        namespace: t.namespace.clone(),
        pod: t.pod.clone(),
        node: t.node.clone(),
        containers,
        collector,
        destination,
        upload_from: opts.upload_from,
        isolate: opts.isolate,
        freeze_pod,
        expected,
        optional,
        steps,
        target: t,
        node_upload,
    }
}

/// The collector image published for this version (or `$KFORENSIC_IMAGE`).
pub fn default_image() -> String {
    collector::default_image()
}
