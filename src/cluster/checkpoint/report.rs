//! The checkpoint's result: what was captured, where, and how long each step took.

use crate::evidence::Manifest;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CheckpointReport {
    pub case_id: String,
    pub bundle: String,
    pub complete: bool,
    pub manifest: Manifest,
    pub notes: Vec<String>,
    /// What the triage found (also in the bundle's `findings.json`); none with `--no-triage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub triage: Option<crate::triage::TriageReport>,
    pub steps: Vec<StepTiming>,
    /// The error that stopped the capture (the bundle holds what was captured until then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct StepTiming {
    pub step: String,
    pub seconds: f64,
}
