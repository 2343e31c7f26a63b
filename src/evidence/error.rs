use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EvidenceError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("refusing artifact path '{0}': bundle paths are relative, without '..' or empty parts")]
    BadPath(String),
    #[error("{}: {source}", path.display())]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} already exists and is not empty: choose another --case-id or destination", .0.display())]
    BundleExists(PathBuf),
    #[error("{} is already finalized (it has a manifest.json): choose another --case-id", .0.display())]
    BundleFinalized(PathBuf),
    #[error("{} is not an evidence bundle: {why}", path)]
    NotABundle { path: String, why: String },
    #[error("artifact '{0}' was already written to this bundle")]
    Duplicate(String),
    #[error("'{0}' is reserved for the bundle itself and cannot be an artifact")]
    Reserved(String),
    #[error("bundle is already finalized")]
    Finalized,
    #[error("invalid destination '{url}': {why}")]
    BadUrl { url: String, why: String },
    #[error("{0}")]
    S3(#[from] super::s3::S3Error),
    #[error("refusing to upload {bundle}: it does not verify ({problems}); run `kforensic verify {bundle}`")]
    BrokenBundle { bundle: String, problems: String },
    #[error("{path} changed while it was being sent (sha256 {actual}, manifest says {expected}); nothing was completed for it")]
    ChangedWhileSending { path: String, expected: String, actual: String },
    #[error("cannot read archive {path}: {why}")]
    Archive { path: String, why: String },
    #[error("{0}")]
    Usage(String),
    /// The bundle is finished and whole where it was written; only sending it to the store failed.
    #[error(
        "could not upload the bundle to {dest}: {cause}; the whole bundle is kept in {} (to finish the upload: kforensic upload {} {dest})",
        dir.display(),
        dir.display()
    )]
    NotUploaded { dir: PathBuf, dest: String, cause: Box<EvidenceError> },
    /// A private key its passphrase did not open (a failure, not a usage error).
    #[error("{0}")]
    Locked(String),
}

impl EvidenceError {
    pub(crate) fn file(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EvidenceError::File { path: path.into(), source }
    }

    /// Is this the user's mistake on the command line (exit 2) rather than a failure?
    pub fn is_usage(&self) -> bool {
        match self {
            EvidenceError::NotUploaded { cause, .. } => cause.is_usage(),
            e => matches!(e, EvidenceError::BadUrl { .. } | EvidenceError::Usage(_)),
        }
    }
}
