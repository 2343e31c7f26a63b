//! `kforensic triage BUNDLE|ARCHIVE`: findings with stable ids, worst first.

use super::GlobalArgs;
use super::output::{OutputFormat, TableView, table, terminal_safe};
use crate::triage::{Finding, Severity, TriageReport};
use crate::{Error, Exit};
use clap::Args;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  # what looks wrong in a capture, worst first
  kforensic triage ./evidence/INC-1234
  # a checkpoint archive (kubelet, CRI-O, containerd, Podman)
  kforensic triage checkpoint.tar
  # with your own YARA rules on top of the built-in ones
  kforensic triage ./evidence/INC-1234 --yara ./rules/
  # with your own rules (YAML: id, severity, reason, matchers)
  kforensic triage ./evidence/INC-1234 --rules ./triage-rules/
  # for CI and code-scanning tools; exit 4 when anything is medium or worse
  kforensic triage ./evidence/INC-1234 -o sarif --fail-on medium > findings.sarif

Exit codes: 0 nothing at or above --fail-on, 4 findings at or above it, 3 some evidence could
not be read (the rest was triaged), 1 not a bundle or archive, or a bad --yara/--rules file.";

#[derive(Debug, Clone, Args)]
pub struct TriageArgs {
    /// A kforensic bundle directory, or a checkpoint archive (.tar, .tar.gz, .tar.zst, directory).
    #[arg(value_name = "BUNDLE|ARCHIVE")]
    pub input: PathBuf,
    /// Exit 4 when a finding is at least this severe (critical, high, medium, low, info).
    #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = parse_severity)]
    pub fail_on: Severity,
    /// Do not scan process memory (faster on large captures).
    #[arg(long)]
    pub no_memory: bool,
    /// YARA rules to add to the built-in ones (miners, webshells): a rule file, or a directory
    /// of .yar/.yara files. Repeatable. Memory matches name the pid, address and mapping.
    #[arg(long, value_name = "FILE|DIR")]
    pub yara: Vec<PathBuf>,
    /// Run no YARA rules at all (not even the built-in ones).
    #[arg(long, conflicts_with = "yara")]
    pub no_yara: bool,
    /// Your own rules: a directory of .yaml/.yml rule files, or one file. Repeatable. Each rule
    /// has an id (not KF-…), a severity, a one-line reason and matchers (comm, exe, cmdline,
    /// env, path, string); see the book's triage page for the format.
    #[arg(long, value_name = "DIR")]
    pub rules: Vec<PathBuf>,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// The findings as a table, worst first (shared with `checkpoint`'s summary).
pub fn findings_table(findings: &[Finding]) -> String {
    table(
        &["SEVERITY", "RULE", "REASON", "EVIDENCE"],
        findings.iter().map(|f| vec![f.severity.as_str().to_uppercase(), f.rule_id.clone(), f.reason.clone(), f.evidence.line()]),
    )
}

/// `3 critical, 1 high, 0 medium, 2 low`.
pub fn counts(findings: &[Finding]) -> String {
    [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Info]
        .iter()
        .filter_map(|s| {
            let n = findings.iter().filter(|f| f.severity == *s).count();
            (n > 0 || *s <= Severity::Medium).then(|| format!("{n} {}", s.as_str()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl TableView for TriageReport {
    fn table(&self) -> String {
        let s = &self.scanned;
        let mut out = format!(
            "{} {}: {} container(s), {} process(es), {} socket(s), {} file change(s), {} process memor{} scanned\n",
            self.source,
            self.input.display(),
            s.containers,
            s.processes,
            s.sockets,
            s.changes,
            s.memories,
            if s.memories == 1 { "y" } else { "ies" }
        );
        if self.findings.is_empty() {
            out.push_str("no findings\n");
        } else {
            out.push('\n');
            out.push_str(&findings_table(&self.findings));
            out.push_str(&format!("\n{} finding(s): {}\n", self.findings.len(), counts(&self.findings)));
        }
        out
    }
    fn kind(&self) -> &'static str {
        "TriageReport"
    }
}

pub fn run(g: &GlobalArgs, a: TriageArgs) -> Result<Exit, Error> {
    let mut opts = crate::triage::Options::new(&a.input);
    opts.memory = !a.no_memory;
    opts.yara = a.yara.clone();
    opts.use_yara = !a.no_yara;
    opts.rules = a.rules.clone();
    let report = crate::triage::run(&opts)?;
    match g.output {
        OutputFormat::Sarif => {
            let doc = crate::triage::sarif::document(&report, env!("CARGO_PKG_VERSION"));
            let mut s = serde_json::to_string_pretty(&doc).map_err(|e| Error::Output(std::io::Error::other(e)))?;
            s.push('\n');
            super::output::write_stdout(s.as_bytes()).map_err(Error::Output)?;
        }
        f => super::output::emit(f, &report).map_err(Error::Output)?,
    }
    for e in &report.errors {
        eprintln!("error: {}", terminal_safe(e));
    }
    Ok(if report.at_least(a.fail_on) > 0 {
        Exit::Findings
    } else if !report.errors.is_empty() {
        Exit::Partial
    } else {
        Exit::Ok
    })
}
