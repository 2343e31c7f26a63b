use crate::cluster::error::is_forbidden;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CollectError {
    #[error("unknown source '{0}' (known: {1})")]
    UnknownSource(String, String),
    #[error("{what}: {reason}")]
    Api { what: String, reason: String },
    #[error("the API server sent a list page that is not valid JSON ({0}): retry, or report it with -v")]
    BadPage(String),
    #[error("cannot write the evidence bundle: {0}")]
    Evidence(#[from] crate::evidence::EvidenceError),
    #[error("the bundle directory {0} already exists and is not empty: choose another --dest or --case-id")]
    BundleExists(String),
    #[error("cannot create the bundle directory {path}: {source}")]
    CreateDir {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("internal error: {0}")]
    Internal(String),
}

impl CollectError {
    /// A kube error while doing `what`, as one line (403s keep the server's own words: they name
    /// the verb, resource and user).
    pub fn kube(what: impl Into<String>, e: kube::Error) -> Self {
        let what = what.into();
        let reason = match &e {
            kube::Error::Api(s) if is_forbidden(&e) => format!("permission denied: {}", s.message),
            kube::Error::Api(s) if s.code == 410 => {
                format!("the list expired while paging ({}): rerun with a larger --page-size", s.message)
            }
            kube::Error::Api(s) => format!("{} ({})", s.message, s.reason),
            other => crate::cluster::client::short(other),
        };
        CollectError::Api { what, reason }
    }
}
