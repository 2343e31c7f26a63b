use thiserror::Error;

#[derive(Debug, Error)]
pub enum ClusterError {
    #[error("kubeconfig context '{0}' does not exist (see: kubectl config get-contexts)")]
    NoContext(String),
    #[error("cannot load the kubeconfig: {0}")]
    Kubeconfig(String),
    #[error("no cluster configured: no kubeconfig found (set --kubeconfig or KUBECONFIG) and not running in a pod")]
    NoConfig,
    #[error("cannot reach the Kubernetes API at {server}: {reason}")]
    Unreachable {
        server: String,
        reason: String,
        /// The whole chain, for `-v`.
        #[source]
        source: Box<kube::Error>,
    },
    /// The API answered 403; names what was refused.
    #[error("permission denied: {user} cannot {verb} {resource}{ns} ({hint})")]
    Forbidden { user: String, verb: String, resource: String, ns: String, hint: String },
    #[error("pod '{pod}' not found in namespace '{namespace}'")]
    PodNotFound { pod: String, namespace: String },
    #[error("{0}")]
    Api(String),
    #[error("{0}")]
    Collector(String),
    /// The bundle could not be written.
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
    /// The API-side part of a capture could not be written into the bundle.
    #[error("writing API-side evidence: {0}")]
    ApiEvidence(#[source] crate::evidence::EvidenceError),
    /// Talking to the agent in the collector failed.
    #[error("{what}: {source}")]
    Exec {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// A task of ours ended abnormally (a bug, or the runtime shutting down).
    #[error("the {what} task failed: {source}")]
    Task {
        what: &'static str,
        #[source]
        source: tokio::task::JoinError,
    },
    #[error("{what}: {source}")]
    Kube {
        what: String,
        #[source]
        source: kube::Error,
    },
}

impl ClusterError {
    /// Wrap a kube error with what we were doing; a 403 becomes [`ClusterError::Forbidden`]-like text
    /// carrying the server's own message (it names the verb and resource).
    pub fn kube(what: impl Into<String>, source: kube::Error) -> Self {
        let what = what.into();
        if let kube::Error::Api(s) = &source {
            if is_forbidden(&source) {
                return ClusterError::Api(format!("{what}: permission denied: {}", s.message));
            }
            return ClusterError::Api(format!("{what}: {} ({})", s.message, s.reason));
        }
        ClusterError::Kube { what, source }
    }

    /// Same as [`is_not_found`].
    pub fn is_not_found(e: &kube::Error) -> bool {
        is_not_found(e)
    }
}

// The API's answers, on the HTTP status code. (kube's `Status::is_forbidden` and the like go by the
// Status reason instead, which a body that is not a Status — from a proxy, say — does not carry.)

/// The API answered 403 Forbidden.
pub fn is_forbidden(e: &kube::Error) -> bool {
    api_code(e) == Some(403)
}

/// The API answered 404 Not Found.
pub fn is_not_found(e: &kube::Error) -> bool {
    api_code(e) == Some(404)
}

/// The API answered 409 Conflict: a conflicting update, or a create of an object that exists.
pub fn is_conflict(e: &kube::Error) -> bool {
    api_code(e) == Some(409)
}

fn api_code(e: &kube::Error) -> Option<u16> {
    match e {
        kube::Error::Api(s) => Some(s.code),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16, reason: &str) -> kube::Error {
        kube::Error::Api(Box::new(kube::core::Status::failure("refused", reason).with_code(code)))
    }

    #[test]
    fn api_answers_are_told_apart_by_their_status_code() {
        assert!(is_forbidden(&api(403, "Forbidden")));
        // a body that is not a Status (a proxy's): no reason, the code still counts
        assert!(is_forbidden(&api(403, "Failed to parse error data")));
        assert!(is_not_found(&api(404, "NotFound")) && ClusterError::is_not_found(&api(404, "NotFound")));
        assert!(is_conflict(&api(409, "AlreadyExists")) && is_conflict(&api(409, "Conflict")));
        assert!(!is_forbidden(&api(401, "Unauthorized")) && !is_not_found(&api(403, "Forbidden")));
        let transport = kube::Error::FromUtf8(String::from_utf8(vec![0xff]).unwrap_err());
        assert!(!is_forbidden(&transport) && !is_not_found(&transport) && !is_conflict(&transport));
    }

    #[test]
    fn a_403_keeps_the_servers_words() {
        let e = ClusterError::kube("get pods", api(403, "Forbidden"));
        assert_eq!(e.to_string(), "get pods: permission denied: refused");
        let e = ClusterError::kube("get pods", api(500, "InternalError"));
        assert_eq!(e.to_string(), "get pods: refused (InternalError)");
    }
}
