//! Which container to capture: its runtime reference (`containerd://<id>`…), the pod it belongs
//! to, and the bundle directory that follows from them. Every name here may become a path
//! component of a bundle, so each is checked before use.

use super::{ProtocolError, layout};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    Containerd,
    #[serde(rename = "cri-o")]
    CriO,
    Docker,
    /// A bare id: found through /proc only.
    Unknown,
}

impl Runtime {
    pub fn name(self) -> &'static str {
        match self {
            Runtime::Containerd => "containerd",
            Runtime::CriO => "cri-o",
            Runtime::Docker => "docker",
            Runtime::Unknown => "unknown",
        }
    }
}

/// A Kubernetes container id (`status.containerStatuses[].containerID`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContainerRef {
    pub runtime: Runtime,
    pub id: String,
}

impl ContainerRef {
    pub fn parse(s: &str) -> Result<Self, ProtocolError> {
        let (runtime, id) = match s.split_once("://") {
            Some(("containerd", id)) => (Runtime::Containerd, id),
            Some(("cri-o", id)) => (Runtime::CriO, id),
            Some(("docker", id)) => (Runtime::Docker, id),
            Some((scheme, _)) => {
                return Err(ProtocolError::BadTarget(format!(
                    "unknown container runtime '{scheme}' in '{s}': expected containerd://, cri-o:// or docker://"
                )));
            }
            None => (Runtime::Unknown, s),
        };
        let ok = !id.is_empty()
            && id.len() <= 128
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
            && !id.starts_with('.');
        if !ok {
            return Err(ProtocolError::BadTarget(format!("'{s}' is not a container id (letters, digits, '-', '_', '.'; at most 128)")));
        }
        Ok(Self { runtime, id: id.to_string() })
    }

    pub fn uri(&self) -> String {
        match self.runtime {
            Runtime::Unknown => self.id.clone(),
            r => format!("{}://{}", r.name(), self.id),
        }
    }
}

/// One container to capture, as given on the command line or in a JSON target list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetSpec {
    /// `containerd://<id>`, `cri-o://<id>`, `docker://<id>` or a bare id.
    pub container_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_uid: Option<String>,
    /// The container's name in the pod spec.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    /// A kubelet checkpoint archive (host path) to ship as `checkpoint.tar`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_archive: Option<String>,
}

/// A name that may become one component of an evidence path.
pub fn path_component_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s != "."
        && s != ".."
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

impl TargetSpec {
    pub fn validate(&self) -> Result<ContainerRef, ProtocolError> {
        let r = ContainerRef::parse(&self.container_id)?;
        for (what, v) in
            [("namespace", &self.namespace), ("pod", &self.pod), ("pod uid", &self.pod_uid), ("container name", &self.container)]
        {
            if let Some(v) = v
                && !path_component_ok(v)
            {
                return Err(ProtocolError::BadTarget(format!("{what} '{v}' is not a Kubernetes name")));
            }
        }
        if let Some(a) = &self.checkpoint_archive
            && (!a.starts_with('/') || a.split('/').any(|c| c == ".."))
        {
            return Err(ProtocolError::BadTarget(format!("checkpoint archive '{a}' must be an absolute path without '..'")));
        }
        Ok(r)
    }

    /// Bundle directory for this container: `pods/<ns>/<pod>/<container>` when the pod identity
    /// is known, else `containers/<runtime>-<id>`.
    pub fn prefix(&self, r: &ContainerRef) -> String {
        match (&self.namespace, &self.pod, &self.container) {
            (Some(ns), Some(pod), Some(c)) => layout::container_dir(ns, pod, c),
            _ => layout::bare_container_dir(r.runtime.name(), &r.id),
        }
        .trim_end_matches('/')
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn container_ids_parse_by_runtime() {
        let r = ContainerRef::parse("containerd://abc123").unwrap();
        assert_eq!((r.runtime, r.id.as_str()), (Runtime::Containerd, "abc123"));
        assert_eq!(ContainerRef::parse("cri-o://x").unwrap().runtime, Runtime::CriO);
        assert_eq!(ContainerRef::parse("docker://x").unwrap().uri(), "docker://x");
        assert_eq!(ContainerRef::parse("kft-agent-1").unwrap().runtime, Runtime::Unknown);
        for bad in ["rkt://x", "containerd://", "containerd://../x", "containerd://a/b", "docker://.x"] {
            assert!(ContainerRef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefixes_follow_the_bundle_layout_and_refuse_traversal() {
        let mut t = TargetSpec { container_id: "containerd://0123456789abcdef".into(), ..Default::default() };
        let r = t.validate().unwrap();
        assert_eq!(t.prefix(&r), "containers/containerd-0123456789abcdef");
        (t.namespace, t.pod, t.container) = (Some("web".into()), Some("app-1".into()), Some("main".into()));
        assert_eq!(t.prefix(&r), "pods/web/app-1/main");
        t.pod = Some("..".into());
        assert!(t.validate().is_err());
    }
}
