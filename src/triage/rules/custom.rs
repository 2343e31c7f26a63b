//! The responder's own rules (`--rules`, loaded by `triage::custom`) over one subject: processes
//! (comm, exe, cmdline, environment variable names, a string in their memory), the rootfs diff
//! (paths, a string in a file's content) and, for a rule with only a string, all memory and
//! every file. One finding per rule and process, or per rule and file.

use super::{at_process, shown};
use crate::analyze::search::{self, Pattern};
use crate::triage::TriageError;
use crate::triage::custom::{Rule, Rules};
use crate::triage::finding::{Evidence, Finding};
use crate::triage::subject::{Process, Subject};
use std::collections::HashMap;

/// Memory matches kept per subject (across every rule's string).
const MAX_HITS: usize = 10_000;
/// How much of a rootfs-diff file is searched for a string.
const MAX_FILE: usize = 64 << 20;

/// Where a string was first seen in a process's memory: the evidence, and ` at 0x… in VMA`.
type MemoryHit = (Evidence, String);

pub fn check(rules: &Rules, s: &Subject, memory: bool) -> Result<Vec<Finding>, TriageError> {
    if rules.rules.is_empty() {
        return Ok(vec![]);
    }
    let hits = if memory { memory_hits(rules, s)? } else { HashMap::new() };
    let mut out = Vec::new();
    for r in &rules.rules {
        let m = &r.matchers;
        if m.on_process() || (m.path.is_none() && memory) {
            for p in &s.processes {
                if let Some(f) = on_process(r, s, p, &hits) {
                    out.push(f);
                }
            }
        }
    }
    out.extend(on_files(rules, s)?);
    Ok(out)
}

/// The rule on one process: every process matcher, and its string in the process's memory.
fn on_process(r: &Rule, s: &Subject, p: &Process, hits: &HashMap<(String, u32), MemoryHit>) -> Option<Finding> {
    let m = &r.matchers;
    let name_ok = |re: &Option<regex::Regex>, v: Option<&str>| re.as_ref().is_none_or(|re| v.is_some_and(|v| re.is_match(v)));
    if !name_ok(&m.comm, Some(p.comm.as_str()))
        || !name_ok(&m.exe, p.exe.as_deref())
        || !name_ok(&m.cmdline, Some(p.cmdline.join(" ").as_str()))
    {
        return None;
    }
    // the command line when the rule looked at it, else the process name
    let who = if m.cmdline.is_some() { p.command() } else { p.comm.clone() };
    let mut what = format!("pid {} ({})", p.pid, shown(&who));
    if let Some(re) = &m.env {
        let var = p.environ.iter().map(|kv| kv.split('=').next().unwrap_or("")).find(|n| re.is_match(n))?;
        what.push_str(&format!(", environment variable {}", shown(var)));
    }
    let mut ev = at_process(s, p);
    if let Some(string) = &m.string {
        let (at, vma) = hits.get(&(string.clone(), p.pid))?;
        what = format!("pid {} ({}){vma}", p.pid, shown(&p.comm));
        ev = at.clone();
    }
    Some(Finding::new(&r.id, r.severity, format!("{}: {what}", r.reason), ev))
}

/// Where each rule string is first seen in each process's memory, in one pass over the memory.
fn memory_hits(rules: &Rules, s: &Subject) -> Result<HashMap<(String, u32), MemoryHit>, TriageError> {
    let mut strings: Vec<&str> =
        rules.rules.iter().filter(|r| r.matchers.path.is_none()).filter_map(|r| r.matchers.string.as_deref()).collect();
    strings.sort();
    strings.dedup();
    let mut out = HashMap::new();
    if strings.is_empty() || s.memories.is_empty() {
        return Ok(out);
    }
    let alt = strings.iter().map(|x| regex::escape(x)).collect::<Vec<_>>().join("|");
    let pat = Pattern::regex(&alt)?;
    let procs: Vec<_> = s.memories.iter().map(|m| (&m.memory, m.comm.as_str())).collect();
    let (hits, _, _) = search::search(&procs, &pat, &search::Options { context: 0, max_hits: MAX_HITS })?;
    for h in hits {
        let Some(m) = s.memories.iter().find(|m| m.pid == h.pid) else { continue };
        let Ok((bytes, _)) = m.memory.read(h.address, h.length as usize) else { continue };
        let value = String::from_utf8_lossy(&bytes).into_owned();
        out.entry((value, h.pid)).or_insert_with(|| {
            let vma = h.region.as_ref().map(|r| format!(" in {}", if r.name.is_empty() { "[anon]" } else { &r.name })).unwrap_or_default();
            let ev = Evidence {
                artifact: m.artifact.clone(),
                container: Some(s.name.clone()),
                pid: Some(h.pid),
                path: None,
                address: Some(format!("{:#x}", h.address)),
                region: h.region.as_ref().map(|r| format!("{:#x}-{:#x} {} {}", r.start, r.end, r.perms, r.name)),
            };
            (ev, format!(" at {:#x}{vma}", h.address))
        });
    }
    Ok(out)
}

/// File rules (path, and a string in the content) and string-only rules over the rootfs diff.
fn on_files(rules: &Rules, s: &Subject) -> Result<Vec<Finding>, TriageError> {
    let file_rules: Vec<&Rule> = rules.rules.iter().filter(|r| !r.matchers.on_process()).collect();
    let ev = |path: &str| Evidence {
        artifact: s.changes_from.clone(),
        container: Some(s.name.clone()),
        path: Some(path.to_string()),
        ..Default::default()
    };
    let mut out = Vec::new();
    // a path alone: every change, deletions too
    for r in file_rules.iter().filter(|r| r.matchers.string.is_none()) {
        let re = r.matchers.path.as_ref().expect("a file rule without a string has a path");
        for c in s.changes.iter().filter(|c| re.is_match(&c.path)) {
            let verb = match c.change {
                'A' => "added",
                'C' => "changed",
                'D' => "deleted",
                _ => "added or changed",
            };
            out.push(Finding::new(&r.id, r.severity, format!("{}: {} {verb}", r.reason, shown(&c.path)), ev(&c.path)));
        }
    }
    let with_string: Vec<&&Rule> = file_rules.iter().filter(|r| r.matchers.string.is_some()).collect();
    let Some(diff) = s.diff_tar.as_ref().filter(|_| !with_string.is_empty()) else { return Ok(out) };
    let finders: Vec<_> =
        with_string.iter().map(|r| memchr::memmem::Finder::new(r.matchers.string.as_deref().unwrap_or_default())).collect();
    let r = crate::triage::load::open_diff(diff).and_then(|rd| {
        crate::triage::load::each_diff_file(rd, &crate::analyze::archive::Limits::default(), MAX_FILE, |path, _, _, bytes| {
            for (r, f) in with_string.iter().zip(&finders) {
                if r.matchers.path.as_ref().is_none_or(|re| re.is_match(path)) && f.find(bytes).is_some() {
                    out.push(Finding::new(
                        &r.id,
                        r.severity,
                        format!("{}: {} contains the rule's string", r.reason, shown(path)),
                        ev(path),
                    ));
                }
            }
        })
    });
    r.map_err(|e| TriageError::Diff(format!("{}: {e}", s.changes_from)))?;
    Ok(out)
}
