//! `kforensic analyze diff A B`: what changed between two checkpoints.

use super::super::GlobalArgs;
use super::super::output::{TableView, table};
use crate::analyze::diff::{Change, DiffReport, View};
use crate::{Error, Exit};
use clap::Args;
use std::path::PathBuf;

/// Compare two checkpoints: processes, open files, sockets, mounts, rootfs-diff entries.
#[derive(Debug, Clone, Args)]
pub struct DiffArgs {
    /// The earlier checkpoint.
    #[arg(value_name = "A")]
    pub before: PathBuf,
    /// The later checkpoint.
    #[arg(value_name = "B")]
    pub after: PathBuf,
    /// List what is the same in both too.
    #[arg(long)]
    pub show_unchanged: bool,
}

pub fn run(g: &GlobalArgs, a: DiffArgs) -> Result<Exit, Error> {
    let r = crate::analyze::diff::diff(&a.before, &a.after, a.show_unchanged, crate::analyze::archive::Limits::default())?;
    super::super::output::emit(g.output, &r).map_err(Error::Output)?;
    for e in &r.errors {
        eprintln!("error: {}", super::super::output::terminal_safe(e));
    }
    Ok(if r.errors.is_empty() { Exit::Ok } else { Exit::Partial })
}

impl TableView for DiffReport {
    fn kind(&self) -> &'static str {
        "AnalyzeDiffReport"
    }

    fn table(&self) -> String {
        let clean = super::table::clean;
        let rows = self.items.iter().map(|i| {
            let mark = match i.change {
                Change::Added => "+",
                Change::Removed => "-",
                Change::Changed => "~",
                Change::Unchanged => "=",
            };
            let view = match i.view {
                View::Process => "process",
                View::File => "file",
                View::Socket => "socket",
                View::Mount => "mount",
                View::Rootfs => "rootfs",
            };
            let value = match (&i.before, &i.after, i.change) {
                (Some(b), Some(a), Change::Changed) => format!("{} => {}", clean(b), clean(a)),
                (_, Some(a), _) => clean(a),
                (Some(b), None, _) => clean(b),
                _ => String::new(),
            };
            vec![mark.to_string(), view.to_string(), clean(&i.key), value]
        });
        let mut out = table(&["", "VIEW", "WHAT", "VALUE"], rows);
        let c = &self.counts;
        out.push_str(&format!(
            "\n{} added, {} removed, {} changed, {} unchanged ({} => {})\n",
            c.added,
            c.removed,
            c.changed,
            c.unchanged,
            clean(&self.before.display().to_string()),
            clean(&self.after.display().to_string())
        ));
        out
    }
}
