//! The command layer: arguments (clap) → options or a plan → a library call → a report → output
//! and an exit code. The only part of kforensic that knows clap, the terminal, progress bars and
//! exit codes; one file per verb.

pub mod agent;
pub mod analyze;
pub mod checkpoint;
pub mod collect;
pub mod completions;
pub mod decrypt;
pub mod encrypt_args;
pub mod image;
pub mod isolate;
pub mod output;
pub mod passphrase;
pub mod preflight;
pub mod progress;
pub mod release;
pub mod report;
pub mod s3_args;
pub mod sign_args;
pub mod timeline;
pub mod triage;
pub mod upload;
pub mod verify;

use crate::cluster::ConnectOptions;
use crate::{Error, Exit};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

pub use output::OutputFormat;

/// Incident response for Kubernetes: capture a suspect pod's state first, then contain it.
#[derive(Debug, Parser)]
#[command(name = "kforensic", version, about, long_about = None, propagate_version = true, after_help = TOP_EXAMPLES)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags given before or after the command, named as kubectl names them. Each command refuses
/// those it would ignore (see [`check_globals`]).
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// Path to the kubeconfig file (default: the files listed in $KUBECONFIG, merged as kubectl
    /// merges them, then ~/.kube/config, then the in-cluster service account).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,
    /// Namespace (default: the context's namespace, else "default"). `collect` takes several
    /// (repeat -n, or comma-separate them); every other command works in one.
    #[arg(short = 'n', long, global = true, value_name = "NS", action = clap::ArgAction::Append)]
    pub namespace: Vec<String>,
    /// Output format.
    #[arg(short = 'o', long, global = true, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Case identifier recorded in evidence, labels and the custody log, e.g. INC-1234 (default:
    /// generated, kf-YYYYMMDD-HHMM-xxxx). Letters, digits, '.', '_', '-'; at most 63.
    #[arg(long, global = true, value_name = "ID", value_parser = parse_case_id, env = "KFORENSIC_CASE_ID")]
    pub case_id: Option<String>,
    /// More detail on stderr (repeat for more); errors show their full cause chain.
    #[arg(short = 'v', long = "verbose", global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,
    /// Only errors on stderr; no progress bars.
    #[arg(short = 'q', long, global = true)]
    pub quiet: bool,
}

impl GlobalArgs {
    /// The case id given, or a fresh one: `kf-YYYYMMDD-HHMM-xxxx` (UTC, 4 random hex digits).
    pub fn case_id(&self) -> String {
        self.case_id.clone().unwrap_or_else(generate_case_id)
    }

    /// Every namespace given with -n (repeated and/or comma-separated), in order, once each.
    pub fn namespaces(&self) -> Vec<String> {
        let mut v: Vec<String> = Vec::new();
        for n in self.namespace.iter().flat_map(|s| s.split(',')).map(str::trim).filter(|s| !s.is_empty()) {
            if !v.iter().any(|x| x == n) {
                v.push(n.to_string());
            }
        }
        v
    }

    /// The namespace of a command that works in one: None when -n was not given.
    pub fn single_namespace(&self) -> Result<Option<String>, String> {
        let v = self.namespaces();
        match v.len() {
            0 if self.namespace.is_empty() => Ok(None),
            0 => Err("-n needs a namespace".into()),
            1 => Ok(v.into_iter().next()),
            n => Err(format!("{n} namespaces given with -n ({}): this command works in one (only `collect` takes several)", v.join(", "))),
        }
    }
}

pub fn generate_case_id() -> String {
    let now = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    format!("kf-{}-{:04x}", now.strftime("%Y%m%d-%H%M"), fastrand::u16(..))
}

/// Case ids end up in label values, paths and (in their DNS form) object names: see
/// [`crate::cluster::case_id`].
fn parse_case_id(s: &str) -> Result<String, String> {
    crate::cluster::case_id::check(s).map(|()| s.to_string())
}

/// A pod as kubectl takes it: `NAME`, `pod/NAME`, `pods/NAME` or `po/NAME`.
pub(crate) fn parse_pod_name(s: &str) -> Result<String, String> {
    let name = match s.split_once('/') {
        None => s,
        Some(("pod" | "pods" | "po", name)) => name,
        Some((kind, _)) => return Err(format!("'{s}': only pods can be named here (NAME or pod/NAME), not {kind}")),
    };
    if name.is_empty() || name.contains('/') {
        return Err(format!("'{s}' is not a pod name (NAME or pod/NAME)"));
    }
    Ok(name.to_string())
}

const TOP_EXAMPLES: &str = "\
Examples:
  kforensic preflight
  kforensic -n shop --case-id INC-1234 checkpoint pod web-7d9f --memory
  kforensic -n shop --case-id INC-1234 isolate pod web-7d9f --detach
  kforensic verify ./evidence/INC-1234
  kforensic analyze ./evidence/INC-1234/pods/shop/web-7d9f/app/checkpoint.tar --ps-tree

Environment:
  KUBECONFIG          kubeconfig files, merged as kubectl merges them
  KFORENSIC_CASE_ID   the case id when --case-id is not given
  KFORENSIC_IMAGE     the collector image when --image is not given
  KFORENSIC_LOG       log filter for stderr (e.g. kforensic=debug)
  NO_COLOR            no colour on stderr (there is none unless stderr is a terminal)
  AWS_*               S3 credentials and region, as the AWS CLI reads them

Exit codes: 0 ok, 1 failure, 2 usage error, 3 partial evidence (the manifest says complete: false).
A closed pipe (`-o json | head -1`) ends the output quietly; the exit code is the command's own.";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check, before an incident, that kforensic can do its job on this cluster.
    #[command(after_help = preflight::EXAMPLES)]
    Preflight(preflight::PreflightArgs),
    /// Snapshot a live pod: API-side state, then each container from its node (diff, export, volatile state).
    #[command(after_help = checkpoint::EXAMPLES)]
    Checkpoint {
        #[command(subcommand)]
        target: checkpoint::CheckpointTarget,
    },
    /// Contain a suspect pod: deny-all NetworkPolicy, quarantine label, optional detach and cordon.
    #[command(after_help = isolate::EXAMPLES)]
    Isolate(isolate::IsolateArgs),
    /// Undo exactly what `isolate` recorded on the pod.
    #[command(after_help = release::EXAMPLES)]
    Release(release::ReleaseArgs),
    /// Analyse a checkpoint archive offline: processes, files, sockets, rootfs diff, memory.
    #[command(after_help = analyze::EXAMPLES)]
    Analyze(analyze::AnalyzeArgs),
    /// The collector image, made from this binary: save it as an OCI archive or push it to a registry.
    Image {
        #[command(subcommand)]
        action: image::ImageCommand,
    },
    /// Print a shell completion script.
    #[command(after_help = completions::EXAMPLES)]
    Completions(completions::CompletionsArgs),
    /// Node side (runs in the collector pod, or as root on a node): capture containers.
    #[command(hide = true, after_help = agent::EXAMPLES)]
    Agent(Box<agent::AgentArgs>),
    /// Ship a local evidence bundle to S3 (verified first; resumes; manifest last).
    #[command(after_help = upload::EXAMPLES)]
    Upload(upload::UploadArgs),
    /// Check an evidence bundle (directory, .tar or s3://): hashes, sizes, custody chain, completeness.
    #[command(after_help = verify::EXAMPLES)]
    Verify(verify::VerifyArgs),
    /// Decrypt a bundle made with --encrypt-to into a plaintext tree, checking every hash.
    #[command(after_help = decrypt::EXAMPLES)]
    Decrypt(decrypt::DecryptArgs),
    /// Cluster-wide triage: snapshot logs, events, pods, RBAC, webhooks… and rank what looks wrong.
    #[command(after_help = collect::EXAMPLES)]
    Collect(collect::CollectArgs),
    /// Rank what in a bundle or checkpoint archive looks like an intrusion (offline; table, JSON, SARIF).
    #[command(after_help = triage::EXAMPLES)]
    Triage(triage::TriageArgs),
    /// Write one self-contained report (HTML or Markdown) of a bundle: case, artifacts, findings, timeline.
    #[command(after_help = report::EXAMPLES)]
    Report(report::ReportArgs),
    /// Print a bundle's timeline (Timesketch JSONL or CSV): custody, events, starts, file changes, logs.
    #[command(after_help = timeline::EXAMPLES)]
    Timeline(timeline::TimelineArgs),
}

/// The command line, parsed. Every destination argument (`--dest`, `upload`'s S3_URL, `verify`'s
/// BUNDLE) is an [`evidence::Destination`](crate::evidence::Destination) read by its `FromStr`: a
/// bad one is one line, the reason, and the usage exit code, like every other usage error of
/// ours, and so is a global option the command would ignore ([`check_globals`]). Other errors
/// (and --help, --version) are clap's own.
pub fn parse_command_line() -> Cli {
    use clap::{CommandFactory, FromArgMatches};
    let args = controller_shorthand(std::env::args_os().collect());
    let matches = as_invoked(Cli::command()).try_get_matches_from(args).unwrap_or_else(|e| exit_on(e));
    if let Err(msg) = check_globals(&matches) {
        eprintln!("error: {msg}");
        std::process::exit(Exit::Usage.code());
    }
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| exit_on(e))
}

/// `checkpoint deploy/NAME …` (also `sts/`, `ds/`, `job/`, `rs/`, `pod/`) is read as
/// `checkpoint pod deploy/NAME …`: the target named where kubectl names it.
pub fn controller_shorthand(mut args: Vec<std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    let Some(i) = args.iter().position(|a| a == "checkpoint") else { return args };
    let named =
        args.get(i + 1).and_then(|a| a.to_str()).and_then(|a| a.split_once('/')).is_some_and(|(kind, _)| {
            matches!(kind, "pod" | "pods" | "po") || crate::cluster::targets::ControllerKind::parse(kind).is_some()
        });
    if named {
        args.insert(i + 1, "pod".into());
    }
    args
}

fn exit_on(e: clap::Error) -> ! {
    if e.kind() == clap::error::ErrorKind::DisplayHelp {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let _ = output::write_stdout(help_text(&args).as_bytes());
        std::process::exit(Exit::Ok.code());
    }
    let bad = std::error::Error::source(&e).and_then(|s| s.downcast_ref::<crate::evidence::EvidenceError>());
    if let Some(bad) = bad {
        eprintln!("error: {}", output::terminal_safe(&bad.to_string()));
        std::process::exit(Exit::Usage.code());
    }
    e.exit()
}

/// The name usage lines show: `kubectl kforensic` when kubectl runs this binary as its plugin
/// (installed as `kubectl-kforensic`, by krew or by hand), else `kforensic`.
fn bin_name(argv0: &std::ffi::OsStr) -> &'static str {
    let file = std::path::Path::new(argv0).file_name().and_then(|f| f.to_str()).unwrap_or("");
    if file.starts_with("kubectl-kforensic") { "kubectl kforensic" } else { "kforensic" }
}

fn as_invoked(cmd: clap::Command) -> clap::Command {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    cmd.bin_name(bin_name(&argv0))
}

/// The global options each command reads (`-v` and `-q` go with every command). How to reach a
/// cluster only for the commands that talk to one; a case id only for those that create evidence
/// or isolate; an output format for those that print a report.
const GLOBALS_READ: &[(&str, &[&str])] = &[
    ("preflight", &["kubeconfig", "context", "namespace", "output"]),
    ("checkpoint", &["kubeconfig", "context", "namespace", "output", "case_id"]),
    ("isolate", &["kubeconfig", "context", "namespace", "output", "case_id"]),
    ("release", &["kubeconfig", "context", "namespace", "output", "case_id"]),
    ("collect", &["kubeconfig", "context", "namespace", "output", "case_id"]),
    ("analyze", &["output"]),
    ("triage", &["output"]),
    ("report", &[]),
    ("timeline", &[]),
    ("upload", &["output"]),
    ("verify", &["output"]),
    ("image", &["output"]),
    ("decrypt", &["output"]),
    ("completions", &[]),
    ("agent", &[]),
];

/// The clap command as `--help` and the completion scripts show it: a command lists only the
/// global options it reads ([`GLOBALS_READ`]). Built (global options copied into every
/// subcommand), so it is for showing, not for parsing.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let mut cmd = as_invoked(Cli::command());
    cmd.build();
    for (name, read) in GLOBALS_READ {
        cmd = cmd.mut_subcommand(*name, |sub| hide_globals(sub, read));
    }
    cmd
}

fn hide_globals(mut cmd: clap::Command, read: &[&str]) -> clap::Command {
    for id in GLOBAL_FLAGS.iter().map(|(id, _)| *id).filter(|id| !read.contains(id)) {
        if cmd.get_arguments().any(|a| a.get_id() == id) {
            cmd = cmd.mut_arg(id, |a| a.hide(true));
        }
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for s in subs {
        cmd = cmd.mut_subcommand(s, |sub| hide_globals(sub, read));
    }
    cmd
}

/// The help `args` (a command line with -h or --help, or `help COMMAND…`) asked for, from
/// [`command`]: the deepest command named in it, short help for `-h`, long otherwise.
pub fn help_text(args: &[String]) -> String {
    let mut root = command();
    let mut cmd = &mut root;
    // words that are no subcommand here are option values (`-o json`) or operands
    for a in args.iter().filter(|a| !a.starts_with('-') && *a != "help") {
        if cmd.find_subcommand(a).is_some() {
            cmd = cmd.find_subcommand_mut(a).expect("just found");
        }
    }
    let long = !args.iter().any(|a| a == "-h");
    let text = if long { cmd.render_long_help() } else { cmd.render_help() };
    text.to_string()
}

/// The global options a command may not read, by clap id, as the user spells them.
const GLOBAL_FLAGS: &[(&str, &str)] = &[
    ("kubeconfig", "--kubeconfig"),
    ("context", "--context"),
    ("namespace", "--namespace"),
    ("output", "--output"),
    ("case_id", "--case-id"),
];

/// Refuse a global option given on the command line to a command that would ignore it
/// (`verify --case-id x`): silently dropping what the responder typed is worse than saying so.
/// Values from the environment (`KFORENSIC_CASE_ID`) are ambient and never refused.
pub fn check_globals(m: &clap::ArgMatches) -> Result<(), String> {
    let Some((cmd, _)) = m.subcommand() else { return Ok(()) };
    let Some((_, read)) = GLOBALS_READ.iter().find(|(c, _)| *c == cmd) else { return Ok(()) };
    for (id, flag) in [
        ("kubeconfig", "--kubeconfig"),
        ("context", "--context"),
        ("namespace", "--namespace"),
        ("output", "--output"),
        ("case_id", "--case-id"),
    ] {
        if read.contains(&id) || m.value_source(id) != Some(clap::parser::ValueSource::CommandLine) {
            continue;
        }
        let takers: Vec<&str> = GLOBALS_READ.iter().filter(|(_, r)| r.contains(&id)).map(|(c, _)| *c).collect();
        return Err(format!("{flag} does not apply to `{cmd}` (only {} take it)", takers.join(", ")));
    }
    if cmd != "triage" && m.get_one::<OutputFormat>("output") == Some(&OutputFormat::Sarif) {
        return Err(format!("-o sarif is for `triage` findings; `{cmd}` prints table, json or yaml"));
    }
    Ok(())
}

/// Dispatch: a parsed command line to the verb that carries it out.
pub async fn run(cli: Cli) -> Result<Exit, Error> {
    let g = &cli.global;
    match cli.command {
        Command::Completions(a) => completions::run(a),
        Command::Image { action } => image::run(g, action).await,
        Command::Agent(a) => agent::run(*a, g.quiet).await,
        Command::Checkpoint { target: checkpoint::CheckpointTarget::Pod(a) } => checkpoint::run(g, a).await,
        Command::Analyze(a) => analyze::run(g, a),
        Command::Preflight(a) => preflight::run(g, a).await,
        Command::Upload(a) => upload::run(g, a).await,
        Command::Verify(a) => verify::run(g, a).await,
        Command::Decrypt(a) => decrypt::run(g, a).await,
        Command::Isolate(isolate::IsolateArgs { target: isolate::IsolateTarget::Pod(a) }) => isolate::run(g, a).await,
        Command::Release(release::ReleaseArgs { target: release::ReleaseTarget::Pod(a) }) => release::run(g, a).await,
        Command::Collect(a) => collect::run(g, a).await,
        Command::Triage(a) => triage::run(g, a),
        Command::Report(a) => report::run(a),
        Command::Timeline(a) => timeline::run(a),
    }
}

/// Evidence errors the user made on the command line (a bad URL) exit with the usage code.
fn usage(e: crate::evidence::EvidenceError) -> Error {
    if e.is_usage() { Error::Usage(e.to_string()) } else { Error::Evidence(e) }
}

/// How to reach the cluster, for a command that works in one namespace.
pub(crate) fn connect_options(g: &GlobalArgs) -> Result<ConnectOptions, Error> {
    let namespace = g.single_namespace().map_err(Error::Usage)?;
    Ok(ConnectOptions { kubeconfig: g.kubeconfig.clone(), context: g.context.clone(), namespace })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(args: &[&str]) -> GlobalArgs {
        let mut v = vec!["kforensic"];
        v.extend_from_slice(args);
        v.push("preflight");
        Cli::try_parse_from(v).unwrap().global
    }

    #[test]
    fn namespaces_repeat_or_comma_separate_and_single_commands_refuse_several() {
        let g = global(&["-n", "shop", "-n", "pay,shop", "--namespace", " ops "]);
        assert_eq!(g.namespaces(), ["shop", "pay", "ops"]);
        let e = g.single_namespace().unwrap_err();
        assert!(e.contains("3 namespaces") && e.contains("only `collect`"), "{e}");
        assert_eq!(global(&["-n", "shop"]).single_namespace().unwrap().as_deref(), Some("shop"));
        assert_eq!(global(&[]).single_namespace().unwrap(), None);
        assert!(global(&["-n", ","]).single_namespace().is_err());
    }

    #[test]
    fn as_a_kubectl_plugin_usage_says_kubectl_kforensic() {
        use std::ffi::OsStr;
        assert_eq!(bin_name(OsStr::new("/root/.krew/bin/kubectl-kforensic")), "kubectl kforensic");
        assert_eq!(bin_name(OsStr::new("kubectl-kforensic")), "kubectl kforensic");
        assert_eq!(bin_name(OsStr::new("/usr/local/bin/kforensic")), "kforensic");
        use clap::CommandFactory;
        let mut cmd = Cli::command().bin_name("kubectl kforensic");
        let help = cmd.render_help().to_string();
        assert!(help.contains("Usage: kubectl kforensic"), "{help}");
    }

    #[test]
    fn generated_case_ids_are_valid_case_ids() {
        for _ in 0..100 {
            let id = generate_case_id();
            assert!(parse_case_id(&id).is_ok(), "{id}");
            assert!(id.starts_with("kf-") && id.len() == "kf-20261125-0312-ab12".len(), "{id}");
        }
    }

    #[test]
    fn case_ids_that_break_labels_are_refused() {
        for bad in ["", "a..b", "a/b", "-x", "x-", &"a".repeat(64), "a b"] {
            assert!(parse_case_id(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn pods_are_named_as_kubectl_names_them() {
        for (arg, name) in [("web-0", "web-0"), ("pod/web-0", "web-0"), ("pods/web-0", "web-0"), ("po/web-0", "web-0")] {
            assert_eq!(parse_pod_name(arg).unwrap(), name);
        }
        for bad in ["deploy/web", "pod/", "pod/a/b", ""] {
            assert!(parse_pod_name(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn a_controller_named_after_checkpoint_is_a_checkpoint_target() {
        let rw = |args: &[&str]| -> Vec<String> {
            controller_shorthand(args.iter().map(std::ffi::OsString::from).collect())
                .into_iter()
                .map(|a| a.into_string().unwrap())
                .collect()
        };
        assert_eq!(
            rw(&["kf", "-n", "x", "checkpoint", "deploy/web", "--memory"]),
            ["kf", "-n", "x", "checkpoint", "pod", "deploy/web", "--memory"]
        );
        assert_eq!(rw(&["kf", "checkpoint", "sts/db"]), ["kf", "checkpoint", "pod", "sts/db"]);
        assert_eq!(rw(&["kf", "checkpoint", "pod/web-1"]), ["kf", "checkpoint", "pod", "pod/web-1"]);
        // already a subcommand, or not a target kind: left as typed (clap then says what is wrong)
        assert_eq!(rw(&["kf", "checkpoint", "pod", "deploy/web"]), ["kf", "checkpoint", "pod", "deploy/web"]);
        assert_eq!(rw(&["kf", "checkpoint", "svc/web"]), ["kf", "checkpoint", "svc/web"]);
        let cli =
            Cli::try_parse_from(controller_shorthand(["kf", "checkpoint", "ds/agent", "-l", "a=b"].map(Into::into).to_vec())).unwrap();
        let Command::Checkpoint { target: checkpoint::CheckpointTarget::Pod(a) } = cli.command else { panic!() };
        assert_eq!(a.selection().refs, [crate::cluster::targets::TargetRef::parse("ds/agent").unwrap()]);
    }

    fn globals_ok(args: &[&str]) -> Result<(), String> {
        use clap::CommandFactory;
        check_globals(&Cli::command().try_get_matches_from(args).unwrap())
    }

    #[test]
    fn a_commands_help_shows_only_the_global_options_it_reads() {
        let help = |args: &[&str]| help_text(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let verify = help(&["-o", "json", "verify", "--help"]);
        assert!(verify.contains("kforensic verify") && verify.contains("--output") && verify.contains("--quiet"), "{verify}");
        assert!(!verify.contains("--case-id") && !verify.contains("--kubeconfig"), "{verify}");
        let pod = help(&["checkpoint", "pod", "-h"]);
        assert!(pod.contains("kforensic checkpoint pod") && pod.contains("--case-id") && pod.contains("--kubeconfig"), "{pod}");
        assert!(!help(&["completions", "-h"]).contains("--output"));
        assert!(help(&["--help"]).contains("--case-id"), "the top level lists them all");
        assert_eq!(help(&["help", "verify"]), verify);
    }

    #[test]
    fn global_options_a_command_ignores_are_refused() {
        let e = globals_ok(&["kforensic", "verify", "b", "--case-id", "x"]).unwrap_err();
        assert!(e.contains("--case-id") && e.contains("`verify`"), "{e}");
        let e = globals_ok(&["kforensic", "-n", "shop", "analyze", "a.tar"]).unwrap_err();
        assert!(e.contains("--namespace") && e.contains("`analyze`"), "{e}");
        assert!(globals_ok(&["kforensic", "-o", "json", "completions", "bash"]).is_err());
        assert!(globals_ok(&["kforensic", "--kubeconfig", "k", "upload", "b", "s3://bkt/y"]).is_err());
        assert!(globals_ok(&["kforensic", "-n", "shop", "--case-id", "INC-1", "checkpoint", "pod", "p"]).is_ok());
        assert!(globals_ok(&["kforensic", "isolate", "pod", "p", "--case-id", "INC-1", "-n", "x"]).is_ok());
        assert!(globals_ok(&["kforensic", "-q", "-o", "json", "verify", "b"]).is_ok());
        assert!(globals_ok(&["kforensic", "-v", "completions", "bash"]).is_ok());
    }

    #[test]
    fn every_command_says_which_globals_it_reads() {
        use clap::CommandFactory;
        let names: Vec<String> = Cli::command().get_subcommands().map(|c| c.get_name().to_string()).filter(|n| n != "help").collect();
        for n in &names {
            assert!(GLOBALS_READ.iter().any(|(c, _)| c == n), "{n} missing from GLOBALS_READ");
        }
        assert_eq!(names.len(), GLOBALS_READ.len());
    }

    #[test]
    fn cli_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
