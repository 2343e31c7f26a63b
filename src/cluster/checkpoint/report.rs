//! The checkpoint's result: what was captured, where, and how long each step took.

use crate::cli::output::{TableView, human_bytes, table};
use crate::evidence::Manifest;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct CheckpointReport {
    pub case_id: String,
    pub bundle: String,
    pub complete: bool,
    pub manifest: Manifest,
    pub notes: Vec<String>,
    pub steps: Vec<StepTiming>,
}

#[derive(Debug, Serialize)]
pub struct StepTiming {
    pub step: String,
    pub seconds: f64,
}


impl TableView for CheckpointReport {
    fn table(&self) -> String {
        let rows = self.manifest.artifacts.iter().map(|a| {
            vec![a.spec.path.clone(), human_bytes(a.bytes), a.sha256.clone()]
        });
        let mut s = format!("{}\n", table(&["ARTIFACT", "SIZE", "SHA-256"], rows));
        for e in &self.manifest.errors {
            s.push_str(&format!("✘ {}\n", e.message));
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        let timing: Vec<String> = self.steps.iter().map(|t| format!("{} {:.1}s", t.step, t.seconds)).collect();
        s.push_str(&format!("time: {}\n", timing.join(", ")));
        s.push_str(&format!(
            "{} bundle {} ({} artifacts){}\n",
            if self.complete { "✔ complete" } else { "✘ INCOMPLETE" },
            self.bundle,
            self.manifest.artifacts.len(),
            if self.complete { "" } else { ": see the errors above and manifest.json" }
        ));
        s
    }
}

