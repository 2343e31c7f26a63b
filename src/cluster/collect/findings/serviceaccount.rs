//! KF-SA-001: a service account whose token is mounted into a privileged pod — whoever owns the
//! pod owns the node, and with the token, whatever the account may do in the API. "Privileged"
//! is [`super::pod::is_privileged`]: privileged container, hostPID, ALL/SYS_ADMIN/SYS_MODULE, or
//! a writable sensitive hostPath.

use super::{Finding, Ident, Severity};

/// A privileged pod, as the join with service accounts needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegedPod {
    pub namespace: String,
    pub name: String,
    pub service_account: String,
    /// The pod's own `automountServiceAccountToken` (it wins over the account's).
    pub automount: Option<bool>,
}

/// `sa_automount`: the account's `automountServiceAccountToken` (None: unset, i.e. mounted).
pub fn token_in_privileged_pods(sa: &Ident, sa_automount: Option<bool>, pods: &[&PrivilegedPod]) -> Option<Finding> {
    let mounted: Vec<&str> = pods.iter().filter(|p| p.automount.or(sa_automount).unwrap_or(true)).map(|p| p.name.as_str()).collect();
    if mounted.is_empty() {
        return None;
    }
    let shown: Vec<&str> = mounted.iter().take(10).copied().collect();
    let more = if mounted.len() > shown.len() { format!(" and {} more", mounted.len() - shown.len()) } else { String::new() };
    Some(Finding::new("KF-SA-001", Severity::High, sa, format!("token automounted into privileged pod(s): {}{more}", shown.join(", "))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_setting_wins_over_the_account() {
        let sa =
            Ident { kind: "ServiceAccount".into(), api_version: "v1".into(), namespace: Some("n".into()), name: "s".into(), uid: None };
        let p = |a: Option<bool>| PrivilegedPod { namespace: "n".into(), name: "p".into(), service_account: "s".into(), automount: a };
        assert!(token_in_privileged_pods(&sa, None, &[&p(None)]).is_some());
        assert!(token_in_privileged_pods(&sa, Some(false), &[&p(None)]).is_none());
        assert!(token_in_privileged_pods(&sa, Some(false), &[&p(Some(true))]).is_some());
        assert!(token_in_privileged_pods(&sa, None, &[&p(Some(false))]).is_none());
        assert!(token_in_privileged_pods(&sa, None, &[]).is_none());
    }
}
