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

/// Text for a terminal: control characters other than newline and tab, and the invisible or
/// bidirectional formatting characters, become `�`. Tables and messages carry names a container,
/// an archive or a compromised node chose (file names, agent messages, image strings): an escape
/// sequence among them must not reach the responder's terminal as one.
pub fn terminal_safe(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{2069}' | '\u{feff}')
    };
    if s.chars().any(bad) {
        std::borrow::Cow::Owned(s.chars().map(|c| if bad(c) { '\u{fffd}' } else { c }).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Print `report` to stdout in `format` (JSON and YAML escape control characters themselves).
pub fn emit<T: Serialize + TableView>(format: OutputFormat, report: &T) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        OutputFormat::Table => out.write_all(terminal_safe(&report.table()).as_bytes())?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_tricks_never_reach_the_terminal() {
        assert_eq!(terminal_safe("plain\tline\n"), "plain\tline\n");
        assert!(matches!(terminal_safe("ok"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(terminal_safe("a\x1b]2;pwned\x07b"), "a\u{fffd}]2;pwned\u{fffd}b");
        assert_eq!(terminal_safe("evil\u{202e}gpj.exe\r"), "evil\u{fffd}gpj.exe\u{fffd}");
        assert_eq!(terminal_safe("\u{9b}31m"), "\u{fffd}31m", "C1 control (CSI)");
    }
}
