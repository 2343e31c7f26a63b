//! `kforensic timeline BUNDLE`: the bundle's events in time order, for Timesketch or a spreadsheet.

use crate::{Error, Exit};
use clap::{Args, ValueEnum};
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  # Timesketch import (message, datetime, timestamp_desc)
  kforensic timeline ./evidence/INC-1234 > INC-1234.jsonl
  kforensic timeline ./evidence/INC-1234 --format csv > INC-1234.csv";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Clone, Args)]
pub struct TimelineArgs {
    /// A kforensic bundle directory.
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: TimelineFormat,
}

pub fn run(a: TimelineArgs) -> Result<Exit, Error> {
    let (events, errors) = crate::triage::timeline::build(&a.bundle)?;
    let text = match a.format {
        TimelineFormat::Jsonl => crate::triage::timeline::jsonl(&events),
        TimelineFormat::Csv => crate::triage::timeline::csv(&events),
    };
    super::output::write_stdout(text.as_bytes()).map_err(Error::Output)?;
    for e in &errors {
        eprintln!("error: {}", super::output::terminal_safe(e));
    }
    Ok(if errors.is_empty() { Exit::Ok } else { Exit::Partial })
}
