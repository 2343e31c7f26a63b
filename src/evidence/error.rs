use thiserror::Error;

#[derive(Debug, Error)]
pub enum EvidenceError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("refusing artifact path '{0}': bundle paths are relative, without '..' or empty parts")]
    BadPath(String),
}
