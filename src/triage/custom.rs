//! Responders' own rules (`triage --rules DIR`): YAML files (`*.yaml`, `*.yml`) each holding a
//! list of rules with a stable id, a severity, a one-line reason and matchers over what triage
//! already reads (processes, environments, the rootfs diff, memory). They are loaded and checked
//! before any evidence is read: a bad file is one line naming the file, the rule and what is
//! wrong. `rules::custom` runs them. The format is documented in `docs/src/commands/triage.md`.
//!
//! ```yaml
//! rules:
//!   - id: ACME-CRON-001
//!     severity: critical
//!     reason: crontab that runs a script from /tmp
//!     match:
//!       path: '^/var/spool/cron/'
//!       string: /tmp/
//! ```

use super::TriageError;
use super::finding::Severity;
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Longest reason (characters): it is one line of a table.
const MAX_REASON: usize = 200;
/// Compiled size limit of one matcher's regex (a rule file cannot make triage eat memory).
const REGEX_LIMIT: usize = 1 << 20;

/// A rule as written in the file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleDoc {
    id: String,
    severity: String,
    reason: String,
    #[serde(rename = "match")]
    matchers: MatchDoc,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MatchDoc {
    comm: Option<String>,
    exe: Option<String>,
    cmdline: Option<String>,
    env: Option<String>,
    path: Option<String>,
    string: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDoc {
    rules: Vec<serde_yaml::Value>,
}

/// What a rule looks at: every matcher given must match the same process, or the same file of
/// the rootfs diff; a rule with only `string` looks at every process's memory and every file.
#[derive(Debug, Clone)]
pub struct Matchers {
    /// The process name (comm), the executable's path, the arguments joined by spaces.
    pub comm: Option<Regex>,
    pub exe: Option<Regex>,
    pub cmdline: Option<Regex>,
    /// The name of an environment variable of the process.
    pub env: Option<Regex>,
    /// The "/"-rooted path of a file added, changed or deleted in the container.
    pub path: Option<Regex>,
    /// A string in the process's memory, or in the file's content.
    pub string: Option<String>,
}

impl Matchers {
    /// Does the rule look at processes (else at files, or, with only `string`, at both)?
    pub fn on_process(&self) -> bool {
        self.comm.is_some() || self.exe.is_some() || self.cmdline.is_some() || self.env.is_some()
    }
}

/// A loaded rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub severity: Severity,
    pub reason: String,
    pub matchers: Matchers,
}

/// A responder's rule as the report lists it (and SARIF's rule catalogue).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleInfo {
    pub id: String,
    pub severity: Severity,
    pub reason: String,
    /// The file it was loaded from, as given.
    pub file: String,
}

/// The rules of every `--rules` directory (or file), in file order.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub rules: Vec<Rule>,
    pub info: Vec<RuleInfo>,
}

/// The `.yaml` / `.yml` files of `p` (itself when a file), sorted.
fn rule_files(p: &Path) -> Result<Vec<PathBuf>, TriageError> {
    if p.is_file() {
        return Ok(vec![p.to_path_buf()]);
    }
    let rd = std::fs::read_dir(p).map_err(|e| TriageError::Read { path: p.into(), source: e })?;
    let mut v: Vec<PathBuf> =
        rd.flatten().map(|e| e.path()).filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "yaml" || x == "yml")).collect();
    v.sort();
    if v.is_empty() {
        return Err(TriageError::Rules(format!("{}: no .yaml or .yml rule file in this directory", p.display())));
    }
    Ok(v)
}

/// One line of a parser's message.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn regex(what: &str, re: &Option<String>) -> Result<Option<Regex>, String> {
    let Some(re) = re else { return Ok(None) };
    regex::RegexBuilder::new(re)
        .size_limit(REGEX_LIMIT)
        .build()
        .map(Some)
        .map_err(|e| format!("match.{what}: not a valid regular expression: {}", one_line(&e.to_string())))
}

/// Check one rule as written; the error says what is wrong (the caller names file and rule).
fn rule(d: RuleDoc) -> Result<Rule, String> {
    if d.id.to_ascii_uppercase().starts_with("KF-") {
        let builtin = super::finding::RULES.iter().any(|r| r.0.eq_ignore_ascii_case(&d.id));
        return Err(format!(
            "the id {}: ids starting with KF- are kforensic's built-in rules'{}; choose your own prefix",
            d.id,
            if builtin { " (this one is a built-in rule)" } else { "" }
        ));
    }
    if d.id.is_empty() || d.id.len() > 64 || !d.id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)) {
        return Err("id: 1 to 64 letters, digits, '.', '_' or '-'".into());
    }
    let severity = d.severity.parse::<Severity>().map_err(|e| format!("severity: {e}"))?;
    // masked like every reason, here already: the rule list (JSON, SARIF) shows it too
    let reason = super::secrets::redact(d.reason.trim()).into_owned();
    if reason.is_empty() || reason.contains(['\n', '\r']) || reason.chars().count() > MAX_REASON {
        return Err(format!("reason: one line of 1 to {MAX_REASON} characters"));
    }
    let m = d.matchers;
    if m.string.as_deref() == Some("") {
        return Err("match.string: empty".into());
    }
    let matchers = Matchers {
        comm: regex("comm", &m.comm)?,
        exe: regex("exe", &m.exe)?,
        cmdline: regex("cmdline", &m.cmdline)?,
        env: regex("env", &m.env)?,
        path: regex("path", &m.path)?,
        string: m.string,
    };
    if matchers.on_process() && matchers.path.is_some() {
        return Err("match: a rule matches processes (comm, exe, cmdline, env) or files (path), not both: make two rules".into());
    }
    if !matchers.on_process() && matchers.path.is_none() && matchers.string.is_none() {
        return Err("match: no matcher (comm, exe, cmdline, env, path or string)".into());
    }
    Ok(Rule { id: d.id, severity, reason, matchers })
}

/// The rules of one file, appended to `out` (ids unique across every file loaded).
fn load_file(f: &Path, out: &mut Rules) -> Result<(), TriageError> {
    let shown = f.display().to_string();
    let bad = |what: String| TriageError::Rules(format!("{shown}: {what}"));
    let text = std::fs::read_to_string(f).map_err(|e| TriageError::Read { path: f.into(), source: e })?;
    let doc: FileDoc =
        serde_yaml::from_str(&text).map_err(|e| bad(format!("not a rule file (rules: [...]): {}", one_line(&e.to_string()))))?;
    if doc.rules.is_empty() {
        return Err(bad("no rules in it".into()));
    }
    for (i, v) in doc.rules.into_iter().enumerate() {
        let name = match v.get("id").and_then(|x| x.as_str()) {
            Some(id) => format!("rule {id}"),
            None => format!("rule #{}", i + 1),
        };
        let d: RuleDoc = serde_yaml::from_value(v).map_err(|e| bad(format!("{name}: {}", one_line(&e.to_string()))))?;
        let r = rule(d).map_err(|e| bad(format!("{name}: {e}")))?;
        if let Some(other) = out.info.iter().find(|x| x.id == r.id) {
            return Err(bad(format!("{name}: the id is already used in {}", other.file)));
        }
        out.info.push(RuleInfo { id: r.id.clone(), severity: r.severity, reason: r.reason.clone(), file: shown.clone() });
        out.rules.push(r);
    }
    Ok(())
}

impl Rules {
    /// Every rule of each `--rules` directory or file.
    pub fn load(paths: &[PathBuf]) -> Result<Rules, TriageError> {
        let mut out = Rules::default();
        for p in paths {
            for f in rule_files(p)? {
                load_file(&f, &mut out)?;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Rules, String> {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("acme.yaml"), text).unwrap();
        Rules::load(&[d.path().to_path_buf()]).map_err(|e| e.to_string())
    }

    #[test]
    fn a_good_file_loads() {
        let r = load(
            "rules:\n  - id: ACME-1\n    severity: High\n    reason: a shell on the web root\n    match: {comm: '^sh$', cmdline: www}\n  - id: ACME-2\n    severity: low\n    reason: r\n    match: {string: marker}\n",
        )
        .unwrap();
        assert_eq!(r.rules.len(), 2);
        assert_eq!((r.info[0].id.as_str(), r.info[0].severity), ("ACME-1", Severity::High));
        assert!(r.rules[0].matchers.on_process() && !r.rules[1].matchers.on_process());
        assert!(r.info[0].file.ends_with("acme.yaml"));
    }

    #[test]
    fn each_mistake_is_one_line_naming_file_rule_and_what() {
        let rule = |id: &str, sev: &str, reason: &str, m: &str| {
            format!("rules:\n  - id: {id}\n    severity: {sev}\n    reason: {reason}\n    match: {m}\n")
        };
        for (text, want) in [
            (rule("ACME-1", "high", "r", "{cmdline: '(unclosed'}"), "rule ACME-1: match.cmdline: not a valid regular expression"),
            (
                rule("KF-PROC-001", "high", "r", "{comm: x}"),
                "rule KF-PROC-001: the id KF-PROC-001: ids starting with KF- are kforensic's built-in rules' (this one is a built-in rule)",
            ),
            (rule("kf-mine", "high", "r", "{comm: x}"), "ids starting with KF-"),
            (rule("ACME-1", "severe", "r", "{comm: x}"), "rule ACME-1: severity: 'severe' is not a severity"),
            (rule("ACME-1", "high", "r", "{cmd: x}"), "rule ACME-1: unknown field `cmd`"),
            (rule("ACME-1", "high", "r", "{}"), "rule ACME-1: match: no matcher"),
            (rule("ACME-1", "high", "r", "{comm: x, path: y}"), "not both"),
            (rule("ACME 1", "high", "r", "{comm: x}"), "rule ACME 1: id: 1 to 64"),
            (rule("ACME-1", "high", "''", "{comm: x}"), "rule ACME-1: reason: one line"),
            (rule("ACME-1", "high", "r", "{string: ''}"), "match.string: empty"),
            ("rules:\n  - severity: high\n".into(), "rule #1: missing field `id`"),
            ("rules: []\n".into(), "no rules in it"),
            ("rule:\n  - id: x\n".into(), "not a rule file"),
            ("rules: [\n".into(), "not a rule file"),
            (
                format!(
                    "{}  - id: ACME-1\n    severity: low\n    reason: r\n    match: {{comm: y}}\n",
                    rule("ACME-1", "high", "r", "{comm: x}")
                ),
                "rule ACME-1: the id is already used in",
            ),
        ] {
            let e = load(&text).expect_err(want);
            assert!(e.contains("acme.yaml: ") && e.contains(want), "want {want:?}: {e}");
            assert_eq!(e.lines().count(), 1, "{e}");
        }
        let d = tempfile::tempdir().unwrap();
        let e = Rules::load(&[d.path().to_path_buf()]).unwrap_err().to_string();
        assert!(e.contains("no .yaml or .yml rule file"), "{e}");
    }
}
