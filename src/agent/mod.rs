//! Node side: find a container, capture inspect / diff / export / volatile state. Never talks to the Kubernetes API.
//!
//! `kforensic agent capture` runs in the collector pod (hostPID, privileged) or as root on a node;
//! every artifact goes through an [`ArtifactSink`](crate::evidence::ArtifactSink): a directory
//! (`--out`) or the framed stream on stdout (`--stream`, read by the CLI with
//! [`evidence::stream::receive`](crate::evidence::stream::receive)).

pub mod capture;
pub mod diff;
pub mod docker;
mod error;
pub mod export;
pub mod inspect;
pub mod locate;
pub mod memory;
pub mod node_files;
pub mod proc;
pub mod procfs;
pub mod safefs;
pub mod sinks;
pub mod sockets;
pub mod target;
pub mod tarwriter;
pub mod upload;
pub mod volatile;
pub mod walk;

pub use error::AgentError;

use crate::cli::agent::{AgentArgs, AgentCommand, CaptureArgs};
use crate::{Error, Exit};
use capture::CaptureOptions;
use target::TargetSpec;

/// Resolve `agent capture` arguments into options (targets from flags and/or a JSON list).
pub fn options(a: &CaptureArgs, quiet: bool) -> Result<CaptureOptions, AgentError> {
    let mut targets = Vec::new();
    let single = a.pod_namespace.is_some() || a.pod_name.is_some() || a.pod_uid.is_some() || a.container_name.is_some() || a.checkpoint_archive.is_some();
    if single && a.container.len() != 1 {
        return Err(AgentError::BadTarget(
            "--pod-namespace, --pod-name, --pod-uid, --container-name and --checkpoint-archive describe ONE --container: give exactly one, or use --targets".into(),
        ));
    }
    for c in &a.container {
        targets.push(TargetSpec {
            container_id: c.clone(),
            namespace: a.pod_namespace.clone(),
            pod: a.pod_name.clone(),
            pod_uid: a.pod_uid.clone(),
            container: a.container_name.clone(),
            checkpoint_archive: a.checkpoint_archive.clone(),
        });
    }
    if let Some(p) = &a.targets {
        let text = if p.as_os_str() == "-" {
            let mut s = String::new();
            let r = std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map(|_| s);
            if let Ok(s) = &r {
                // a receiver that stays silent after stdin EOF can lose its stdin (exec quirk): answer
                let sha = hex::encode(crate::evidence::hash::Sha256::digest(s.as_bytes()));
                eprintln!("{}", serde_json::json!({"stdin": {"bytes": s.len(), "sha256": sha}}));
            }
            r
        } else {
            std::fs::read_to_string(p)
        }
        .map_err(|e| AgentError::TargetList { path: p.display().to_string(), reason: e.to_string() })?;
        let list: Vec<TargetSpec> = serde_json::from_str(&text)
            .map_err(|e| AgentError::TargetList { path: p.display().to_string(), reason: format!("not a JSON target list: {e}") })?;
        targets.extend(list);
    }
    if let Some(text) = &a.targets_json {
        let list: Vec<TargetSpec> = serde_json::from_str(text)
            .map_err(|e| AgentError::TargetList { path: "--targets-json".into(), reason: format!("not a JSON target list: {e}") })?;
        targets.extend(list);
    }
    for t in &targets {
        t.validate()?;
    }
    let mut steps = a.steps.clone();
    steps.dedup();
    Ok(CaptureOptions {
        targets,
        steps,
        include_volumes: a.include_volumes,
        docker_host: a.docker_host.clone(),
        memory: memory::capture::MemoryCaptureOptions {
            core: memory::core::CoreOptions { include_file_mappings: a.memory_file_mappings, ..Default::default() },
            freeze: !a.no_freeze,
            byte_cap: a.memory_max_bytes,
            ..Default::default()
        },
        runc_roots: a.runc_root.clone(),
        pod_log_dir: a.pod_log_dir.clone(),
        quiet,
    })
}

pub async fn run(a: AgentArgs, quiet: bool) -> Result<Exit, Error> {
    match a.command {
        AgentCommand::Hold(h) => {
            // PID 1 of the collector pod: end on SIGTERM/SIGINT or at the deadline
            let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).map_err(AgentError::Io)?;
            tokio::select! {
                _ = tokio::time::sleep(std::time::Duration::from_secs(h.seconds)) => {}
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            Ok(Exit::Ok)
        }
        AgentCommand::NodeSpace(n) => {
            let rep = node_files::space(&n.container, &n.dir)?;
            crate::cli::output::emit(crate::cli::OutputFormat::Json, &Json(&rep)).map_err(Error::Output)?;
            Ok(if rep.ok { Exit::Ok } else { Exit::Failure })
        }
        AgentCommand::RemoveArchive(r) => {
            node_files::remove_archive(&r.container, &r.path)?;
            Ok(Exit::Ok)
        }
        AgentCommand::Thaw(t) => {
            let out = memory::freeze::thaw_cgroup(&t.cgroup).map_err(|e| AgentError::Io(std::io::Error::other(e.to_string())))?;
            crate::cli::output::emit(crate::cli::OutputFormat::Json, &Json(out)).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        AgentCommand::ExportDir(e) => {
            let r = tokio::task::spawn_blocking(move || export::export_dir(&e.dir, &e.out, e.zstd).map_err(|source| AgentError::Export { path: e.dir.display().to_string(), source }))
                .await
                .map_err(|e| AgentError::Io(std::io::Error::other(e)))??;
            crate::cli::output::emit(crate::cli::OutputFormat::Json, &Json(r)).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        AgentCommand::Put(p) => {
            let (s3, url) = upload::open(&p.dest, &p.s3).await?;
            if p.check {
                let rep = serde_json::json!({"ok": true, "destination": url.to_string(), "endpoint": s3.endpoint});
                crate::cli::output::emit(crate::cli::OutputFormat::Json, &Json(rep)).map_err(Error::Output)?;
                return Ok(Exit::Ok);
            }
            let rt = tokio::runtime::Handle::current();
            let ok = tokio::task::spawn_blocking(move || upload::put(&p, s3, url, rt))
                .await
                .map_err(|e| AgentError::Io(std::io::Error::other(e)))?
                .map_err(AgentError::Sink)?;
            Ok(if ok { Exit::Ok } else { Exit::Failure })
        }
        AgentCommand::Capture(c) => {
            let opts = options(&c, quiet).map_err(|e| match e {
                AgentError::BadTarget(m) => Error::Usage(m),
                e => e.into(),
            })?;
            let rt = tokio::runtime::Handle::current();
            // uploading from the node: reach the bucket first, before any capture work
            let remote = match &c.upload_to {
                Some(dest) => Some(upload::open(dest, &c.s3).await?),
                None => None,
            };
            let outcome = tokio::task::spawn_blocking(move || -> Result<capture::CaptureOutcome, AgentError> {
                if let Some((s3, url)) = remote {
                    let out = std::io::BufWriter::with_capacity(64 << 10, std::io::stdout());
                    let mut records = crate::evidence::stream::StreamSink::new(out)?;
                    let mut sink = crate::evidence::s3::S3Sink::new(s3, url, c.s3.options(), rt.clone(), &mut records);
                    let o = capture::run(&opts, &mut sink, rt)?;
                    drop(sink);
                    records.finish()?;
                    Ok(o)
                } else if c.stream {
                    let out = std::io::BufWriter::with_capacity(1 << 20, std::io::stdout());
                    let mut sink = crate::evidence::stream::StreamSink::new(out)?;
                    let o = capture::run(&opts, &mut sink, rt)?;
                    sink.finish()?;
                    Ok(o)
                } else {
                    let dir = c.out.clone().unwrap_or_default();
                    let mut sink = sinks::DirSink::new(&dir).map_err(|source| AgentError::OutDir { path: dir.display().to_string(), source })?;
                    let o = capture::run(&opts, &mut sink, rt)?;
                    sink.finish().map_err(|source| AgentError::OutDir { path: dir.display().to_string(), source })?;
                    Ok(o)
                }
            })
            .await
            .map_err(|e| AgentError::Io(std::io::Error::other(e)))??;
            Ok(if outcome.complete() { Exit::Ok } else { Exit::Partial })
        }
    }
}

/// Any serializable report, shown as JSON in every format (machine output of hidden commands).
struct Json<T>(T);

impl<T: serde::Serialize> serde::Serialize for Json<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<T: serde::Serialize> crate::cli::output::TableView for Json<T> {
    fn table(&self) -> String {
        serde_json::to_string_pretty(&self.0).map(|s| s + "\n").unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn capture_args(args: &[&str]) -> CaptureArgs {
        let mut v = vec!["kforensic", "agent", "capture"];
        v.extend_from_slice(args);
        match crate::cli::Cli::try_parse_from(v).unwrap().command {
            crate::cli::Command::Agent(a) => match a.command {
                AgentCommand::Capture(c) => *c,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pod_flags_describe_exactly_one_container() {
        let a = capture_args(&["--container", "containerd://a", "--container", "containerd://b", "--pod-name", "p", "--out", "x"]);
        assert!(matches!(options(&a, true), Err(AgentError::BadTarget(_))));
        let a = capture_args(&["--container", "containerd://a", "--pod-namespace", "ns", "--pod-name", "p", "--container-name", "c", "--out", "x"]);
        let o = options(&a, true).unwrap();
        assert_eq!(o.targets[0].namespace.as_deref(), Some("ns"));
        assert_eq!(o.steps, capture::Step::ALL.to_vec());
    }

    #[test]
    fn target_lists_are_read_and_validated() {
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("t.json");
        std::fs::write(&f, r#"[{"container_id":"cri-o://abc","namespace":"ns","pod":"p","container":"c"}]"#).unwrap();
        let a = capture_args(&["--targets", f.to_str().unwrap(), "--steps", "inspect,volatile", "--stream"]);
        let o = options(&a, true).unwrap();
        assert_eq!(o.targets.len(), 1);
        assert_eq!(o.steps, vec![capture::Step::Inspect, capture::Step::Volatile]);
        std::fs::write(&f, r#"[{"container_id":"cri-o://abc","pod":"../x"}]"#).unwrap();
        assert!(options(&a, true).is_err());
        std::fs::write(&f, "not json").unwrap();
        assert!(matches!(options(&a, true), Err(AgentError::TargetList { .. })));
        // inline, as collect --shell-history passes a batch through one exec
        let list = r#"[{"container_id":"containerd://a","namespace":"ns","pod":"p","container":"c"},{"container_id":"containerd://b"}]"#;
        let a = capture_args(&["--targets-json", list, "--steps", "history", "--stream"]);
        assert_eq!(options(&a, true).unwrap().targets.len(), 2);
        let a = capture_args(&["--targets-json", r#"[{"container_id":"containerd://a","container":"../../etc"}]"#, "--stream"]);
        assert!(options(&a, true).is_err(), "hostile names are refused inline too");
        let a = capture_args(&["--targets-json", "{", "--stream"]);
        assert!(matches!(options(&a, true), Err(AgentError::TargetList { .. })));
    }

    #[test]
    fn a_destination_is_required() {
        let r = crate::cli::Cli::try_parse_from(["kforensic", "agent", "capture", "--container", "x"]);
        assert!(r.is_err());
        let r = crate::cli::Cli::try_parse_from(["kforensic", "agent", "capture", "--container", "x", "--out", "d", "--stream"]);
        assert!(r.is_err());
    }
}
