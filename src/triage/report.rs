//! `kforensic report`: one self-contained file a responder hands on (HTML with inline CSS and no
//! script, or Markdown): case, operator, cluster, target, the artifacts with their SHA-256 and
//! the signature status, the findings, the isolation changes, the timeline. Every string from
//! the bundle is escaped for the format (`html` / `md`): a file name cannot become markup.

use super::timeline::Event;
use super::{TriageError, TriageReport};
use crate::evidence::Manifest;
use serde_json::Value;
use std::path::Path;

/// Timeline rows shown at most (the whole timeline: `kforensic timeline`).
pub const MAX_TIMELINE: usize = 5000;

/// Everything a report shows, read from a bundle.
pub struct ReportData {
    pub manifest: Manifest,
    /// `signed by SHA256:…`, `unsigned`, or what is wrong with the signatures.
    pub signature: String,
    pub triage: TriageReport,
    /// Where the findings come from: the bundle's `findings.json`, or triaged now.
    pub findings_from: String,
    pub isolation: Option<Value>,
    pub timeline: Vec<Event>,
    pub errors: Vec<String>,
}

/// Read a bundle: its manifest (required), signatures, findings (its `findings.json`, else a
/// triage now), isolation record and timeline.
pub fn gather(bundle: &Path) -> Result<ReportData, TriageError> {
    let mp = bundle.join("manifest.json");
    let mut mfile = std::fs::File::open(&mp).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            TriageError::NotEvidence(format!("{}: no manifest.json: not a finished kforensic bundle", bundle.display()))
        } else {
            TriageError::Read { path: mp.clone(), source: e }
        }
    })?;
    let (manifest, digests) =
        crate::evidence::meta::read_manifest(&mut mfile, &mp.display().to_string()).map_err(|e| TriageError::NotEvidence(e.to_string()))?;
    let read = |n: &str| std::fs::read(bundle.join(n)).ok();
    let sealed = std::fs::File::open(bundle.join("custody.log"))
        .ok()
        .and_then(|f| crate::evidence::sign::sealed_custody(&mut std::io::BufReader::with_capacity(1 << 20, f)).ok().flatten());
    let sig = crate::evidence::sign::check(
        &digests,
        sealed.as_ref(),
        read(crate::evidence::sign::MANIFEST_SIG).as_deref(),
        read(crate::evidence::sign::CUSTODY_SIG).as_deref(),
        None,
    );
    let signature = match (sig.signed, sig.problems.is_empty()) {
        (false, true) => "unsigned".to_string(),
        (true, true) => {
            format!("signed by {} (signatures valid; check the key against your allowed signers)", sig.fingerprint.unwrap_or_default())
        }
        _ => format!("signature problems: {}", sig.problems.join("; ")),
    };
    let mut errors = Vec::new();
    let stored = read("findings.json").and_then(|b| serde_json::from_slice::<TriageReport>(&b).ok());
    let (triage, findings_from) = match stored {
        Some(t) => (t, "findings.json (the capture's triage)".to_string()),
        None => (super::run(&super::Options::new(bundle))?, "triaged while writing this report".to_string()),
    };
    let isolation = read("cluster/isolation.json").and_then(|b| serde_json::from_slice(&b).ok());
    let (timeline, terr) = super::timeline::build(bundle)?;
    errors.extend(terr);
    Ok(ReportData { manifest, signature, triage, findings_from, isolation, timeline, errors })
}

/// `&`, `<`, `>`, `"`, `'` as entities: text and attribute values alike.
pub fn html_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

/// Markdown table cell: pipes, backslashes, HTML and link syntax neutralised, one line.
pub fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '!' => {
                o.push('\\');
                o.push(c);
            }
            '\n' | '\r' => o.push(' '),
            c if c.is_control() => o.push('\u{fffd}'),
            c => o.push(c),
        }
    }
    o
}

fn targets(m: &Manifest) -> String {
    m.targets
        .iter()
        .map(|t| {
            let f = |k: &str| t[k].as_str().unwrap_or("").to_string();
            let pod = format!("{}/{}", f("namespace"), f("pod"));
            if f("node").is_empty() { pod } else { format!("{pod} on node {}", f("node")) }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary_rows(d: &ReportData) -> Vec<(&'static str, String)> {
    let m = &d.manifest;
    vec![
        ("Case", m.case_id.clone()),
        ("Operator", m.operator.user.clone().unwrap_or_else(|| "unknown".into())),
        (
            "Cluster",
            format!(
                "{} (Kubernetes {}, context {})",
                m.cluster.server.as_deref().unwrap_or("?"),
                m.cluster.version.as_deref().unwrap_or("?"),
                m.cluster.context.as_deref().unwrap_or("-")
            ),
        ),
        ("Target", targets(m)),
        ("Tool", format!("{} {}", m.tool.name, m.tool.version)),
        ("Complete", if m.complete { "yes".into() } else { format!("NO ({} error(s))", m.errors.len()) }),
        ("Signature", d.signature.clone()),
        ("Findings", format!("{} ({})", d.triage.findings.len(), d.findings_from)),
    ]
}

const CSS: &str = "body{font-family:system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0;width:100%}\
th,td{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top;font-size:13px}th{background:#f0f0f0}\
td.h{font-family:monospace;word-break:break-all}.critical{background:#f8d0d0}.high{background:#fde3cc}.medium{background:#fff5c2}\
.low,.info{background:#eef}pre{background:#f6f6f6;padding:8px;white-space:pre-wrap;word-break:break-all}";

/// The report as one HTML document: inline CSS, no script, nothing fetched.
pub fn html(d: &ReportData) -> String {
    let e = html_escape;
    let mut s = String::new();
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">");
    s.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">");
    s.push_str(&format!("<title>kforensic report {}</title><style>{CSS}</style></head><body>\n", e(&d.manifest.case_id)));
    s.push_str(&format!("<h1>Incident evidence report: {}</h1>\n<table id=\"summary\">", e(&d.manifest.case_id)));
    for (k, v) in summary_rows(d) {
        s.push_str(&format!("<tr><th>{k}</th><td>{}</td></tr>", e(&v)));
    }
    s.push_str("</table>\n<h2>Findings</h2>\n");
    if d.triage.findings.is_empty() {
        s.push_str("<p>No findings.</p>\n");
    } else {
        s.push_str("<table id=\"findings\"><tr><th>Severity</th><th>Rule</th><th>Reason</th><th>Evidence</th></tr>");
        for f in &d.triage.findings {
            s.push_str(&format!(
                "<tr class=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td class=\"h\">{}</td></tr>",
                f.severity.as_str(),
                f.severity.as_str(),
                e(&f.rule_id),
                e(&f.reason),
                e(&f.evidence.line())
            ));
        }
        s.push_str("</table>\n");
    }
    s.push_str(&format!(
        "<h2>Artifacts ({})</h2>\n<table id=\"artifacts\"><tr><th>Path</th><th>Bytes</th><th>SHA-256</th><th>Source</th></tr>",
        d.manifest.artifacts.len()
    ));
    for a in &d.manifest.artifacts {
        s.push_str(&format!(
            "<tr><td class=\"h\">{}</td><td>{}</td><td class=\"h\">{}</td><td>{}</td></tr>",
            e(&a.spec.path),
            a.bytes,
            e(&a.sha256),
            e(&a.spec.source)
        ));
    }
    s.push_str("</table>\n");
    if !d.manifest.errors.is_empty() {
        s.push_str("<h2>Capture errors</h2>\n<ul>");
        for x in &d.manifest.errors {
            s.push_str(&format!("<li>{}{}</li>", x.path.as_deref().map(|p| format!("{}: ", e(p))).unwrap_or_default(), e(&x.message)));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("<h2>Isolation changes</h2>\n");
    match &d.isolation {
        Some(v) => s.push_str(&format!("<pre id=\"isolation\">{}</pre>\n", e(&serde_json::to_string_pretty(v).unwrap_or_default()))),
        None => s.push_str("<p>The pod was not isolated by this capture.</p>\n"),
    }
    s.push_str(&format!("<h2>Timeline ({} events)</h2>\n", d.timeline.len()));
    if d.timeline.len() > MAX_TIMELINE {
        s.push_str(&format!("<p>The first {MAX_TIMELINE} events; all of them: <code>kforensic timeline BUNDLE</code>.</p>\n"));
    }
    s.push_str("<table id=\"timeline\"><tr><th>Time (UTC)</th><th>What</th><th>Event</th><th>Artifact</th></tr>");
    for t in d.timeline.iter().take(MAX_TIMELINE) {
        s.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"h\">{}</td></tr>",
            e(&t.datetime.to_string()),
            e(&t.timestamp_desc),
            e(&t.message),
            e(&t.artifact)
        ));
    }
    s.push_str("</table>\n");
    if !d.errors.is_empty() {
        s.push_str("<h2>Not read</h2>\n<ul>");
        for x in &d.errors {
            s.push_str(&format!("<li>{}</li>", e(x)));
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</body></html>\n");
    s
}

/// The same report in Markdown.
pub fn markdown(d: &ReportData) -> String {
    let e = md_escape;
    let mut s = format!("# Incident evidence report: {}\n\n| | |\n|---|---|\n", e(&d.manifest.case_id));
    for (k, v) in summary_rows(d) {
        s.push_str(&format!("| {k} | {} |\n", e(&v)));
    }
    s.push_str("\n## Findings\n\n");
    if d.triage.findings.is_empty() {
        s.push_str("No findings.\n");
    } else {
        s.push_str("| Severity | Rule | Reason | Evidence |\n|---|---|---|---|\n");
        for f in &d.triage.findings {
            s.push_str(&format!("| {} | {} | {} | {} |\n", f.severity.as_str(), e(&f.rule_id), e(&f.reason), e(&f.evidence.line())));
        }
    }
    s.push_str(&format!("\n## Artifacts ({})\n\n| Path | Bytes | SHA-256 | Source |\n|---|---|---|---|\n", d.manifest.artifacts.len()));
    for a in &d.manifest.artifacts {
        s.push_str(&format!("| {} | {} | {} | {} |\n", e(&a.spec.path), a.bytes, e(&a.sha256), e(&a.spec.source)));
    }
    for x in &d.manifest.errors {
        s.push_str(&format!("\n- capture error: {}", e(&x.message)));
    }
    s.push_str("\n## Isolation changes\n\n");
    match &d.isolation {
        Some(v) => {
            let text = serde_json::to_string_pretty(v).unwrap_or_default().replace("```", "'''");
            s.push_str(&format!("```json\n{text}\n```\n"));
        }
        None => s.push_str("The pod was not isolated by this capture.\n"),
    }
    s.push_str(&format!("\n## Timeline ({} events)\n\n| Time (UTC) | What | Event | Artifact |\n|---|---|---|---|\n", d.timeline.len()));
    for t in d.timeline.iter().take(MAX_TIMELINE) {
        s.push_str(&format!("| {} | {} | {} | {} |\n", t.datetime, e(&t.timestamp_desc), e(&t.message), e(&t.artifact)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_strings_cannot_become_markup() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(md_escape("a|b <img> [x](y)"), "a\\|b \\<img\\> \\[x\\](y)");
    }
}
