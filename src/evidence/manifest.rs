//! `manifest.json`: what a bundle holds, written last (schema `kforensic.io/evidence/v1`).

use super::EvidenceError;
use super::artifact::{ArtifactRecord, check_relative_path};
use serde::{Deserialize, Serialize};

pub const SCHEMA: &str = "kforensic.io/evidence/v1";
pub const MANIFEST: &str = "manifest.json";
pub const CUSTODY: &str = "custody.log";
/// The media type of a sub-bundle's manifest listed in a case's top-level manifest (a capture of
/// several pods: one whole bundle per pod under `pods/<ns>/<pod>/`). `verify` checks the listed
/// manifest's SHA-256 here, then verifies the sub-bundle it belongs to on its own.
pub const SUB_BUNDLE_MEDIA: &str = "application/vnd.kforensic.bundle-manifest+json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Tool {
    pub name: String,
    pub version: String,
}

impl Tool {
    /// This binary.
    pub fn current() -> Self {
        Tool { name: env!("CARGO_PKG_NAME").into(), version: env!("CARGO_PKG_VERSION").into() }
    }
}

impl Default for Tool {
    fn default() -> Self {
        Tool::current()
    }
}

/// Who ran the capture, as the cluster knows them (when known).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Operator {
    pub user: Option<String>,
    #[serde(default)]
    pub groups: Vec<String>,
}

/// Which cluster the evidence comes from (when known).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ClusterInfo {
    pub server: Option<String>,
    pub version: Option<String>,
    pub context: Option<String>,
}

/// Something that could not be captured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct BundleErrorRecord {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub message: String,
    pub time: jiff::Timestamp,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Manifest {
    pub schema: String,
    pub case_id: String,
    pub tool: Tool,
    pub operator: Operator,
    pub cluster: ClusterInfo,
    pub targets: Vec<serde_json::Value>,
    pub artifacts: Vec<ArtifactRecord>,
    pub errors: Vec<BundleErrorRecord>,
    pub complete: bool,
    /// The collector that ran on the node (checkpoints): its image as given and as the node
    /// resolved it (the digest the kubelet reports), the pod and the node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collector: Option<CollectorRecord>,
}

/// What ran on the node to capture the evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct CollectorRecord {
    /// The image reference the pod asked for.
    pub image: String,
    /// The image the node ran, as the kubelet reports it (`status.containerStatuses[].imageID`).
    pub image_id: String,
    pub pod: String,
    pub namespace: String,
    pub node: String,
}

impl Manifest {
    /// Parse and check a manifest read from a bundle (which may be hostile). A manifest read
    /// from a file or a store is streamed instead: [`super::meta::read_manifest`].
    pub fn parse(bytes: &[u8], origin: &str) -> Result<Manifest, EvidenceError> {
        let m: Manifest = serde_json::from_slice(bytes)
            .map_err(|e| EvidenceError::NotABundle { path: origin.to_string(), why: format!("manifest.json is not valid: {e}") })?;
        m.checked(origin)
    }

    /// Check a parsed manifest: schema, safe and unique paths, well-formed hashes and encryption records.
    pub fn checked(self, origin: &str) -> Result<Manifest, EvidenceError> {
        let bad = |why: String| EvidenceError::NotABundle { path: origin.to_string(), why };
        let m = self;
        if m.schema != SCHEMA {
            return Err(bad(format!("manifest.json has schema '{}', expected '{SCHEMA}'", m.schema)));
        }
        let mut seen = std::collections::HashSet::new();
        for a in &m.artifacts {
            check_relative_path(&a.spec.path).map_err(|_| bad(format!("manifest.json lists an unsafe path '{}'", a.spec.path)))?;
            if is_reserved(&a.spec.path) {
                return Err(bad(format!("manifest.json lists reserved path '{}' as an artifact", a.spec.path)));
            }
            if !is_sha256_hex(&a.sha256) {
                return Err(bad(format!("manifest.json has a malformed sha256 for '{}'", a.spec.path)));
            }
            if let Some(e) = &a.encryption {
                super::seal::check_record(&a.spec.path, e).map_err(|why| bad(format!("manifest.json: {why}")))?;
            }
            if !seen.insert(a.spec.path.as_str()) {
                return Err(bad(format!("manifest.json lists '{}' twice", a.spec.path)));
            }
        }
        Ok(m)
    }

    /// Write the bytes of `manifest.json` (pretty JSON with a trailing newline) to `w`, as they
    /// are produced: a manifest of any size is never held whole as text.
    pub fn write_to(&self, w: &mut dyn std::io::Write) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *w, self)?;
        w.write_all(b"\n")
    }

    /// Pretty JSON with a trailing newline: the bytes written to `manifest.json`.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("a manifest always serializes");
        v.push(b'\n');
        v
    }
}

/// The bundle's own files (manifest, custody log and their signatures): never an artifact's path.
pub fn is_reserved(path: &str) -> bool {
    [MANIFEST, CUSTODY, super::sign::MANIFEST_SIG, super::sign::CUSTODY_SIG].contains(&path)
}

pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::ArtifactSpec;

    fn sample() -> Manifest {
        let t = jiff::Timestamp::from_second(1_764_000_000).unwrap();
        Manifest {
            schema: SCHEMA.into(),
            case_id: "kf-test".into(),
            tool: Tool::current(),
            operator: Operator { user: Some("alice".into()), groups: vec!["sec".into()] },
            cluster: ClusterInfo { server: Some("https://127.0.0.1:6443".into()), version: Some("v1.20.2".into()), context: None },
            targets: vec![serde_json::json!({"namespace": "ns", "pod": "p"})],
            artifacts: vec![ArtifactRecord {
                spec: ArtifactSpec::new("pods/ns/p/c/inspect.json", "application/json", "agent").container("c"),
                bytes: 3,
                sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into(),
                started_at: t,
                finished_at: t,
                encryption: None,
            }],
            errors: vec![],
            complete: true,
            collector: None,
        }
    }

    #[test]
    fn manifest_has_the_v1_fields_and_round_trips() {
        let m = sample();
        let v: serde_json::Value = serde_json::from_slice(&m.to_bytes()).unwrap();
        for k in ["schema", "case_id", "tool", "operator", "cluster", "targets", "artifacts", "errors", "complete"] {
            assert!(v.get(k).is_some(), "missing {k}");
        }
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["tool"]["name"], "kforensic");
        assert_eq!(v["operator"]["groups"][0], "sec");
        assert_eq!(v["cluster"]["version"], "v1.20.2");
        let a = &v["artifacts"][0];
        for k in ["path", "bytes", "sha256", "media_type", "source", "container", "started_at", "finished_at"] {
            assert!(a.get(k).is_some(), "artifact misses {k}");
        }
        assert_eq!(Manifest::parse(&m.to_bytes(), "x").unwrap(), m);
    }

    #[test]
    fn hostile_manifests_are_refused() {
        let mut m = sample();
        m.artifacts[0].spec.path = "../../etc/passwd".into();
        assert!(Manifest::parse(&m.to_bytes(), "x").is_err());
        let mut m = sample();
        m.schema = "other".into();
        assert!(Manifest::parse(&m.to_bytes(), "x").is_err());
        let mut m = sample();
        m.artifacts[0].sha256 = "zz".into();
        assert!(Manifest::parse(&m.to_bytes(), "x").is_err());
        let mut m = sample();
        m.artifacts[0].spec.path = "manifest.json.sig".into();
        assert!(Manifest::parse(&m.to_bytes(), "x").unwrap_err().to_string().contains("reserved"));
        let mut m = sample();
        m.artifacts.push(m.artifacts[0].clone());
        assert!(Manifest::parse(&m.to_bytes(), "x").is_err());
        assert!(Manifest::parse(b"{", "x").is_err());
    }
}
