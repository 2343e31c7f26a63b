//! What `collect` prints: per-source counts and the findings, worst first.

use super::findings::{Finding, Severity};
use super::writer::Outcome;
use super::{CollectPlan, Scope, Source};
use crate::cli::output::{table, TableView};
use serde::Serialize;

/// Rows of the findings table on a terminal; the file has them all.
const TABLE_ROWS: usize = 200;

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
    pub fn new(plan: &CollectPlan, started_at: jiff::Timestamp, sources: Vec<SourceSummary>, findings: Vec<Finding>, findings_error: Option<String>) -> Self {
        let mut counts = Counts::default();
        for f in &findings {
            match f.severity {
                Severity::Critical => counts.critical += 1,
                Severity::High => counts.high += 1,
                Severity::Medium => counts.medium += 1,
                Severity::Low => counts.low += 1,
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

impl TableView for CollectReport {
    fn table(&self) -> String {
        let rows = self.sources.iter().map(|s| {
            vec![
                s.source.name().to_string(),
                s.objects.to_string(),
                s.bytes.to_string(),
                match &s.error {
                    Some(e) => format!("FAILED: {e}"),
                    None => "ok".into(),
                },
            ]
        });
        let mut out = format!("{}\n\n", table(&["SOURCE", "OBJECTS", "BYTES", "STATUS"], rows));
        if let Some(h) = &self.shell_history {
            out.push_str(&format!(
                "shell history: {} container(s) on {} node(s), {} history file(s){}\n\n",
                h.containers,
                h.nodes,
                h.files,
                h.errors.first().map(|e| format!("; FAILED: {e}")).unwrap_or_default()
            ));
        }
        if self.findings.is_empty() {
            out.push_str("No findings.\n");
        } else {
            let rows = self.findings.iter().take(TABLE_ROWS).map(|f| {
                vec![f.severity.as_str().to_uppercase(), f.id.clone(), format!("{}/{}", f.object.kind, f.object.display_name()), f.reason.clone()]
            });
            out.push_str(&format!("{}\n", table(&["SEVERITY", "ID", "OBJECT", "REASON"], rows)));
            if self.findings.len() > TABLE_ROWS {
                out.push_str(&format!("… {} more in triage/findings.ndjson\n", self.findings.len() - TABLE_ROWS));
            }
        }
        let c = &self.counts;
        out.push_str(&format!(
            "\n{} findings ({} critical, {} high, {} medium, {} low); scope: {}; bundle: {}{}\n",
            self.findings.len(), c.critical, c.high, c.medium, c.low, self.scope.join(","), self.bundle,
            if self.complete { String::new() } else { " (INCOMPLETE: see the failed sources)".into() }
        ));
        out
    }
}
