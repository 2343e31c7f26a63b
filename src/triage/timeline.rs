//! One timeline of a bundle, merged from what carries a time: the custody log, the pod's events
//! and status, container and process start times, rootfs-diff mtimes and log timestamps. Sorted
//! by time; each event names its source and artifact. Workload strings are masked like findings
//! (`secrets::redact`); escaping for a format is the writer's job.

use super::TriageError;
use super::load;
use crate::protocol::layout;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// Log lines read per log file at most (a timeline, not a log viewer).
const MAX_LOG_LINES: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// RFC 3339, UTC.
    pub datetime: Timestamp,
    /// What the time is (Timesketch's `timestamp_desc`): "Container started", "File modified", …
    pub timestamp_desc: String,
    pub message: String,
    /// custody, kubernetes, container, process, file, log
    pub source: String,
    /// The bundle-relative artifact it comes from.
    pub artifact: String,
}

fn ev(t: Timestamp, desc: &str, message: String, source: &str, artifact: &str) -> Event {
    Event {
        datetime: t,
        timestamp_desc: desc.into(),
        message: super::secrets::redact(&message).into_owned(),
        source: source.into(),
        artifact: artifact.into(),
    }
}

fn ts(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn json(bundle: &Path, rel: &str) -> Result<Option<Value>, TriageError> {
    let p = bundle.join(rel);
    match std::fs::read(&p) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(TriageError::Read { path: p, source: e }),
        Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| TriageError::Json { path: p, source: e }),
    }
}

fn custody(bundle: &Path, out: &mut Vec<Event>) -> Result<(), TriageError> {
    let p = bundle.join("custody.log");
    let Ok(f) = std::fs::File::open(&p) else { return Ok(()) };
    for line in BufReader::new(f).lines() {
        let line = line.map_err(|e| TriageError::Read { path: p.clone(), source: e })?;
        let Ok(e) = serde_json::from_str::<crate::evidence::custody::CustodyEntry>(&line) else { continue };
        let what = ["path", "message", "dest", "location"].iter().find_map(|k| e.details[*k].as_str()).unwrap_or("");
        out.push(ev(
            e.time,
            "Custody event",
            format!("{} by {}{}{what}", e.event, e.actor, if what.is_empty() { "" } else { ": " }),
            "custody",
            "custody.log",
        ));
    }
    Ok(())
}

fn kubernetes(bundle: &Path, out: &mut Vec<Event>) -> Result<(), TriageError> {
    if let Some(v) = json(bundle, "cluster/events.json")? {
        let items = v.as_array().cloned().or_else(|| v["items"].as_array().cloned()).unwrap_or_default();
        for e in items {
            let Some(t) = ts(&e["eventTime"]).or_else(|| ts(&e["lastTimestamp"])).or_else(|| ts(&e["firstTimestamp"])) else { continue };
            let obj =
                format!("{}/{}", e["involvedObject"]["kind"].as_str().unwrap_or(""), e["involvedObject"]["name"].as_str().unwrap_or(""));
            let msg = format!(
                "{} {}: {} ({obj})",
                e["type"].as_str().unwrap_or(""),
                e["reason"].as_str().unwrap_or(""),
                e["message"].as_str().unwrap_or("").trim()
            );
            out.push(ev(t, "Kubernetes event", msg, "kubernetes", "cluster/events.json"));
        }
    }
    if let Some(p) = json(bundle, "cluster/pod.json")? {
        let name = format!("{}/{}", p["metadata"]["namespace"].as_str().unwrap_or(""), p["metadata"]["name"].as_str().unwrap_or(""));
        if let Some(t) = ts(&p["metadata"]["creationTimestamp"]) {
            out.push(ev(t, "Pod created", format!("pod {name} created"), "kubernetes", "cluster/pod.json"));
        }
        if let Some(t) = ts(&p["status"]["startTime"]) {
            out.push(ev(t, "Pod started", format!("pod {name} started"), "kubernetes", "cluster/pod.json"));
        }
        for list in ["initContainerStatuses", "containerStatuses"] {
            for c in p["status"][list].as_array().into_iter().flatten() {
                let cname = c["name"].as_str().unwrap_or("");
                for state in ["state", "lastState"] {
                    if let Some(t) = ts(&c[state]["running"]["startedAt"]).or_else(|| ts(&c[state]["terminated"]["startedAt"])) {
                        out.push(ev(
                            t,
                            "Container started",
                            format!("container {cname} of {name} started ({})", c["image"].as_str().unwrap_or("")),
                            "container",
                            "cluster/pod.json",
                        ));
                    }
                    if let Some(t) = ts(&c[state]["terminated"]["finishedAt"]) {
                        let why = c[state]["terminated"]["reason"].as_str().unwrap_or("");
                        out.push(ev(
                            t,
                            "Container finished",
                            format!("container {cname} of {name} finished: {why}"),
                            "container",
                            "cluster/pod.json",
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

fn container(bundle: &Path, dir: &str, out: &mut Vec<Event>) -> Result<(), TriageError> {
    let name = dir.trim_end_matches('/').trim_start_matches("pods/").to_string();
    let vol = format!("{dir}{}", layout::VOLATILE);
    if let Some(v) = json(bundle, &vol)? {
        for p in v["processes"].as_array().into_iter().flatten() {
            let Some(t) = ts(&p["start_time"]) else { continue };
            let cmd: Vec<&str> = p["cmdline"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            let cmd = if cmd.is_empty() { format!("[{}]", p["name"].as_str().unwrap_or("")) } else { cmd.join(" ") };
            out.push(ev(t, "Process started", format!("{name}: pid {} {cmd}", p["pid"]), "process", &vol));
        }
    }
    let diff = format!("{dir}{}", layout::DIFF_JSON);
    if let Some(d) = json(bundle, &diff)? {
        for c in d["changes"].as_array().into_iter().flatten() {
            let Some(t) = ts(&c["mtime"]) else { continue };
            let msg = format!(
                "{name}: {} {} ({}, {} bytes)",
                c["kind"].as_str().unwrap_or("?"),
                c["path"].as_str().unwrap_or(""),
                c["type"].as_str().unwrap_or(""),
                c["size"]
            );
            out.push(ev(t, "File modified", msg, "file", &diff));
        }
    }
    let logs = bundle.join(dir).join(layout::LOGS_DIR);
    let mut files = Vec::new();
    let mut stack = vec![logs];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() {
                files.push(e.path());
            }
        }
    }
    files.sort();
    for f in files {
        let rel = f.strip_prefix(bundle).unwrap_or(&f).to_string_lossy().into_owned();
        let Ok(file) = std::fs::File::open(&f) else { continue };
        for line in BufReader::new(file).split(b'\n').take(MAX_LOG_LINES).map_while(Result::ok) {
            let line = String::from_utf8_lossy(&line);
            // "2026-12-07T15:00:00.123456789Z stdout F message" (CRI) or "<RFC 3339> message"
            let Some((first, rest)) = line.split_once(' ') else { continue };
            let Ok(t) = first.parse::<Timestamp>() else { continue };
            let rest = match rest.split_once(' ') {
                Some(("stdout" | "stderr", r)) => r.split_once(' ').map_or(r, |(tag, m)| if tag.len() == 1 { m } else { r }),
                _ => rest,
            };
            let rest: String = rest.chars().take(500).collect();
            out.push(ev(t, "Log line", format!("{name}: {rest}"), "log", &rel));
        }
    }
    if let Some(i) = json(bundle, &format!("{dir}{}", layout::INSPECT))?
        && let Some(t) = ts(&i["init"]["start_time"])
    {
        out.push(ev(
            t,
            "Container started",
            format!("{name}: entrypoint pid {} {}", i["init"]["pid"], i["init"]["name"].as_str().unwrap_or("")),
            "container",
            &format!("{dir}{}", layout::INSPECT),
        ));
    }
    Ok(())
}

/// The timeline of a bundle, oldest first. An artifact that cannot be read is an error line and
/// the rest is still merged.
pub fn build(bundle: &Path) -> Result<(Vec<Event>, Vec<String>), TriageError> {
    if !load::is_bundle(bundle) {
        return Err(TriageError::NotEvidence(format!("{}: not a kforensic bundle directory (no manifest.json, pods/)", bundle.display())));
    }
    let mut out = Vec::new();
    let mut errors = Vec::new();
    let mut keep = |r: Result<(), TriageError>| {
        if let Err(e) = r {
            errors.push(e.to_string());
        }
    };
    keep(custody(bundle, &mut out));
    keep(kubernetes(bundle, &mut out));
    for d in load::container_dirs(bundle) {
        keep(container(bundle, &d, &mut out));
    }
    out.sort_by(|a, b| (a.datetime, &a.source, &a.message).cmp(&(b.datetime, &b.source, &b.message)));
    Ok((out, errors))
}

/// Timesketch JSONL: one object per line with `message`, `datetime`, `timestamp_desc` (plus
/// `source` and `artifact`).
pub fn jsonl(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        s.push_str(&serde_json::to_string(e).unwrap_or_default());
        s.push('\n');
    }
    s
}

fn csv_field(s: &str) -> String {
    // a spreadsheet must not run a cell as a formula
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// CSV: `datetime,timestamp_desc,source,message,artifact`, a header first.
pub fn csv(events: &[Event]) -> String {
    let mut s = String::from("datetime,timestamp_desc,source,message,artifact\n");
    for e in events {
        let row = [e.datetime.to_string(), e.timestamp_desc.clone(), e.source.clone(), e.message.clone(), e.artifact.clone()];
        s.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }

    #[test]
    fn a_bundle_merges_in_time_order_and_masks_secrets() {
        let d = tempfile::tempdir().unwrap();
        let c = d.path().join("pods/ns/p/c");
        std::fs::create_dir_all(c.join("logs")).unwrap();
        std::fs::write(d.path().join("manifest.json"), "{}").unwrap();
        std::fs::write(
            c.join("volatile.json"),
            r#"{"processes":[{"pid":7,"name":"sh","start_time":"2026-01-01T00:00:02Z","cmdline":["sh","-c","K=AKIAIOSFODNN7EXAMPLE"]}]}"#,
        )
        .unwrap();
        std::fs::write(
            c.join("diff.json"),
            r#"{"changes":[{"kind":"A","path":"/etc/cron.d/x","type":"file","size":3,"mtime":"2026-01-01T00:00:03Z"}]}"#,
        )
        .unwrap();
        std::fs::write(c.join("logs/current.log"), "2026-01-01T00:00:01.5Z stdout F hello\nnot a line\n").unwrap();
        let (ev, errors) = build(d.path()).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        let descs: Vec<&str> = ev.iter().map(|e| e.timestamp_desc.as_str()).collect();
        assert_eq!(descs, ["Log line", "Process started", "File modified"]);
        assert_eq!(ev[0].message, "ns/p/c: hello");
        assert!(!jsonl(&ev).contains("AKIAIOSFODNN7EXAMPLE") && jsonl(&ev).contains("\"timestamp_desc\""));
        assert_eq!(csv(&ev).lines().count(), 4);
    }
}
