//! `kforensic triage`: what in a capture looks like an intrusion, ranked and explained.
//!
//! Offline, over what kforensic already parses: a bundle's volatile state, rootfs diff and memory
//! cores, or a checkpoint archive's CRIU images (through `analyze`). `load` turns either into
//! [`subject::Subject`]s; `rules/` (one file per family) turn those into [`Finding`]s with stable
//! ids; `custom` loads the responder's own rules (`--rules`); `secrets` masks every credential-looking value before it reaches a finding; `sarif`
//! shapes the findings for code-scanning tools. Nothing here prints.

pub mod custom;
pub mod finding;
pub mod load;
pub mod report;
pub mod rules;
pub mod sarif;
pub mod secrets;
pub mod subject;
pub mod timeline;
pub mod yara;

pub use finding::{Evidence, Finding, Severity};

use crate::analyze::archive::Limits;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TriageError {
    /// Neither a bundle nor a checkpoint archive, or nothing in it to triage.
    #[error("{0}")]
    NotEvidence(String),
    #[error(transparent)]
    Analyze(#[from] crate::analyze::AnalyzeError),
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: not the JSON kforensic writes: {source}")]
    Json { path: PathBuf, source: serde_json::Error },
    #[error("rootfs diff {0}")]
    Diff(String),
    #[error("YARA: {0}")]
    Yara(String),
    /// A `--rules` file that is not valid: file, rule and what is wrong.
    #[error("{0}")]
    Rules(String),
}

#[derive(Debug, Clone)]
pub struct Options {
    /// A bundle directory or a checkpoint archive.
    pub input: PathBuf,
    /// Scan process memory (secrets, pool URLs).
    pub memory: bool,
    /// YARA rule files or directories (`--yara`), on top of the built-in rules.
    pub yara: Vec<PathBuf>,
    /// Run YARA at all (the built-in rules and `yara`).
    pub use_yara: bool,
    /// Directories (or files) of the responder's own rules (`--rules`, see [`custom`]).
    pub rules: Vec<PathBuf>,
    pub limits: Limits,
}

impl Options {
    pub fn new(input: &Path) -> Options {
        Options { input: input.to_path_buf(), memory: true, yara: Vec::new(), use_yara: true, rules: Vec::new(), limits: Limits::default() }
    }
}

/// Counts of what was looked at.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Scanned {
    pub containers: usize,
    pub processes: usize,
    pub sockets: usize,
    pub changes: usize,
    /// Processes whose memory was scanned.
    pub memories: usize,
    pub memory_bytes: u64,
}

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TriageReport {
    /// What was triaged, as given.
    pub input: PathBuf,
    /// "bundle" or "checkpoint archive".
    pub source: String,
    pub scanned: Scanned,
    /// Worst first.
    pub findings: Vec<Finding>,
    /// Artifacts that could not be read (the triage of the rest went on).
    pub errors: Vec<String>,
    /// The responder's own rules that were run (`--rules`), beside the built-in catalogue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_rules: Vec<custom::RuleInfo>,
}

impl TriageReport {
    /// Findings at least as bad as `s`.
    pub fn at_least(&self, s: Severity) -> usize {
        self.findings.iter().filter(|f| f.severity.at_least(s)).count()
    }
}

/// Triage `o.input`: read every container's evidence, run every rule, rank the findings.
pub fn run(o: &Options) -> Result<TriageReport, TriageError> {
    let mut errors = Vec::new();
    // rules first: a bad rule file is the user's to fix before anything is read
    let yara = if o.use_yara { Some(yara::Rules::load(&o.yara)?) } else { None };
    let own = custom::Rules::load(&o.rules)?;
    let (source, subjects) = load::subjects(&o.input, o.limits, &mut errors)?;
    let mut scanned = Scanned { containers: subjects.len(), ..Default::default() };
    let mut findings = Vec::new();
    for s in &subjects {
        scanned.processes += s.processes.len();
        scanned.sockets += s.sockets.len();
        scanned.changes += s.changes.len();
        if o.memory {
            scanned.memories += s.memories.len();
            scanned.memory_bytes += s.memories.iter().map(|m| m.memory.stored_bytes()).sum::<u64>();
        }
        match rules::run(s, o.memory) {
            Ok(f) => findings.extend(f),
            Err(e) => errors.push(format!("{}: memory scan: {e}", s.name)),
        }
        match rules::custom::check(&own, s, o.memory) {
            Ok(f) => findings.extend(f),
            Err(e) => errors.push(format!("{}: rules: {e}", s.name)),
        }
        if let Some(rules) = &yara {
            match yara::check(rules, s, o.memory) {
                Ok(f) => findings.extend(f),
                Err(e) => errors.push(format!("{}: {e}", s.name)),
            }
        }
    }
    finding::sort(&mut findings);
    Ok(TriageReport { input: o.input.clone(), source, scanned, findings, errors, custom_rules: own.info })
}
