//! What the API side asks of the agent: one JSON document, the first line of the agent's stdin
//! (`kforensic agent run`). Anything after that line belongs to the request (`put` reads an
//! evidence stream there).

use super::{ProtocolError, Step, TargetSpec};
use crate::evidence::s3::{ConnectOptions, UploadOptions};
use serde::{Deserialize, Serialize};
use std::io::BufRead;

/// The largest request document the agent reads.
pub const MAX_REQUEST_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Request {
    /// Capture containers; the evidence stream goes to stdout, events to stderr.
    Capture(CaptureRequest),
    /// Is there room on the node for a kubelet checkpoint of this container? Replies with a
    /// [`SpaceReport`](crate::protocol::SpaceReport) on stdout.
    NodeSpace { container: String, dir: String },
    /// Remove a kubelet checkpoint archive once it was shipped.
    RemoveArchive { container: String, path: String },
    /// The API side is about to ask the kubelet for a checkpoint of this container: record it in
    /// the collector's ledger, so that the archive is removed from the node even if the client
    /// abandons it (`agent::kubelet_archives`).
    ExpectArchive { namespace: String, pod: String, container_name: String, dir: String },
    /// Thaw a cgroup an agent froze (cleanup after an agent died).
    Thaw { cgroup: String },
    /// Freeze every container of a pod together (the pod's cgroup) and hold the freeze while
    /// the API side captures them: see [`FreezePodRequest`].
    FreezePod(FreezePodRequest),
    /// Ask the node's kubelet for a checkpoint, from the node's network namespace, with a
    /// short-lived token (`--kubelet-path direct`): replies with a [`KubeletReply`].
    KubeletCheckpoint(KubeletCheckpointRequest),
    /// Upload an evidence stream read from stdin (after this line) to S3 with the node's
    /// credentials; the records of what was stored go back as an evidence stream on stdout.
    Put(PutRequest),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaptureRequest {
    pub targets: Vec<TargetSpec>,
    #[serde(default = "default_steps")]
    pub steps: Vec<Step>,
    /// Include mounted volumes in the export.
    #[serde(default)]
    pub include_volumes: bool,
    /// Replace environment values in inspect and volatile state with `sha256:<hex>`.
    #[serde(default)]
    pub mask_env: bool,
    #[serde(default)]
    pub memory: MemoryRequest,
    /// Seal every artifact with age to these PUBLIC recipients (`age1…`, `ssh-ed25519 …`,
    /// `ssh-rsa …`) as it is produced, stored as `NAME.age` (see `evidence::seal`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub encrypt_to: Vec<String>,
    /// Upload every artifact from the node straight to S3; the stream then carries only records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload: Option<S3Destination>,
    #[serde(default)]
    pub node: NodeOptions,
    /// Leave a shipped kubelet checkpoint archive on the node (`--keep-node-archive`); by default
    /// the agent removes it once read, shipped or not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub keep_checkpoint_archive: bool,
}

fn default_steps() -> Vec<Step> {
    Step::ALL.to_vec()
}

impl CaptureRequest {
    pub fn new(targets: Vec<TargetSpec>, steps: Vec<Step>) -> CaptureRequest {
        CaptureRequest {
            targets,
            steps,
            include_volumes: false,
            mask_env: false,
            memory: Default::default(),
            encrypt_to: vec![],
            upload: None,
            node: Default::default(),
            keep_checkpoint_archive: false,
        }
    }
}

/// How the `memory` step reads process memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryRequest {
    /// Also dump read-only mappings of files still on disk.
    #[serde(default)]
    pub file_mappings: bool,
    /// At most this many bytes of memory per container.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u64>,
    /// Freeze the container while its memory is read (a consistent cut).
    #[serde(default = "yes")]
    pub freeze: bool,
}

fn yes() -> bool {
    true
}

impl Default for MemoryRequest {
    fn default() -> Self {
        MemoryRequest { file_mappings: false, max_bytes: None, freeze: true }
    }
}

/// Where on the node things are (defaults fit a kubelet node).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeOptions {
    /// Docker Engine socket for docker:// containers (`unix:///path`); default: $DOCKER_HOST.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub docker_host: Option<String>,
    /// Extra runc state roots (host paths) to find `state.json` in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runc_roots: Vec<String>,
    /// The kubelet's pod log directory (host path).
    #[serde(default = "default_pod_log_dir")]
    pub pod_log_dir: String,
    /// The kubelet's checkpoint directory (host path): the only place an archive is shipped from.
    #[serde(default = "default_checkpoint_dir")]
    pub kubelet_checkpoint_dir: String,
}

fn default_checkpoint_dir() -> String {
    super::layout::KUBELET_CHECKPOINT_DIR.into()
}

pub const DEFAULT_POD_LOG_DIR: &str = "/var/log/pods";

fn default_pod_log_dir() -> String {
    DEFAULT_POD_LOG_DIR.into()
}

impl Default for NodeOptions {
    fn default() -> Self {
        NodeOptions {
            docker_host: None,
            runc_roots: vec![],
            pod_log_dir: default_pod_log_dir(),
            kubelet_checkpoint_dir: default_checkpoint_dir(),
        }
    }
}

/// A bundle's own prefix in S3 (`s3://bucket/prefix/<case-id>`) and how to write there.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct S3Destination {
    pub url: String,
    #[serde(default)]
    pub connect: ConnectOptions,
    #[serde(default)]
    pub upload: UploadOptions,
}

/// `--freeze-pod`: the agent freezes the cgroup of the pod that `container` belongs to (checked
/// against `pod_uid`), announces it ([`Event::Frozen`](super::Event::Frozen)) and holds it until a
/// [`THAW_LINE`] on its stdin, the end of its stdin (the API side is gone), or `max_seconds`;
/// then it thaws ([`Event::Thawed`](super::Event::Thawed)) and replies with what happened.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FreezePodRequest {
    /// One running container of the pod (`containerd://…`, `docker://…`, `cri-o://…`).
    pub container: String,
    pub pod_uid: String,
    pub max_seconds: u64,
}

/// The kubelet's checkpoint endpoint, called by the agent (see `agent::kubelet_call`).
#[derive(Clone, Serialize, Deserialize)]
pub struct KubeletCheckpointRequest {
    /// The container to checkpoint (`containerd://…`): its runtime shim gives the node's network
    /// namespace the kubelet is called in.
    pub container: String,
    /// `host:port` to try in order: the node's loopback, its InternalIP, its Hostname, each with
    /// the kubelet's port from the node's status.
    pub endpoints: Vec<String>,
    /// The name the kubelet's serving certificate should carry (the node's name).
    pub server_name: String,
    /// The cluster CA certificates (base64 DER) the kubelet's certificate is checked against.
    pub ca_der: Vec<String>,
    /// A ServiceAccount token bound to the collector pod, minutes long (TokenRequest); only here,
    /// never in the pod's spec or environment.
    pub token: String,
    /// `/checkpoint/<ns>/<pod>/<container>?timeout=<s>`
    pub path: String,
    pub timeout_seconds: u64,
}

impl std::fmt::Debug for KubeletCheckpointRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KubeletCheckpointRequest")
            .field("endpoints", &self.endpoints)
            .field("server_name", &self.server_name)
            .field("path", &self.path)
            .field("token", &"<redacted>")
            .finish()
    }
}

/// The kubelet's answer as the agent got it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KubeletReply {
    pub endpoint: String,
    pub status: u16,
    pub body: String,
    /// What was (or could not be) checked of the kubelet's certificate.
    pub tls: String,
}

/// What the API side writes on a pod freezer's stdin to end the freeze.
pub const THAW_LINE: &str = "thaw";

/// The agent's reply to [`Request::FreezePod`] once the pod is thawed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PodFreezeReport {
    /// The pod's cgroup (as the agent reached it).
    pub cgroup: String,
    /// `v1` (freezer.state) or `v2` (cgroup.freeze).
    pub kind: String,
    /// How long the pod stayed frozen.
    pub frozen_ms: u64,
    /// What ended the freeze: `thaw` (asked), `stdin closed` (the API side went away) or
    /// `deadline` (held longer than allowed: what was captured after it is no consistent cut).
    pub ended_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PutRequest {
    pub dest: S3Destination,
    /// Only check that the bucket can be reached; upload nothing.
    #[serde(default)]
    pub check: bool,
}

impl Request {
    /// The request as the one line the agent reads.
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Read the request line (at most [`MAX_REQUEST_BYTES`]); the reader stays positioned after it.
    pub fn read_from(r: &mut dyn BufRead) -> Result<Request, ProtocolError> {
        let mut line = Vec::new();
        let mut limited = std::io::Read::take(&mut *r, MAX_REQUEST_BYTES + 1);
        let n = limited.read_until(b'\n', &mut line).map_err(|e| ProtocolError::BadRequest(format!("cannot read it: {e}")))?;
        if n == 0 {
            return Err(ProtocolError::BadRequest("nothing on stdin".into()));
        }
        if line.last() != Some(&b'\n') && n as u64 > MAX_REQUEST_BYTES {
            return Err(ProtocolError::BadRequest(format!("longer than {MAX_REQUEST_BYTES} bytes")));
        }
        let req: Request = serde_json::from_slice(&line).map_err(|e| ProtocolError::BadRequest(e.to_string()))?;
        if let Request::Capture(c) = &req {
            for t in &c.targets {
                t.validate()?;
            }
        }
        Ok(req)
    }
}

/// The agent's answer to [`Request::NodeSpace`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpaceReport {
    pub dir: String,
    pub needed_bytes: u64,
    pub available_bytes: u64,
    pub ok: bool,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capture_request_round_trips_and_leaves_the_rest_of_stdin() {
        let t = TargetSpec { container_id: "containerd://abc".into(), namespace: Some("ns".into()), ..Default::default() };
        let mut c = CaptureRequest::new(vec![t], vec![Step::Inspect, Step::Memory]);
        c.memory.max_bytes = Some(1 << 30);
        let line = Request::Capture(c).to_line();
        let mut input = std::io::Cursor::new(format!("{line}REST").into_bytes());
        let Request::Capture(back) = Request::read_from(&mut input).unwrap() else { panic!() };
        assert_eq!(back.steps, [Step::Inspect, Step::Memory]);
        assert_eq!(back.memory.max_bytes, Some(1 << 30));
        assert!(back.memory.freeze);
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut input, &mut rest).unwrap();
        assert_eq!(rest, "REST");
    }

    #[test]
    fn defaults_fill_a_minimal_document_and_hostile_targets_are_refused() {
        let mut r = std::io::Cursor::new(br#"{"op":"capture","targets":[{"container_id":"containerd://a"}]}"#.to_vec());
        let Request::Capture(c) = Request::read_from(&mut r).unwrap() else { panic!() };
        assert_eq!(c.steps, Step::ALL.to_vec());
        assert_eq!(c.node.pod_log_dir, DEFAULT_POD_LOG_DIR);
        let mut r =
            std::io::Cursor::new(br#"{"op":"capture","targets":[{"container_id":"containerd://a","container":"../../etc"}]}"#.to_vec());
        assert!(matches!(Request::read_from(&mut r), Err(ProtocolError::BadTarget(_))));
        for bad in [&b""[..], b"{", b"{\"op\":\"format-disk\"}\n"] {
            assert!(matches!(Request::read_from(&mut std::io::Cursor::new(bad.to_vec())), Err(ProtocolError::BadRequest(_))));
        }
    }
}
