//! `--sign-key KEY.pub`: the bundle is signed by the key ssh-agent holds (a real `ssh-agent` and
//! `ssh-add`), and stock `ssh-keygen -Y verify` accepts the signatures.

use crate::support::{self, evidence, kf, require, stderr, stdout};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A private ssh-agent on its own socket; killed (by its pid) when dropped.
struct Agent {
    child: std::process::Child,
}

impl Agent {
    fn start(sock: &Path) -> Agent {
        let child = Command::new("ssh-agent").arg("-D").arg("-a").arg(sock).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
        let t = Instant::now();
        while !sock.exists() {
            assert!(t.elapsed() < Duration::from_secs(10), "ssh-agent did not create {}", sock.display());
            std::thread::sleep(Duration::from_millis(50));
        }
        Agent { child }
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn sign_key_given_a_public_key_signs_through_ssh_agent() {
    let Some(env) = require("sign_key_given_a_public_key_signs_through_ssh_agent", &["s3"]) else { return };
    let aws = evidence::Aws {
        endpoint: env.var("KF_S3_ENDPOINT").to_string(),
        access_key: env.var("KF_S3_ACCESS_KEY").to_string(),
        secret_key: env.var("KF_S3_SECRET_KEY").to_string(),
    };
    let d = tempfile::tempdir().unwrap();
    let principal = "responder@example.org";
    let (key, allowed) = evidence::ssh_key(d.path(), "id_ed25519", principal);
    let public = key.with_extension("pub");
    let sock = d.path().join("agent.sock");
    let _agent = Agent::start(&sock);
    let (bundle, _) = evidence::make_bundle(&d.path().join("ev"), "case-agent", &[("pods/a.bin", 4096), ("cluster/pod.json", 100)]);
    let bucket = evidence::Bucket::create(&aws, "agent");
    let dest = format!("s3://{}/cases", bucket.name);
    let upload = |sock: &Path| {
        kf().aws(&aws)
            .env("SSH_AUTH_SOCK", sock)
            .args(["upload", bundle.to_str().unwrap(), &dest, "--endpoint-url", &aws.endpoint, "--sign-key", public.to_str().unwrap()])
            .run()
    };

    // the agent does not hold the key yet: one line, nothing signed, nothing uploaded
    let out = upload(&sock);
    assert_eq!(out.status.code(), Some(2), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
    assert!(stderr(&out).contains("refused to sign") && stderr(&out).contains("ssh-add"), "{}", stderr(&out));
    assert!(!bundle.join("manifest.json.sig").exists());
    // without an agent at all: said so
    let out = upload(Path::new(""));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("SSH_AUTH_SOCK is not set"), "{}", stderr(&out));

    // ssh-add, then the private key file goes: only the agent holds the key
    let add = Command::new("ssh-add").arg("-q").arg(&key).env("SSH_AUTH_SOCK", &sock).output().unwrap();
    assert!(add.status.success(), "ssh-add: {}", String::from_utf8_lossy(&add.stderr));
    std::fs::remove_file(&key).unwrap();
    let out = upload(&sock);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));

    // stock OpenSSH checks both signatures
    assert!(evidence::ssh_keygen_verifies(&allowed, principal, &bundle.join("manifest.json"), &bundle.join("manifest.json.sig"), None));
    let custody = std::fs::read_to_string(bundle.join("custody.log")).unwrap();
    let n = custody.lines().position(|l| l.contains("\"event\":\"finalized\"")).unwrap() + 1;
    assert!(evidence::ssh_keygen_verifies(&allowed, principal, &bundle.join("custody.log"), &bundle.join("custody.log.sig"), Some(n)));
    let v = support::kforensic(&["verify", bundle.to_str().unwrap(), "--no-record", "--allowed-signers", allowed.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}{}", stdout(&v), stderr(&v));
    assert!(stdout(&v).contains("signed by responder@example.org"), "{}", stdout(&v));
    // the signatures went up with the manifest
    let keys = evidence::list_keys(&aws, &bucket.name, "cases/case-agent/");
    assert!(keys.iter().any(|k| k.ends_with("manifest.json.sig")), "{keys:?}");
}
