//! Output formats: a human table by default, JSON or YAML for runbooks.

use clap::ValueEnum;
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    #[default]
    Table,
    Json,
    Yaml,
}

/// A report that can be shown as a table for people.
pub trait TableView {
    fn table(&self) -> String;
}

/// Print `report` to stdout in `format`.
pub fn emit<T: Serialize + TableView>(format: OutputFormat, report: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Table => out.write_all(report.table().as_bytes())?,
        OutputFormat::Json => {
            serde_json::to_writer_pretty(&mut out, report).map_err(std::io::Error::other)?;
            out.write_all(b"\n")?;
        }
        OutputFormat::Yaml => {
            let s = serde_yaml::to_string(report).map_err(std::io::Error::other)?;
            out.write_all(s.as_bytes())?;
        }
    }
    out.flush()
}

/// A plain table with a header row, no borders: easy to read, easy to grep.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_header(header.iter().map(|h| h.to_string()));
    for r in rows {
        t.add_row(r);
    }
    t
}

/// `1.5 MiB`, `512 B`: sizes as people read them.
pub fn human_bytes(n: u64) -> String {
    const U: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1024.0 && i < U.len() - 1 {
        v /= 1024.0;
        i += 1;
    }
    if i == 0 { format!("{n} B") } else { format!("{v:.1} {}", U[i]) }
}
