use thiserror::Error;

#[derive(Debug, Error)]
pub enum AgentError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A target given on the command line or in the target list is malformed.
    #[error("{0}")]
    BadTarget(String),
    #[error("cannot read the target list {path}: {reason}")]
    TargetList { path: String, reason: String },
    #[error("cannot use output directory {path}: {source}")]
    OutDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// Writing into the sink failed (stdout closed, disk full): nothing more can be delivered.
    #[error("cannot deliver evidence: {0}")]
    Sink(#[from] crate::evidence::EvidenceError),
    #[error(transparent)]
    Protocol(#[from] crate::protocol::ProtocolError),
    #[error("kubelet checkpoint: {0}")]
    Kubelet(String),
    #[error("cannot freeze the pod: {0}")]
    PodFreeze(#[source] crate::agent::memory::MemoryError),
    #[error("cannot export {path}: {source}")]
    Export {
        path: String,
        #[source]
        source: std::io::Error,
    },
}
