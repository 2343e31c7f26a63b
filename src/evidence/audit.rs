//! What `verify` checks of the custody log against the manifest. The log is read once, as a
//! stream ([`CustodyFacts::read`]): of each line only what the checks need is kept (artifact
//! records before `finalized`, the `finalized` lines, what follows them); the rest of a line
//! (an upload's object list, a verify's problems) is skipped unparsed. The facts are then held
//! against the manifest ([`CustodyFacts::audit`]), whichever of the two was read first (a `.tar`
//! holds the custody log before the manifest).

use super::EvidenceError;
use super::custody::{ChainCheck, ChainLine, check_chain_from};
use super::manifest::Manifest;
use super::verify::Problem;
use serde::Deserialize;
use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::collections::HashMap;
use std::io::BufRead;

/// Events that may follow `finalized`: they record what happened to the bundle, and change no hash.
const AFTER_FINALIZED: [&str; 2] = ["verify", "upload"];

/// A custody line as the audit reads it: the entry's fields, and of its details only the few
/// the checks use (the others are skipped without being kept).
#[derive(Deserialize)]
pub struct AuditEntry {
    #[allow(dead_code)]
    seq: u64,
    #[allow(dead_code)]
    time: jiff::Timestamp,
    event: String,
    #[allow(dead_code)]
    actor: String,
    #[serde(default)]
    details: Details,
    prev_sha256: String,
}

impl ChainLine for AuditEntry {
    fn prev_sha256(&self) -> &str {
        &self.prev_sha256
    }
    fn event(&self) -> &str {
        &self.event
    }
}

/// The details the audit uses; any JSON is accepted (what is not an object has none of them).
#[derive(Default)]
struct Details {
    path: Option<Value>,
    location: Option<Value>,
    sha256: Option<Value>,
    bytes: Option<Value>,
    manifest_sha256: Option<Value>,
}

impl Details {
    fn str(v: &Option<Value>) -> Option<&str> {
        v.as_ref().and_then(Value::as_str)
    }
}

impl<'de> Deserialize<'de> for Details {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Details;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Details, A::Error> {
                let mut out = Details::default();
                while let Some(k) = map.next_key::<String>()? {
                    let slot = match k.as_str() {
                        "path" => &mut out.path,
                        "location" => &mut out.location,
                        "sha256" => &mut out.sha256,
                        "bytes" => &mut out.bytes,
                        "manifest_sha256" => &mut out.manifest_sha256,
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                            continue;
                        }
                    };
                    *slot = Some(map.next_value::<Value>()?);
                }
                Ok(out)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Details, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Details::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<Details, E> {
                Ok(Details::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<Details, E> {
                Ok(Details::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<Details, E> {
                Ok(Details::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<Details, E> {
                Ok(Details::default())
            }
            fn visit_str<E>(self, _: &str) -> Result<Details, E> {
                Ok(Details::default())
            }
            fn visit_unit<E>(self) -> Result<Details, E> {
                Ok(Details::default())
            }
            fn visit_none<E>(self) -> Result<Details, E> {
                Ok(Details::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// An `artifact_finished` / `artifact_stored` line before `finalized`.
struct Recorded {
    line: usize,
    path: String,
    sha256: Option<String>,
    bytes: Value,
}

/// What the custody log says, kept from one pass over it.
#[derive(Default)]
pub struct CustodyFacts {
    pub chain: ChainCheck,
    /// Every `finalized` line, with the manifest SHA-256 it records.
    finals: Vec<(usize, Option<String>)>,
    /// Events after the first `finalized` that may not follow it: (line, event, path).
    after: Vec<(usize, String, Option<String>)>,
    recorded: Vec<Recorded>,
    /// Artifacts the node stored elsewhere: path → location.
    pub stored_at: HashMap<String, String>,
}

impl CustodyFacts {
    /// Read a custody log as a stream. What is kept is bounded by the memory free here
    /// ([`super::meta::memory_budget`]): a log with more records than that is an error.
    pub fn read(r: &mut dyn BufRead, origin: &str) -> Result<CustodyFacts, EvidenceError> {
        let mut facts = CustodyFacts::default();
        let mut budget = super::meta::memory_budget();
        let mut over = false;
        let chain = check_chain_from::<AuditEntry>(r, &mut |n, e| {
            let cost = facts.take(n, e);
            over |= cost > budget;
            budget = budget.saturating_sub(cost);
        });
        let chain = chain.map_err(|e| EvidenceError::NotABundle { path: origin.into(), why: format!("cannot read custody.log: {e}") })?;
        if over {
            return Err(EvidenceError::NotABundle {
                path: origin.into(),
                why: "custody.log holds more records than fit in the memory free here: verify it on a machine with more free memory".into(),
            });
        }
        facts.chain = chain;
        Ok(facts)
    }

    /// Keep what the audit needs of line `n`; returns about how many bytes were kept.
    fn take(&mut self, n: usize, e: AuditEntry) -> u64 {
        let d = e.details;
        let path = Details::str(&d.path).map(str::to_string);
        let mut cost = 0;
        if e.event == "artifact_stored"
            && let (Some(p), Some(l)) = (&path, Details::str(&d.location))
        {
            cost += (p.len() + l.len() + 64) as u64;
            self.stored_at.insert(p.clone(), l.to_string());
        }
        if e.event == "finalized" {
            self.finals.push((n, Details::str(&d.manifest_sha256).map(str::to_string)));
            cost += 96;
        } else if !self.finals.is_empty() {
            if !AFTER_FINALIZED.contains(&e.event.as_str()) {
                cost += (e.event.len() + 96) as u64;
                self.after.push((n, e.event, path));
            }
        } else if (e.event == "artifact_finished" || e.event == "artifact_stored")
            && let Some(path) = path
        {
            cost += (path.len() + 160) as u64;
            let sha256 = Details::str(&d.sha256).map(str::to_string);
            self.recorded.push(Recorded { line: n, path, sha256, bytes: d.bytes.unwrap_or(Value::Null) });
        }
        cost
    }

    /// The chain's problems, then the custody log's story against the manifest: exactly one
    /// `finalized` event, binding this manifest (its SHA-256 `manifest_sha`); after it only events
    /// that change no hash; every artifact recorded once, with the manifest's size and SHA-256.
    /// Each problem names its line.
    pub fn audit(&self, manifest: &Manifest, manifest_sha: &str) -> Vec<Problem> {
        let mut problems: Vec<Problem> = self
            .chain
            .problems
            .iter()
            .map(|cp| Problem { kind: "chain", path: None, line: Some(cp.line()), message: cp.to_string() })
            .collect();
        let custody = |line: usize, path: Option<&str>, message: String| Problem {
            kind: "custody",
            path: path.map(str::to_string),
            line: Some(line),
            message,
        };
        let Some((first_final, sha)) = self.finals.first() else {
            problems.push(Problem {
                kind: "custody",
                path: None,
                line: None,
                message: "custody.log: no 'finalized' event binds this manifest".into(),
            });
            return problems;
        };
        if sha.as_deref() != Some(manifest_sha) {
            problems.push(Problem {
                kind: "manifest",
                path: None,
                line: None,
                message: format!("altered: manifest.json (its sha256 differs from the one recorded at custody.log line {first_final})"),
            });
        }
        for (n, _) in self.finals.iter().skip(1) {
            problems.push(custody(
                *n,
                None,
                format!("custody.log line {n}: a second 'finalized' event (the bundle was finalized at line {first_final})"),
            ));
        }
        for (n, event, path) in &self.after {
            problems.push(custody(
                *n,
                path.as_deref(),
                format!("custody.log line {n}: '{event}' after the bundle was finalized at line {first_final} (only verify and upload may follow)"),
            ));
        }
        let listed: HashMap<&str, &super::ArtifactRecord> = manifest.artifacts.iter().map(|a| (a.spec.path.as_str(), a)).collect();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in &self.recorded {
            let (n, path) = (r.line, r.path.as_str());
            if let Some(before) = seen.insert(path, n) {
                problems.push(custody(n, Some(path), format!("custody.log line {n}: {path} recorded again (first at line {before})")));
            }
            match listed.get(path) {
                None => problems.push(custody(
                    n,
                    Some(path),
                    format!("custody.log line {n}: {path} was recorded but the manifest does not list it"),
                )),
                Some(a) if r.sha256.as_deref() != Some(a.sha256.as_str()) || r.bytes.as_u64() != Some(a.bytes) => {
                    problems.push(custody(
                        n,
                        Some(path),
                        format!(
                            "custody.log line {n}: {path} recorded with {} bytes, sha256 {}; the manifest says {} bytes, sha256 {}",
                            r.bytes,
                            r.sha256.as_deref().unwrap_or("?"),
                            a.bytes,
                            a.sha256
                        ),
                    ));
                }
                Some(_) => {}
            }
        }
        for a in &manifest.artifacts {
            if !seen.contains_key(a.spec.path.as_str()) {
                problems.push(Problem {
                    kind: "custody",
                    path: Some(a.spec.path.clone()),
                    line: None,
                    message: format!("custody.log: no artifact_finished/artifact_stored record of {} before 'finalized'", a.spec.path),
                });
            }
        }
        problems
    }
}
