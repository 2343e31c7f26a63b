//! `--encrypt-to` end to end on the real cluster: a canary planted in a suspect's environment, in
//! a file of its writable layer and in its memory is found in a plain capture and nowhere in an
//! encrypted one (bundle directory, or the S3 server's stored objects with `--upload-from node`);
//! stock `age -d` and `kforensic decrypt` give back bytes whose hashes the manifest lists.

use crate::checkpoint::{case_id, checkpoint, checkpoint_from_node_with, collector_pods, node_secret, s3_of, start_suspect};
use crate::support::{self, CLUSTER, TestEnv, evidence, require, stderr, stdout};
use serde_json::Value;
use sha2::Digest;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The suspect: the canary is assembled at run time (never whole in the pod spec), exported into
/// the environment, written into a file of the writable layer, and held by a second process.
fn plant(env: &TestEnv, ns: &str) -> String {
    let tag = format!("{:08x}", fastrand::u32(..));
    let cmd = format!(
        "export KF_CANARY=KFCAN\"ARY-{tag}\"; echo \"$KF_CANARY\" > /tmp/canary.txt; sh -c 'H=\"$KF_CANARY\"; while true; do sleep 1; done' & sleep 1; exec sleep 100000"
    );
    start_suspect(env, ns, "suspect", &cmd);
    format!("KFCANARY-{tag}")
}

/// Does `bytes` hold `needle` — as it is, or inside it once zstd-decompressed?
fn holds(bytes: &[u8], needle: &[u8]) -> bool {
    if bytes.windows(needle.len()).any(|w| w == needle) {
        return true;
    }
    if bytes.starts_with(&[0x28, 0xb5, 0x2f, 0xfd])
        && let Ok(plain) = zstd::decode_all(bytes)
    {
        return plain.windows(needle.len()).any(|w| w == needle);
    }
    false
}

/// Every file under `dir` whose bytes hold `needle` (relative paths).
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut hits = vec![];
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let ft = e.file_type().unwrap();
            if ft.is_dir() {
                stack.push(e.path());
            } else if ft.is_file() && holds(&std::fs::read(e.path()).unwrap(), needle.as_bytes()) {
                hits.push(e.path().strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    hits
}

/// A fresh age key (stock age-keygen): the identity file and its recipient.
fn age_key(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let st = Command::new("age-keygen").arg("-o").arg(&key).output().unwrap();
    assert!(st.status.success(), "age-keygen: {}", String::from_utf8_lossy(&st.stderr));
    let out = Command::new("age-keygen").arg("-y").arg(&key).output().unwrap();
    (key, String::from_utf8(out.stdout).unwrap().trim().to_string())
}

/// Stock `age -d -i KEY FILE`: the plaintext.
fn age_decrypt(key: &Path, file: &Path) -> Vec<u8> {
    let out = Command::new("age").arg("-d").arg("-i").arg(key).arg(file).output().unwrap();
    assert!(out.status.success(), "age -d {}: {}", file.display(), String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// The collector is deleted with a grace period (its PID 1 thaws on SIGTERM): gone within 30 s.
fn no_collector_left(env: &TestEnv, case: &str) {
    let t = std::time::Instant::now();
    while !collector_pods(env, "kforensic", case).is_empty() {
        assert!(t.elapsed() < std::time::Duration::from_secs(30), "collector pod left behind: {}", collector_pods(env, "kforensic", case));
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
}

fn sha256(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

fn manifest(bundle: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(bundle.join("manifest.json")).unwrap()).unwrap()
}

fn artifact<'a>(m: &'a Value, suffix: &str) -> &'a Value {
    m["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"].as_str().unwrap().ends_with(suffix))
        .unwrap_or_else(|| panic!("no {suffix} in {m}"))
}

#[test]
fn encrypt_to_keeps_every_planted_canary_out_of_the_bundle_and_decrypt_restores_it() {
    let Some(env) = require("encrypt_to_keeps_every_planted_canary_out_of_the_bundle_and_decrypt_restores_it", CLUSTER) else { return };
    let ns = env.namespace("enc-local");
    let canary = plant(env, &ns.name);
    let keys = tempfile::tempdir().unwrap();
    let (key, recipient) = age_key(keys.path(), "age.key");
    let (ssh, _) = evidence::ssh_key(keys.path(), "id_ed25519", "responder@example.org");
    // an OpenSSH public key given as a file of recipients
    let ssh_recipients = keys.path().join("recipients.txt");
    std::fs::write(&ssh_recipients, format!("# the responder's ssh key\n{}", std::fs::read_to_string(ssh.with_extension("pub")).unwrap()))
        .unwrap();

    // the control: a plain capture holds the canary in the environment, the file and the memory
    let plain_dir = tempfile::tempdir().unwrap();
    let plain_case = case_id("encctl");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &plain_case, plain_dir.path(), &["--memory"]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let hits = files_holding(&plain_dir.path().join(&plain_case), &canary);
    for place in ["volatile.json", ".core", "rootfs.tar.zst"] {
        assert!(hits.iter().any(|h| h.ends_with(place)), "the control capture lacks the canary in {place}: {hits:?}");
    }

    // encrypted: the canary is nowhere, manifest and custody log included
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("enc");
    let enc = ["--memory", "--encrypt-to", &recipient, "--encrypt-to", ssh_recipients.to_str().unwrap()];
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &enc);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    let bundle = dir.path().join(&case);
    assert_eq!(files_holding(&bundle, &canary), Vec::<String>::new(), "plaintext canary in the encrypted bundle");
    let m = manifest(&bundle);
    let arts = m["artifacts"].as_array().unwrap();
    assert!(arts.len() >= 8, "{m}");
    for a in arts {
        let p = a["path"].as_str().unwrap();
        assert!(p.ends_with(".age") && a["encryption"]["format"] == "age", "not sealed: {a}");
        assert_eq!(a["encryption"]["recipients"].as_array().unwrap().len(), 2, "{a}");
        assert!(bundle.join(p).is_file(), "{p}");
    }
    assert!(arts.iter().any(|a| a["path"].as_str().unwrap().ends_with(".core.age")), "no sealed core: {m}");
    // verify needs no key
    assert!(support::verify_ok(&bundle), "verify of the encrypted bundle");

    // stock age decrypts one artifact, with the age key and with the OpenSSH key
    let c = format!("pods/{}/suspect/main/", ns.name);
    let vol = artifact(&m, "/volatile.json.age");
    let want = vol["encryption"]["plaintext_sha256"].as_str().unwrap();
    let vol_path = bundle.join(vol["path"].as_str().unwrap());
    let plain = age_decrypt(&key, &vol_path);
    assert_eq!(sha256(&plain), want);
    assert!(holds(&plain, canary.as_bytes()), "the decrypted state holds the evidence");
    assert_eq!(sha256(&age_decrypt(&ssh, &vol_path)), want, "ssh-ed25519 recipient, OpenSSH private key");

    // kforensic decrypt restores the tree, every hash checked
    let out_dir = tempfile::tempdir().unwrap();
    for (id, sub) in [(&key, "with-age"), (&ssh, "with-ssh")] {
        let o = out_dir.path().join(sub);
        let d = support::kf()
            .args(["decrypt", bundle.to_str().unwrap(), "--identity", id.to_str().unwrap(), "--out", o.to_str().unwrap()])
            .run();
        assert_eq!(d.status.code(), Some(0), "{}{}", stdout(&d), stderr(&d));
        assert!(stdout(&d).starts_with("OK "), "{}", stdout(&d));
        for a in arts {
            let p = a["path"].as_str().unwrap().strip_suffix(".age").unwrap();
            let b = std::fs::read(o.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(sha256(&b), a["encryption"]["plaintext_sha256"].as_str().unwrap(), "{p}");
        }
        assert!(holds(&std::fs::read(o.join(format!("{c}volatile.json"))).unwrap(), canary.as_bytes()));
    }
    // analyze reads the encrypted bundle's cores with the key
    let a = support::kf()
        .args(["analyze", bundle.to_str().unwrap(), "--identity", key.to_str().unwrap(), "--ps-tree", "--search", &canary, "-o", "json"])
        .run();
    assert_eq!(a.status.code(), Some(0), "{}{}", stdout(&a), stderr(&a));
    let r: Value = serde_json::from_slice(&a.stdout).unwrap();
    assert!(!r["search"]["hits"].as_array().unwrap().is_empty(), "analyze found no canary in the decrypted cores: {r}");

    // a wrong key: one clear line, usage exit
    let (wrong, _) = age_key(keys.path(), "other.key");
    let w = support::kf()
        .args([
            "decrypt",
            bundle.to_str().unwrap(),
            "--identity",
            wrong.to_str().unwrap(),
            "--out",
            out_dir.path().join("wrong").to_str().unwrap(),
        ])
        .run();
    assert_eq!(w.status.code(), Some(2), "{}{}", stdout(&w), stderr(&w));
    assert_eq!(stderr(&w).lines().count(), 1, "{}", stderr(&w));
    assert!(stderr(&w).contains("opens none of the") && stderr(&w).contains(&recipient), "{}", stderr(&w));

    // a tampered ciphertext is named by verify and by decrypt
    let mut bytes = std::fs::read(&vol_path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    std::fs::write(&vol_path, bytes).unwrap();
    let v = support::kf().args(["verify", bundle.to_str().unwrap(), "--no-record"]).run();
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(stdout(&v).contains("volatile.json.age"), "{}", stdout(&v));
    let d = support::kf()
        .args([
            "decrypt",
            bundle.to_str().unwrap(),
            "--identity",
            key.to_str().unwrap(),
            "--out",
            out_dir.path().join("tampered").to_str().unwrap(),
        ])
        .run();
    assert_eq!(d.status.code(), Some(1), "{}{}", stdout(&d), stderr(&d));
    assert_eq!(stdout(&d).lines().filter(|l| l.contains("volatile.json.age: ")).count(), 1, "{}", stdout(&d));
    assert!(!out_dir.path().join(format!("tampered/{c}volatile.json")).exists(), "unverified plaintext left behind");
    no_collector_left(env, &case);
}

#[test]
fn encrypt_to_with_upload_from_node_puts_only_ciphertext_in_the_bucket() {
    let Some(env) = require("encrypt_to_with_upload_from_node_puts_only_ciphertext_in_the_bucket", &[CLUSTER, &["s3"]].concat()) else {
        return;
    };
    let ns = env.namespace("enc-node-s3");
    let canary = plant(env, &ns.name);
    let keys = tempfile::tempdir().unwrap();
    let (key, recipient) = age_key(keys.path(), "age.key");
    let aws = s3_of(env);
    let cwd = tempfile::tempdir().unwrap();
    let on_disk = |bucket: &str| env.dir.join("s3data").join(bucket);

    let run = |tag: &str, extra: &[&str]| {
        let bucket = evidence::Bucket::create(&aws, tag);
        let case = case_id(tag);
        let secret = format!("{case}-s3");
        node_secret(env, &secret, &aws, &aws.secret_key);
        let dest = format!("s3://{}/incidents", bucket.name);
        let mut args = vec!["--memory"];
        args.extend_from_slice(extra);
        let out = checkpoint_from_node_with(env, &ns.name, &case, &dest, &secret, cwd.path(), &args);
        let _ = env.kubectl_raw(&["-n", "kforensic", "delete", "secret", &secret], None);
        assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
        no_collector_left(env, &case);
        (bucket, case, dest)
    };
    // the control: without encryption the bucket holds the canary (so this test can fail)
    let (plain_bucket, _, _) = run("encnodectl", &[]);
    assert!(!files_holding(&on_disk(&plain_bucket.name), &canary).is_empty(), "the control bucket lacks the canary");

    let (bucket, case, dest) = run("encnode", &["--encrypt-to", &recipient]);
    // the S3 server's stored objects, as it keeps them on disk, and as the API serves them
    let stored = on_disk(&bucket.name);
    assert!(stored.is_dir(), "{}", stored.display());
    assert_eq!(files_holding(&stored, &canary), Vec::<String>::new(), "plaintext canary in the bucket");
    let prefix = format!("incidents/{case}/");
    let keys_in = evidence::list_keys(&aws, &bucket.name, &prefix);
    let sdk = evidence::sdk(&aws);
    let rt = evidence::rt();
    let get = |k: &str| {
        rt.block_on(async {
            sdk.get_object().bucket(&bucket.name).key(k).send().await.unwrap().body.collect().await.unwrap().into_bytes().to_vec()
        })
    };
    for k in &keys_in {
        assert!(!holds(&get(k), canary.as_bytes()), "plaintext canary in {k}");
    }
    // what the node stored is sealed; stock age opens it and the manifest vouches for the plaintext
    let m: Value = serde_json::from_slice(&get(&format!("{prefix}manifest.json"))).unwrap();
    let vol = artifact(&m, "/volatile.json.age");
    assert_eq!(vol["source"], "agent", "{vol}");
    let local = cwd.path().join("volatile.json.age");
    std::fs::write(&local, get(&format!("{prefix}{}", vol["path"].as_str().unwrap()))).unwrap();
    let plain = age_decrypt(&key, &local);
    assert_eq!(sha256(&plain), vol["encryption"]["plaintext_sha256"].as_str().unwrap());
    assert!(holds(&plain, canary.as_bytes()));
    for a in m["artifacts"].as_array().unwrap() {
        assert!(a["path"].as_str().unwrap().ends_with(".age") && a["encryption"].is_object(), "not sealed: {a}");
    }
    // and the bundle holds up in the bucket without any key
    let v = support::kf().aws(&aws).args(["verify", &format!("{dest}/{case}"), "--endpoint-url", &aws.endpoint]).run();
    assert_eq!(v.status.code(), Some(0), "verify: {}{}", stdout(&v), stderr(&v));
}
