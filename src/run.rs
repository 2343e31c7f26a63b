//! Dispatch: a parsed command line to the module that does the work.

use crate::cli::isolate::{IsolateArgs, IsolateTarget, ReleaseArgs, ReleaseTarget};
use crate::cli::checkpoint::CheckpointTarget;
use crate::cli::{Cli, Command, GlobalArgs};
use crate::cluster::{self, ConnectOptions};
use crate::{Error, Exit};
use std::io::Write;

pub async fn run(cli: Cli) -> Result<Exit, Error> {
    let g = &cli.global;
    match cli.command {
        Command::Completions(a) => {
            std::io::stdout().write_all(&crate::cli::completion_script(a.shell)).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        Command::Agent(a) => crate::cli::agent::run(*a, g.quiet).await,
        Command::Checkpoint { target: CheckpointTarget::Pod(a) } => crate::cli::checkpoint::run(g, a).await,
        Command::Analyze(a) => {
            let opts = crate::analyze::Options::try_from(&a).map_err(Error::Usage)?;
            let report = crate::analyze::run(&opts)?;
            crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        Command::Preflight(a) => {
            let ctx = cluster::client::connect(&connect_options(g)?).await?;
            let report = cluster::preflight::run(&ctx, &a.collector_namespace).await?;
            crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
            Ok(if report.ready { Exit::Ok } else { Exit::Failure })
        }
        Command::Upload(a) => {
            use crate::evidence::{upload_bundle, Destination};
            let Destination::S3(url) = Destination::parse(&a.destination).map_err(usage)? else {
                return Err(Error::Usage(format!("upload needs an s3://bucket/prefix destination, not '{}'", a.destination)));
            };
            let report = upload_bundle(&a.bundle, &url, &a.s3.connect.options(), &a.s3.options(), !g.quiet).await.map_err(usage)?;
            crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
            Ok(if report.complete { Exit::Ok } else { Exit::Partial })
        }
        Command::Verify(a) => {
            use crate::evidence::{verify_path, Destination, VerifyOptions};
            let report = match Destination::parse(&a.bundle).map_err(usage)? {
                Destination::S3(url) => crate::evidence::s3::read::verify_s3(&url, &a.s3.options(), !g.quiet).await,
                Destination::Local(p) => {
                    let opts = VerifyOptions { record: !a.no_record, progress: !g.quiet };
                    tokio::task::spawn_blocking(move || verify_path(&p, opts))
                        .await
                        .map_err(|e| Error::Evidence(std::io::Error::other(e).into()))?
                }
            }
            .map_err(usage)?;
            crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
            Ok(if report.ok { Exit::Ok } else { Exit::Failure })
        }
        Command::Isolate(IsolateArgs { target: IsolateTarget::Pod(a) }) => {
            let ctx = cluster::client::connect(&connect_options(g)?).await?;
            let report = cluster::isolate::isolate(&ctx, &a.options(g, connect_options(g)?)).await?;
            crate::cli::isolate::emit(g, &report).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        Command::Release(ReleaseArgs { target: ReleaseTarget::Pod(a) }) => {
            let ctx = cluster::client::connect(&connect_options(g)?).await?;
            let report = cluster::isolate::release(&ctx, &a.options(g, connect_options(g)?)).await?;
            crate::cli::isolate::emit(g, &report).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        Command::Collect(a) => crate::cli::collect::run(g, a).await,
    }
}

/// Evidence errors the user made on the command line (a bad URL) exit with the usage code.
fn usage(e: crate::evidence::EvidenceError) -> Error {
    if e.is_usage() { Error::Usage(e.to_string()) } else { Error::Evidence(e) }
}

/// How to reach the cluster, for a command that works in one namespace.
pub fn connect_options(g: &GlobalArgs) -> Result<ConnectOptions, Error> {
    let namespace = g.single_namespace().map_err(Error::Usage)?;
    Ok(ConnectOptions { kubeconfig: g.kubeconfig.clone(), context: g.context.clone(), namespace })
}
