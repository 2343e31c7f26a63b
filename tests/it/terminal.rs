//! What a responder sees in a real terminal: `checkpoint pod` runs in a tmux pane (a real pty,
//! so kforensic draws its progress bars), the pane is read while it runs and after it ends.

use crate::support::pod::busybox;
use crate::support::{self, CLUSTER, require};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux {
    socket: std::path::PathBuf,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().expect("tmux runs")
    }
    /// The visible pane as text (what the responder sees; no escape sequences).
    fn pane(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "kf"]).stdout).into_owned()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A line a progress bar leaves: a spinner glyph, a transfer rate, or the remains of a cursor or
/// erase sequence whose escape byte got lost.
fn looks_like_a_bar(line: &str) -> bool {
    const SPINNER: &str = "⠁⠂⠄⡀⢀⠠⠐⠈⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏";
    line.chars().any(|c| SPINNER.contains(c) || c == '\u{1b}' || c == '\u{fffd}')
        || line.contains("B/s")
        || line.contains("[2K")
        || line.contains("[1A")
}

#[test]
fn checkpoint_in_a_terminal_shows_progress_bars_and_ends_with_a_clean_summary() {
    let test = "checkpoint_in_a_terminal_shows_progress_bars_and_ends_with_a_clean_summary";
    let Some(env) = require(test, CLUSTER) else { return };
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{test}: tmux is not installed (scripts/testenv install)");
        eprintln!("SKIP {test}: tmux is not installed");
        return;
    }
    let ns = env.namespace("terminal");
    // 96 MiB of random bytes: an export that takes a few seconds, long enough to watch
    env.apply(&busybox(&ns.name, "web", "head -c 100663296 /dev/urandom > /srv.bin; echo ready; exec sleep 100000").yaml());
    env.wait_running(&ns.name, "web", 60);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !support::stdout(&env.kubectl_raw(&["-n", &ns.name, "logs", "web"], None)).contains("ready") {
        assert!(Instant::now() < deadline, "the pod never wrote its file");
        std::thread::sleep(Duration::from_millis(300));
    }

    let dir = tempfile::tempdir().unwrap();
    let case = format!("kf-test-tty-{:04x}", fastrand::u16(..));
    let dest = dir.path().join("evidence");
    let run = [
        support::kforensic_bin().display().to_string(),
        "--kubeconfig".into(),
        env.admin_kubeconfig().into(),
        "-n".into(),
        ns.name.clone(),
        "--case-id".into(),
        case.clone(),
        "checkpoint".into(),
        "pod".into(),
        "web".into(),
        "--image".into(),
        env.kforensic_image().into(),
        "--pull-policy".into(),
        "never".into(),
        "--dest".into(),
        dest.display().to_string(),
        "--timeout".into(),
        "3m".into(),
    ];
    let line = run.iter().map(|a| shell_quote(a)).collect::<Vec<_>>().join(" ");
    // a clean environment: a terminal, no AWS settings of this machine, no colour wishes
    let script = format!(
        "env -i PATH=/usr/bin:/bin HOME={home} TERM=xterm-256color AWS_EC2_METADATA_DISABLED=true {line}; echo KF-EXIT=$?; sleep 600",
        home = shell_quote(&dir.path().display().to_string())
    );
    let tmux = Tmux { socket: dir.path().join("tmux.sock") };
    let out = tmux.cmd(&["new-session", "-d", "-s", "kf", "-x", "200", "-y", "60", &script]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));

    // watch the pane as a responder would, until the command has ended
    let started = Instant::now();
    let mut bars_seen: Vec<String> = Vec::new();
    let fin = loop {
        let pane = tmux.pane();
        if pane.contains("KF-EXIT=") {
            break pane;
        }
        // a bar per artifact: `main/rootfs.tar.zst   12.00 MiB  4.10 MiB/s 3s`
        for l in pane.lines().filter(|l| l.contains("main/") && l.contains("B/s")) {
            if !bars_seen.iter().any(|s| s == l) {
                bars_seen.push(l.to_string());
            }
        }
        assert!(started.elapsed() < Duration::from_secs(240), "checkpoint did not end in time; pane:\n{pane}");
        std::thread::sleep(Duration::from_millis(100));
    };

    // while it ran: a bar per artifact streaming from the node, with its bytes and rate
    assert!(
        bars_seen.iter().any(|l| l.contains("rootfs.tar.zst")),
        "no progress bar for the root filesystem export was seen while it ran; seen:\n{}\nfinal pane:\n{fin}",
        bars_seen.join("\n")
    );

    // after: the exit code, then a summary with nothing of the bars left in it
    assert!(fin.contains("KF-EXIT=0"), "checkpoint failed:\n{fin}");
    let lines: Vec<&str> = fin.lines().map(str::trim_end).collect();
    let header = lines.iter().position(|l| l.trim_start().starts_with("ARTIFACT")).unwrap_or_else(|| panic!("no summary table:\n{fin}"));
    // above it only the run's notes (`case … · pod …`, `starting collector pod …`), no bar
    assert!(lines[..header].iter().any(|l| l.starts_with("case ") && l.contains(&case)), "the run's first note is gone:\n{fin}");
    for l in &lines {
        assert!(!looks_like_a_bar(l), "a progress bar fragment in the final screen: {l:?}\n{fin}");
    }
    let done = lines.iter().position(|l| l.starts_with("✔ complete bundle")).unwrap_or_else(|| panic!("no completion line:\n{fin}"));
    assert!(lines[done + 1].starts_with("KF-EXIT=0"), "something after the completion line:\n{fin}");

    // the summary lists exactly the bundle's artifacts
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(dest.join(&case).join("manifest.json")).unwrap()).unwrap();
    let artifacts = manifest["artifacts"].as_array().unwrap();
    // the table's rows end in a SHA-256; notes (timings, triage) may follow the table
    let is_row = |l: &&str| {
        l.starts_with(' ') && l.split_whitespace().last().is_some_and(|w| w.len() == 64 && w.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let rows: Vec<&str> = lines[header + 1..].iter().take_while(|l| !l.starts_with("time:")).copied().filter(is_row).collect();
    assert_eq!(rows.len(), artifacts.len(), "summary rows vs manifest:\n{fin}");
    for a in artifacts {
        let (path, sha) = (a["path"].as_str().unwrap(), a["sha256"].as_str().unwrap());
        assert!(rows.iter().any(|r| r.contains(path) && r.contains(sha)), "{path} {sha} not in the summary:\n{fin}");
    }
    assert!(check_no_collector_left(env, &case), "a collector pod was left behind");
}

fn check_no_collector_left(env: &support::TestEnv, case: &str) -> bool {
    let out = env.kubectl_raw(&["get", "pods", "-A", "-l", &format!("kforensic.io/case={case}"), "-o", "name"], None);
    support::stdout(&out).trim().is_empty()
}

#[test]
fn bar_fragments_are_recognised() {
    assert!(looks_like_a_bar("⠙ pods/ns/web/main/rootfs.tar.zst      12.0 MiB   4.1 MiB/s 3s"));
    assert!(looks_like_a_bar("[2K[1A"));
    assert!(!looks_like_a_bar(" pods/ns/web/main/rootfs.tar.zst  1.0 MiB   bbef2286a6291f0f"));
    assert!(!looks_like_a_bar("✔ complete bundle ./evidence/INC-1234 (16 artifacts)"));
}
