//! Pod rules (KF-POD-*): what a pod spec lets its containers do to the node, and how it names
//! its images. Used for pods and for cronjob pod templates.

use super::{Finding, Ident, Severity};
use k8s_openapi::api::core::v1::{Pod, PodSpec, SecurityContext, VolumeMount};

/// A rule hit on a pod spec, before it is attached to an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub id: &'static str,
    pub severity: Severity,
    pub reason: String,
}

/// Capabilities that break the container boundary or let a process spy on others.
const DANGEROUS_CAPS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "NET_ADMIN",
    "DAC_READ_SEARCH",
    "SYS_RAWIO",
    "SYS_BOOT",
    "BPF",
    "PERFMON",
    "SYS_TIME",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYSLOG",
];
const CRITICAL_CAPS: &[&str] = &["ALL", "SYS_ADMIN", "SYS_MODULE"];

/// One container of any kind, as the rules see it.
struct Ctr<'a> {
    name: &'a str,
    image: Option<&'a str>,
    sc: Option<&'a SecurityContext>,
    mounts: &'a [VolumeMount],
}

fn containers(spec: &PodSpec) -> Vec<Ctr<'_>> {
    let mut v = Vec::new();
    for c in spec.init_containers.iter().flatten().chain(spec.containers.iter()) {
        v.push(Ctr {
            name: &c.name,
            image: c.image.as_deref(),
            sc: c.security_context.as_ref(),
            mounts: c.volume_mounts.as_deref().unwrap_or_default(),
        });
    }
    for c in spec.ephemeral_containers.iter().flatten() {
        v.push(Ctr {
            name: &c.name,
            image: c.image.as_deref(),
            sc: c.security_context.as_ref(),
            mounts: c.volume_mounts.as_deref().unwrap_or_default(),
        });
    }
    v
}

/// True when the spec amounts to root on the node: a privileged container, hostPID, a
/// critical capability (ALL, SYS_ADMIN, SYS_MODULE) or a writable sensitive hostPath.
pub fn is_privileged(spec: &PodSpec) -> bool {
    privileged_issues(&spec_issues(spec))
}

/// [`is_privileged`] from already computed issues.
pub fn privileged_issues(issues: &[Issue]) -> bool {
    issues
        .iter()
        .any(|i| matches!(i.id, "KF-POD-001" | "KF-POD-002" | "KF-POD-009") || (i.id == "KF-POD-005" && i.severity == Severity::Critical))
}

fn names(v: &[&str]) -> String {
    v.join(", ")
}

/// Every pod rule over one pod spec.
pub fn spec_issues(spec: &PodSpec) -> Vec<Issue> {
    let ctrs = containers(spec);
    let mut out = Vec::new();
    let mut hit = |id, severity, reason: String| out.push(Issue { id, severity, reason });

    let privileged: Vec<&str> = ctrs.iter().filter(|c| c.sc.and_then(|s| s.privileged) == Some(true)).map(|c| c.name).collect();
    if !privileged.is_empty() {
        hit("KF-POD-001", Severity::Critical, format!("privileged container(s): {}", names(&privileged)));
    }
    if spec.host_pid == Some(true) {
        hit("KF-POD-002", Severity::High, "hostPID: true (sees and can signal every process of the node)".into());
    }
    if spec.host_ipc == Some(true) {
        hit("KF-POD-003", Severity::Medium, "hostIPC: true (shares the node's IPC namespace)".into());
    }
    if spec.host_network == Some(true) {
        hit("KF-POD-004", Severity::Medium, "hostNetwork: true (uses the node's network namespace)".into());
    }

    let mut caps: Vec<String> = Vec::new();
    let mut critical_cap = false;
    for c in &ctrs {
        for cap in c.sc.and_then(|s| s.capabilities.as_ref()).and_then(|k| k.add.as_ref()).into_iter().flatten() {
            let norm = cap.trim().to_ascii_uppercase();
            let norm = norm.strip_prefix("CAP_").unwrap_or(&norm).to_string();
            if DANGEROUS_CAPS.contains(&norm.as_str()) {
                critical_cap |= CRITICAL_CAPS.contains(&norm.as_str());
                caps.push(format!("{}:{norm}", c.name));
            }
        }
    }
    if !caps.is_empty() {
        let sev = if critical_cap { Severity::Critical } else { Severity::High };
        hit("KF-POD-005", sev, format!("dangerous capabilities added: {}", caps.join(", ")));
    }

    let escalate: Vec<&str> =
        ctrs.iter().filter(|c| c.sc.and_then(|s| s.allow_privilege_escalation) == Some(true)).map(|c| c.name).collect();
    if !escalate.is_empty() {
        hit("KF-POD-006", Severity::Medium, format!("allowPrivilegeEscalation: true in {}", names(&escalate)));
    }

    let pod_uid = spec.security_context.as_ref().and_then(|s| s.run_as_user);
    let root: Vec<&str> = ctrs.iter().filter(|c| c.sc.and_then(|s| s.run_as_user).or(pod_uid) == Some(0)).map(|c| c.name).collect();
    if !root.is_empty() {
        hit("KF-POD-007", Severity::Medium, format!("runs as root (runAsUser: 0): {}", names(&root)));
    }

    let (mut sensitive, mut writable) = (Vec::new(), Vec::new());
    for vol in spec.volumes.iter().flatten() {
        let Some(hp) = &vol.host_path else { continue };
        for c in &ctrs {
            for m in c.mounts.iter().filter(|m| m.name == vol.name && m.read_only != Some(true)) {
                let entry = format!("{} at {}:{}", hp.path, c.name, m.mount_path);
                if is_sensitive_host_path(&hp.path) { sensitive.push(entry) } else { writable.push(entry) }
            }
        }
    }
    if !sensitive.is_empty() {
        hit("KF-POD-009", Severity::Critical, format!("writable hostPath of a sensitive host path: {}", sensitive.join(", ")));
    }
    if !writable.is_empty() {
        hit("KF-POD-008", Severity::High, format!("writable hostPath: {}", writable.join(", ")));
    }

    let (mut latest, mut tagged) = (Vec::new(), Vec::new());
    for c in &ctrs {
        match c.image.map(image_pin) {
            Some(ImagePin::Latest) => latest.push(format!("{}={}", c.name, c.image.unwrap_or_default())),
            Some(ImagePin::Tag) => tagged.push(format!("{}={}", c.name, c.image.unwrap_or_default())),
            _ => {}
        }
    }
    if !latest.is_empty() {
        hit("KF-POD-011", Severity::Medium, format!("image :latest or without tag: {}", latest.join(", ")));
    }
    if !tagged.is_empty() {
        hit("KF-POD-010", Severity::Low, format!("image by tag without digest: {}", tagged.join(", ")));
    }
    out
}

/// Every pod rule, as findings on `pod`.
pub fn check_pod(pod: &Pod) -> Vec<Finding> {
    let Some(spec) = &pod.spec else { return Vec::new() };
    findings_on_pod(pod, spec_issues(spec))
}

/// Attach issues found on a pod's spec to the pod.
pub fn findings_on_pod(pod: &Pod, issues: Vec<Issue>) -> Vec<Finding> {
    let id = Ident::new("Pod", "v1", &pod.metadata);
    issues.into_iter().map(|i| Finding::new(i.id, i.severity, &id, i.reason)).collect()
}

#[derive(Debug, PartialEq, Eq)]
pub enum ImagePin {
    Digest,
    Tag,
    Latest,
}

/// How an image reference is pinned: `repo@sha256:…` (digest), `repo:1.2` (tag), `repo` or `repo:latest`.
pub fn image_pin(image: &str) -> ImagePin {
    if image.contains('@') {
        return ImagePin::Digest;
    }
    let last = image.rsplit('/').next().unwrap_or(image);
    match last.split_once(':') {
        Some((_, "latest")) | None => ImagePin::Latest,
        Some((_, "")) => ImagePin::Latest,
        Some(_) => ImagePin::Tag,
    }
}

/// Host paths whose write access is the node: its root, config, kernel interfaces, root's home,
/// and the container runtimes' sockets (and the directories holding them).
pub fn is_sensitive_host_path(path: &str) -> bool {
    let mut parts: Vec<&str> = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    let norm = format!("/{}", parts.join("/"));
    let under = |p: &str| norm == p || norm.starts_with(&format!("{p}/"));
    norm == "/"
        || under("/etc")
        || under("/proc")
        || under("/root")
        || ["/run", "/var/run", "/run/containerd", "/var/run/containerd", "/run/crio", "/var/run/crio"].contains(&norm.as_str())
        || ["docker.sock", "containerd.sock", "crio.sock", "cri-dockerd.sock"].iter().any(|s| norm.ends_with(&format!("/{s}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(v: serde_json::Value) -> PodSpec {
        serde_json::from_value(v).unwrap()
    }
    fn ids(s: &PodSpec) -> Vec<&'static str> {
        let mut v: Vec<_> = spec_issues(s).into_iter().map(|i| i.id).collect();
        v.sort();
        v
    }
    const PINNED: &str = "busybox@sha256:0000000000000000000000000000000000000000000000000000000000000000";

    #[test]
    fn a_clean_pinned_pod_has_no_findings() {
        let s = spec(json!({"containers":[{"name":"c","image":PINNED,
            "securityContext":{"runAsUser":1000,"allowPrivilegeEscalation":false,"privileged":false,
                "capabilities":{"add":["NET_BIND_SERVICE"],"drop":["ALL"]}},
            "volumeMounts":[{"name":"h","mountPath":"/h","readOnly":true},{"name":"e","mountPath":"/e"}]}],
            "volumes":[{"name":"h","hostPath":{"path":"/etc"}},{"name":"e","emptyDir":{}}],
            "hostPID":false,"hostNetwork":false}));
        assert_eq!(ids(&s), Vec::<&str>::new());
    }

    #[test]
    fn each_pod_rule_fires_on_its_field() {
        let one = |extra: serde_json::Value, ctr: serde_json::Value| {
            let mut c = json!({"name":"c","image":PINNED});
            c.as_object_mut().unwrap().extend(ctr.as_object().unwrap().clone());
            let mut s = json!({"containers":[c]});
            s.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            ids(&spec(s))
        };
        assert_eq!(one(json!({}), json!({"securityContext":{"privileged":true}})), vec!["KF-POD-001"]);
        assert_eq!(one(json!({"hostPID":true}), json!({})), vec!["KF-POD-002"]);
        assert_eq!(one(json!({"hostIPC":true}), json!({})), vec!["KF-POD-003"]);
        assert_eq!(one(json!({"hostNetwork":true}), json!({})), vec!["KF-POD-004"]);
        assert_eq!(one(json!({}), json!({"securityContext":{"capabilities":{"add":["CAP_SYS_PTRACE"]}}})), vec!["KF-POD-005"]);
        assert_eq!(one(json!({}), json!({"securityContext":{"allowPrivilegeEscalation":true}})), vec!["KF-POD-006"]);
        assert_eq!(one(json!({"securityContext":{"runAsUser":0}}), json!({})), vec!["KF-POD-007"]);
        // the container's own runAsUser wins over the pod's
        assert_eq!(one(json!({"securityContext":{"runAsUser":0}}), json!({"securityContext":{"runAsUser":5}})), Vec::<&str>::new());
        let hp = |p: &str| json!({"volumes":[{"name":"h","hostPath":{"path":p}}]});
        let m = json!({"volumeMounts":[{"name":"h","mountPath":"/x"}]});
        assert_eq!(one(hp("/var/log"), m.clone()), vec!["KF-POD-008"]);
        for p in [
            "/",
            "/etc",
            "/etc/kubernetes",
            "/proc",
            "/root",
            "/var/run/docker.sock",
            "/run/containerd/containerd.sock",
            "/var/log/../../etc",
        ] {
            assert_eq!(one(hp(p), m.clone()), vec!["KF-POD-009"], "{p}");
        }
        assert_eq!(one(json!({}), json!({"image":"busybox:1.36"})), vec!["KF-POD-010"]);
        assert_eq!(one(json!({}), json!({"image":"busybox:latest"})), vec!["KF-POD-011"]);
        assert_eq!(one(json!({}), json!({"image":"registry:5000/busybox"})), vec!["KF-POD-011"]);
        assert_eq!(one(json!({}), json!({"image":"registry:5000/busybox:1"})), vec!["KF-POD-010"]);
    }

    #[test]
    fn severity_of_capabilities() {
        let s = spec(json!({"containers":[{"name":"c","image":PINNED,"securityContext":{"capabilities":{"add":["sys_admin"]}}}]}));
        assert_eq!(spec_issues(&s)[0].severity, Severity::Critical);
        let s = spec(json!({"containers":[{"name":"c","image":PINNED,"securityContext":{"capabilities":{"add":["NET_ADMIN"]}}}]}));
        assert_eq!(spec_issues(&s)[0].severity, Severity::High);
    }

    #[test]
    fn init_and_ephemeral_containers_count() {
        let s = spec(json!({"containers":[{"name":"c","image":PINNED}],
            "initContainers":[{"name":"i","image":PINNED,"securityContext":{"privileged":true}}],
            "ephemeralContainers":[{"name":"e","image":"dbg:latest"}]}));
        assert_eq!(ids(&s), vec!["KF-POD-001", "KF-POD-011"]);
    }
}
