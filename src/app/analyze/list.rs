//! `kforensic analyze list DIR`: the checkpoint archives in a directory.

use super::super::GlobalArgs;
use super::super::output::{TableView, human_bytes, table};
use crate::analyze::list::{ListReport, SortBy};
use crate::{Error, Exit};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Sort {
    Name,
    Time,
    Size,
    Pod,
    Container,
}

/// The checkpoint archives in a directory (e.g. the kubelet's /var/lib/kubelet/checkpoints).
#[derive(Debug, Clone, Args)]
pub struct ListArgs {
    /// The directory (its entries are read, symlinks never followed).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Order of the rows.
    #[arg(long, value_enum, default_value = "name")]
    pub sort: Sort,
}

pub fn run(g: &GlobalArgs, a: ListArgs) -> Result<Exit, Error> {
    let sort = match a.sort {
        Sort::Name => SortBy::Name,
        Sort::Time => SortBy::Time,
        Sort::Size => SortBy::Size,
        Sort::Pod => SortBy::Pod,
        Sort::Container => SortBy::Container,
    };
    let r = crate::analyze::list::list(&a.dir, sort, &crate::analyze::Options::default())?;
    super::super::output::emit(g.output, &r).map_err(Error::Output)?;
    for e in &r.errors {
        eprintln!("error: {}", super::super::output::terminal_safe(e));
    }
    Ok(if r.errors.is_empty() { Exit::Ok } else { Exit::Partial })
}

fn o(s: &Option<String>) -> String {
    super::table::clean(s.as_deref().unwrap_or("-"))
}

impl TableView for ListReport {
    fn kind(&self) -> &'static str {
        "AnalyzeListReport"
    }

    fn table(&self) -> String {
        let rows = self.archives.iter().map(|a| {
            vec![
                super::table::clean(&a.name),
                o(&a.engine),
                o(&a.namespace),
                o(&a.pod),
                o(&a.container),
                o(&a.created),
                o(&a.checkpointed),
                human_bytes(a.size),
                a.processes.to_string(),
            ]
        });
        let mut out = table(&["ARCHIVE", "ENGINE", "NAMESPACE", "POD", "CONTAINER", "CREATED", "CHECKPOINTED", "SIZE", "PROCESSES"], rows);
        out.push('\n');
        if self.archives.is_empty() {
            out.push_str(&format!("no checkpoint archive in {}\n", super::table::clean(&self.dir.display().to_string())));
        }
        if !self.skipped.is_empty() {
            let names: Vec<String> =
                self.skipped.iter().take(8).map(|s| format!("{} ({})", super::table::clean(&s.name), s.reason)).collect();
            out.push_str(&format!(
                "skipped {} entr{}: {}{}\n",
                self.skipped.len(),
                if self.skipped.len() == 1 { "y" } else { "ies" },
                names.join(", "),
                if self.skipped.len() > 8 { ", …" } else { "" }
            ));
        }
        out
    }
}
