//! Dispatch: a parsed command line to the module that does the work.

use crate::cli::isolate::{IsolateArgs, IsolateTarget, ReleaseArgs, ReleaseTarget};
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
        Command::Preflight(a) => {
            let ctx = cluster::client::connect(&connect_options(g)).await?;
            let report = cluster::preflight::run(&ctx, &a.collector_namespace).await?;
            crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
            Ok(if report.ready { Exit::Ok } else { Exit::Failure })
        }
        Command::Isolate(IsolateArgs { target: IsolateTarget::Pod(a) }) => {
            let ctx = cluster::client::connect(&connect_options(g)).await?;
            let report = cluster::isolate::isolate(&ctx, &a.options(g, connect_options(g))).await?;
            crate::cli::isolate::emit(g, &report).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        Command::Release(ReleaseArgs { target: ReleaseTarget::Pod(a) }) => {
            let ctx = cluster::client::connect(&connect_options(g)).await?;
            let report = cluster::isolate::release(&ctx, &a.options(g, connect_options(g))).await?;
            crate::cli::isolate::emit(g, &report).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
    }
}

pub fn connect_options(g: &GlobalArgs) -> ConnectOptions {
    ConnectOptions { kubeconfig: g.kubeconfig.clone(), context: g.context.clone(), namespace: g.namespace.clone() }
}
