//! YARA over process memory (CRIU pages and ELF cores, each contiguous stored range attributed
//! to its process and mapping) and over the files of the rootfs diff, with `yara-x`. A small
//! built-in rule set (`builtin.yar`: miners, webshells) is embedded in the binary; `--yara`
//! adds rule files. A match is a finding `KF-YARA-001` naming the rule.

use super::TriageError;
use super::finding::{Evidence, Finding, Severity};
use super::subject::Subject;
use std::path::{Path, PathBuf};

pub const BUILTIN: &str = include_str!("builtin.yar");

/// Longest stretch of memory scanned as one buffer (a larger run is scanned in pieces that
/// overlap by [`OVERLAP`] bytes).
const WINDOW: u64 = 64 << 20;
const OVERLAP: u64 = 4096;
/// Largest file of the rootfs diff scanned (its first bytes when larger).
const MAX_FILE: usize = 64 << 20;

/// Compiled rules: the built-in set (namespace `kforensic`) and the user's (namespace `user`).
pub struct Rules(yara_x::Rules);

/// The `.yar` / `.yara` files of `p` (itself when a file), sorted.
fn rule_files(p: &Path) -> Result<Vec<PathBuf>, TriageError> {
    if p.is_file() {
        return Ok(vec![p.to_path_buf()]);
    }
    let rd = std::fs::read_dir(p).map_err(|e| TriageError::Read { path: p.into(), source: e })?;
    let mut v: Vec<PathBuf> =
        rd.flatten().map(|e| e.path()).filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "yar" || x == "yara")).collect();
    v.sort();
    if v.is_empty() {
        return Err(TriageError::Yara(format!("{}: no .yar or .yara file in this directory", p.display())));
    }
    Ok(v)
}

impl Rules {
    /// The built-in rules plus those of each `--yara` file or directory.
    pub fn load(extra: &[PathBuf]) -> Result<Rules, TriageError> {
        let mut c = yara_x::Compiler::new();
        c.new_namespace("kforensic");
        c.add_source(yara_x::SourceCode::from(BUILTIN).with_origin("builtin.yar"))
            .map_err(|e| TriageError::Yara(format!("built-in rules: {e}")))?;
        c.new_namespace("user");
        for p in extra {
            for f in rule_files(p)? {
                let text = std::fs::read_to_string(&f).map_err(|e| TriageError::Read { path: f.clone(), source: e })?;
                let origin = f.display().to_string();
                c.add_source(yara_x::SourceCode::from(text.as_str()).with_origin(origin.as_str()))
                    .map_err(|e| TriageError::Yara(format!("{origin}: not valid YARA: {}", first_line(&e.to_string()))))?;
            }
        }
        Ok(Rules(c.build()))
    }
}

fn first_line(s: &str) -> String {
    s.lines().filter(|l| !l.trim().is_empty()).take(3).collect::<Vec<_>>().join(" ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One matching rule: (namespace:rule, severity, description, offset of the first match).
type Match = (String, Severity, String, usize);

/// Each rule matching `data`.
fn matches(scanner: &mut yara_x::Scanner<'_>, data: &[u8]) -> Result<Vec<Match>, TriageError> {
    let r = scanner.scan(data).map_err(|e| TriageError::Yara(format!("scan: {e}")))?;
    let mut out = Vec::new();
    for rule in r.matching_rules() {
        let mut sev = Severity::High;
        let mut desc = String::new();
        for (k, v) in rule.metadata() {
            match (k, v) {
                ("severity", yara_x::MetaValue::String(s)) => sev = s.parse().unwrap_or(Severity::High),
                ("description", yara_x::MetaValue::String(s)) => desc = s.to_string(),
                _ => {}
            }
        }
        let at = rule.patterns().flat_map(|p| p.matches().map(|m| m.range().start).collect::<Vec<_>>()).min().unwrap_or(0);
        out.push((format!("{}:{}", rule.namespace(), rule.identifier()), sev, desc, at));
    }
    Ok(out)
}

/// One stretch of one process's memory scanned as a buffer: (index in `memories`, address, bytes).
type Window = (usize, u64, usize);

/// Every window of every process, in order: runs longer than [`WINDOW`] are cut in pieces that
/// overlap by [`OVERLAP`] bytes.
fn windows(s: &Subject) -> Vec<Window> {
    let mut out = Vec::new();
    for (i, m) in s.memories.iter().enumerate() {
        for run in m.memory.runs() {
            let (mut at, len) = (0u64, run.len());
            while at < len {
                let n = (len - at).min(WINDOW + OVERLAP);
                out.push((i, run.vaddr + at, n as usize));
                if at + n >= len {
                    break;
                }
                at += WINDOW;
            }
        }
    }
    out
}

/// The matches of each window, in the windows' order, scanned by up to one thread per core (4 at
/// most: one window buffer each).
fn scan_windows(rules: &Rules, s: &Subject, jobs: &[Window]) -> Result<Vec<Vec<Match>>, TriageError> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, 4).min(jobs.len().max(1));
    let scan = || {
        let mut scanner = yara_x::Scanner::new(&rules.0);
        scanner.max_matches_per_pattern(16);
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(&(m, addr, n)) = jobs.get(i) else { break };
            let mem = &s.memories[m];
            let found = mem
                .memory
                .read(addr, n)
                .map_err(|e| TriageError::Read { path: PathBuf::from(&mem.artifact), source: e })
                .and_then(|(buf, _)| matches(&mut scanner, &buf));
            let failed = found.is_err();
            mine.push((i, found));
            if failed {
                break;
            }
        }
        mine
    };
    let mut all: Vec<_> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..workers).map(|_| sc.spawn(scan)).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, r)| r).collect()
}

/// Scan the memory and the rootfs-diff files of `s`.
pub fn check(rules: &Rules, s: &Subject, memory: bool) -> Result<Vec<Finding>, TriageError> {
    let mut scanner = yara_x::Scanner::new(&rules.0);
    scanner.max_matches_per_pattern(16);
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    if memory {
        let jobs = windows(s);
        for (&(mi, base, _), found) in jobs.iter().zip(scan_windows(rules, s, &jobs)?) {
            let m = &s.memories[mi];
            for (rule, sev, desc, off) in found {
                // one finding per rule and process (the first match names the address)
                if !seen.insert((rule.clone(), m.pid)) {
                    continue;
                }
                let addr = base + off as u64;
                let region = m.memory.region_at(addr);
                let vma = region.map(|r| if r.name.is_empty() { "[anon]".to_string() } else { r.name.clone() }).unwrap_or_default();
                out.push(Finding::new(
                    "KF-YARA-001",
                    sev,
                    format!(
                        "YARA {rule} matched the memory of pid {} ({}) in {vma}{}",
                        m.pid,
                        super::rules::shown(&m.comm),
                        described(&desc)
                    ),
                    Evidence {
                        artifact: m.artifact.clone(),
                        container: Some(s.name.clone()),
                        pid: Some(m.pid),
                        address: Some(format!("{addr:#x}")),
                        region: region.map(|r| format!("{:#x}-{:#x} {} {}", r.start, r.end, r.perms, r.name)),
                        ..Default::default()
                    },
                ));
            }
        }
    }
    if let Some(diff) = &s.diff_tar {
        // each file is scanned as it is read: one file's bytes in memory at a time
        let mut failed = None;
        let r = super::load::open_diff(diff).and_then(|r| {
            super::load::each_diff_file(r, &crate::analyze::archive::Limits::default(), MAX_FILE, |path, _, _, bytes| {
                if failed.is_some() {
                    return;
                }
                match matches(&mut scanner, bytes) {
                    Ok(m) => {
                        for (rule, sev, desc, _) in m {
                            out.push(Finding::new(
                                "KF-YARA-001",
                                sev,
                                format!("YARA {rule} matched {}{}", super::rules::shown(path), described(&desc)),
                                Evidence {
                                    artifact: s.changes_from.clone(),
                                    container: Some(s.name.clone()),
                                    path: Some(path.to_string()),
                                    ..Default::default()
                                },
                            ));
                        }
                    }
                    Err(e) => failed = Some(e),
                }
            })
        });
        r.map_err(|e| TriageError::Diff(format!("{}: {e}", s.changes_from)))?;
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok(out)
}

fn described(d: &str) -> String {
    if d.is_empty() { String::new() } else { format!(": {d}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_compile_and_match_what_they_name() {
        let r = Rules::load(&[]).unwrap();
        let mut sc = yara_x::Scanner::new(&r.0);
        let m = matches(&mut sc, b"xx\0POOL=stratum+tcp://pool.example:3333\0").unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!((m[0].0.as_str(), m[0].1, m[0].3), ("kforensic:kf_miner_stratum_url", Severity::Critical, 8));
        assert!(matches(&mut sc, b"<?php system($_GET['c']); ?>").unwrap().iter().any(|x| x.0.ends_with("kf_webshell_php")));
        assert!(matches(&mut sc, b"ordinary text, sleep 100000, /bin/sh").unwrap().is_empty());
    }

    #[test]
    fn rootfs_diff_files_are_scanned_and_named_by_path() {
        let d = tempfile::tempdir().unwrap();
        let tar_path = d.path().join("diff.tar");
        let mut b = tar::Builder::new(std::fs::File::create(&tar_path).unwrap());
        for (name, body) in [("var/www/x.php", &b"<?php system($_GET['c']); ?>"[..]), ("etc/motd", b"hello"), ("tmp/.wh.gone", b"")] {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, body).unwrap();
        }
        b.finish().unwrap();
        drop(b);
        let size = std::fs::metadata(&tar_path).unwrap().len();
        let s = Subject {
            name: "ns/p/c".into(),
            changes_from: "pods/ns/p/c/diff.json".into(),
            diff_tar: Some(crate::analyze::archive::Member { file: tar_path, offset: 0, size }),
            ..Default::default()
        };
        let f = check(&Rules::load(&[]).unwrap(), &s, true).unwrap();
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].evidence.path.as_deref(), Some("/var/www/x.php"));
        assert!(f[0].reason.contains("kf_webshell_php") && f[0].severity == Severity::Critical, "{f:?}");
    }

    #[test]
    fn a_bad_rule_file_is_one_clear_error() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("bad.yar"), "rule x { condition: nope }").unwrap();
        let e = Rules::load(&[d.path().to_path_buf()]).err().unwrap().to_string();
        assert!(e.contains("bad.yar") && e.contains("not valid YARA"), "{e}");
        let e = Rules::load(&[d.path().join("none")]).err().unwrap().to_string();
        assert!(e.contains("none"), "{e}");
    }
}
