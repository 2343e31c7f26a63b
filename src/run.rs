//! Dispatch: a parsed command line to the module that does the work.

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
        Command::Analyze(a) => {
            let opts = crate::analyze::Options::try_from(&a).map_err(Error::Usage)?;
            let report = crate::analyze::run(&opts)?;
            crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
            Ok(Exit::Ok)
        }
        Command::Preflight(a) => {
            let ctx = cluster::client::connect(&connect_options(g)).await?;
            let report = cluster::preflight::run(&ctx, &a.collector_namespace).await?;
            crate::cli::output::emit(g.output, &report).map_err(Error::Output)?;
            Ok(if report.ready { Exit::Ok } else { Exit::Failure })
        }
    }
}

pub fn connect_options(g: &GlobalArgs) -> ConnectOptions {
    ConnectOptions { kubeconfig: g.kubeconfig.clone(), context: g.context.clone(), namespace: g.namespace.clone() }
}
