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

/// The commands a responder runs, each with its own help.
const COMMANDS: &[&[&str]] = &[
    &["preflight"],
    &["checkpoint"],
    &["checkpoint", "pod"],
    &["isolate"],
    &["isolate", "pod"],
    &["release"],
    &["release", "pod"],
    &["analyze"],
    &["completions"],
    &["upload"],
    &["verify"],
    &["collect"],
];

#[test]
fn help_groups_options_under_headings_and_shows_an_example_for_every_command() {
    let top = stdout(&kforensic(&["--help"]));
    assert!(top.contains("Global options:") && top.contains("Examples:") && top.contains("KFORENSIC_CASE_ID"), "{top}");
    assert!(!top.lines().any(|l| l.trim_start().starts_with("agent ")), "the node agent is listed:\n{top}");
    for cmd in COMMANDS {
        let out = kforensic(&[*cmd, &["--help"][..]].concat());
        assert!(out.status.success(), "{cmd:?}");
        let help = stdout(&out);
        assert!(help.contains("Examples:\n  "), "{cmd:?} has no example:\n{help}");
        assert!(help.contains(&format!("kforensic {}", cmd[0])) || help.contains(&format!("{} pod", cmd[0])), "{cmd:?}:\n{help}");
    }
    let cp = stdout(&kforensic(&["checkpoint", "pod", "--help"]));
    for heading in ["Global options:", "Target:", "Destination:", "S3 options:", "Memory:"] {
        assert!(cp.contains(heading), "checkpoint pod --help lacks {heading}\n{cp}");
    }
    assert!(cp.contains("[env: KFORENSIC_CASE_ID"), "{cp}");
    // a command's help lists only the global options it takes
    let verify = stdout(&kforensic(&["verify", "--help"]));
    assert!(verify.contains("Global options:") && verify.contains("--output"), "{verify}");
    assert!(!verify.contains("--case-id") && !verify.contains("--kubeconfig"), "{verify}");
    let an = stdout(&kforensic(&["analyze", "--help"]));
    assert!(an.contains("[default: 64GiB]"), "{an}");
}

#[test]
fn sizes_are_human_and_ticket_style_case_ids_are_accepted() {
    let archive = support::repo_root().join("tests/data/checkpoints/crio-1.37-web.tar");
    let out = kforensic(&["analyze", archive.to_str().unwrap(), "--max-extract-bytes", "64GiB"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = kforensic(&["analyze", archive.to_str().unwrap(), "--max-extract-bytes", "64 parsecs"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));

    // accepted by the parser: the run then fails on the missing kubeconfig (1), not on usage (2)
    let kc = ["--kubeconfig", "/nonexistent/kubeconfig"];
    let out = kforensic(&[&kc[..], &["--case-id", "INC-1234", "isolate", "pod", "pod/web-1"]].concat());
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("/nonexistent/kubeconfig"), "{}", stderr(&out));
    for bad in ["INC..1234", "../etc", "INC-1234-"] {
        let out = kforensic(&[&kc[..], &["--case-id", bad, "isolate", "pod", "web-1"]].concat());
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(stderr(&out).contains("case id"), "{}", stderr(&out));
    }
    let out = kforensic(&[&kc[..], &["release", "pod", "deploy/web"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("only pods"), "{}", stderr(&out));
}

#[test]
fn the_case_id_comes_from_kforensic_case_id() {
    let dir = tempfile::tempdir().unwrap();
    // the variable is read (and checked) ...
    let out = support::kf().env("KFORENSIC_CASE_ID", "bad..id").args(["--kubeconfig", "/nonexistent/kubeconfig", "preflight"]).run();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("case id"), "{}", stderr(&out));
    // ... and, as ambient state, never refused where it does not apply
    let (bundle, _) = support::evidence::make_bundle(dir.path(), "INC-1234", &[("a.bin", 10)]);
    let out = support::kf().env("KFORENSIC_CASE_ID", "INC-1234").args(["verify", bundle.to_str().unwrap()]).run();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn kforensic_image_in_the_environment_is_not_a_flag_given() {
    // `collect --image` requires --shell-history; the variable alone must not trip that
    let out = support::kf()
        .env("KFORENSIC_IMAGE", "registry.example/kforensic:1")
        .args(["--kubeconfig", "/nonexistent/kubeconfig", "collect"])
        .run();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let help = stdout(&kforensic(&["checkpoint", "pod", "--help"]));
    assert!(help.contains("[env: KFORENSIC_IMAGE"), "{help}");
}

#[test]
fn global_options_a_command_ignores_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, _) = support::evidence::make_bundle(dir.path(), "INC-1234", &[("a.bin", 10)]);
    let b = bundle.to_str().unwrap();
    for (args, flag) in [
        (&["verify", b, "--case-id", "x"][..], "--case-id"),
        (&["-n", "shop", "verify", b][..], "--namespace"),
        (&["--context", "prod", "analyze", "x.tar"][..], "--context"),
        (&["-o", "json", "completions", "bash"][..], "--output"),
    ] {
        let out = kforensic(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(flag) && err.contains("does not apply"), "{args:?}: {err}");
    }
}

#[test]
fn json_reports_carry_their_schema_and_tables_no_trailing_spaces() {
    let dir = tempfile::tempdir().unwrap();
    let (bundle, _) = support::evidence::make_bundle(dir.path(), "INC-1234", &[("a.bin", 10)]);
    let out = kforensic(&["-o", "json", "verify", bundle.to_str().unwrap(), "--no-record"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["apiVersion"], "kforensic.io/v1");
    assert_eq!(v["kind"], "VerifyReport");
    assert_eq!(v["ok"], true, "the report's own fields follow");
    let out = kforensic(&["-o", "yaml", "verify", bundle.to_str().unwrap(), "--no-record"]);
    assert!(stdout(&out).starts_with("apiVersion: kforensic.io/v1\nkind: VerifyReport\n"), "{}", stdout(&out));

    let archive = support::repo_root().join("tests/data/checkpoints/crio-1.37-web.tar");
    let out = kforensic(&["analyze", archive.to_str().unwrap(), "--ps-tree", "--files", "--mounts"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.lines().count() > 3, "{table}");
    for l in table.lines() {
        assert!(!l.ends_with(' ') && !l.ends_with('\t'), "trailing space: {l:?}");
    }
    let out = kforensic(&["-o", "json", "analyze", archive.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((v["apiVersion"].as_str(), v["kind"].as_str()), (Some("kforensic.io/v1"), Some("AnalyzeReport")));
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    use std::io::BufRead;
    // the bash completion script is larger than a pipe's buffer: the write after the reader
    // left fails with EPIPE
    let mut child = support::kf().args(["completions", "bash"]).spawn();
    let mut first = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("_kforensic"), "{first}");
    // the reader is dropped here: the pipe is closed
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(out.stderr.is_empty(), "stderr: {}", stderr(&out));
}

#[test]
fn warnings_carry_no_ansi_escapes_into_files() {
    // stderr is a pipe here, not a terminal; every crate logs at trace level
    let dir = tempfile::tempdir().unwrap();
    let kc = loopback_kubeconfig(dir.path());
    let out = support::kf().env("KFORENSIC_LOG", "trace").kubeconfig(&kc).args(["preflight"]).run();
    assert!(stderr(&out).lines().count() > 1, "no log lines to check: {}", stderr(&out));
    assert!(!out.stderr.contains(&0x1b), "ANSI escape on a non-terminal stderr: {}", stderr(&out));
}
