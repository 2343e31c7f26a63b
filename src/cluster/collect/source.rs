//! The sources `collect` knows, their names on the command line and their files in the bundle.

use super::CollectError;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Pods,
    Images,
    Logs,
    Events,
    ServiceAccounts,
    Secrets,
    CronJobs,
    Jobs,
    NetworkPolicies,
    Roles,
    ClusterRoles,
    RoleBindings,
    ClusterRoleBindings,
    Webhooks,
    Nodes,
}

impl Source {
    pub const ALL: [Source; 15] = [
        Source::Pods,
        Source::Images,
        Source::Logs,
        Source::Events,
        Source::ServiceAccounts,
        Source::Secrets,
        Source::CronJobs,
        Source::Jobs,
        Source::NetworkPolicies,
        Source::Roles,
        Source::ClusterRoles,
        Source::RoleBindings,
        Source::ClusterRoleBindings,
        Source::Webhooks,
        Source::Nodes,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Source::Pods => "pods",
            Source::Images => "images",
            Source::Logs => "logs",
            Source::Events => "events",
            Source::ServiceAccounts => "serviceaccounts",
            Source::Secrets => "secrets",
            Source::CronJobs => "cronjobs",
            Source::Jobs => "jobs",
            Source::NetworkPolicies => "networkpolicies",
            Source::Roles => "roles",
            Source::ClusterRoles => "clusterroles",
            Source::RoleBindings => "rolebindings",
            Source::ClusterRoleBindings => "clusterrolebindings",
            Source::Webhooks => "webhooks",
            Source::Nodes => "nodes",
        }
    }

    /// The file in the bundle.
    pub fn path(self) -> String {
        format!("triage/{}.ndjson", self.name())
    }

    /// Parse a `--sources` list: names separated by commas; `all` and `rbac` (the four RBAC
    /// sources) are accepted as groups.
    pub fn parse_list(s: &str) -> Result<Vec<Source>, CollectError> {
        let mut out = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let p = part.to_ascii_lowercase();
            match p.as_str() {
                "all" => out.extend(Source::ALL),
                "rbac" => out.extend([Source::Roles, Source::ClusterRoles, Source::RoleBindings, Source::ClusterRoleBindings]),
                "webhookconfigurations" | "mutatingwebhookconfigurations" | "validatingwebhookconfigurations" => out.push(Source::Webhooks),
                _ => match Source::ALL.iter().find(|x| x.name() == p || x.name().trim_end_matches('s') == p) {
                    Some(x) => out.push(*x),
                    None => {
                        let known: Vec<&str> = Source::ALL.iter().map(|x| x.name()).collect();
                        return Err(CollectError::UnknownSource(part.to_string(), format!("{}, rbac, all", known.join(", "))));
                    }
                },
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_groups_and_singulars_parse() {
        assert_eq!(Source::parse_list("logs,events").unwrap(), vec![Source::Logs, Source::Events]);
        assert_eq!(Source::parse_list("pod, rbac").unwrap().len(), 5);
        assert_eq!(Source::parse_list("all").unwrap().len(), Source::ALL.len());
        assert!(Source::parse_list("pods,bogus").is_err());
    }
}
