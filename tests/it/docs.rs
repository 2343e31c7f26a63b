//! The documentation stays true to the binary: the committed man pages and the book's option
//! references are the ones the command line generates, and every `kforensic` command line shown
//! in the README, the book and the examples of `--help` is one the parser accepts (the same parse, global-option check and destination check a real run does).

use crate::support;
use clap::{CommandFactory, FromArgMatches};
use kforensic::app::Cli;
use std::path::{Path, PathBuf};

/// Every man page: `kforensic.1`, then one per visible command and subcommand
/// (`kforensic-checkpoint-pod.1`), as clap_mangen renders them from the help the user sees; and
/// next to each, the `--help` text the book's command pages include (`docs/src/help/NAME.txt`).
fn man_pages() -> Vec<(String, Vec<u8>)> {
    // the built command names each subcommand `kforensic-checkpoint-pod` (its display name)
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, Vec<u8>)>) {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd.clone()).render(&mut page).expect("a man page renders");
        out.push((format!("{}.1", cmd.get_display_name().unwrap_or(cmd.get_name())), page));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&kforensic::app::command(), &mut out);
    out
}

/// The long `--help` of every command and subcommand that has a man page, as the book shows it.
fn help_pages() -> Vec<(String, String)> {
    fn walk(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
        // a fixed width: the rendering must not depend on the terminal the tests run in
        let text = cmd.clone().term_width(100).render_long_help().to_string();
        let text: String = text.lines().map(|l| format!("{}\n", l.trim_end())).collect();
        out.push((format!("{}.txt", cmd.get_display_name().unwrap_or(cmd.get_name())), text));
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set() && s.get_name() != "help") {
            walk(sub, out);
        }
    }
    let mut out = Vec::new();
    walk(&kforensic::app::command(), &mut out);
    out
}

#[test]
fn committed_help_pages_of_the_book_are_fresh() {
    let dir = support::repo_root().join("docs/src/help");
    let pages = help_pages();
    if std::env::var_os("KF_REGENERATE_DOCS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &pages {
            std::fs::write(dir.join(name), text).unwrap();
        }
    }
    for (name, text) in &pages {
        let committed = std::fs::read_to_string(dir.join(name)).unwrap_or_default();
        assert!(committed == *text, "docs/src/help/{name} is stale: regenerate with scripts/gen-docs");
    }
    let count = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(count, pages.len(), "docs/src/help/ holds a page for a command that is gone: regenerate with scripts/gen-docs");
    let pod = &pages.iter().find(|(n, _)| n == "kforensic-checkpoint-pod.txt").expect("checkpoint pod's help").1;
    assert!(pod.contains("--memory") && pod.contains("Examples:"), "{pod}");
}

#[test]
fn committed_man_pages_are_fresh() {
    let dir = support::repo_root().join("docs/man");
    let pages = man_pages();
    if std::env::var_os("KF_REGENERATE_DOCS").is_some() {
        std::fs::create_dir_all(&dir).unwrap();
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            if e.file_name().to_string_lossy().ends_with(".1") {
                std::fs::remove_file(e.path()).unwrap();
            }
        }
        for (name, page) in &pages {
            std::fs::write(dir.join(name), page).unwrap();
        }
    }
    let names: Vec<&str> = pages.iter().map(|(n, _)| n.as_str()).collect();
    for want in ["kforensic.1", "kforensic-checkpoint-pod.1", "kforensic-verify.1", "kforensic-isolate-pod.1", "kforensic-completions.1"] {
        assert!(names.contains(&want), "no {want} among {names:?}");
    }
    assert!(!names.iter().any(|n| n.contains("agent")), "the hidden agent command has no man page: {names:?}");
    for (name, page) in &pages {
        let committed = std::fs::read(dir.join(name)).unwrap_or_default();
        assert!(committed == *page, "docs/man/{name} is stale: regenerate with scripts/gen-docs");
    }
    let mut committed: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".1"))
        .collect();
    committed.sort();
    let mut expected: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    expected.sort();
    assert_eq!(committed, expected, "docs/man/ holds a page for a command that is gone: regenerate with scripts/gen-docs");
    let top = String::from_utf8_lossy(&pages[0].1).into_owned();
    assert!(top.contains("checkpoint") && top.contains("Exit codes"), "{top}");
}

/// The `kforensic` command lines in a Markdown file's `sh`/`bash`/`console` blocks: `\` line
/// continuations joined, a `$ ` prompt removed (in `console` blocks only prompted lines are
/// commands), cut at the first `|`, `&&`, `;`, `>` or `#`, leading `VAR=value` dropped.
/// `kubectl kforensic …` (the plugin) counts too. Returns (line number, words).
fn commands_in(text: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut lang: Option<String> = None;
    let mut pending: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            lang = if lang.is_some() { None } else { Some(fence.trim().to_string()) };
            continue;
        }
        let Some(l) = lang.as_deref() else { continue };
        if !matches!(l, "sh" | "bash" | "console" | "shell") {
            continue;
        }
        let (start, mut cmd) = match pending.take() {
            Some((n, acc)) => (n, format!("{acc} {}", line.trim())),
            None => {
                let t = line.trim();
                let t = match (l, t.strip_prefix("$ ")) {
                    (_, Some(rest)) => rest,
                    ("console", None) => continue,
                    (_, None) => t,
                };
                (i + 1, t.to_string())
            }
        };
        if let Some(head) = cmd.strip_suffix('\\') {
            pending = Some((start, head.trim_end().to_string()));
            continue;
        }
        cmd = cmd.trim().to_string();
        if let Some(words) = kforensic_words(&cmd) {
            out.push((start, words));
        }
    }
    out
}

/// Split a shell command line into words (single and double quotes), up to the first operator,
/// and return the arguments after `kforensic` when that is the command.
fn kforensic_words(cmd: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = cmd.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '|' | ';' | '>' | '<') => break,
            (None, '&') if chars.peek() == Some(&'&') => break,
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    let mut it = words.into_iter().skip_while(|w| w.contains('=') && !w.starts_with('-')).peekable();
    if it.peek().map(String::as_str) == Some("kubectl") {
        it.next();
    }
    match it.next().as_deref() {
        Some("kforensic") => Some(it.collect()),
        _ => None,
    }
}

/// Parse as `kforensic` itself does: clap (every value parser, destinations included), then the
/// refusal of global options the command ignores.
fn parse(words: &[String]) -> Result<(), String> {
    let args = std::iter::once("kforensic".to_string()).chain(words.iter().cloned());
    // as the binary parses its command line: `checkpoint deploy/NAME` is `checkpoint pod deploy/NAME`
    let args = kforensic::app::controller_shorthand(args.map(std::ffi::OsString::from).collect());
    let m = Cli::command().try_get_matches_from(args).map_err(|e| e.to_string())?;
    kforensic::app::check_globals(&m)?;
    Cli::from_arg_matches(&m).map(|_| ()).map_err(|e| e.to_string())
}

fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "md") {
                out.push(p);
            }
        }
    }
    let root = support::repo_root();
    let mut files = vec![root.join("README.md")];
    walk(&root.join("docs/src"), &mut files);
    files
}

#[test]
fn every_kforensic_command_in_the_readme_the_book_and_the_help_parses() {
    let mut checked = 0;
    let mut bad = Vec::new();
    let mut readme_verbs: Vec<String> = Vec::new();
    let top = kforensic::app::command();
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let rel = file.strip_prefix(support::repo_root()).unwrap().display().to_string();
        for (line, words) in commands_in(&text) {
            checked += 1;
            if rel == "README.md" {
                readme_verbs.extend(words.iter().find(|w| top.find_subcommand(w.as_str()).is_some()).cloned());
            }
            if let Err(e) = parse(&words) {
                let first = e.lines().next().unwrap_or_default().to_string();
                bad.push(format!("{rel}:{line}: kforensic {}: {first}", words.join(" ")));
            }
        }
    }
    // the examples every command's --help ends with, as written (the rendered help wraps them)
    fn after_help(cmd: &clap::Command, out: &mut Vec<(String, String)>) {
        let name = cmd.get_display_name().unwrap_or(cmd.get_name()).to_string();
        if let Some(text) = cmd.get_after_long_help().or(cmd.get_after_help()) {
            out.push((name, text.to_string()));
        }
        for sub in cmd.get_subcommands() {
            after_help(sub, out);
        }
    }
    let mut texts = Vec::new();
    after_help(&kforensic::app::command(), &mut texts);
    let mut examples = 0;
    for (name, text) in texts {
        for l in text.lines() {
            if let Some(words) = kforensic_words(l.trim()) {
                examples += 1;
                if let Err(e) = parse(&words) {
                    bad.push(format!("--help of {name}: {}: {}", l.trim(), e.lines().next().unwrap_or_default()));
                }
            }
        }
    }
    assert!(examples >= 20, "only {examples} examples found in the --help texts");
    assert!(bad.is_empty(), "{} command line(s) the parser refuses:\n{}", bad.len(), bad.join("\n"));
    for verb in ["preflight", "checkpoint", "verify", "isolate", "release"] {
        assert!(readme_verbs.iter().any(|v| v == verb), "the README's incident flow has no `kforensic {verb}`: {readme_verbs:?}");
    }
    assert!(checked > readme_verbs.len() + 20, "hardly any commands found in docs/src ({checked} in all)");
}

#[test]
fn the_extraction_finds_what_a_reader_would_type_and_the_check_refuses_a_wrong_line() {
    let md = "```sh\nkforensic verify ./b | head\nKFORENSIC_CASE_ID=INC-1 kforensic -n a \\\n    checkpoint pod web\nls\n```\n\
              ```console\n$ kubectl kforensic preflight\nkforensic output, not a command\n```\n```text\nkforensic nope\n```\n";
    let found: Vec<(usize, String)> = commands_in(md).into_iter().map(|(n, w)| (n, w.join(" "))).collect();
    assert_eq!(found, [(2, "verify ./b".to_string()), (3, "-n a checkpoint pod web".to_string()), (8, "preflight".to_string())]);
    for (_, w) in commands_in(md) {
        assert!(parse(&w).is_ok(), "{w:?}");
    }
    let refuse = |s: &str| parse(&s.split(' ').map(String::from).collect::<Vec<_>>()).is_err();
    assert!(refuse("verify ./b --case-id x"), "a global option the command ignores");
    assert!(refuse("checkpoint pod web --memroy"), "a misspelt flag");
    assert!(refuse("upload ./b s3://IR_Evidence"), "a bad destination");
    assert!(refuse("isolate pod deploy/web"), "a non-pod target");
}

#[test]
fn every_relative_link_in_the_readme_and_the_book_leads_to_a_file() {
    let mut bad = Vec::new();
    let mut links = 0;
    for file in markdown_files() {
        let text = std::fs::read_to_string(&file).unwrap();
        let mut in_code = false;
        for (i, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
                continue;
            }
            if in_code {
                continue;
            }
            for part in line.split("](").skip(1) {
                let Some(target) = part.split(')').next() else { continue };
                let path = target.split('#').next().unwrap_or_default();
                if path.is_empty() || path.contains("://") || path.starts_with("mailto:") {
                    continue;
                }
                links += 1;
                if !file.parent().unwrap().join(path).exists() {
                    bad.push(format!("{}:{}: {target}", file.strip_prefix(support::repo_root()).unwrap().display(), i + 1));
                }
            }
        }
    }
    assert!(bad.is_empty(), "links to nothing:\n{}", bad.join("\n"));
    assert!(links > 50, "only {links} relative links found: is the scan broken?");
}
