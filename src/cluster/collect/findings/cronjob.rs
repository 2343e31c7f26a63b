//! CronJob rules: KF-CRON-001 created within the `--since` window (a classic persistence
//! mechanism), KF-CRON-002 its pod template runs privileged.

use super::pod::spec_issues;
use super::{Finding, Ident, Severity};
use k8s_openapi::api::batch::v1::CronJob;

/// The pod rules that make a template "privileged" for KF-CRON-002.
const PRIVILEGED_RULES: &[&str] = &["KF-POD-001", "KF-POD-002", "KF-POD-003", "KF-POD-004", "KF-POD-005", "KF-POD-008", "KF-POD-009"];

/// `api_version` is the version the server serves (batch/v1, or batch/v1beta1 before 1.21).
pub fn check_cronjob(cj: &CronJob, api_version: &str, recent_after: jiff::Timestamp) -> Vec<Finding> {
    let ident = Ident::new("CronJob", api_version, &cj.metadata);
    let mut out = Vec::new();
    if let Some(t) = &cj.metadata.creation_timestamp
        && t.0 >= recent_after
    {
        let schedule = cj.spec.as_ref().map(|s| s.schedule.as_str()).unwrap_or("?");
        out.push(Finding::new("KF-CRON-001", Severity::Medium, &ident, format!("created {} (schedule \"{schedule}\")", t.0)));
    }
    let spec = cj.spec.as_ref().and_then(|s| s.job_template.spec.as_ref()).and_then(|j| j.template.spec.as_ref());
    if let Some(spec) = spec {
        let hits: Vec<String> = spec_issues(spec).into_iter().filter(|i| PRIVILEGED_RULES.contains(&i.id)).map(|i| i.reason).collect();
        if !hits.is_empty() {
            out.push(Finding::new("KF-CRON-002", Severity::High, &ident, format!("privileged pod template: {}", hits.join("; "))));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cj(created: &str, privileged: bool) -> CronJob {
        serde_json::from_value(json!({"metadata":{"name":"c","namespace":"n","creationTimestamp":created},
            "spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"Never",
            "containers":[{"name":"c","image":"i@sha256:00","securityContext":{"privileged":privileged}}]}}}}}}))
        .unwrap()
    }

    #[test]
    fn recent_and_privileged() {
        let cut: jiff::Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        let ids = |c: &CronJob| check_cronjob(c, "batch/v1", cut).into_iter().map(|f| f.id).collect::<Vec<_>>();
        assert_eq!(ids(&cj("2026-01-02T00:00:01Z", false)), vec!["KF-CRON-001"]);
        assert_eq!(ids(&cj("2026-01-01T00:00:00Z", true)), vec!["KF-CRON-002"]);
        assert!(ids(&cj("2026-01-01T00:00:00Z", false)).is_empty());
    }
}
