//! The container engine's metadata in a checkpoint archive: `config.dump` (CRI-O / containerd /
//! Podman), `spec.dump` (the container's OCI runtime spec), `dump.log` (CRIU's log: version),
//! `stats-dump`, `deleted.files`.

use super::AnalyzeError;
use super::archive::Archive;
use super::image::{self, Image};
use super::proto::{DumpStatsEntry, StatsEntry};
use serde::Serialize;
use serde_json::Value;

/// The container engine that wrote the archive: each names the container, its pod and image in
/// its own fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Engine {
    #[serde(rename = "containerd")]
    Containerd,
    #[serde(rename = "cri-o")]
    CriO,
    #[serde(rename = "podman")]
    Podman,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Containerd => "containerd",
            Engine::CriO => "cri-o",
            Engine::Podman => "podman",
        }
    }
}

/// Annotations every engine may carry: the kubelet's labels, when they reach the spec.
const POD_NAME: &str = "io.kubernetes.pod.name";
const POD_NAMESPACE: &str = "io.kubernetes.pod.namespace";
const CONTAINER_NAME: &str = "io.kubernetes.container.name";
/// `io.container.manager`: `libpod` (Podman), `cri-o`.
const MANAGER: &str = "io.container.manager";
/// containerd's CRI plugin.
const CRI_PREFIX: &str = "io.kubernetes.cri.";
const CRI_CONTAINER: &str = "io.kubernetes.cri.container-name";
const CRI_SANDBOX: &str = "io.kubernetes.cri.sandbox-name";
const CRI_NAMESPACE: &str = "io.kubernetes.cri.sandbox-namespace";
const CRI_IMAGE: &str = "io.kubernetes.cri.image-name";
/// CRI-O.
const CRIO_PREFIX: &str = "io.kubernetes.cri-o.";
const CRIO_METADATA: &str = "io.kubernetes.cri-o.Metadata";
const CRIO_NAME: &str = "io.kubernetes.cri-o.Name";
const CRIO_SANDBOX: &str = "io.kubernetes.cri-o.SandboxName";
const CRIO_LABELS: &str = "io.kubernetes.cri-o.Labels";
const CRIO_IMAGE_NAME: &str = "io.kubernetes.cri-o.ImageName";
const CRIO_IMAGE: &str = "io.kubernetes.cri-o.Image";
const CRIO_IMAGE_REF: &str = "io.kubernetes.cri-o.ImageRef";
const CRIO_CONTAINER_ID: &str = "io.kubernetes.cri-o.ContainerID";
const CRIO_CREATED: &str = "io.kubernetes.cri-o.Created";
/// containerd writes this member, the others do not.
const CONTAINERD_STATUS: &str = "status";

#[derive(Debug, Default, Clone)]
pub struct Metadata {
    pub config: Option<Value>,
    pub spec: Option<Value>,
    pub criu_version: Option<String>,
    pub stats: Option<DumpStatsEntry>,
    pub deleted_files: Vec<String>,
    pub engine: Option<Engine>,
    /// Metadata files other than spec.dump that could not be read (one line each): the fields
    /// they hold are missing.
    pub errors: Vec<String>,
    /// spec.dump could not be read: the mounts and the annotations are unknown
    pub spec_error: Option<String>,
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

/// A Kubernetes name as the engines spell it: CRI-O `k8s_<container>_<pod>_<ns>_<uid>_<attempt>`
/// (a sandbox: `k8s_<pod>_<ns>_<uid>_<attempt>`), containerd `<container>_<pod>_<ns>_<uid>_<attempt>`.
/// Kubernetes names hold no `_`, so the split is exact.
#[derive(Debug, Default, PartialEq, Eq)]
struct KubeName {
    container: Option<String>,
    pod: String,
    namespace: String,
}

fn kube_name(s: &str) -> Option<KubeName> {
    let p: Vec<&str> = s.split('_').collect();
    if p.iter().any(|x| x.is_empty()) || !p.last()?.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let own = |x: &str| x.to_string();
    match (p[0], p.len()) {
        ("k8s", 6) => Some(KubeName { container: Some(own(p[1])), pod: own(p[2]), namespace: own(p[3]) }),
        ("k8s", 5) => Some(KubeName { container: None, pod: own(p[1]), namespace: own(p[2]) }),
        (_, 5) => Some(KubeName { container: Some(own(p[0])), pod: own(p[1]), namespace: own(p[2]) }),
        _ => None,
    }
}

impl Metadata {
    pub fn load(ar: &Archive, criu_dir: &str) -> Result<Metadata, AnalyzeError> {
        let mut m = Metadata::default();
        m.config = m.tolerate(parse_json(ar, "config.dump")).flatten();
        match parse_json(ar, "spec.dump") {
            Ok(v) => m.spec = v,
            Err(e) => m.spec_error = Some(e.to_string()),
        }
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
                let e = Image::new(&st, &b, image::STATS_MAGIC).and_then(|i| i.decode_one::<StatsEntry>());
                m.stats = m.tolerate(e).and_then(|e| e.dump);
                break;
            }
        }
        if let Some(v) = m.tolerate(parse_json(ar, "deleted.files")).flatten() {
            m.deleted_files = v.as_array().into_iter().flatten().filter_map(|s| s.as_str().map(String::from)).collect();
        }
        m.engine = m.detect_engine(ar.get(CONTAINERD_STATUS).is_some());
        Ok(m)
    }

    /// Keep what a malformed metadata file would have given as missing, and say so.
    fn tolerate<T>(&mut self, r: Result<T, AnalyzeError>) -> Option<T> {
        r.map_err(|e| self.errors.push(e.to_string())).ok()
    }

    /// Which engine wrote the archive: its `io.container.manager`, else the annotations only it
    /// writes, else containerd's `status` member or runtime, else Podman's own config keys.
    fn detect_engine(&self, has_status: bool) -> Option<Engine> {
        match self.annotation(MANAGER).as_deref() {
            Some("libpod") => return Some(Engine::Podman),
            Some("cri-o") => return Some(Engine::CriO),
            Some("containerd") => return Some(Engine::Containerd),
            _ => {}
        }
        let keys: Vec<&str> = self.annotations().map(|a| a.keys().map(String::as_str).collect()).unwrap_or_default();
        if keys.iter().any(|k| k.starts_with(CRIO_PREFIX)) {
            return Some(Engine::CriO);
        }
        if keys.iter().any(|k| k.starts_with(CRI_PREFIX)) || has_status || self.runtime().is_some_and(|r| r.starts_with("io.containerd.")) {
            return Some(Engine::Containerd);
        }
        let config = self.config.as_ref()?;
        ["lockID", "rootfsImageID", "RawImageName"].iter().any(|k| config.get(k).is_some()).then_some(Engine::Podman)
    }

    fn annotations(&self) -> Option<&serde_json::Map<String, Value>> {
        self.spec.as_ref()?.get("annotations")?.as_object()
    }

    fn annotation(&self, key: &str) -> Option<String> {
        self.annotations()?.get(key)?.as_str().filter(|s| !s.is_empty()).map(String::from)
    }

    /// A field of a JSON object held in an annotation (CRI-O's `Metadata`, `Labels`).
    fn annotation_json(&self, key: &str, field: &str) -> Option<String> {
        let v: Value = serde_json::from_str(&self.annotation(key)?).ok()?;
        v.get(field)?.as_str().filter(|s| !s.is_empty()).map(String::from)
    }

    fn config_str(&self, key: &str) -> Option<String> {
        self.config.as_ref()?.get(key)?.as_str().filter(|s| !s.is_empty()).map(String::from)
    }

    /// A time from config.dump; Go's zero time means "never".
    fn config_time(&self, key: &str) -> Option<String> {
        self.config_str(key).filter(|t| !t.starts_with("0001-01-01"))
    }

    /// The Kubernetes names the engine spelled into the container's or sandbox's name.
    fn kube_name(&self) -> Option<KubeName> {
        let from = |s: Option<String>| s.as_deref().and_then(kube_name);
        match self.engine? {
            Engine::CriO => {
                from(self.annotation(CRIO_NAME)).or_else(|| from(self.config_str("name"))).or_else(|| from(self.annotation(CRIO_SANDBOX)))
            }
            Engine::Containerd => from(self.config_str("name")),
            Engine::Podman => None,
        }
    }

    pub fn pod(&self) -> Option<String> {
        let kube = || self.kube_name().map(|k| k.pod);
        match self.engine {
            Some(Engine::Containerd) => self.annotation(CRI_SANDBOX).or_else(|| self.annotation(POD_NAME)).or_else(kube),
            Some(Engine::CriO) => self.annotation(POD_NAME).or_else(|| self.annotation_json(CRIO_LABELS, POD_NAME)).or_else(kube),
            Some(Engine::Podman) | None => self.annotation(POD_NAME).or_else(|| self.annotation(CRI_SANDBOX)),
        }
    }
    pub fn namespace(&self) -> Option<String> {
        let kube = || self.kube_name().map(|k| k.namespace);
        match self.engine {
            Some(Engine::Containerd) => self.annotation(CRI_NAMESPACE).or_else(|| self.annotation(POD_NAMESPACE)).or_else(kube),
            Some(Engine::CriO) => self.annotation(POD_NAMESPACE).or_else(|| self.annotation_json(CRIO_LABELS, POD_NAMESPACE)).or_else(kube),
            Some(Engine::Podman) | None => self.annotation(POD_NAMESPACE).or_else(|| self.annotation(CRI_NAMESPACE)),
        }
    }
    pub fn container(&self) -> Option<String> {
        let kube = || self.kube_name().and_then(|k| k.container);
        let name = match self.engine {
            Some(Engine::Containerd) => self.annotation(CRI_CONTAINER).or_else(|| self.annotation(CONTAINER_NAME)).or_else(kube),
            Some(Engine::CriO) => self.annotation(CONTAINER_NAME).or_else(|| self.annotation_json(CRIO_METADATA, "name")).or_else(kube),
            Some(Engine::Podman) | None => self.annotation(CONTAINER_NAME).or_else(|| self.annotation(CRI_CONTAINER)),
        };
        name.or_else(|| self.config_str("name"))
    }
    pub fn container_id(&self) -> Option<String> {
        self.config_str("id").or_else(|| self.annotation(CRIO_CONTAINER_ID))
    }
    /// The image as the pod (or the user) named it.
    pub fn image(&self) -> Option<String> {
        let config = || self.config_str("rootfsImageName").or_else(|| self.config_str("rootfsImage"));
        match self.engine {
            Some(Engine::Containerd) => self.annotation(CRI_IMAGE).or_else(config),
            Some(Engine::CriO) => self.annotation(CRIO_IMAGE_NAME).or_else(config).or_else(|| self.annotation(CRIO_IMAGE)),
            Some(Engine::Podman) => config().or_else(|| self.config_str("RawImageName")),
            None => config().or_else(|| self.annotation(CRI_IMAGE)).or_else(|| self.annotation(CRIO_IMAGE_NAME)),
        }
    }
    /// The image reference the engine resolved (a digest or image id).
    pub fn image_ref(&self) -> Option<String> {
        self.config_str("rootfsImageRef").or_else(|| match self.engine {
            Some(Engine::CriO) => self.annotation(CRIO_IMAGE_REF),
            Some(Engine::Podman) => self.config_str("rootfsImageID"),
            _ => None,
        })
    }
    /// The OCI runtime (`io.containerd.runc.v2`, `runc`, `crun`).
    pub fn runtime(&self) -> Option<String> {
        self.config_str("runtime")
    }
    pub fn created(&self) -> Option<String> {
        self.config_time("createdTime").or_else(|| self.annotation(CRIO_CREATED))
    }
    pub fn checkpointed(&self) -> Option<String> {
        self.config_time("checkpointedTime")
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
    use super::*;

    #[test]
    fn kubernetes_names_as_the_engines_spell_them() {
        let k = |c: Option<&str>, p: &str, n: &str| Some(KubeName { container: c.map(String::from), pod: p.into(), namespace: n.into() });
        assert_eq!(kube_name("k8s_busybox_web-fixture_crio-lab_crio-lab-uid-web-fixture_0"), k(Some("busybox"), "web-fixture", "crio-lab"));
        assert_eq!(kube_name("k8s_web-fixture_crio-lab_crio-lab-uid-web-fixture_0"), k(None, "web-fixture", "crio-lab"));
        assert_eq!(
            kube_name("cart_cart-7d9f6-x2k4p_shop_2ad846f8-381b-48f9-b2a8-e2128f4c7512_0"),
            k(Some("cart"), "cart-7d9f6-x2k4p", "shop")
        );
        assert_eq!(kube_name("magical_murdock"), None);
        assert_eq!(kube_name("a_b_c_d_e"), None);
        assert_eq!(kube_name("k8s__p_n_u_0"), None);
    }

    fn meta(config: Value, annotations: Value, status: bool) -> Metadata {
        let mut m = Metadata { config: Some(config), spec: Some(serde_json::json!({ "annotations": annotations })), ..Default::default() };
        m.engine = m.detect_engine(status);
        m
    }

    #[test]
    fn podman_archives_are_read_from_config_dump() {
        let m = meta(
            serde_json::json!({"id": "f11d", "name": "magical_murdock", "lockID": 3, "rootfsImageID": "sha256:abc",
                "rootfsImageName": "quay.io/x/wildfly:latest", "runtime": "crun", "createdTime": "2023-02-28T09:43:52Z"}),
            serde_json::json!({"io.container.manager": "libpod"}),
            false,
        );
        assert_eq!(m.engine, Some(Engine::Podman));
        assert_eq!(m.container().as_deref(), Some("magical_murdock"));
        assert_eq!(m.image().as_deref(), Some("quay.io/x/wildfly:latest"));
        assert_eq!(m.image_ref().as_deref(), Some("sha256:abc"));
        assert_eq!(m.runtime().as_deref(), Some("crun"));
        assert_eq!(m.pod(), None);
        assert_eq!(m.checkpointed(), None);
    }

    #[test]
    fn cri_o_with_kubelet_labels_prefers_them() {
        let m = meta(
            serde_json::json!({"id": "1", "name": "k8s_app_web_prod_uid_0", "createdTime": "0001-01-01T00:00:00Z"}),
            serde_json::json!({"io.kubernetes.cri-o.Metadata": "{\"name\":\"app\"}", "io.kubernetes.pod.name": "web-1",
                "io.kubernetes.pod.namespace": "prod", "io.kubernetes.cri-o.Created": "2026-01-01T00:00:00Z"}),
            false,
        );
        assert_eq!(m.engine, Some(Engine::CriO));
        assert_eq!((m.container(), m.pod(), m.namespace()), (Some("app".into()), Some("web-1".into()), Some("prod".into())));
        assert_eq!(m.created().as_deref(), Some("2026-01-01T00:00:00Z"));
    }

    #[test]
    fn containerd_is_known_by_its_status_member() {
        let m =
            meta(serde_json::json!({"id": "1", "name": "c_p_ns_uid_2", "runtime": "io.containerd.runc.v2"}), serde_json::json!({}), true);
        assert_eq!(m.engine, Some(Engine::Containerd));
        assert_eq!((m.container(), m.pod(), m.namespace()), (Some("c".into()), Some("p".into()), Some("ns".into())));
        assert_eq!(meta(serde_json::json!({"name": "x"}), serde_json::json!({}), false).engine, None);
    }

    #[test]
    fn criu_version_from_log() {
        let log = b"(00.000000) Version: 4.1.1 (gitid 0)\n(00.000010) Running on host\n";
        assert_eq!(super::criu_version(log).as_deref(), Some("4.1.1 (gitid 0)"));
        assert_eq!(super::criu_version(b"garbage\xff\xfe"), None);
    }
}
