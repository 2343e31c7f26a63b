use thiserror::Error;

#[derive(Debug, Error)]
pub enum AnalyzeError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
