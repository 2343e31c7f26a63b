//! Helpers for the evidence tests: build a real bundle with the library, reach the test's S3
//! server with the SDK.

use kforensic::evidence::{ArtifactSink, ArtifactSpec, BundleMeta, ClusterInfo, DirBundle, Manifest, Operator};
use std::path::{Path, PathBuf};

pub const MIB: usize = 1 << 20;

/// Deterministic, incompressible-looking bytes (xorshift), `n` of them.
pub fn pseudo_random(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed | 1;
    let mut v = Vec::with_capacity(n + 8);
    while v.len() < n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.extend_from_slice(&x.to_le_bytes());
    }
    v.truncate(n);
    v
}

/// A finalized bundle `<dest>/<case>/` with one artifact per (path, size).
pub fn make_bundle(dest: &Path, case: &str, artifacts: &[(&str, usize)]) -> (PathBuf, Manifest) {
    let meta = BundleMeta {
        operator: Operator { user: Some("responder@example".into()), groups: vec!["sec".into()] },
        cluster: ClusterInfo { server: Some("https://127.0.0.1:6443".into()), version: Some("v1.20.2".into()), context: None },
        targets: serde_json::json!([{ "namespace": "shop", "pod": "web-1" }]),
        ..Default::default()
    };
    let mut b = DirBundle::create(dest, case, meta).unwrap();
    b.plan(artifacts.iter().map(|a| a.0)).unwrap();
    for (i, (path, size)) in artifacts.iter().enumerate() {
        let data = pseudo_random(i as u64 + 7, *size);
        b.put(&ArtifactSpec::new(*path, "application/octet-stream", "test"), &mut |w| {
            for c in data.chunks(MIB) {
                w.write_all(c)?;
            }
            Ok(())
        })
        .unwrap();
    }
    let dir = b.dir().to_path_buf();
    let m = b.finalize().unwrap();
    assert!(m.complete);
    (dir, m)
}

/// Credentials and endpoint of an S3 server, for the kforensic process ([`super::kf`]) and the SDK.
#[derive(Clone)]
pub struct Aws {
    pub endpoint: String,
    pub access_key: String,
    pub secret_key: String,
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// An SDK client for the test's own checks (create bucket, read objects back).
pub fn sdk(aws: &Aws) -> aws_sdk_s3::Client {
    let creds = aws_sdk_s3::config::Credentials::new(&aws.access_key, &aws.secret_key, None, None, "test");
    let conf = aws_sdk_s3::config::Builder::new()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .region(aws_sdk_s3::config::Region::new("us-east-1"))
        .endpoint_url(&aws.endpoint)
        .force_path_style(true)
        .credentials_provider(creds)
        .build();
    aws_sdk_s3::Client::from_conf(conf)
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

/// A fresh bucket name.
pub fn bucket_name(tag: &str) -> String {
    format!("kft-{tag}-{:08x}", fastrand::u32(..))
}

pub fn create_bucket(aws: &Aws, bucket: &str) {
    let c = sdk(aws);
    rt().block_on(async { c.create_bucket().bucket(bucket).send().await }).unwrap();
}

/// Keys under a prefix.
pub fn list_keys(aws: &Aws, bucket: &str, prefix: &str) -> Vec<String> {
    let c = sdk(aws);
    rt().block_on(async {
        let r = c.list_objects_v2().bucket(bucket).prefix(prefix).send().await.unwrap();
        r.contents().iter().filter_map(|o| o.key().map(String::from)).collect()
    })
}

/// SHA-256 (hex) of an object downloaded in full, and its size.
pub fn download_sha256(aws: &Aws, bucket: &str, key: &str) -> (u64, String) {
    let c = sdk(aws);
    rt().block_on(async {
        let r = c.get_object().bucket(bucket).key(key).send().await.unwrap();
        let bytes = r.body.collect().await.unwrap().into_bytes();
        (bytes.len() as u64, hex::encode(kforensic::evidence::hash::Sha256::digest(&bytes)))
    })
}

/// A bucket on a test server, emptied and removed when dropped (the shared server stays clean).
pub struct Bucket {
    pub aws: Aws,
    pub name: String,
}

impl Bucket {
    pub fn create(aws: &Aws, tag: &str) -> Bucket {
        let name = bucket_name(tag);
        create_bucket(aws, &name);
        Bucket { aws: aws.clone(), name }
    }
}

impl Drop for Bucket {
    fn drop(&mut self) {
        let c = sdk(&self.aws);
        let _ = rt().block_on(async {
            let r = c.list_objects_v2().bucket(&self.name).send().await?;
            for o in r.contents() {
                if let Some(k) = o.key() {
                    let _ = c.delete_object().bucket(&self.name).key(k).send().await;
                }
            }
            c.delete_bucket().bucket(&self.name).send().await.map(|_| ()).map_err(aws_sdk_s3::Error::from)
        });
    }
}

/// A private s3s-fs on its own port and data directory, killed when dropped.
pub struct OwnServer {
    child: std::process::Child,
}

impl OwnServer {
    pub fn start(bin: &str, port: u16, data: &std::path::Path, aws: &Aws) -> OwnServer {
        let child = std::process::Command::new(bin)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(["--access-key", &aws.access_key, "--secret-key", &aws.secret_key])
            .arg(data)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(std::time::Instant::now() < deadline, "own s3s-fs did not listen on {port}");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        OwnServer { child }
    }
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A fresh ed25519 key pair made by stock ssh-keygen, and an allowed-signers file naming it.
pub fn ssh_key(dir: &std::path::Path, name: &str, principal: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let key = dir.join(name);
    let st =
        std::process::Command::new("ssh-keygen").args(["-q", "-t", "ed25519", "-N", "", "-C", principal, "-f"]).arg(&key).status().unwrap();
    assert!(st.success());
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = dir.join(format!("{name}.allowed"));
    std::fs::write(&allowed, format!("{principal} {}", public.trim())).unwrap();
    (key, allowed)
}

/// `ssh-keygen -Y verify` of `file` (or of its first `lines` lines) against its `.sig`.
pub fn ssh_keygen_verifies(
    allowed: &std::path::Path,
    principal: &str,
    file: &std::path::Path,
    sig: &std::path::Path,
    lines: Option<usize>,
) -> bool {
    let mut bytes = std::fs::read(file).unwrap();
    if let Some(n) = lines {
        let cut = bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').nth(n - 1).map(|(i, _)| i + 1).unwrap();
        bytes.truncate(cut);
    }
    let mut child = std::process::Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", "kforensic-evidence", "-I", principal, "-f"])
        .arg(allowed)
        .arg("-s")
        .arg(sig)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &bytes).unwrap();
    child.wait_with_output().unwrap().status.success()
}
