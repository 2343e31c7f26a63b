use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AnalyzeError {
    #[error("cannot open {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {} as a tar archive: {source}", archive.display())]
    Archive {
        archive: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("refusing {}: {what}", archive.display())]
    Hostile { archive: PathBuf, what: String },
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}: offset {offset}: {what}")]
    Image { file: String, offset: u64, what: String },
    #[error("{0}")]
    NotACheckpoint(String),
    #[error("{0}")]
    NotFound(String),
    #[error("invalid regular expression: {0}")]
    Regex(#[from] regex::Error),
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}
