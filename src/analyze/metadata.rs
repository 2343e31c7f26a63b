//! The container engine's metadata in a checkpoint archive: `config.dump` (CRI-O / containerd /
//! Podman), `spec.dump` (the container's OCI runtime spec), `dump.log` (CRIU's log: version),
//! `stats-dump`, `deleted.files`.

use super::archive::Archive;
use super::image::{self, Image};
use super::proto::{DumpStatsEntry, StatsEntry};
use super::AnalyzeError;
use serde::Serialize;
use serde_json::Value;

/// Annotation keys naming the pod, its namespace, the container and its image, by engine.
const POD_NAME: &[&str] = &["io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name", "io.kubernetes.cri-o.SandboxName"];
const POD_NAMESPACE: &[&str] = &["io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"];
const CONTAINER_NAME: &[&str] =
    &["io.kubernetes.container.name", "io.kubernetes.cri.container-name", "io.kubernetes.cri-o.ContainerName"];
const IMAGE_NAME: &[&str] = &["io.kubernetes.cri.image-name", "io.kubernetes.cri-o.ImageName"];

#[derive(Debug, Default, Clone)]
pub struct Metadata {
    pub config: Option<Value>,
    pub spec: Option<Value>,
    pub criu_version: Option<String>,
    pub stats: Option<DumpStatsEntry>,
    pub deleted_files: Vec<String>,
}

fn parse_json(ar: &Archive, name: &str) -> Result<Option<Value>, AnalyzeError> {
    match ar.read(name)? {
        None => Ok(None),
        Some(b) => serde_json::from_slice(&b).map(Some).map_err(|e| AnalyzeError::Image {
            file: name.to_string(),
            offset: e.column() as u64,
            what: super::error::one_line(&format!("not valid JSON (line {}): {e}", e.line())),
        }),
    }
}

impl Metadata {
    pub fn load(ar: &Archive, criu_dir: &str) -> Result<Metadata, AnalyzeError> {
        let mut m = Metadata { config: parse_json(ar, "config.dump")?, spec: parse_json(ar, "spec.dump")?, ..Default::default() };
        let in_dir = |n: &str| if criu_dir.is_empty() { n.to_string() } else { format!("{criu_dir}/{n}") };
        for log in ["dump.log".to_string(), in_dir("dump.log")] {
            if let Some(b) = ar.read(&log)? {
                m.criu_version = criu_version(&b);
                if m.criu_version.is_some() {
                    break;
                }
            }
        }
        for st in ["stats-dump".to_string(), in_dir("stats-dump")] {
            if let Some(b) = ar.read(&st)? {
                let e: StatsEntry = Image::new(&st, &b, image::STATS_MAGIC)?.decode_one()?;
                m.stats = e.dump;
                break;
            }
        }
        if let Some(v) = parse_json(ar, "deleted.files")? {
            m.deleted_files = v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(String::from)).collect();
        }
        Ok(m)
    }

    fn annotation(&self, keys: &[&str]) -> Option<String> {
        let ann = self.spec.as_ref()?.get("annotations")?;
        keys.iter().find_map(|k| ann.get(*k).and_then(Value::as_str)).map(String::from)
    }

    fn config_str(&self, key: &str) -> Option<String> {
        self.config.as_ref()?.get(key)?.as_str().filter(|s| !s.is_empty()).map(String::from)
    }

    pub fn pod(&self) -> Option<String> {
        self.annotation(POD_NAME)
    }
    pub fn namespace(&self) -> Option<String> {
        self.annotation(POD_NAMESPACE)
    }
    pub fn container(&self) -> Option<String> {
        self.annotation(CONTAINER_NAME).or_else(|| self.config_str("name"))
    }
    pub fn container_id(&self) -> Option<String> {
        self.config_str("id")
    }
    pub fn image(&self) -> Option<String> {
        self.config_str("rootfsImageName").or_else(|| self.annotation(IMAGE_NAME)).or_else(|| self.config_str("rootfsImage"))
    }
    /// The image reference the engine resolved (a digest or image id).
    pub fn image_ref(&self) -> Option<String> {
        self.config_str("rootfsImageRef")
    }
    pub fn runtime(&self) -> Option<String> {
        self.config_str("runtime")
    }
    pub fn created(&self) -> Option<String> {
        self.config_str("createdTime")
    }
    pub fn checkpointed(&self) -> Option<String> {
        self.config_str("checkpointedTime")
    }
    /// `spec.dump`'s `mounts`
    pub fn mounts(&self) -> Vec<Mount> {
        let Some(ms) = self.spec.as_ref().and_then(|s| s.get("mounts")).and_then(Value::as_array) else { return vec![] };
        ms.iter()
            .map(|m| {
                let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                Mount {
                    destination: s("destination"),
                    kind: s("type"),
                    source: s("source"),
                    options: m
                        .get("options")
                        .and_then(Value::as_array)
                        .map(|o| o.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(","))
                        .unwrap_or_default(),
                }
            })
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Mount {
    pub destination: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub source: String,
    pub options: String,
}

/// CRIU's log starts with a line like `(00.000000) Version: 4.1.1 (gitid 0)`.
fn criu_version(log: &[u8]) -> Option<String> {
    let head = &log[..log.len().min(64 << 10)];
    let text = String::from_utf8_lossy(head);
    text.lines().find_map(|l| {
        let v = l.split_once("Version: ")?.1.trim();
        (!v.is_empty()).then(|| v.chars().take(64).collect())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn criu_version_from_log() {
        let log = b"(00.000000) Version: 4.1.1 (gitid 0)\n(00.000010) Running on host\n";
        assert_eq!(super::criu_version(log).as_deref(), Some("4.1.1 (gitid 0)"));
        assert_eq!(super::criu_version(b"garbage\xff\xfe"), None);
    }
}
