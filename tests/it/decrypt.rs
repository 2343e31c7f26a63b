//! `kforensic decrypt` of a sealed bundle read where it is kept: its `.tar` (as `--archive` makes
//! it) and its copy on the test's S3 server, nothing unpacked or downloaded first. The restored
//! files hash to the manifest's plaintext hashes; a flipped byte in one stored object is named in
//! one line and nothing of that artifact is written.

use crate::support::{self, evidence::*, kf};
use kforensic::evidence::seal::Recipients;
use kforensic::evidence::{ArtifactSink, ArtifactSpec, BundleMeta, DirBundle, Manifest};
use sha2::Digest;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_s3(test: &str) -> Option<Aws> {
    let env = support::require(test, &["s3"])?;
    Some(Aws {
        endpoint: env.var("KF_S3_ENDPOINT").to_string(),
        access_key: env.var("KF_S3_ACCESS_KEY").to_string(),
        secret_key: env.var("KF_S3_SECRET_KEY").to_string(),
    })
}

/// A fresh age key (stock age-keygen): the identity file and its recipient.
fn age_key(dir: &Path) -> (PathBuf, String) {
    let key = dir.join("age.key");
    let st = Command::new("age-keygen").arg("-o").arg(&key).output().unwrap();
    assert!(st.status.success(), "age-keygen: {}", text(&st.stderr));
    let out = Command::new("age-keygen").arg("-y").arg(&key).output().unwrap();
    (key, text(&out.stdout).trim().to_string())
}

/// The artifacts of the sealed bundle: the big one spans many age chunks and S3 reads.
const ARTIFACTS: &[(&str, usize)] =
    &[("cluster/pod.json", 900), ("pods/shop/web-1/app/volatile.json", 5000), ("pods/shop/web-1/app/rootfs.tar.zst", 6 * MIB + 4321)];
const BIG: &str = "pods/shop/web-1/app/rootfs.tar.zst.age";

/// A finalized bundle `<dest>/<case>/`, every artifact sealed to `recipient` as it is written.
fn sealed_bundle(dest: &Path, case: &str, recipient: &str) -> (PathBuf, Manifest) {
    let mut b = DirBundle::create(dest, case, BundleMeta::default()).unwrap();
    b.seal(std::sync::Arc::new(Recipients::parse(&[recipient]).unwrap())).unwrap();
    b.plan(ARTIFACTS.iter().map(|a| a.0)).unwrap();
    for (i, (path, size)) in ARTIFACTS.iter().enumerate() {
        let data = pseudo_random(i as u64 + 11, *size);
        b.put(&ArtifactSpec::new(*path, "application/octet-stream", "test"), &mut |w| w.write_all(&data)).unwrap();
    }
    let dir = b.dir().to_path_buf();
    let m = b.finalize().unwrap();
    assert!(m.complete, "{:?}", m.errors);
    assert!(m.artifacts.iter().all(|a| a.spec.path.ends_with(".age") && a.encryption.is_some()), "not sealed");
    (dir, m)
}

/// Every artifact restored under `out`, 0600 in 0700 directories, hashing to the manifest's
/// plaintext SHA-256 (but `except`, which must not be there at all).
fn restored(out: &Path, m: &Manifest, except: Option<&str>) {
    assert_eq!(std::fs::metadata(out).unwrap().permissions().mode() & 0o777, 0o700);
    for a in &m.artifacts {
        let p = out.join(a.spec.path.strip_suffix(".age").unwrap());
        if Some(a.spec.path.as_str()) == except {
            assert!(!p.exists(), "unverified plaintext of {} left behind", a.spec.path);
            continue;
        }
        let b = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let e = a.encryption.as_ref().unwrap();
        assert_eq!((b.len() as u64, hex::encode(sha2::Sha256::digest(&b))), (e.plaintext_bytes, e.plaintext_sha256.clone()), "{p:?}");
        assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600, "{p:?}");
    }
    let mut partial = vec![];
    kforensic::evidence::tree::walk(out, &mut |rel, _, _| {
        if rel.contains(".kf-partial") {
            partial.push(rel);
        }
        Ok(())
    })
    .unwrap();
    assert!(partial.is_empty(), "{partial:?}");
}

/// `kforensic decrypt BUNDLE --identity KEY --out OUT [extra]`.
fn decrypt(aws: &Aws, bundle: &str, key: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    kf().aws(aws).args(["decrypt", bundle, "--identity", key.to_str().unwrap(), "--out", out.to_str().unwrap()]).args(extra).run()
}

/// The one output line naming the tampered object; the run failed (exit 1).
fn names_only(out: &std::process::Output, what: &str) {
    let o = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{o}{}", text(&out.stderr));
    let lines: Vec<&str> = o.lines().filter(|l| !l.starts_with("FAILED ")).collect();
    assert_eq!(lines.len(), 1, "{o}");
    assert!(lines[0].starts_with(&format!("{what}: stored file differs from the manifest")), "{o}");
}

#[test]
fn decrypt_reads_a_sealed_bundle_in_its_tar_and_in_s3_and_names_a_flipped_byte() {
    let Some(aws) = shared_s3("decrypt_reads_a_sealed_bundle_in_its_tar_and_in_s3_and_names_a_flipped_byte") else { return };
    let d = tempfile::tempdir().unwrap();
    let (key, recipient) = age_key(d.path());
    let (dir, m) = sealed_bundle(d.path(), "case-dec", &recipient);
    let guard = Bucket::create(&aws, "dec");
    let url = format!("s3://{}/incidents/case-dec", guard.name);
    let up = kf().aws(&aws).args(["upload", dir.to_str().unwrap(), &url, "--endpoint-url", &aws.endpoint]).run();
    assert!(up.status.success(), "{}{}", text(&up.stdout), text(&up.stderr));
    let tar = kforensic::evidence::archive_bundle(&dir).unwrap();
    let tar = tar.to_str().unwrap();
    let ep = ["--endpoint-url", aws.endpoint.as_str()];

    // both read in place: every plaintext hash is the manifest's
    for (name, bundle, extra) in [("from-tar", tar, &[][..]), ("from-s3", url.as_str(), &ep[..])] {
        let out = d.path().join(name);
        let r = decrypt(&aws, bundle, &key, &out, extra);
        assert_eq!(r.status.code(), Some(0), "{name}: {}{}", text(&r.stdout), text(&r.stderr));
        assert!(text(&r.stdout).starts_with(&format!("OK {bundle}: 3 files")), "{}", text(&r.stdout));
        restored(&out, &m, None);
        assert_eq!(std::fs::read(out.join("manifest.json")).unwrap(), std::fs::read(dir.join("manifest.json")).unwrap());
        // never over what is there
        let again = decrypt(&aws, bundle, &key, &out, extra);
        assert_eq!(again.status.code(), Some(1), "{}", text(&again.stdout));
        assert!(text(&again.stdout).contains("exists already: not overwritten"), "{}", text(&again.stdout));
    }

    // one flipped byte in the big object, in the bucket and in the archive
    let stored = std::fs::read(dir.join(BIG)).unwrap();
    let mut flipped = stored.clone();
    let at = stored.len() / 2;
    flipped[at] ^= 0x20;
    let c = sdk(&aws);
    rt().block_on(c.put_object().bucket(&guard.name).key(format!("incidents/case-dec/{BIG}")).body(flipped.into()).send()).unwrap();
    let mut t = std::fs::read(tar).unwrap();
    let window = &stored[at - 32..at + 32];
    let pos = t.windows(64).position(|w| w == window).expect("the object's bytes in the archive") + 32;
    t[pos] ^= 0x20;
    std::fs::write(tar, t).unwrap();
    for (name, bundle, extra) in [("bad-tar", tar, &[][..]), ("bad-s3", url.as_str(), &ep[..])] {
        let out = d.path().join(name);
        let r = decrypt(&aws, bundle, &key, &out, extra);
        names_only(&r, BIG);
        restored(&out, &m, Some(BIG));
    }

    // the bundle's own prefix is required; a wrong key is one line
    let up_one = format!("s3://{}/incidents", guard.name);
    let r = decrypt(&aws, &up_one, &key, &d.path().join("prefix"), &ep);
    assert_eq!(r.status.code(), Some(1), "{}{}", text(&r.stdout), text(&r.stderr));
    assert!(text(&r.stderr).contains("give the bundle's own prefix"), "{}", text(&r.stderr));
    let other = tempfile::tempdir().unwrap();
    let (wrong, _) = age_key(other.path());
    let r = decrypt(&aws, &url, &wrong, &d.path().join("wrong"), &ep);
    assert_eq!(r.status.code(), Some(2), "{}{}", text(&r.stdout), text(&r.stderr));
    assert_eq!(text(&r.stderr).lines().count(), 1, "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("opens none of the 3 encrypted artifacts"), "{}", text(&r.stderr));
}

/// A passphrase-protected ed25519 key made by stock ssh-keygen, and its public key line.
fn locked_ssh_key(dir: &Path, pass: &str) -> (PathBuf, String) {
    let key = dir.join("id_locked");
    let st = Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", pass, "-C", "ir@example.org", "-f"]).arg(&key).status().unwrap();
    assert!(st.success(), "ssh-keygen");
    assert!(std::fs::read_to_string(&key).unwrap().contains("OPENSSH PRIVATE KEY"));
    (key.clone(), std::fs::read_to_string(key.with_extension("pub")).unwrap().trim().to_string())
}

/// kforensic with no controlling terminal (setsid), and only the environment given.
fn without_tty(args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut c = Command::new("setsid");
    c.arg("-w").arg(support::kforensic_bin()).args(args).env_clear().env("PATH", "/usr/bin:/bin");
    for (k, v) in env {
        c.env(k, v);
    }
    c.stdin(std::process::Stdio::null()).output().unwrap()
}

#[test]
fn a_passphrase_protected_ssh_key_decrypts_with_its_passphrase_file_and_refuses_a_wrong_one() {
    let d = tempfile::tempdir().unwrap();
    let pass = "correct horse 7";
    let (key, public) = locked_ssh_key(d.path(), pass);
    let (dir, m) = sealed_bundle(d.path(), "case-pass", &public);
    let (bundle, key_s) = (dir.to_str().unwrap(), key.to_str().unwrap());
    let good = d.path().join("pass.txt");
    std::fs::write(&good, format!("{pass}\n")).unwrap();
    let bad = d.path().join("bad.txt");
    std::fs::write(&bad, "Correct horse 7\n").unwrap();

    // --passphrase-file, and the same through $KFORENSIC_PASSPHRASE_FILE
    let out = d.path().join("flag");
    let r =
        without_tty(&["decrypt", bundle, "-i", key_s, "--out", out.to_str().unwrap(), "--passphrase-file", good.to_str().unwrap()], &[]);
    assert_eq!(r.status.code(), Some(0), "{}{}", text(&r.stdout), text(&r.stderr));
    restored(&out, &m, None);
    let out = d.path().join("env");
    let r = without_tty(
        &["decrypt", bundle, "-i", key_s, "--out", out.to_str().unwrap()],
        &[("KFORENSIC_PASSPHRASE_FILE", good.to_str().unwrap())],
    );
    assert_eq!(r.status.code(), Some(0), "{}{}", text(&r.stdout), text(&r.stderr));
    restored(&out, &m, None);

    // a wrong passphrase: one line, exit 1, nothing written, the passphrase never echoed
    let out = d.path().join("wrong");
    let r = without_tty(&["decrypt", bundle, "-i", key_s, "--out", out.to_str().unwrap(), "--passphrase-file", bad.to_str().unwrap()], &[]);
    assert_eq!(r.status.code(), Some(1), "{}{}", text(&r.stdout), text(&r.stderr));
    assert_eq!(text(&r.stderr).lines().count(), 1, "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("the passphrase does not open"), "{}", text(&r.stderr));
    assert!(!format!("{}{}", text(&r.stdout), text(&r.stderr)).to_lowercase().contains("horse"), "passphrase shown");
    assert!(!out.exists(), "something written without the key");

    // no terminal to ask on and no file: one line saying how to give it
    let r = without_tty(&["decrypt", bundle, "-i", key_s, "--out", d.path().join("none").to_str().unwrap()], &[]);
    assert_eq!(r.status.code(), Some(2), "{}{}", text(&r.stdout), text(&r.stderr));
    assert_eq!(text(&r.stderr).lines().count(), 1, "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("--passphrase-file"), "{}", text(&r.stderr));

    // analyze takes the same key and passphrase file (here a bundle without a checkpoint archive:
    // it gets as far as reading the plaintext)
    let r = without_tty(&["analyze", bundle, "-i", key_s, "--passphrase-file", bad.to_str().unwrap()], &[]);
    assert_eq!(r.status.code(), Some(1), "{}{}", text(&r.stdout), text(&r.stderr));
    assert!(text(&r.stderr).contains("the passphrase does not open"), "{}", text(&r.stderr));
}

/// A tmux server of our own (its own socket), killed when dropped.
struct Tmux(PathBuf);

impl Tmux {
    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux").arg("-S").arg(&self.0).args(args).output().expect("tmux runs")
    }
    fn pane(&self) -> String {
        text(&self.cmd(&["capture-pane", "-p", "-t", "kf"]).stdout)
    }
    /// Wait until the pane shows `what`.
    fn wait_for(&self, what: &str) -> String {
        let t = std::time::Instant::now();
        loop {
            let p = self.pane();
            if p.contains(what) {
                return p;
            }
            assert!(t.elapsed() < std::time::Duration::from_secs(60), "no {what:?} on the screen:\n{p}");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

#[test]
fn the_passphrase_is_asked_on_the_terminal_without_echo() {
    let test = "the_passphrase_is_asked_on_the_terminal_without_echo";
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "{test}: tmux is not installed (scripts/testenv install)");
        eprintln!("SKIP {test}: tmux is not installed");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let pass = "s3cret-Pass-9";
    let (key, public) = locked_ssh_key(d.path(), pass);
    let (dir, m) = sealed_bundle(d.path(), "case-tty", &public);
    let out = d.path().join("plain");
    let q = |p: &Path| format!("'{}'", p.display());
    let script = format!(
        "env -i PATH=/usr/bin:/bin TERM=xterm {} decrypt {} -i {} --out {}; echo KF-EXIT=$?; sleep 600",
        q(&support::kforensic_bin()),
        q(&dir),
        q(&key),
        q(&out)
    );
    let tmux = Tmux(d.path().join("tmux.sock"));
    let st = tmux.cmd(&["new-session", "-d", "-s", "kf", "-x", "200", "-y", "50", &script]);
    assert!(st.status.success(), "tmux: {}", text(&st.stderr));
    tmux.wait_for(&format!("Passphrase for {}", key.display()));
    assert!(tmux.cmd(&["send-keys", "-t", "kf", "-l", pass]).status.success());
    assert!(tmux.cmd(&["send-keys", "-t", "kf", "Enter"]).status.success());
    let screen = tmux.wait_for("KF-EXIT=");
    assert!(screen.contains("KF-EXIT=0"), "{screen}");
    assert!(screen.contains("OK "), "{screen}");
    assert!(!screen.contains(pass), "the passphrase was echoed:\n{screen}");
    restored(&out, &m, None);
}

#[test]
fn a_passphrase_protected_sign_key_signs_with_its_passphrase_file_and_refuses_a_wrong_one() {
    let Some(aws) = shared_s3("a_passphrase_protected_sign_key_signs_with_its_passphrase_file_and_refuses_a_wrong_one") else { return };
    let guard = Bucket::create(&aws, "sig");
    let dest = format!("s3://{}/ir", guard.name);
    let d = tempfile::tempdir().unwrap();
    let pass = "sign-pass 3";
    let (key, public) = locked_ssh_key(d.path(), pass);
    let (dir, _) = make_bundle(d.path(), "case-sign", &[("cluster/pod.json", 300)]);
    let (good, bad) = (d.path().join("good.txt"), d.path().join("bad.txt"));
    std::fs::write(&good, format!("{pass}\n")).unwrap();
    std::fs::write(&bad, "nope\n").unwrap();
    let up = |file: &Path| {
        let f = file.to_str().unwrap();
        let args = [
            "upload",
            dir.to_str().unwrap(),
            &dest,
            "--endpoint-url",
            &aws.endpoint,
            "--sign-key",
            key.to_str().unwrap(),
            "--passphrase-file",
            f,
        ];
        let creds = [
            ("AWS_ACCESS_KEY_ID", aws.access_key.as_str()),
            ("AWS_SECRET_ACCESS_KEY", aws.secret_key.as_str()),
            ("AWS_EC2_METADATA_DISABLED", "true"),
        ];
        without_tty(&args, &creds)
    };
    // a wrong passphrase: one line, exit 1, nothing signed or stored
    let r = up(&bad);
    assert_eq!(r.status.code(), Some(1), "{}{}", text(&r.stdout), text(&r.stderr));
    assert_eq!(text(&r.stderr).lines().count(), 1, "{}", text(&r.stderr));
    assert!(text(&r.stderr).contains("the passphrase does not open it") && !text(&r.stderr).contains("nope"), "{}", text(&r.stderr));
    assert!(!dir.join("manifest.json.sig").exists());
    // the right one: signed, and stock ssh-keygen accepts the signature
    let r = up(&good);
    assert_eq!(r.status.code(), Some(0), "{}{}", text(&r.stdout), text(&r.stderr));
    let allowed = d.path().join("allowed");
    std::fs::write(&allowed, format!("ir@example.org {public}\n")).unwrap();
    assert!(ssh_keygen_verifies(&allowed, "ir@example.org", &dir.join("manifest.json"), &dir.join("manifest.json.sig"), None));
}
