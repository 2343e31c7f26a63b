//! The end of a checkpoint: `--isolate` once the capture is safe, then the bundle finalized —
//! here (and uploaded by this machine for `--dest s3://`), or shipped by the node's agent
//! (`--upload-from node`), or kept here when the node never could.

use super::plan::Options;
use crate::cluster::collector::Collector;
use crate::cluster::target::Target;
use crate::cluster::{ClusterCtx, ClusterError, node_upload};
use crate::evidence::{ArtifactSink, DirBundle, Manifest, S3Url};
use crate::observe::{SharedObserver, Stop};

/// `--isolate` after the capture: the pod isolated with the same case id, the record in the bundle.
pub(super) async fn isolate_after(
    ctx: &ClusterCtx,
    opts: &Options,
    t: &Target,
    bundle: &mut DirBundle,
    notes: &mut Vec<String>,
    obs: &SharedObserver,
) -> Result<(), ClusterError> {
    let iso = crate::cluster::isolate::IsolateOptions {
        pod: t.pod.clone(),
        case_id: opts.case_id.clone(),
        case_id_given: true,
        cordon: false,
        detach: false,
        allow_dns: false,
        dry_run: false,
        connect: opts.connect.clone(),
    };
    match crate::cluster::isolate::isolate(ctx, &iso).await {
        Ok(report) => {
            let spec = crate::evidence::ArtifactSpec::new("cluster/isolation.json", "application/json", "api");
            bundle.put(&spec, &mut |w: &mut dyn std::io::Write| {
                serde_json::to_writer_pretty(&mut *w, &report).map_err(std::io::Error::other)
            })?;
            notes.push(format!("pod isolated (case {}): undo with `kforensic release pod {} -n {}`", opts.case_id, t.pod, t.namespace));
        }
        Err(e) => {
            obs.warn(&format!("--isolate failed: {e}"));
            bundle.error(None, &format!("--isolate failed: {e}"))?;
        }
    }
    Ok(())
}

/// Triage what was captured, before the bundle is finalized: `findings.json`, hashed and in the
/// manifest like every artifact. Only where the artifacts are local: with `--upload-from node`
/// they are in S3 already, and this says so.
pub(super) async fn triage_into(
    bundle: &mut DirBundle,
    node_upload: bool,
    notes: &mut Vec<String>,
    obs: &SharedObserver,
) -> Result<Option<crate::triage::TriageReport>, ClusterError> {
    if node_upload {
        notes.push(
            "triage skipped: with --upload-from node the container artifacts are in S3, not here (run `kforensic triage` on a copy)".into(),
        );
        return Ok(None);
    }
    let opts = crate::triage::Options::new(bundle.dir());
    obs.note("triage: looking for signs of intrusion in the capture");
    let r = tokio::task::spawn_blocking(move || crate::triage::run(&opts)).await;
    let report = match r {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            obs.warn(&format!("triage failed: {e}"));
            bundle.error(Some(super::plan::FINDINGS), &format!("triage failed: {e}"))?;
            return Ok(None);
        }
        Err(e) => {
            bundle.error(Some(super::plan::FINDINGS), &format!("triage failed: {e}"))?;
            return Ok(None);
        }
    };
    let spec = crate::evidence::ArtifactSpec::new(super::plan::FINDINGS, "application/json", "triage");
    bundle.put(&spec, &mut |w: &mut dyn std::io::Write| serde_json::to_writer_pretty(&mut *w, &report).map_err(std::io::Error::other))?;
    Ok(Some(report))
}

/// Where the bundle goes and who finishes it.
pub(super) struct Ends<'a> {
    pub opts: &'a Options,
    /// `--upload-from node`: the bundle's prefix.
    pub node_upload: Option<&'a S3Url>,
    /// The collector still running for the node to finish the upload.
    pub put_via: Option<&'a Collector>,
    pub obs: &'a SharedObserver,
}

/// Finalize the bundle: (manifest, where the bundle is, the fatal error if any).
pub(super) async fn finish(
    ends: Ends<'_>,
    bundle: DirBundle,
    stop: &Stop,
    notes: &mut Vec<String>,
    fatal: Option<ClusterError>,
) -> Result<(Manifest, String, Option<ClusterError>), ClusterError> {
    let (opts, obs) = (ends.opts, ends.obs);
    Ok(match (ends.node_upload, ends.put_via) {
        (Some(url), Some(c)) => {
            obs.note(&format!("the node uploads the API-side evidence and the manifest to {url}"));
            let dest = opts.s3_destination(&url.to_string());
            let shipped = tokio::select! {
                r = node_upload::finish(bundle, c, &dest, opts.finish.signer.as_ref()) => r?,
                why = stop.stopped() => {
                    obs.warn(&format!("{why} while the node was finishing the upload"));
                    return Err(ClusterError::Collector(format!(
                        "interrupted: {url} has no manifest (incomplete); the API-side evidence is in ./{}/{}",
                        crate::evidence::destination::DEFAULT_DIR,
                        opts.case_id
                    )));
                }
            };
            match shipped {
                Ok(s) => (s.manifest, s.location, fatal),
                Err(n) => {
                    let e = ClusterError::Collector(format!(
                        "the node could not finish the bundle in {url}: {}; what it stored has no manifest there, the API-side evidence and the manifest are in {} (to finish it with this machine's credentials: kforensic upload {} {})",
                        n.why,
                        n.dir.display(),
                        n.dir.display(),
                        opts.dest
                    ));
                    (n.manifest, n.dir.display().to_string(), fatal.or(Some(e)))
                }
            }
        }
        (Some(url), None) => {
            // stopped, or no collector ever ran: the local part is all this side can keep
            let dir = bundle.dir().display().to_string();
            let m = bundle.finalize()?;
            if m.artifacts.iter().any(|r| r.spec.source == "agent") {
                notes.push(format!("artifacts the node uploaded are in {url} (no manifest there); this side's part is in {dir}"));
            }
            (m, dir, fatal)
        }
        (None, _) => {
            let finished = crate::evidence::finish_unless_stopped(bundle, &opts.dest, &opts.finish, stop).await?;
            (finished.manifest, finished.dir.display().to_string(), fatal)
        }
    })
}
