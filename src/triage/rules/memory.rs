//! Process memory (CRIU pages or ELF cores): secrets and mining-pool URLs, attributed to the
//! process and the mapping (VMA) they are in. One pass of `analyze::search` per subject.

use crate::analyze::AnalyzeError;
use crate::analyze::search::{self, Pattern};
use crate::triage::finding::{Evidence, Finding, Severity};
use crate::triage::secrets::{self, mask};
use crate::triage::subject::Subject;
use std::collections::HashSet;

/// Matches kept per subject (a capture full of one token says so once per process anyway).
const MAX_HITS: usize = 10_000;

fn pattern() -> String {
    let pools = super::process::POOL_SCHEMES.iter().map(|s| format!("{}[A-Za-z0-9._:/-]{{1,200}}", regex::escape(s))).collect::<Vec<_>>();
    format!("{}|{}", pools.join("|"), secrets::memory_pattern())
}

pub fn check(s: &Subject) -> Result<Vec<Finding>, AnalyzeError> {
    if s.memories.is_empty() {
        return Ok(vec![]);
    }
    let pat = Pattern::regex(&pattern())?;
    let procs: Vec<_> = s.memories.iter().map(|m| (&m.memory, m.comm.as_str())).collect();
    let (hits, _, _) = search::search(&procs, &pat, &search::Options { context: 0, max_hits: MAX_HITS })?;
    // what the environment already reported, per process
    let in_env: HashSet<(u32, String)> =
        s.processes.iter().flat_map(|p| p.environ.iter().flat_map(|e| secrets::find(e)).map(move |(_, v)| (p.pid, v))).collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for h in hits {
        let Some(m) = s.memories.iter().find(|m| m.pid == h.pid) else { continue };
        let Ok((bytes, _)) = m.memory.read(h.address, h.length as usize) else { continue };
        let value = String::from_utf8_lossy(&bytes).into_owned();
        if !seen.insert((h.pid, value.clone())) {
            continue;
        }
        let region = h.region.as_ref().map(|r| format!("{:#x}-{:#x} {} {}", r.start, r.end, r.perms, r.name));
        let ev = Evidence {
            artifact: m.artifact.clone(),
            container: Some(s.name.clone()),
            pid: Some(h.pid),
            path: None,
            address: Some(format!("{:#x}", h.address)),
            region: region.clone(),
        };
        let vma = h.region.as_ref().map(|r| format!(" in {}", if r.name.is_empty() { "[anon]" } else { &r.name })).unwrap_or_default();
        if super::process::pool_url(&value).is_some() {
            out.push(Finding::new(
                "KF-MEM-001",
                Severity::Critical,
                format!("mining pool {} in the memory of pid {} ({}){vma}", super::shown(&value), h.pid, super::shown(&m.comm)),
                ev,
            ));
        } else if !in_env.contains(&(h.pid, value.clone())) {
            out.push(Finding::new(
                "KF-SEC-002",
                Severity::High,
                format!("{} in the memory of pid {} ({}){vma}: {}", secrets::kind_of(&value), h.pid, super::shown(&m.comm), mask(&value)),
                ev,
            ));
        }
    }
    Ok(out)
}
