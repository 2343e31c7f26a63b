//! The command-line contract: help, version, completions, and errors before any cluster is reached.

use crate::support::{self, kforensic, stderr, stdout};

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
    let dir = support::repo_root().join("completions");
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
        assert!(committed == out.stdout, "completions/{file} is stale: regenerate with scripts/gen-completions");
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

/// A kubeconfig at `path` whose context `name` points at `https://127.0.0.1:PORT` (nothing listens).
fn kubeconfig_at(path: &std::path::Path, name: &str, port: u16, user: &str) {
    std::fs::write(
        path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c-{name}\n  cluster: {{server: 'https://127.0.0.1:{port}'}}\nusers:\n- name: u-{name}\n  user: {user}\ncontexts:\n- name: {name}\n  context: {{cluster: c-{name}, user: u-{name}}}\ncurrent-context: {name}\n"
        ),
    )
    .unwrap();
}

/// A run with only `KUBECONFIG` (and a `HOME` without a kubeconfig) telling it where to look.
fn with_kubeconfig_env(kubeconfig: &std::ffi::OsStr, home: &std::path::Path, args: &[&str]) -> std::process::Output {
    support::kf().env("KUBECONFIG", kubeconfig).env("HOME", home).args(args).run()
}

#[test]
fn a_kubeconfig_list_is_merged_like_kubectl_and_an_empty_one_means_the_default() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".kube")).unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    kubeconfig_at(&a, "first", 1, "{token: t}");
    kubeconfig_at(&b, "second", 2, "{token: t}");
    let list = std::env::join_paths([a.as_path(), dir.path().join("missing").as_path(), b.as_path()]).unwrap();
    // the context lives in the second file; a missing file in the list is skipped, as kubectl does
    let out = with_kubeconfig_env(&list, &home, &["--context", "second", "preflight"]);
    assert!(stderr(&out).contains("https://127.0.0.1:2"), "{}", stderr(&out));
    // the first file to set current-context wins
    let out = with_kubeconfig_env(&list, &home, &["preflight"]);
    assert!(stderr(&out).contains("https://127.0.0.1:1"), "{}", stderr(&out));
    // empty: ~/.kube/config
    kubeconfig_at(&home.join(".kube/config"), "home", 3, "{token: t}");
    let out = with_kubeconfig_env(std::ffi::OsStr::new(""), &home, &["preflight"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("https://127.0.0.1:3"), "{}", stderr(&out));
}

#[test]
fn a_malformed_kubeconfig_is_named_with_where_it_breaks() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".kube")).unwrap();
    std::fs::write(home.join(".kube/config"), "apiVersion: v1\nclusters:\n- name: c\n  cluster: {server: [unclosed\n").unwrap();
    let out = with_kubeconfig_env(std::ffi::OsStr::new(""), &home, &["preflight"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains(".kube/config") && !err.contains("no kubeconfig found"), "{err}");
    assert!(err.contains("line"), "the parser's position is named: {err}");
}

#[test]
fn a_missing_credential_plugin_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("config");
    kubeconfig_at(
        &kc,
        "eks",
        1,
        "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kf-no-such-auth-plugin, args: [token]}}",
    );
    let out = support::kf().kubeconfig(&kc).args(["preflight"]).run();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("kf-no-such-auth-plugin") && err.contains("credential plugin"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    // -v shows the chain behind it
    let out = support::kf().kubeconfig(&kc).args(["-v", "preflight"]).run();
    assert!(stderr(&out).contains("caused by"), "{}", stderr(&out));
}
