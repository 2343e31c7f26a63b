//! `checkpoint --upload-from node`, the CLI's half: the agent in the collector pod writes to S3
//! with the node's credentials; this side only orchestrates. Before any capture the agent proves
//! it can reach the bucket; at the end the CLI's own part of the bundle (API-side artifacts,
//! custody log, manifest — in that order) is streamed into `kforensic agent put` through the
//! exec's stdin, and every record the agent sends back is checked against what was sent.

use super::ClusterError;
use super::collector::Collector;
use crate::evidence::manifest::{CUSTODY, MANIFEST};
use crate::evidence::stream::{self, StreamSink};
use crate::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, DirBundle, EvidenceError, Manifest};
use crate::protocol::{PutRequest, Request, S3Destination};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use tokio::io::AsyncReadExt;

/// Can the agent write to the bucket with the node's credentials? One line when not.
pub async fn check(c: &Collector, dest: &S3Destination) -> Result<(), ClusterError> {
    let (ok, _, why) = c.call(&Request::Put(PutRequest { dest: dest.clone(), check: true })).await;
    if ok {
        return Ok(());
    }
    let why = why.strip_prefix("error: ").unwrap_or(&why).to_string();
    Err(ClusterError::Collector(format!(
        "the node cannot upload to {}: {why} (node credentials: the instance role, or --node-credentials-secret)",
        dest.url
    )))
}

/// What the agent sent back: the records of what it stored, and its errors.
#[derive(Default)]
struct Receipts {
    stored: BTreeMap<String, (ArtifactRecord, String)>,
    errors: Vec<String>,
}

impl ArtifactSink for Receipts {
    fn put(&mut self, spec: &ArtifactSpec, _: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> Result<ArtifactRecord, EvidenceError> {
        Err(EvidenceError::Usage(format!("{}: the agent sent bytes where a record was expected", spec.path)))
    }
    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors.push(match path {
            Some(p) if !message.contains(p) => format!("{p}: {message}"),
            _ => message.to_string(),
        });
        Ok(())
    }
    fn stored(&mut self, r: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.stored.insert(r.spec.path.clone(), (r.clone(), location.to_string()));
        Ok(())
    }
}

/// The bundle once it is in S3.
pub struct Shipped {
    pub manifest: Manifest,
    pub location: String,
}

/// Why the node could not finish the bundle; the local part stays in `dir`.
pub struct NotShipped {
    pub manifest: Manifest,
    pub dir: PathBuf,
    pub why: String,
}

/// Finalize `bundle` here (manifest last) and have the agent upload this side's part of it.
/// On success the local staging copy is removed: the bundle is the one in S3.
pub async fn finish(
    bundle: DirBundle,
    c: &Collector,
    dest: &S3Destination,
    signer: Option<&crate::evidence::sign::Signer>,
) -> Result<Result<Shipped, NotShipped>, EvidenceError> {
    let dir = bundle.dir().to_path_buf();
    let local: Vec<ArtifactRecord> = bundle.artifacts().iter().filter(|r| !bundle.is_remote(&r.spec.path)).cloned().collect();
    let manifest = bundle.finalize()?;
    // signed here, on the responder's machine: the node only carries the signatures
    if let Some(s) = signer {
        s.sign_bundle(&dir)?;
    }
    let why = match put(c, dest, &dir, &local).await {
        Ok(()) => {
            if let Err(e) = std::fs::remove_dir_all(&dir) {
                tracing::warn!("could not remove the local staging copy {}: {e}", dir.display());
            }
            // and the staging directory itself when this left it empty
            if let Some(parent) = dir.parent() {
                let _ = std::fs::remove_dir(parent);
            }
            return Ok(Ok(Shipped { manifest, location: dest.url.clone() }));
        }
        Err(why) => why,
    };
    Ok(Err(NotShipped { manifest, dir, why }))
}

/// Stream the local files into `agent put` and check each receipt.
async fn put(c: &Collector, dest: &S3Destination, dir: &Path, local: &[ArtifactRecord]) -> Result<(), String> {
    let req = Request::Put(PutRequest { dest: dest.clone(), check: false });
    let (mut proc, stdin) = c.request(&req).await.map_err(|e| e.to_string())?;
    let stdout = proc.stdout().ok_or("exec gave no stdout")?;
    let stderr = proc.stderr().ok_or("exec gave no stderr")?;
    let status = proc.take_status();

    // what is sent: the API-side artifacts, then the custody log, the manifest last
    let mut sends: Vec<(ArtifactSpec, PathBuf)> = local.iter().map(|r| (r.spec.clone(), dir.join(&r.spec.path))).collect();
    sends.push((ArtifactSpec::new(CUSTODY, "application/x-ndjson", "cli"), dir.join(CUSTODY)));
    for sig in [crate::evidence::sign::MANIFEST_SIG, crate::evidence::sign::CUSTODY_SIG] {
        if dir.join(sig).is_file() {
            sends.push((ArtifactSpec::new(sig, "text/plain", "cli"), dir.join(sig)));
        }
    }
    sends.push((ArtifactSpec::new(MANIFEST, "application/json", "cli"), dir.join(MANIFEST)));
    let writer = tokio::task::spawn_blocking(move || {
        let mut bridge = tokio_util::io::SyncIoBridge::new(stdin);
        let sent = send(&mut bridge, &sends);
        (sent, bridge) // stdin stays open until the reply has ended
    });
    let reader = tokio::task::spawn_blocking(move || {
        let mut r = tokio_util::io::SyncIoBridge::new(stdout);
        let mut receipts = Receipts::default();
        let rep = stream::receive(&mut r, &mut receipts);
        (rep, receipts)
    });
    let err_lines = async {
        let mut s = String::new();
        let mut se = stderr;
        let _ = se.read_to_string(&mut s).await;
        s
    };
    let (written, (rep, receipts), err_text) = {
        let (w, r, e) = tokio::join!(writer, reader, err_lines);
        (w.map_err(|e| e.to_string())?, r.map_err(|e| e.to_string())?, e)
    };
    let (sent, bridge) = written;
    drop(bridge);
    let status = match status {
        Some(s) => s.await,
        None => None,
    };
    let _ = proc.join().await;
    let agent_said = err_text.lines().rev().find(|l| !l.trim().is_empty()).map(|l| format!(" (agent: {})", l.trim())).unwrap_or_default();
    let sent = sent.map_err(|e| format!("sending to the agent failed: {e}{agent_said}"))?;
    for r in local {
        if sent.get(&r.spec.path).is_none_or(|(_, sha)| !sha.eq_ignore_ascii_case(&r.sha256)) {
            return Err(format!("{} changed on this machine after it was captured: not sent", r.spec.path));
        }
    }
    let rep = rep.map_err(|e| format!("{e}{agent_said}"))?;
    if let Some(first) = receipts.errors.first() {
        return Err(format!("{} object(s) not stored: {first}", receipts.errors.len()));
    }
    for (path, (bytes, sha)) in &sent {
        match receipts.stored.get(path) {
            Some((r, _)) if r.bytes == *bytes && r.sha256.eq_ignore_ascii_case(sha) => {}
            Some((r, loc)) => {
                return Err(format!(
                    "{loc}: the node stored {} bytes with sha256 {}, {bytes} bytes with sha256 {sha} were sent",
                    r.bytes, r.sha256
                ));
            }
            None => return Err(format!("{path}: the agent did not confirm it{agent_said}")),
        }
    }
    if status.and_then(|s| s.status).as_deref() != Some("Success") || !rep.complete() {
        return Err(format!("the agent's upload ended badly{agent_said}"));
    }
    Ok(())
}

/// Write the files as an evidence stream: (path → (bytes, sha256)) of what was sent.
fn send(out: &mut (dyn Write + Send), files: &[(ArtifactSpec, PathBuf)]) -> Result<BTreeMap<String, (u64, String)>, EvidenceError> {
    let mut sink = StreamSink::new(io::BufWriter::with_capacity(256 << 10, out))?;
    let mut sent = BTreeMap::new();
    for (spec, path) in files {
        let rec = sink.put(spec, &mut |w| {
            let mut f = std::fs::File::open(path)?;
            io::copy(&mut f, w).map(|_| ())
        })?;
        sent.insert(rec.spec.path.clone(), (rec.bytes, rec.sha256));
    }
    let mut w = sink.finish()?;
    w.flush()?;
    Ok(sent)
}
