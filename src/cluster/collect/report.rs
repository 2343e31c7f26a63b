//! What `collect` prints: per-source counts and the findings, worst first.

use super::findings::{Finding, Severity};
use super::writer::Outcome;
use super::{CollectPlan, Scope, Source};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct SourceSummary {
    pub source: Source,
    pub file: String,
    pub objects: u64,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl SourceSummary {
    pub fn new(source: Source, objects: u64, error: Option<String>) -> Self {
        SourceSummary { source, file: source.path(), objects, bytes: 0, sha256: None, error }
    }
    pub fn set_outcome(&mut self, o: Outcome) {
        match o {
            Outcome::Written(r) => {
                self.bytes = r.bytes;
                self.sha256 = Some(r.sha256);
            }
            Outcome::Failed(m) => {
                if self.error.is_none() {
                    self.error = Some(m);
                }
            }
        }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Counts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct CollectReport {
    pub case_id: String,
    /// The bundle directory (set by the caller).
    pub bundle: String,
    /// `all`, or the namespaces.
    pub scope: Vec<String>,
    pub started_at: jiff::Timestamp,
    pub finished_at: jiff::Timestamp,
    pub complete: bool,
    pub sources: Vec<SourceSummary>,
    pub counts: Counts,
    pub findings: Vec<Finding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings_error: Option<String>,
    /// `--shell-history`: what was read from the nodes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell_history: Option<HistorySummary>,
}

/// The node side of `collect --shell-history`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HistorySummary {
    pub nodes: usize,
    pub containers: usize,
    /// History files found (and in the bundle).
    pub files: usize,
    /// What could not be read (also in the manifest's errors).
    pub errors: Vec<String>,
}

impl CollectReport {
    pub fn new(
        plan: &CollectPlan,
        started_at: jiff::Timestamp,
        sources: Vec<SourceSummary>,
        findings: Vec<Finding>,
        findings_error: Option<String>,
    ) -> Self {
        let mut counts = Counts::default();
        for f in &findings {
            match f.severity {
                Severity::Critical => counts.critical += 1,
                Severity::High => counts.high += 1,
                Severity::Medium => counts.medium += 1,
                // collect's rules rate nothing below low
                Severity::Low | Severity::Info => counts.low += 1,
            }
        }
        let complete = findings_error.is_none() && sources.iter().all(|s| s.error.is_none());
        CollectReport {
            case_id: String::new(),
            bundle: String::new(),
            scope: match &plan.scope {
                Scope::All => vec!["all".into()],
                Scope::Namespaces(v) => v.clone(),
            },
            started_at,
            finished_at: jiff::Timestamp::now(),
            complete,
            sources,
            counts,
            findings,
            findings_error,
            shell_history: None,
        }
    }
}
