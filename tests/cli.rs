//! The command-line contract: help, version, completions, and errors before any cluster is reached.

mod common;
use common::{kforensic, stderr, stdout};

#[test]
fn help_lists_the_global_flags() {
    let out = kforensic(&["--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    for flag in ["--kubeconfig", "--context", "--namespace", "--output", "--case-id", "--verbose", "--quiet", "preflight", "completions"] {
        assert!(help.contains(flag), "--help does not mention {flag}:\n{help}");
    }
}

#[test]
fn version_is_the_crate_version() {
    let out = kforensic(&["--version"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out).trim(), format!("kforensic {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn usage_errors_exit_2() {
    let out = kforensic(&["--output", "xml", "preflight"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = kforensic(&["--case-id", "Bad/ID", "preflight"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("case id"), "{}", stderr(&out));
}

#[test]
fn missing_context_is_one_line_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let kc = loopback_kubeconfig(dir.path());
    let out = kforensic(&["--kubeconfig", kc.to_str().unwrap(), "--context", "nope", "preflight"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "expected one line, got:\n{err}");
    assert!(err.contains("'nope'") && err.contains("context"), "{err}");
}

#[test]
fn unreachable_cluster_is_one_line_naming_the_server() {
    let dir = tempfile::tempdir().unwrap();
    // port 1 on loopback: nothing listens there
    let kc = loopback_kubeconfig(dir.path());
    let out = kforensic(&["--kubeconfig", kc.to_str().unwrap(), "preflight"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "expected one line, got:\n{err}");
    assert!(err.contains("cannot reach the Kubernetes API at https://127.0.0.1:1"), "{err}");
}

#[test]
fn missing_kubeconfig_file_is_one_line() {
    let out = kforensic(&["--kubeconfig", "/nonexistent/kubeconfig", "preflight"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/kubeconfig"), "{err}");
}

#[test]
fn committed_completions_are_fresh() {
    let dir = common::repo_root().join("completions");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = kforensic(&["completions", shell]);
        assert!(out.status.success());
        let file = match shell {
            "bash" => "kforensic.bash",
            "zsh" => "_kforensic",
            "fish" => "kforensic.fish",
            "powershell" => "_kforensic.ps1",
            _ => "kforensic.elv",
        };
        let committed = std::fs::read(dir.join(file)).unwrap_or_default();
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: regenerate with scripts/gen-completions"
        );
    }
}

#[test]
fn upload_from_node_flags_that_cannot_work_are_refused_before_anything_runs() {
    // checked before any cluster is contacted: no kubeconfig is needed to be told
    for (args, says) in [
        (&["checkpoint", "pod", "p", "--upload-from", "node"][..], "--upload-from node needs --dest s3://"),
        (&["checkpoint", "pod", "p", "--upload-from", "node", "--dest", "s3://bkt/x", "--archive"][..], "--archive"),
        (&["checkpoint", "pod", "p", "--node-credentials-secret", "s"][..], "only applies with --upload-from node"),
    ] {
        let out = kforensic(&[&["--kubeconfig", "/nonexistent/kubeconfig"][..], args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// A kubeconfig whose only context, `real`, points at port 1 on loopback (nothing listens there).
fn loopback_kubeconfig(dir: &std::path::Path) -> std::path::PathBuf {
    let kc = dir.join("config");
    std::fs::write(
        &kc,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: 'https://127.0.0.1:1'}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: real\n  context: {cluster: c, user: u}\ncurrent-context: real\n",
    )
    .unwrap();
    kc
}
