use thiserror::Error;

#[derive(Debug, Error)]
pub enum EvidenceError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
