//! `custody.log`: one JSON line per event, append-only. Each line carries `prev_sha256`, the
//! SHA-256 of the previous line's bytes (without its newline; the first line carries the SHA-256 of
//! the empty string), so changing, inserting or deleting a line breaks the chain at the next line.

use super::EvidenceError;
use super::hash::{Digested, Digests, Sha256};
use super::meta::JsonGuard;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// Lines up to this long are parsed in memory; longer ones as a stream.
const FAST_LINE: u64 = 1 << 20;

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

    /// Continue an existing log: new lines chain to its last line as it is on disk. The log is
    /// read once as a stream (any size); only its last line is parsed, for its `seq`.
    pub fn open_append(path: &Path, actor: &str) -> Result<CustodyLog, EvidenceError> {
        let err = |e| EvidenceError::file(path, e);
        let mut r = BufReader::with_capacity(1 << 20, File::open(path).map_err(err)?);
        // (offset, length, SHA-256, ended with a newline) of the last line
        let mut last: Option<(u64, u64, String, bool)> = None;
        let mut offset = 0u64;
        while !r.fill_buf().map_err(err)?.is_empty() {
            let mut line = LineReader::new(&mut r, None);
            io::copy(&mut line, &mut io::sink()).map_err(err)?;
            let (len, sha, ended) = line.finish();
            last = Some((offset, len, sha, ended));
            offset += len + u64::from(ended);
        }
        let mut file = OpenOptions::new().append(true).open(path).map_err(err)?;
        let (prev, seq) = match last {
            None => (GENESIS.to_string(), 0),
            Some((at, len, sha, ended)) => {
                if !ended {
                    // a torn last line: end it so the next event starts on its own line
                    file.write_all(b"\n").map_err(err)?;
                }
                if len == 0 {
                    (GENESIS.to_string(), 0)
                } else {
                    let mut f = r.into_inner();
                    f.seek(io::SeekFrom::Start(at)).map_err(err)?;
                    let seq = serde_json::from_reader::<_, Seq>(BufReader::new(JsonGuard::new(f.take(len), super::meta::memory_budget())))
                        .map(|s| s.seq)
                        .unwrap_or(0);
                    (sha, seq)
                }
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

/// The `seq` of a line (its other fields skipped unread).
#[derive(Deserialize)]
struct Seq {
    seq: u64,
}

/// What a chain check needs of each line, whatever else it keeps of it.
pub trait ChainLine: DeserializeOwned {
    fn prev_sha256(&self) -> &str;
    fn event(&self) -> &str;
}

impl ChainLine for CustodyEntry {
    fn prev_sha256(&self) -> &str {
        &self.prev_sha256
    }
    fn event(&self) -> &str {
        &self.event
    }
}

/// What the chain check found; the lines themselves went to the caller, one at a time.
#[derive(Debug, Default)]
pub struct ChainCheck {
    pub lines: usize,
    /// Bytes read.
    pub bytes: u64,
    pub problems: Vec<ChainProblem>,
    /// The digests of the log up to and including the newline of its first `finalized` line:
    /// what the custody signature covers (later `verify` / `upload` lines do not break it).
    pub sealed: Option<Digested>,
}

/// One line of a log, read through once: its bytes (without the newline) pass to the reader and
/// into its SHA-256 (and into `also`, with the newline); it ends at its newline or at the end of
/// the log. However long the line, nothing of it is kept here.
pub struct LineReader<'a> {
    r: &'a mut dyn BufRead,
    also: Option<&'a mut Digests>,
    hash: Sha256,
    len: u64,
    done: bool,
    ended: bool,
}

impl<'a> LineReader<'a> {
    pub fn new(r: &'a mut dyn BufRead, also: Option<&'a mut Digests>) -> Self {
        LineReader { r, also, hash: Sha256::new(), len: 0, done: false, ended: false }
    }

    /// Read what is left of the line; then (length without the newline, hex SHA-256 of the line,
    /// whether it ended with a newline).
    pub fn finish(mut self) -> (u64, String, bool) {
        let _ = io::copy(&mut self, &mut io::sink());
        (self.len, self.hash.finalize_hex(), self.ended)
    }
}

impl Read for LineReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        let avail = self.r.fill_buf()?;
        if avail.is_empty() {
            self.done = true;
            return Ok(0);
        }
        let stop = memchr::memchr(b'\n', avail);
        if stop == Some(0) {
            if let Some(d) = self.also.as_deref_mut() {
                d.update(b"\n");
            }
            self.r.consume(1);
            self.done = true;
            self.ended = true;
            return Ok(0);
        }
        let n = stop.unwrap_or(avail.len()).min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.hash.update(&avail[..n]);
        if let Some(d) = self.also.as_deref_mut() {
            d.update(&avail[..n]);
        }
        self.len += n as u64;
        self.r.consume(n);
        Ok(n)
    }
}

/// Check a custody log read from `r`, one line at a time (never the whole log in memory; a line
/// of any length is hashed as it streams and parsed as `T`, which may skip what it does not
/// need). Each line that parses goes to `each` with its 1-based number. After a break the check
/// resynchronises on the line as it is, so every break is reported, not just the first.
pub fn check_chain_from<T: ChainLine>(r: &mut dyn BufRead, each: &mut dyn FnMut(usize, T)) -> io::Result<ChainCheck> {
    let mut out = ChainCheck::default();
    // problems past the listed ones are only counted: (first line, count)
    let mut more: Option<(usize, usize)> = None;
    let mut note = |problems: &mut Vec<ChainProblem>, line: usize, p: &dyn Fn() -> ChainProblem| {
        if problems.len() + 1 < MAX_LISTED_PROBLEMS {
            problems.push(p());
        } else {
            more.get_or_insert((line, 0)).1 += 1;
        }
    };
    let mut prev = GENESIS.to_string();
    let mut sealing = Some(Digests::new());
    let budget = super::meta::memory_budget();
    let mut buf = Vec::new();
    while !r.fill_buf()?.is_empty() {
        let n = out.lines + 1;
        out.lines = n;
        let mut line = LineReader::new(r, sealing.as_mut());
        // a line of up to 1 MiB (every line kforensic writes, but for huge lists) is parsed in
        // memory; a longer one streams through the JSON guard
        buf.clear();
        (&mut line).take(FAST_LINE + 1).read_to_end(&mut buf)?;
        let (parsed, tripped) = if buf.len() as u64 <= FAST_LINE {
            (serde_json::from_slice::<T>(&buf), None)
        } else {
            let mut text = BufReader::with_capacity(1 << 16, JsonGuard::new((&buf[..]).chain(&mut line), budget));
            let parsed = serde_json::from_reader::<_, T>(&mut text);
            (parsed, text.get_ref().tripped().map(str::to_string))
        };
        let (len, sha, ended) = line.finish();
        out.bytes += len + u64::from(ended);
        match parsed {
            Ok(e) => {
                if e.prev_sha256() != prev {
                    note(&mut out.problems, n, &|| ChainProblem::Broken { line: n });
                }
                if e.event() == "finalized" && ended {
                    out.sealed = sealing.take().map(Digests::finish);
                }
                each(n, e);
            }
            Err(e) if e.is_io() && tripped.is_none() => return Err(io::Error::other(format!("custody.log line {n}: {e}"))),
            Err(e) => {
                let why = super::artifact::clip(&tripped.clone().unwrap_or_else(|| e.to_string()), 512);
                note(&mut out.problems, n, &|| ChainProblem::Invalid { line: n, why: why.clone() })
            }
        }
        if !ended {
            note(&mut out.problems, n, &|| ChainProblem::Truncated { line: n });
        }
        prev = sha;
    }
    if out.lines == 0 {
        out.problems.push(ChainProblem::Invalid { line: 1, why: "the log is empty".into() });
    }
    if let Some((line, count)) = more {
        out.problems.push(ChainProblem::More { line, count });
    }
    Ok(out)
}

/// Check a whole custody log held in memory; every entry that parsed, with its line number.
pub fn check_chain(text: &[u8]) -> (ChainCheck, Vec<(usize, CustodyEntry)>) {
    let mut entries = Vec::new();
    let check = check_chain_from(&mut &text[..], &mut |n, e| entries.push((n, e))).expect("reading memory does not fail");
    (check, entries)
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
        let (c, entries) = check_chain(&text);
        assert_eq!(c.problems, vec![]);
        assert_eq!(c.lines, 4);
        let l = lines(&p);
        assert_eq!(entries[0].1.prev_sha256, GENESIS);
        assert_eq!(entries[2].1.prev_sha256, line_sha256(l[1].as_bytes()));
        assert_eq!(entries[3].1.seq, 4);
    }

    #[test]
    fn deleting_a_line_breaks_the_chain_at_that_position() {
        let (_d, p) = log_with(5);
        let mut l = lines(&p);
        l.remove(2); // third line gone: the old fourth is now line 3
        write_lines(&p, &l);
        let (c, _) = check_chain(&std::fs::read(&p).unwrap());
        assert_eq!(c.problems, vec![ChainProblem::Broken { line: 3 }]);
    }

    #[test]
    fn deleting_the_first_line_breaks_line_one() {
        let (_d, p) = log_with(3);
        let mut l = lines(&p);
        l.remove(0);
        write_lines(&p, &l);
        assert_eq!(check_chain(&std::fs::read(&p).unwrap()).0.problems, vec![ChainProblem::Broken { line: 1 }]);
    }

    #[test]
    fn editing_a_line_breaks_the_next_one() {
        let (_d, p) = log_with(4);
        let mut l = lines(&p);
        l[1] = l[1].replace("\"bytes\":1", "\"bytes\":9");
        write_lines(&p, &l);
        assert_eq!(check_chain(&std::fs::read(&p).unwrap()).0.problems, vec![ChainProblem::Broken { line: 3 }]);
    }

    #[test]
    fn garbage_and_a_cut_last_line_are_reported() {
        let (_d, p) = log_with(2);
        let mut text = std::fs::read(&p).unwrap();
        text.extend_from_slice(b"not json");
        let (c, _) = check_chain(&text);
        assert!(c.problems.iter().any(|p| matches!(p, ChainProblem::Invalid { line: 3, .. })), "{:?}", c.problems);
        assert!(c.problems.contains(&ChainProblem::Truncated { line: 3 }));
        assert!(!check_chain(b"").0.problems.is_empty());
    }

    #[test]
    fn a_line_longer_than_a_mebibyte_streams_and_still_chains() {
        let (_d, p) = log_with(1);
        let mut log = CustodyLog::open_append(&p, "alice@host").unwrap();
        log.append("upload", json!({"objects": vec!["x".repeat(100); 40_000]})).unwrap();
        log.append("verify", json!({})).unwrap();
        let text = std::fs::read(&p).unwrap();
        assert!(text.len() > 3 << 20);
        let (c, entries) = check_chain(&text);
        assert_eq!(c.problems, vec![]);
        assert_eq!((c.lines, entries[1].1.event.as_str()), (3, "upload"));
        // the long line changed: the next one breaks
        let edited = String::from_utf8(text).unwrap().replacen("xxxx", "xxxy", 1);
        assert_eq!(check_chain(edited.as_bytes()).0.problems, vec![ChainProblem::Broken { line: 3 }]);
        // reopened after the long line, the chain goes on
        let mut log = CustodyLog::open_append(&p, "bob@host").unwrap();
        log.append("verify", json!({})).unwrap();
        assert_eq!(check_chain(&std::fs::read(&p).unwrap()).0.problems, vec![]);
    }

    #[test]
    fn a_log_of_garbage_lists_a_bounded_number_of_problems_and_counts_the_rest() {
        let text = "x\n".repeat(100_000);
        let (c, _) = check_chain(text.as_bytes());
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
        let (c, entries) = check_chain(&std::fs::read(&p).unwrap());
        assert_eq!(c.problems, vec![]);
        assert_eq!(entries[2].1.seq, 3);
        assert_eq!(entries[2].1.actor, "bob@host");
    }
}
