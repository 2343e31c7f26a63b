//! Streaming search of process memory: each contiguous stored range is read in chunks (never a
//! whole pages image in memory); consecutive chunks overlap so a match that crosses a chunk or
//! page boundary is found once. Fixed strings use `memchr::memmem`, patterns `regex::bytes`.

use super::memory::{FileCache, ProcessMemory, Region};
use super::AnalyzeError;
use serde::Serialize;
use std::os::unix::fs::FileExt;

/// Bytes read per step.
const CHUNK: usize = 8 << 20;
/// Longest regex match guaranteed to be found whole across a chunk boundary.
pub const REGEX_MAX_MATCH: usize = 4096;

pub enum Pattern {
    Fixed(Box<memchr::memmem::Finder<'static>>),
    Regex(regex::bytes::Regex),
}

impl Pattern {
    pub fn fixed(s: &[u8]) -> Pattern {
        Pattern::Fixed(Box::new(memchr::memmem::Finder::new(s).into_owned()))
    }
    pub fn regex(re: &str) -> Result<Pattern, AnalyzeError> {
        Ok(Pattern::Regex(regex::bytes::RegexBuilder::new(re).unicode(false).build()?))
    }
    /// How many bytes of each chunk must be scanned again with the next one.
    fn overlap(&self) -> usize {
        match self {
            Pattern::Fixed(f) => f.needle().len().saturating_sub(1),
            Pattern::Regex(_) => REGEX_MAX_MATCH,
        }
    }
    /// Matches in `hay` as (start, end).
    fn each(&self, hay: &[u8], mut f: impl FnMut(usize, usize) -> bool) {
        match self {
            Pattern::Fixed(fi) => {
                let n = fi.needle().len();
                if n == 0 {
                    return;
                }
                for s in fi.find_iter(hay) {
                    if !f(s, s + n) {
                        return;
                    }
                }
            }
            Pattern::Regex(re) => {
                for m in re.find_iter(hay) {
                    if m.start() == m.end() {
                        continue;
                    }
                    if !f(m.start(), m.end()) {
                        return;
                    }
                }
            }
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub pid: u32,
    pub comm: String,
    /// virtual address of the first matched byte
    pub address: u64,
    pub length: u64,
    /// the mapping it falls in
    pub region: Option<Region>,
    /// context bytes around the match, non-printable bytes shown as '.'
    pub context: String,
    /// the same context, hex
    pub context_hex: String,
    /// offset of the match inside `context`
    pub context_offset: usize,
}

pub struct Options {
    pub context: usize,
    pub max_hits: usize,
}

/// Search every process in `procs` ((memory, comm)); returns the hits and whether the
/// `max_hits` cap stopped the search, plus the number of bytes scanned.
pub fn search(procs: &[(&ProcessMemory, &str)], pat: &Pattern, opts: &Options) -> Result<(Vec<Hit>, bool, u64), AnalyzeError> {
    let mut hits = Vec::new();
    let mut scanned = 0u64;
    let overlap = pat.overlap();
    let mut buf = vec![0u8; CHUNK + overlap];
    let mut files = FileCache::default();
    for (mem, comm) in procs {
        for run in mem.runs() {
            // stream the run: buf[..carry] holds the previous chunk's tail
            let mut carry = 0usize;
            let mut base = run.vaddr; // vaddr of buf[0]
            let mut pieces = run.pieces.iter();
            let mut cur = pieces.next().map(|s| (*s, 0u64));
            loop {
                // fill buf[carry..]
                let mut filled = carry;
                while filled < buf.len() {
                    let Some((seg, done)) = cur else { break };
                    let want = ((seg.len - done) as usize).min(buf.len() - filled);
                    let f = files.get(&seg.file).map_err(|e| read_err(&seg.file, e))?;
                    f.read_exact_at(&mut buf[filled..filled + want], seg.offset + done).map_err(|e| read_err(&seg.file, e))?;
                    filled += want;
                    let done = done + want as u64;
                    cur = if done == seg.len { pieces.next().map(|s| (*s, 0u64)) } else { Some((seg, done)) };
                }
                let last = cur.is_none();
                scanned += (filled - carry) as u64;
                let hay = &buf[..filled];
                // matches starting in the tail are found again (whole) with the next chunk
                let report_below = if last { filled } else { filled.saturating_sub(overlap) };
                let mut stop = false;
                let mut found = Vec::new();
                pat.each(hay, |s, e| {
                    if s >= report_below {
                        return false;
                    }
                    found.push((s, e));
                    if hits.len() + found.len() >= opts.max_hits {
                        stop = true;
                        return false;
                    }
                    true
                });
                for (s, e) in found {
                    hits.push(hit(mem, comm, base + s as u64, (e - s) as u64, opts.context));
                }
                if stop {
                    return Ok((hits, true, scanned));
                }
                if last {
                    break;
                }
                let keep = filled - report_below;
                buf.copy_within(report_below..filled, 0);
                base += report_below as u64;
                carry = keep;
            }
        }
    }
    Ok((hits, false, scanned))
}

fn read_err(p: &std::path::Path, e: std::io::Error) -> AnalyzeError {
    AnalyzeError::Read { file: p.display().to_string(), source: e }
}

fn hit(mem: &ProcessMemory, comm: &str, addr: u64, len: u64, context: usize) -> Hit {
    let shown_len = (len as usize).min(256);
    let start = addr.saturating_sub(context as u64);
    let before = (addr - start) as usize;
    let total = before + shown_len + context;
    let bytes = mem.read(start, total).map(|(b, _)| b).unwrap_or_default();
    Hit {
        pid: mem.pid,
        comm: comm.to_string(),
        address: addr,
        length: len,
        region: mem.region_at(addr).cloned(),
        context: printable(&bytes),
        context_hex: hex::encode(&bytes),
        context_offset: before,
    }
}

pub fn printable(b: &[u8]) -> String {
    b.iter().map(|&c| if (0x20..0x7f).contains(&c) { c as char } else { '.' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::archive::TempDir;
    use crate::analyze::memory::Segment;

    fn mem_with(data: &[u8], vaddr: u64, split: usize) -> (TempDir, ProcessMemory) {
        let dir = TempDir::new().unwrap();
        let f = dir.path.join("pages");
        std::fs::write(&f, data).unwrap();
        // two segments, contiguous in memory, stored in reverse order in the file
        let (a, b) = data.split_at(split);
        let mut swapped = b.to_vec();
        swapped.extend_from_slice(a);
        std::fs::write(&f, &swapped).unwrap();
        let segs = vec![
            Segment { vaddr, len: a.len() as u64, file: f.clone(), offset: b.len() as u64 },
            Segment { vaddr: vaddr + a.len() as u64, len: b.len() as u64, file: f, offset: 0 },
        ];
        (dir, ProcessMemory { pid: 7, regions: vec![], segments: segs })
    }

    #[test]
    fn finds_matches_across_segment_and_chunk_boundaries_once() {
        let mut data = vec![0u8; 3 * CHUNK + 100];
        let needle = b"kf-secret-needle";
        let spots = [10usize, 4096 - 5, CHUNK - 3, 2 * CHUNK - 8, 3 * CHUNK + 100 - needle.len()];
        for &s in &spots {
            data[s..s + needle.len()].copy_from_slice(needle);
        }
        let (_d, mem) = mem_with(&data, 0x10_0000, 4096);
        let opts = Options { context: 4, max_hits: 100 };
        let (hits, capped, scanned) = search(&[(&mem, "t")], &Pattern::fixed(needle), &opts).unwrap();
        assert!(!capped);
        assert_eq!(scanned, data.len() as u64);
        let addrs: Vec<u64> = hits.iter().map(|h| h.address).collect();
        let want: Vec<u64> = spots.iter().map(|&s| 0x10_0000 + s as u64).collect();
        assert_eq!(addrs, want);
        assert_eq!(&hits[0].context[4..4 + needle.len()], "kf-secret-needle");

        let re = Pattern::regex(r"kf-secret-[a-z]+").unwrap();
        let (hits, _, _) = search(&[(&mem, "t")], &re, &opts).unwrap();
        assert_eq!(hits.iter().map(|h| h.address).collect::<Vec<_>>(), want);
        assert!(hits.iter().all(|h| h.length == needle.len() as u64));
    }

    #[test]
    fn cap_stops_the_search() {
        let data = vec![b'a'; 10000];
        let (_d, mem) = mem_with(&data, 0x1000, 5000);
        let (hits, capped, _) = search(&[(&mem, "t")], &Pattern::fixed(b"aa"), &Options { context: 0, max_hits: 3 }).unwrap();
        assert!(capped);
        assert_eq!(hits.len(), 3);
    }
}
