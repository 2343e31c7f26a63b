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
    /// The CRIU images could not be decoded (the first view that needed them has the cause).
    #[error("the CRIU images cannot be read: {0}")]
    Images(String),
    /// Every view asked for failed: each one's error, "; "-separated.
    #[error("{0}")]
    Views(String),
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

/// A tar reader's error without the bytes it quotes: the tar crate appends the header fields it
/// could not parse (`numeric field was not a number: <bytes> when getting cksum for <bytes>`),
/// which are the input's own content. Only the description before the first ": " is kept.
pub fn tar_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    let desc = s.split_once(": ").map_or(s.as_str(), |(d, _)| d);
    one_line(desc)
}
