//! The crate's top-level error and the exit-code policy.
//!
//! Modules return their own typed errors; they convert into [`Error`] here, and only `main`
//! turns an `Error` into a message and an exit code.

use thiserror::Error;

/// Process exit codes (README: "Exit codes").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Everything asked for was done.
    Ok = 0,
    /// The command failed (or a check it performs did not pass).
    Failure = 1,
    /// The command line was wrong.
    Usage = 2,
    /// The command finished but the evidence is partial (`complete: false`).
    Partial = 3,
    /// `triage` (and `checkpoint`'s triage) found something at or above `--fail-on`.
    Findings = 4,
}

impl Exit {
    pub fn code(self) -> i32 {
        self as i32
    }
}

#[derive(Debug, Error)]
pub enum Error {
    /// Bad input the user can fix: wrong flag combination, malformed value.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Cluster(#[from] crate::cluster::ClusterError),
    #[error(transparent)]
    Isolate(#[from] crate::cluster::isolate::IsolateError),
    #[error(transparent)]
    Evidence(#[from] crate::evidence::EvidenceError),
    #[error(transparent)]
    Agent(#[from] crate::agent::AgentError),
    #[error(transparent)]
    Analyze(#[from] crate::analyze::AnalyzeError),
    #[error(transparent)]
    Image(#[from] crate::image::ImageError),
    #[error(transparent)]
    Collect(#[from] crate::cluster::collect::CollectError),
    #[error(transparent)]
    Findings(#[from] crate::triage::TriageError),
    #[error("cannot write output: {0}")]
    Output(#[source] std::io::Error),
}

impl Error {
    pub fn exit(&self) -> Exit {
        match self {
            Error::Usage(_) => Exit::Usage,
            _ => Exit::Failure,
        }
    }
}
