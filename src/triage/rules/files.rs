//! The container's file-system changes: dropped or replaced executables and the usual
//! persistence places (cron, accounts, ld.so.preload, authorized_keys, shell start-up files).

use super::shown;
use crate::triage::finding::{Evidence, Finding, Severity};
use crate::triage::subject::{Change, Subject};

/// The persistence rule a path falls under: (rule, severity, what).
fn persistence(path: &str) -> Option<(&'static str, Severity, &'static str)> {
    let base = path.rsplit('/').next().unwrap_or(path);
    if path.starts_with("/etc/cron") || path.starts_with("/var/spool/cron") || path == "/etc/anacrontab" {
        return Some(("KF-FS-003", Severity::High, "cron persistence"));
    }
    if matches!(path, "/etc/passwd" | "/etc/shadow" | "/etc/group" | "/etc/gshadow" | "/etc/sudoers") || path.starts_with("/etc/sudoers.d/")
    {
        return Some(("KF-FS-004", Severity::High, "account database"));
    }
    if path == "/etc/ld.so.preload" {
        return Some(("KF-FS-005", Severity::Critical, "library preload (every program loads it)"));
    }
    if matches!(base, "authorized_keys" | "authorized_keys2") {
        return Some(("KF-FS-006", Severity::High, "SSH authorized keys"));
    }
    if matches!(base, ".bashrc" | ".bash_profile" | ".bash_login" | ".profile" | ".zshrc" | ".zprofile" | ".kshrc" | ".cshrc")
        || matches!(path, "/etc/profile" | "/etc/bash.bashrc" | "/etc/bashrc" | "/etc/zsh/zshrc" | "/etc/environment")
        || path.starts_with("/etc/profile.d/")
    {
        return Some(("KF-FS-007", Severity::Medium, "shell start-up file"));
    }
    None
}

fn verb(c: &Change) -> &'static str {
    match c.change {
        'A' => "added",
        'C' => "changed",
        'D' => "deleted",
        _ => "added or changed",
    }
}

pub fn check(s: &Subject) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in &s.changes {
        let ev = || Evidence {
            artifact: s.changes_from.clone(),
            container: Some(s.name.clone()),
            path: Some(c.path.clone()),
            ..Default::default()
        };
        if let Some((id, sev, what)) = persistence(&c.path)
            && c.kind != "dir"
        {
            out.push(Finding::new(id, sev, format!("{what} {} {}", shown(&c.path), verb(c)), ev()));
            continue;
        }
        if c.change != 'D' && c.executable() {
            let what = match (c.elf, c.mode.is_some_and(|m| m & 0o111 != 0)) {
                (true, true) => "executable ELF file",
                (true, false) => "ELF file",
                _ => "executable file",
            };
            let (id, v) = if c.change == 'C' { ("KF-FS-002", "changed") } else { ("KF-FS-001", verb(c)) };
            let mode = c.mode.map(|m| format!(", mode {m:04o}")).unwrap_or_default();
            out.push(Finding::new(id, Severity::High, format!("{what} {} {v} ({} bytes{mode})", shown(&c.path), c.size), ev()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch(path: &str, change: char, mode: u32, elf: bool) -> Change {
        Change { path: path.into(), change, kind: "file".into(), mode: Some(mode), size: 10, mtime: None, elf }
    }

    #[test]
    fn persistence_and_dropped_binaries() {
        let s = Subject {
            changes: vec![
                ch("/etc/cron.d/x", 'A', 0o644, false),
                ch("/etc/ld.so.preload", 'A', 0o644, false),
                ch("/root/.ssh/authorized_keys", 'C', 0o600, false),
                ch("/tmp/x", 'A', 0o755, true),
                ch("/usr/bin/ls", 'C', 0o755, true),
                ch("/tmp/notes.txt", 'A', 0o644, false),
                ch("/tmp/lib.so", 'A', 0o644, true),
                Change { size: 0, ..ch("/etc/resolv.conf", 'A', 0o755, false) },
            ],
            ..Default::default()
        };
        let f = check(&s);
        let ids: Vec<_> = f.iter().map(|f| f.rule_id.as_str()).collect();
        assert_eq!(ids, ["KF-FS-003", "KF-FS-005", "KF-FS-006", "KF-FS-001", "KF-FS-002", "KF-FS-001"], "{f:?}");
    }
}
