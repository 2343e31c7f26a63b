//! SARIF 2.1.0 (OASIS): the findings as one run of the tool `kforensic`, for code-scanning and
//! CI tools. Rules are the catalogue and the responder's own rules; each finding is a result whose location is the artifact
//! (bundle-relative URI) and, in its message and properties, the container, pid, path and address.

use super::TriageReport;
use super::finding::{RULES, Severity};
use serde_json::{Value, json};

/// The OASIS schema's own id (SARIF 2.1.0 errata 01); the tests validate against a copy of it.
pub const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// A security-severity score (GitHub code scanning reads it from the rule's properties).
fn score(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

/// An artifact path as a relative URI reference (RFC 3986: spaces and the like percent-encoded).
fn uri(path: &str) -> String {
    let mut s = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:@!$&'()*+,;=".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// One notification per distinct error, in order.
fn notifications(errors: &[String]) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    errors.iter().filter(|e| seen.insert(e.as_str())).map(|e| json!({"level": "error", "message": {"text": e}})).collect()
}

pub fn document(r: &TriageReport, version: &str) -> Value {
    // the built-in catalogue, then the responder's own rules (`--rules`)
    let catalogue: Vec<(&str, Severity, &str)> =
        RULES.iter().copied().chain(r.custom_rules.iter().map(|c| (c.id.as_str(), c.severity, c.reason.as_str()))).collect();
    let rules: Vec<Value> = catalogue
        .iter()
        .map(|(id, sev, title)| {
            json!({
                "id": id,
                "shortDescription": {"text": title},
                "defaultConfiguration": {"level": level(*sev)},
                "properties": {"security-severity": score(*sev), "tags": ["security"]},
            })
        })
        .collect();
    let results: Vec<Value> = r
        .findings
        .iter()
        .map(|f| {
            let mut props = serde_json::Map::new();
            props.insert("severity".into(), f.severity.as_str().into());
            if let Some(c) = &f.evidence.container {
                props.insert("container".into(), c.clone().into());
            }
            if let Some(p) = f.evidence.pid {
                props.insert("pid".into(), p.into());
            }
            if let Some(p) = &f.evidence.path {
                props.insert("path".into(), p.clone().into());
            }
            if let Some(a) = &f.evidence.address {
                props.insert("address".into(), a.clone().into());
            }
            if let Some(a) = &f.evidence.region {
                props.insert("region".into(), a.clone().into());
            }
            let mut res = json!({
                "ruleId": f.rule_id,
                "level": level(f.severity),
                "message": {"text": f.reason},
                "properties": props,
            });
            if let Some(i) = catalogue.iter().position(|x| x.0 == f.rule_id) {
                res["ruleIndex"] = i.into();
            }
            let artifact = f.evidence.artifact.split(':').next().unwrap_or("");
            if !artifact.is_empty() {
                res["locations"] = json!([{
                    "physicalLocation": {"artifactLocation": {"uri": uri(artifact), "uriBaseId": "BUNDLE"}},
                    "message": {"text": f.evidence.line()},
                }]);
            }
            res
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "kforensic",
                "version": version,
                "rules": rules,
            }},
            "originalUriBaseIds": {"BUNDLE": {"description": {"text": "the bundle or archive triaged"}}},
            "results": results,
            "invocations": [{
                "executionSuccessful": r.errors.is_empty(),
                // the schema wants these unique
                "toolExecutionNotifications": notifications(&r.errors),
            }],
        }],
    })
}
