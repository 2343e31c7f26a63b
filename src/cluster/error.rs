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
            if s.code == 403 {
                return ClusterError::Api(format!("{what}: permission denied: {}", s.message));
            }
            return ClusterError::Api(format!("{what}: {} ({})", s.message, s.reason));
        }
        ClusterError::Kube { what, source }
    }

    pub fn is_not_found(e: &kube::Error) -> bool {
        matches!(e, kube::Error::Api(s) if s.code == 404)
    }
}
