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
    /// SARIF 2.1.0 (`triage` only).
    Sarif,
}

/// The `apiVersion` of every JSON and YAML document kforensic prints.
pub const API_VERSION: &str = "kforensic.io/v1";

/// A report that can be shown as a table for people, and named in JSON and YAML.
pub trait TableView {
    fn table(&self) -> String;
    /// The document's `kind` with `-o json|yaml` (e.g. `CheckpointReport`).
    fn kind(&self) -> &'static str;
    /// What one report is about, as the heading of its section when several are printed.
    fn title(&self) -> String {
        self.kind().to_string()
    }
}

/// A report as printed with `-o json|yaml`: `apiVersion` and `kind` first, then its fields, so
/// a runbook can tell what it reads (and which version of it).
#[derive(Serialize)]
struct Document<'a, T: Serialize> {
    #[serde(rename = "apiVersion")]
    api_version: &'static str,
    kind: &'static str,
    #[serde(flatten)]
    report: &'a T,
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
/// A reader that went away (`-o json | head -1`) is not an error: the work is done, the exit code
/// says how it went, and nothing more is printed.
pub fn emit<T: Serialize + TableView>(format: OutputFormat, report: &T) -> std::io::Result<()> {
    let text = match format {
        OutputFormat::Table => trim_line_ends(&terminal_safe(&report.table())),
        OutputFormat::Json | OutputFormat::Sarif => {
            let doc = Document { api_version: API_VERSION, kind: report.kind(), report };
            let mut s = serde_json::to_string_pretty(&doc).map_err(std::io::Error::other)?;
            s.push('\n');
            s
        }
        OutputFormat::Yaml => {
            let doc = Document { api_version: API_VERSION, kind: report.kind(), report };
            serde_yaml::to_string(&doc).map_err(std::io::Error::other)?
        }
    };
    write_stdout(text.as_bytes())
}

/// Print several reports of one kind: tables one after the other, each under a `== NAME ==` line
/// ([`TableView::title`]); JSON and YAML as one array (sequence) of documents.
pub fn emit_list<T: Serialize + TableView>(format: OutputFormat, reports: &[T]) -> std::io::Result<()> {
    let docs: Vec<Document<'_, T>> = reports.iter().map(|r| Document { api_version: API_VERSION, kind: r.kind(), report: r }).collect();
    let text = match format {
        OutputFormat::Table => {
            let mut s = String::new();
            for (i, r) in reports.iter().enumerate() {
                if i > 0 {
                    s.push('\n');
                }
                s.push_str(&format!("== {} ==\n", r.title()));
                s.push_str(&r.table());
            }
            trim_line_ends(&terminal_safe(&s))
        }
        OutputFormat::Json | OutputFormat::Sarif => {
            let mut s = serde_json::to_string_pretty(&docs).map_err(std::io::Error::other)?;
            s.push('\n');
            s
        }
        OutputFormat::Yaml => serde_yaml::to_string(&docs).map_err(std::io::Error::other)?,
    };
    write_stdout(text.as_bytes())
}

/// Write to stdout; a closed pipe is quietly the end of the output.
pub fn write_stdout(bytes: &[u8]) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r,
    }
}

/// Every line without its trailing spaces (tables pad their last column).
fn trim_line_ends(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.split_inclusive('\n') {
        let (body, nl) = match line.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (line, ""),
        };
        out.push_str(body.trim_end_matches([' ', '\t']));
        out.push_str(nl);
    }
    out
}

/// Colour (ANSI escapes) on stderr only on a terminal, and never with `NO_COLOR` set
/// (<https://no-color.org>).
pub fn stderr_color() -> bool {
    use std::io::IsTerminal;
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// A plain table with a header row, no borders and no trailing spaces: easy to read, easy to grep.
pub fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> String {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::NOTHING);
    t.set_header(header.iter().map(|h| h.to_string()));
    for r in rows {
        t.add_row(r);
    }
    trim_line_ends(&t.to_string())
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

    #[test]
    fn tables_have_no_trailing_spaces() {
        let t = table(&["NAME", "NOTE"], [vec!["a-long-name".into(), "".into()], vec!["b".into(), "x".into()]]);
        assert!(t.lines().all(|l| !l.ends_with(' ')), "{t:?}");
        assert_eq!(trim_line_ends("a  \nb\t\n c "), "a\nb\n c");
    }

    #[test]
    fn documents_carry_api_version_and_kind_first() {
        #[derive(Serialize)]
        struct R {
            n: u32,
        }
        let doc = Document { api_version: API_VERSION, kind: "TestReport", report: &R { n: 1 } };
        assert_eq!(serde_json::to_string(&doc).unwrap(), r#"{"apiVersion":"kforensic.io/v1","kind":"TestReport","n":1}"#);
    }
}
