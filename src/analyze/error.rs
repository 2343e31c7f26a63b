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
    /// `what` comes from the tar reader and may quote hostile bytes: made one clean line.
    #[error("cannot read {} as a tar archive: {what}", archive.display())]
    Archive { archive: PathBuf, what: String },
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

/// A message that may quote hostile input, as one printable line of bounded length.
pub fn one_line(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if out.len() >= 200 {
            out.push('…');
            break;
        }
        match c {
            c if c.is_control() || c == '\u{fffd}' => out.push_str(&format!("\\x{:02x}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    out
}
