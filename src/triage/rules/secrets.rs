//! Secrets in process environments, reported masked.

use super::at_process;
use crate::triage::finding::{Finding, Severity};
use crate::triage::secrets::{credential_name, find, mask};
use crate::triage::subject::Subject;

pub fn check_env(s: &Subject) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &s.processes {
        for kv in &p.environ {
            let (name, value) = kv.split_once('=').unwrap_or((kv.as_str(), ""));
            let found = find(value);
            for (kind, v) in &found {
                out.push(Finding::new(
                    "KF-SEC-001",
                    Severity::High,
                    format!("{kind} in the environment of pid {} ({}): {}", p.pid, super::shown(name), mask(v)),
                    at_process(s, p),
                ));
            }
            if found.is_empty() && !value.is_empty() && credential_name(name) {
                out.push(Finding::new(
                    "KF-SEC-003",
                    Severity::Low,
                    format!("credential-named variable {} in the environment of pid {}: {}", super::shown(name), p.pid, mask(value)),
                    at_process(s, p),
                ));
            }
        }
    }
    out
}
