//! A finding: which rule, how bad, why (one line) and where the evidence is.

use serde::{Deserialize, Serialize};

#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }
    /// Is this at least as bad as `other`?
    pub fn at_least(self, other: Severity) -> bool {
        self <= other
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Severity, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "critical" => Severity::Critical,
            "high" => Severity::High,
            "medium" => Severity::Medium,
            "low" => Severity::Low,
            "info" => Severity::Info,
            _ => return Err(format!("'{s}' is not a severity (critical, high, medium, low, info)")),
        })
    }
}

/// Where a finding's evidence is: the artifact (bundle-relative path, or member of the archive)
/// and, when they apply, the container, process, file path and memory address.
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub artifact: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// A virtual address in the process (`0x…`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The mapping (VMA) the address falls in: `start-end perms name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl Evidence {
    /// One line: `artifact pid 12 /path @0x…`.
    pub fn line(&self) -> String {
        let mut s = self.artifact.clone();
        if let Some(p) = self.pid {
            s.push_str(&format!(" pid {p}"));
        }
        if let Some(p) = &self.path {
            s.push_str(&format!(" {p}"));
        }
        if let Some(a) = &self.address {
            s.push_str(&format!(" @{a}"));
        }
        s
    }
}

/// One finding: the rule (stable id), its severity, a one-line reason and the evidence path.
/// Secret values never appear in it (see [`super::secrets`]).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule_id: String,
    pub severity: Severity,
    pub reason: String,
    pub evidence: Evidence,
}

impl Finding {
    pub fn new(rule_id: &str, severity: Severity, reason: impl Into<String>, evidence: Evidence) -> Finding {
        Finding { rule_id: rule_id.into(), severity, reason: super::secrets::redact(&reason.into()).into_owned(), evidence }
    }
}

/// Worst first, then by rule, container, pid and path.
pub fn sort(f: &mut [Finding]) {
    f.sort_by(|a, b| {
        (a.severity, &a.rule_id, &a.evidence.container, a.evidence.pid, &a.evidence.path, &a.evidence.address).cmp(&(
            b.severity,
            &b.rule_id,
            &b.evidence.container,
            b.evidence.pid,
            &b.evidence.path,
            &b.evidence.address,
        ))
    });
}

/// The rule catalogue: id, usual severity, title (docs/findings.md lists the same).
pub const RULES: &[(&str, Severity, &str)] = &[
    ("KF-PROC-001", Severity::Critical, "shell with a network socket as stdin/stdout (reverse or bind shell)"),
    ("KF-PROC-002", Severity::High, "network tool running (nc, ncat, socat, telnet); critical when it executes a program"),
    ("KF-PROC-003", Severity::Medium, "download tool running (curl, wget); high when not started from a shell"),
    ("KF-PROC-004", Severity::Critical, "known crypto-miner name in a process name, executable or arguments"),
    ("KF-PROC-005", Severity::Critical, "mining pool URL (stratum+tcp://…) in a process's arguments or environment"),
    ("KF-PROC-006", Severity::High, "process runs an executable deleted from disk"),
    ("KF-PROC-007", Severity::Critical, "process runs a memfd-backed (file-less) executable"),
    ("KF-PROC-008", Severity::High, "process runs an executable under /tmp, /var/tmp or /dev/shm"),
    ("KF-PROC-009", Severity::Medium, "process tree that does not descend from the container's entrypoint (exec'd in)"),
    ("KF-FS-001", Severity::High, "executable or ELF file added to the container's file system"),
    ("KF-FS-002", Severity::High, "executable or ELF file of the image changed"),
    ("KF-FS-003", Severity::High, "cron persistence: /etc/cron*, /var/spool/cron changed"),
    ("KF-FS-004", Severity::High, "account database changed (/etc/passwd, shadow, group, sudoers)"),
    ("KF-FS-005", Severity::Critical, "/etc/ld.so.preload written (library injection)"),
    ("KF-FS-006", Severity::High, "SSH authorized_keys changed"),
    ("KF-FS-007", Severity::Medium, "shell start-up file changed (.bashrc, .profile, /etc/profile…)"),
    ("KF-SEC-001", Severity::High, "secret-looking value in a process's environment (masked)"),
    ("KF-SEC-002", Severity::High, "secret-looking value in process memory (masked)"),
    ("KF-SEC-003", Severity::Low, "credential-named environment variable with a value (masked)"),
    ("KF-MEM-001", Severity::Critical, "mining pool URL in process memory"),
    ("KF-YARA-001", Severity::High, "YARA rule matched process memory or a file of the rootfs diff (severity from the rule's meta)"),
    ("KF-NET-001", Severity::Low, "listening socket"),
    ("KF-NET-002", Severity::Medium, "established outbound connection"),
];

/// The catalogue's title of a rule.
pub fn title(rule_id: &str) -> &'static str {
    RULES.iter().find(|r| r.0 == rule_id).map(|r| r.2).unwrap_or("")
}
