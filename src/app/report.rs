//! `kforensic report BUNDLE --out FILE`: one self-contained HTML (or Markdown) file.

use crate::{Error, Exit};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  # the report an incident lead opens in a browser (no script, nothing fetched)
  kforensic report ./evidence/INC-1234 --out INC-1234.html
  kforensic report ./evidence/INC-1234 --format md --out INC-1234.md";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Html,
    Md,
}

#[derive(Debug, Clone, Args)]
pub struct ReportArgs {
    /// A finished kforensic bundle directory.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// The file to write (refused when it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(a: ReportArgs) -> Result<Exit, Error> {
    if a.out.exists() {
        return Err(Error::Usage(format!("--out {}: the file exists; name a new file", a.out.display())));
    }
    let d = crate::triage::report::gather(&a.bundle)?;
    let text = match a.format {
        ReportFormat::Html => crate::triage::report::html(&d),
        ReportFormat::Md => crate::triage::report::markdown(&d),
    };
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&a.out).map_err(Error::Output)?;
    std::io::Write::write_all(&mut f, text.as_bytes()).map_err(Error::Output)?;
    for e in &d.errors {
        eprintln!("error: {}", super::output::terminal_safe(e));
    }
    eprintln!(
        "report of {} written to {} ({} finding(s), {} artifact(s), {} timeline event(s))",
        d.manifest.case_id,
        a.out.display(),
        d.triage.findings.len(),
        d.manifest.artifacts.len(),
        d.timeline.len()
    );
    Ok(if d.errors.is_empty() { Exit::Ok } else { Exit::Partial })
}
