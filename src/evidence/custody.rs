//! `custody.log`: one JSON line per event, append-only. Each line carries `prev_sha256`, the
//! SHA-256 of the previous line's bytes (without its newline; the first line carries the SHA-256 of
//! the empty string), so changing, inserting or deleting a line breaks the chain at the next line.

use super::EvidenceError;
use super::hash::Sha256;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// `prev_sha256` of the first line: SHA-256 of the empty string.
pub const GENESIS: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CustodyEntry {
    pub seq: u64,
    pub time: jiff::Timestamp,
    pub event: String,
    pub actor: String,
    #[serde(default)]
    pub details: serde_json::Value,
    pub prev_sha256: String,
}

pub fn line_sha256(line: &[u8]) -> String {
    hex::encode(Sha256::digest(line))
}

/// An open custody log, appending events to the chain.
pub struct CustodyLog {
    path: PathBuf,
    file: File,
    prev: String,
    seq: u64,
    actor: String,
}

impl CustodyLog {
    /// Start a new log (the file must not exist).
    pub fn create(path: &Path, actor: &str) -> Result<CustodyLog, EvidenceError> {
        let file = super::private::create_new_append(path).map_err(|e| EvidenceError::file(path, e))?;
        Ok(CustodyLog { path: path.into(), file, prev: GENESIS.into(), seq: 0, actor: actor.into() })
    }

    /// Continue an existing log: new lines chain to its last line as it is on disk.
    pub fn open_append(path: &Path, actor: &str) -> Result<CustodyLog, EvidenceError> {
        let mut text = Vec::new();
        File::open(path)
            .and_then(|f| f.take(super::manifest::MAX_META_BYTES).read_to_end(&mut text))
            .map_err(|e| EvidenceError::file(path, e))?;
        let mut file = OpenOptions::new().append(true).open(path).map_err(|e| EvidenceError::file(path, e))?;
        if !text.is_empty() && !text.ends_with(b"\n") {
            // a torn last line: end it so the next event starts on its own line
            file.write_all(b"\n").map_err(|e| EvidenceError::file(path, e))?;
            text.push(b'\n');
        }
        let body = text.strip_suffix(b"\n").unwrap_or(&text);
        let (prev, seq) = match body.rsplit(|&b| b == b'\n').next().filter(|l| !l.is_empty()) {
            None => (GENESIS.to_string(), 0),
            Some(last) => {
                let seq = serde_json::from_slice::<CustodyEntry>(last).map(|e| e.seq).unwrap_or(0);
                (line_sha256(last), seq)
            }
        };
        Ok(CustodyLog { path: path.into(), file, prev, seq, actor: actor.into() })
    }

    /// Append one event; returns the SHA-256 of the line written.
    pub fn append(&mut self, event: &str, details: serde_json::Value) -> Result<String, EvidenceError> {
        let entry = CustodyEntry {
            seq: self.seq + 1,
            time: jiff::Timestamp::now(),
            event: event.into(),
            actor: self.actor.clone(),
            details,
            prev_sha256: self.prev.clone(),
        };
        let mut line = serde_json::to_vec(&entry).map_err(std::io::Error::other)?;
        let hash = line_sha256(&line);
        line.push(b'\n');
        // one write of the whole line (O_APPEND): no interleaving, no torn line on a clean error
        self.file.write_all(&line).map_err(|e| EvidenceError::file(&self.path, e))?;
        self.prev = hash.clone();
        self.seq += 1;
        Ok(hash)
    }

    /// Flush the log to stable storage.
    pub fn sync(&self) -> Result<(), EvidenceError> {
        self.file.sync_data().map_err(|e| EvidenceError::file(&self.path, e))
    }
}

/// Something wrong with a custody log; `line` is 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainProblem {
    /// `prev_sha256` of this line is not the SHA-256 of the line before it.
    Broken { line: usize },
    /// This line is not a custody entry.
    Invalid { line: usize, why: String },
    /// The log does not end with a newline: its last line was cut.
    Truncated { line: usize },
    /// `count` more problems from this line on, not listed one by one (a log that is mostly
    /// garbage would otherwise give a problem, and a message, per line).
    More { line: usize, count: usize },
}

impl ChainProblem {
    /// The 1-based line it is about.
    pub fn line(&self) -> usize {
        match self {
            ChainProblem::Broken { line }
            | ChainProblem::Invalid { line, .. }
            | ChainProblem::Truncated { line }
            | ChainProblem::More { line, .. } => *line,
        }
    }
}

/// Problems of one custody log listed one by one; the rest are counted in one [`ChainProblem::More`].
pub const MAX_LISTED_PROBLEMS: usize = 100;

impl std::fmt::Display for ChainProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChainProblem::Broken { line } => {
                write!(f, "custody.log: chain broken at line {line} (the line before it was changed, or lines were removed or inserted)")
            }
            ChainProblem::Invalid { line, why } => write!(f, "custody.log: line {line} is not a custody entry: {why}"),
            ChainProblem::Truncated { line } => write!(f, "custody.log: line {line} is cut short (no newline)"),
            ChainProblem::More { line, count } => write!(f, "custody.log: {count} more problem(s) from line {line} on, not listed"),
        }
    }
}

#[derive(Debug, Default)]
pub struct ChainCheck {
    /// Every line that parsed, with its 1-based line number.
    pub entries: Vec<(usize, CustodyEntry)>,
    pub lines: usize,
    pub problems: Vec<ChainProblem>,
}

/// Check a whole custody log. After a break the check resynchronises on the line as it is, so
/// every break is reported, not just the first.
pub fn check_chain(text: &[u8]) -> ChainCheck {
    let mut out = ChainCheck::default();
    if text.is_empty() {
        out.problems.push(ChainProblem::Invalid { line: 1, why: "the log is empty".into() });
        return out;
    }
    // problems past the listed ones are only counted: (first line, count)
    let mut more: Option<(usize, usize)> = None;
    let mut note = |problems: &mut Vec<ChainProblem>, line: usize, p: &dyn Fn() -> ChainProblem| {
        if problems.len() + 1 < MAX_LISTED_PROBLEMS {
            problems.push(p());
        } else {
            more.get_or_insert((line, 0)).1 += 1;
        }
    };
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let mut prev = GENESIS.to_string();
    for (i, line) in body.split(|&b| b == b'\n').enumerate() {
        let n = i + 1;
        out.lines = n;
        match serde_json::from_slice::<CustodyEntry>(line) {
            Ok(e) => {
                if e.prev_sha256 != prev {
                    note(&mut out.problems, n, &|| ChainProblem::Broken { line: n });
                }
                out.entries.push((n, e));
            }
            Err(e) => note(&mut out.problems, n, &|| ChainProblem::Invalid { line: n, why: super::artifact::clip(&e.to_string(), 512) }),
        }
        prev = line_sha256(line);
    }
    if !text.ends_with(b"\n") {
        let n = out.lines;
        note(&mut out.problems, n, &|| ChainProblem::Truncated { line: n });
    }
    if let Some((line, count)) = more {
        out.problems.push(ChainProblem::More { line, count });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log_with(n: usize) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("custody.log");
        let mut log = CustodyLog::create(&p, "alice@host").unwrap();
        for i in 0..n {
            log.append("artifact_finished", json!({"path": format!("a{i}"), "bytes": i})).unwrap();
        }
        (d, p)
    }

    fn lines(p: &Path) -> Vec<String> {
        std::fs::read_to_string(p).unwrap().lines().map(String::from).collect()
    }

    fn write_lines(p: &Path, l: &[String]) {
        std::fs::write(p, l.iter().map(|s| format!("{s}\n")).collect::<String>()).unwrap();
    }

    #[test]
    fn genesis_is_sha256_of_empty_string() {
        assert_eq!(line_sha256(b""), GENESIS);
    }

    #[test]
    fn an_intact_chain_checks_and_links_each_line_to_the_previous() {
        let (_d, p) = log_with(4);
        let text = std::fs::read(&p).unwrap();
        let c = check_chain(&text);
        assert_eq!(c.problems, vec![]);
        assert_eq!(c.lines, 4);
        let l = lines(&p);
        assert_eq!(c.entries[0].1.prev_sha256, GENESIS);
        assert_eq!(c.entries[2].1.prev_sha256, line_sha256(l[1].as_bytes()));
        assert_eq!(c.entries[3].1.seq, 4);
    }

    #[test]
    fn deleting_a_line_breaks_the_chain_at_that_position() {
        let (_d, p) = log_with(5);
        let mut l = lines(&p);
        l.remove(2); // third line gone: the old fourth is now line 3
        write_lines(&p, &l);
        let c = check_chain(&std::fs::read(&p).unwrap());
        assert_eq!(c.problems, vec![ChainProblem::Broken { line: 3 }]);
    }

    #[test]
    fn deleting_the_first_line_breaks_line_one() {
        let (_d, p) = log_with(3);
        let mut l = lines(&p);
        l.remove(0);
        write_lines(&p, &l);
        assert_eq!(check_chain(&std::fs::read(&p).unwrap()).problems, vec![ChainProblem::Broken { line: 1 }]);
    }

    #[test]
    fn editing_a_line_breaks_the_next_one() {
        let (_d, p) = log_with(4);
        let mut l = lines(&p);
        l[1] = l[1].replace("\"bytes\":1", "\"bytes\":9");
        write_lines(&p, &l);
        assert_eq!(check_chain(&std::fs::read(&p).unwrap()).problems, vec![ChainProblem::Broken { line: 3 }]);
    }

    #[test]
    fn garbage_and_a_cut_last_line_are_reported() {
        let (_d, p) = log_with(2);
        let mut text = std::fs::read(&p).unwrap();
        text.extend_from_slice(b"not json");
        let c = check_chain(&text);
        assert!(c.problems.iter().any(|p| matches!(p, ChainProblem::Invalid { line: 3, .. })), "{:?}", c.problems);
        assert!(c.problems.contains(&ChainProblem::Truncated { line: 3 }));
        assert!(!check_chain(b"").problems.is_empty());
    }

    #[test]
    fn a_log_of_garbage_lists_a_bounded_number_of_problems_and_counts_the_rest() {
        let text = "x\n".repeat(100_000);
        let c = check_chain(text.as_bytes());
        assert_eq!(c.lines, 100_000);
        assert_eq!(c.problems.len(), MAX_LISTED_PROBLEMS);
        let last = c.problems.last().unwrap();
        assert_eq!(*last, ChainProblem::More { line: MAX_LISTED_PROBLEMS, count: 100_000 - (MAX_LISTED_PROBLEMS - 1) });
        assert_eq!(
            last.to_string(),
            format!("custody.log: {} more problem(s) from line {MAX_LISTED_PROBLEMS} on, not listed", 100_001 - MAX_LISTED_PROBLEMS)
        );
    }

    #[test]
    fn reopening_continues_the_chain() {
        let (_d, p) = log_with(2);
        let mut log = CustodyLog::open_append(&p, "bob@host").unwrap();
        log.append("upload", json!({"to": "s3://b/p"})).unwrap();
        let c = check_chain(&std::fs::read(&p).unwrap());
        assert_eq!(c.problems, vec![]);
        assert_eq!(c.entries[2].1.seq, 3);
        assert_eq!(c.entries[2].1.actor, "bob@host");
    }
}
