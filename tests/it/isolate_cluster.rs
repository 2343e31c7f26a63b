//! `kforensic isolate` / `release` against the real test cluster, through the real binary.

use crate::support::{self, CLUSTER, Namespace, TestEnv, stderr, stdout};
use serde_json::{Value, json};
use std::sync::Mutex;
use std::time::{Duration, Instant};

const NODE: &str = "127.0.0.1";
/// The single node is shared with other tests: one cordon at a time, as briefly as possible.
static CORDON: Mutex<()> = Mutex::new(());

fn get_json(env: &TestEnv, ns: &str, what: &[&str]) -> Value {
    let mut args = vec!["-n", ns, "get"];
    args.extend_from_slice(what);
    args.extend_from_slice(&["-o", "json"]);
    serde_json::from_str(&env.kubectl(&args)).expect("kubectl json")
}

fn kf_json(env: &TestEnv, args: &[&str]) -> Value {
    let out = env.kforensic(args);
    assert!(out.status.success(), "kforensic {args:?}: {}\n{}", stderr(&out), stdout(&out));
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("kforensic {args:?} -o json: {e}\n{}", stdout(&out)))
}

/// A Deployment (1 replica, pod labels app=web + tier=fe) and a Service selecting app=web; returns the pod.
fn deploy_web(env: &'static TestEnv, ns: &Namespace) -> String {
    env.apply(&format!(
        r#"
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web, namespace: {ns}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web, tier: fe}}}}
    spec:
      terminationGracePeriodSeconds: 1
      containers: [{{name: c, image: test.local/busybox:1, command: [sleep, "100000"]}}]
---
apiVersion: v1
kind: Service
metadata: {{name: web, namespace: {ns}}}
spec:
  selector: {{app: web}}
  ports: [{{port: 80}}]
"#,
        ns = ns.name
    ));
    let pods = wait_pods(env, &ns.name, "app=web", 1, 60);
    env.wait_running(&ns.name, &pods[0], 60);
    pods[0].clone()
}

/// Names of the Running pods matching `selector`, once there are `n` of them.
fn wait_pods(env: &TestEnv, ns: &str, selector: &str, n: usize, secs: u64) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let v = get_json(env, ns, &["pods", "-l", selector]);
        let names: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["metadata"]["deletionTimestamp"].is_null())
            .filter_map(|p| p["metadata"]["name"].as_str().map(String::from))
            .collect();
        if names.len() >= n {
            return names;
        }
        assert!(Instant::now() < deadline, "no {n} pods with {selector} in {ns} after {secs}s: {names:?}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn labels(pod: &Value) -> Value {
    pod["metadata"]["labels"].clone()
}
fn annotations(obj: &Value) -> Value {
    obj["metadata"]["annotations"].clone()
}
fn policies(env: &TestEnv, ns: &str) -> Vec<Value> {
    get_json(env, ns, &["networkpolicies"])["items"].as_array().unwrap().clone()
}

/// Does a `LabelSelector` (or a plain map, for Services) JSON select these labels?
fn selects(selector: &Value, labels: &Value) -> bool {
    let match_labels = selector.get("matchLabels").unwrap_or(selector);
    let pairs = match_labels.as_object().cloned().unwrap_or_default();
    assert!(selector.get("matchExpressions").is_none(), "test only handles matchLabels");
    !pairs.is_empty() && pairs.iter().all(|(k, v)| labels.get(k) == Some(v))
}

#[test]
fn isolate_creates_the_exact_policy_label_and_record_and_release_restores_the_before_state() {
    let Some(env) = support::require("isolate_creates_the_exact_policy_label_and_record", CLUSTER) else { return };
    let ns = env.namespace("iso");
    let pod = deploy_web(env, &ns);
    let before = get_json(env, &ns.name, &["pod", &pod]);
    assert!(policies(env, &ns.name).is_empty());

    let r = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--case-id", "case-iso-1", "--allow-dns", "-o", "json"]);
    assert_eq!(r["case_id"], "case-iso-1");
    assert_eq!(r["nothing_to_do"], false);

    // the NetworkPolicy, exactly
    let nps = policies(env, &ns.name);
    assert_eq!(nps.len(), 1);
    let np = &nps[0];
    assert_eq!(np["metadata"]["name"], "kforensic-quarantine-case-iso-1");
    assert_eq!(np["metadata"]["labels"], json!({"app.kubernetes.io/managed-by": "kforensic", "kforensic.io/case": "case-iso-1"}));
    // 1.20 namespaces carry no kubernetes.io/metadata.name label: any namespace, kube-dns pods only
    assert_eq!(
        np["spec"],
        json!({
            "podSelector": {"matchLabels": {"kforensic.io/quarantine": "case-iso-1"}},
            "policyTypes": ["Ingress", "Egress"],
            "egress": [{"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
                        "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]}]
        })
    );

    // the pod: quarantine label added, nothing else changed; record lists every change
    let after = get_json(env, &ns.name, &["pod", &pod]);
    let mut want = labels(&before);
    want["kforensic.io/quarantine"] = json!("case-iso-1");
    assert_eq!(labels(&after), want);
    let rec: Value = serde_json::from_str(after["metadata"]["annotations"]["kforensic.io/isolation"].as_str().expect("record")).unwrap();
    assert_eq!(rec["schema"], "kforensic.io/isolation/v1");
    assert_eq!(rec["case_id"], "case-iso-1");
    let changes = rec["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{rec}");
    assert_eq!(changes[0]["change"], "network-policy");
    assert_eq!(changes[0]["name"], "kforensic-quarantine-case-iso-1");
    assert_eq!(changes[0]["allow_dns"], true);
    assert_eq!(changes[1]["change"], "label");
    for c in changes {
        assert!(c["by"].as_str().unwrap().contains("admin"), "{c}");
        assert!(c["at"].as_str().unwrap().parse::<jiff::Timestamp>().is_ok(), "{c}");
    }
    assert_eq!(r["record"], rec, "the summary shows the record written");

    // a second isolate (without --case-id: the pod's own case is reused) changes nothing
    let rv = after["metadata"]["resourceVersion"].clone();
    let np_rv = np["metadata"]["resourceVersion"].clone();
    let again = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--allow-dns", "-o", "json"]);
    assert_eq!(again["nothing_to_do"], true);
    assert_eq!(again["case_id"], "case-iso-1");
    assert!(again["changes"].as_array().unwrap().is_empty());
    assert_eq!(get_json(env, &ns.name, &["pod", &pod])["metadata"]["resourceVersion"], rv);
    assert_eq!(policies(env, &ns.name)[0]["metadata"]["resourceVersion"], np_rv);
    let table = env.kforensic(&["isolate", "pod", &pod, "-n", &ns.name, "--allow-dns"]);
    assert!(stdout(&table).contains("already isolated"), "{}", stdout(&table));

    // release: back to the before-state, object by object
    let rel = kf_json(env, &["release", "pod", &pod, "-n", &ns.name, "-o", "json"]);
    assert_eq!(rel["case_id"], "case-iso-1");
    let restored = get_json(env, &ns.name, &["pod", &pod]);
    assert_eq!(labels(&restored), labels(&before));
    assert_eq!(annotations(&restored), annotations(&before));
    assert!(policies(env, &ns.name).is_empty());
    let twice = kf_json(env, &["release", "pod", &pod, "-n", &ns.name, "-o", "json"]);
    assert_eq!(twice["nothing_to_do"], true);
}

#[test]
fn detach_leaves_replicaset_and_service_while_the_deployment_replaces_the_running_suspect() {
    let Some(env) = support::require("detach_leaves_replicaset_and_service", CLUSTER) else { return };
    let ns = env.namespace("iso-detach");
    let pod = deploy_web(env, &ns);
    let before = get_json(env, &ns.name, &["pod", &pod]);
    let owner = before["metadata"]["ownerReferences"][0]["name"].as_str().unwrap().to_string();

    let r = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--detach", "-o", "json"]);
    let case = r["case_id"].as_str().unwrap().to_string();
    assert!(case.starts_with("kf-"), "generated case id: {case}");
    let detail = r["changes"].as_array().unwrap().iter().find(|c| c["action"] == "detach").expect("detach line")["detail"].clone();
    assert!(detail.as_str().unwrap().contains(&format!("ReplicaSet {owner}")), "{detail}");
    assert!(detail.as_str().unwrap().contains("Service web"), "{detail}");

    let after = get_json(env, &ns.name, &["pod", &pod]);
    let l = labels(&after);
    assert_eq!(l, json!({"kforensic.io/quarantine": case, "tier": "fe"}));
    for rs in get_json(env, &ns.name, &["replicasets"])["items"].as_array().unwrap() {
        assert!(!selects(&rs["spec"]["selector"], &l), "ReplicaSet {} still selects the pod", rs["metadata"]["name"]);
    }
    for svc in get_json(env, &ns.name, &["services"])["items"].as_array().unwrap() {
        assert!(!selects(&svc["spec"]["selector"], &l), "Service {} still selects the pod", svc["metadata"]["name"]);
    }
    let rec: Value = serde_json::from_str(after["metadata"]["annotations"]["kforensic.io/isolation"].as_str().unwrap()).unwrap();
    let d = rec["changes"].as_array().unwrap().iter().find(|c| c["change"] == "detach").expect("detach entry").clone();
    assert_eq!(d["removed_labels"], json!({"app": "web", "pod-template-hash": before["metadata"]["labels"]["pod-template-hash"]}));
    assert_eq!(d["controller"], json!({"kind": "ReplicaSet", "name": owner}));
    assert_eq!(d["services"], json!(["web"]));

    // the ReplicaSet released the pod (kforensic waits for that) and started a replacement
    assert!(after["metadata"]["ownerReferences"].is_null(), "still owned: {}", after["metadata"]["ownerReferences"]);
    let replacement = wait_pods(env, &ns.name, "app=web", 1, 60).into_iter().find(|p| *p != pod).expect("replacement");
    env.wait_running(&ns.name, &replacement, 60);
    env.wait_running(&ns.name, &pod, 1);
    let pods = get_json(env, &ns.name, &["pods"]);
    assert_eq!(pods["items"].as_array().unwrap().len(), 2, "suspect + replacement");

    // isolating again with the same flags changes nothing
    let again = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--detach", "-o", "json"]);
    assert_eq!(again["nothing_to_do"], true, "{}", again["changes"]);
    assert_eq!(get_json(env, &ns.name, &["pod", &pod])["metadata"]["resourceVersion"], after["metadata"]["resourceVersion"]);

    // release --restore-labels: labels and annotations as before, with a warning about adoption
    let out = env.kforensic(&["release", "pod", &pod, "-n", &ns.name, "--restore-labels"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("may adopt it again"), "{}", stderr(&out));
    let restored = get_json(env, &ns.name, &["pod", &pod]);
    assert_eq!(labels(&restored), labels(&before));
    assert_eq!(annotations(&restored), annotations(&before));
    assert!(policies(env, &ns.name).is_empty());
}

/// Uncordons the node on drop (even when the test fails) if the test left it cordoned.
struct Uncordon(&'static TestEnv);
impl Drop for Uncordon {
    fn drop(&mut self) {
        let _ = self.0.kubectl_raw(&["uncordon", NODE], None);
        let _ = self.0.kubectl_raw(&["annotate", "node", NODE, "kforensic.io/cordon-"], None);
    }
}

fn node(env: &TestEnv) -> Value {
    serde_json::from_str(&env.kubectl(&["get", "node", NODE, "-o", "json"])).unwrap()
}

#[test]
fn cordon_marks_the_node_and_release_uncordons_only_what_kforensic_cordoned() {
    let Some(env) = support::require("cordon_marks_the_node", CLUSTER) else { return };
    let ns = env.namespace("iso-cordon");
    let pod = deploy_web(env, &ns);
    let _serial = CORDON.lock().unwrap_or_else(|p| p.into_inner());
    let before = node(env);
    assert!(before["spec"]["unschedulable"].is_null(), "node already cordoned before the test: {}", before["spec"]);
    let _guard = Uncordon(env);

    let r = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--cordon", "--case-id", "case-cordon-1", "-o", "json"]);
    let n = node(env);
    assert_eq!(n["spec"]["unschedulable"], true);
    let nrec: Value = serde_json::from_str(n["metadata"]["annotations"]["kforensic.io/cordon"].as_str().unwrap()).unwrap();
    assert_eq!(nrec, json!({"cases": ["case-cordon-1"], "was_unschedulable": false}));
    assert_eq!(r["node"], NODE);
    kf_json(env, &["release", "pod", &pod, "-n", &ns.name, "-o", "json"]);
    let n = node(env);
    assert!(n["spec"]["unschedulable"].is_null(), "{}", n["spec"]);
    assert_eq!(annotations(&n), annotations(&before));

    // a node someone else cordoned stays cordoned after release
    env.kubectl(&["cordon", NODE]);
    let r = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--cordon", "--case-id", "case-cordon-2", "-o", "json"]);
    assert!(r["warnings"].to_string().contains("already unschedulable"), "{}", r["warnings"]);
    kf_json(env, &["release", "pod", &pod, "-n", &ns.name, "-o", "json"]);
    let n = node(env);
    assert_eq!(n["spec"]["unschedulable"], true, "release uncordoned a node kforensic had not cordoned");
    assert_eq!(annotations(&n), annotations(&before));
    env.kubectl(&["uncordon", NODE]);

    // the pod is deleted while isolated (its record goes with it): release --case-id cleans up
    kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--cordon", "--case-id", "case-cordon-3", "-o", "json"]);
    assert_eq!(node(env)["spec"]["unschedulable"], true);
    env.kubectl(&["-n", &ns.name, "delete", "pod", &pod, "--force", "--grace-period=0"]);
    let gone = env.kforensic(&["release", "pod", &pod, "-n", &ns.name]);
    assert_eq!(gone.status.code(), Some(1), "without a case id there is nothing to go by");
    let r = kf_json(env, &["release", "pod", &pod, "-n", &ns.name, "--case-id", "case-cordon-3", "-o", "json"]);
    assert!(r["warnings"][0].as_str().unwrap().contains("not found"), "{}", r["warnings"]);
    let n = node(env);
    assert!(n["spec"]["unschedulable"].is_null(), "{}", n["spec"]);
    assert_eq!(annotations(&n), annotations(&before));
    assert!(policies(env, &ns.name).is_empty());
}

#[test]
fn dry_run_prints_the_objects_and_patches_and_touches_nothing() {
    let Some(env) = support::require("dry_run_touches_nothing", CLUSTER) else { return };
    let ns = env.namespace("iso-dry");
    let pod = deploy_web(env, &ns);
    let rv = |what: &[&str]| get_json(env, &ns.name, what)["metadata"]["resourceVersion"].clone();
    let (pod_rv, rs_list, svc_rv) = (rv(&["pod", &pod]), get_json(env, &ns.name, &["replicasets"]), rv(&["service", "web"]));
    let node_before = node(env);

    let r = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--detach", "--cordon", "--allow-dns", "--dry-run", "-o", "json"]);
    assert_eq!(r["dry_run"], true);
    let case = r["case_id"].as_str().unwrap();
    let np = &r["plan"]["create_network_policy"];
    assert_eq!(np["kind"], "NetworkPolicy");
    assert_eq!(np["spec"]["policyTypes"], json!(["Ingress", "Egress"]));
    assert_eq!(np["spec"]["podSelector"]["matchLabels"]["kforensic.io/quarantine"], case);
    let pl = &r["plan"]["pod_patch"]["metadata"]["labels"];
    assert_eq!(pl["kforensic.io/quarantine"], case);
    assert!(pl["app"].is_null() && pl.as_object().unwrap().contains_key("app"), "detach removes app: {pl}");
    assert_eq!(r["plan"]["node_patch"]["spec"]["unschedulable"], true);

    let yaml = env.kforensic(&["isolate", "pod", &pod, "-n", &ns.name, "--detach", "--dry-run", "-o", "yaml"]);
    assert!(yaml.status.success());
    assert!(stdout(&yaml).contains("kind: NetworkPolicy"), "{}", stdout(&yaml));

    assert_eq!(rv(&["pod", &pod]), pod_rv);
    assert_eq!(rv(&["service", "web"]), svc_rv);
    let rs_after = get_json(env, &ns.name, &["replicasets"]);
    let rvs = |l: &Value| l["items"].as_array().unwrap().iter().map(|i| i["metadata"]["resourceVersion"].clone()).collect::<Vec<_>>();
    assert_eq!(rvs(&rs_after), rvs(&rs_list));
    assert!(policies(env, &ns.name).is_empty());
    let node_after = node(env);
    assert_eq!(node_after["spec"], node_before["spec"]);
    assert_eq!(annotations(&node_after), annotations(&node_before));
}

#[test]
fn a_user_who_cannot_create_networkpolicies_gets_one_line_and_the_pod_stays_unlabelled() {
    let Some(env) = support::require("a_user_who_cannot_create_networkpolicies", CLUSTER) else { return };
    let ns = env.namespace("iso-rbac");
    let pod = deploy_web(env, &ns);
    env.apply(&format!(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: pods-only, namespace: {ns}}}
rules:
- apiGroups: [""]
  resources: [pods]
  verbs: [get, list, patch]
- apiGroups: [networking.k8s.io]
  resources: [networkpolicies]
  verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: viewer-pods-only, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: pods-only}}
subjects: [{{apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer}}]
"#,
        ns = ns.name
    ));
    let before = get_json(env, &ns.name, &["pod", &pod]);
    let out = env.kforensic_as(env.view_kubeconfig(), &["isolate", "pod", &pod, "-n", &ns.name]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.starts_with(&format!("error: permission denied: cannot create networkpolicies in namespace {}", ns.name)), "{err}");
    let after = get_json(env, &ns.name, &["pod", &pod]);
    assert_eq!(labels(&after), labels(&before), "pod left labelled without its policy");
    assert_eq!(annotations(&after), annotations(&before));
    assert_eq!(after["metadata"]["resourceVersion"], before["metadata"]["resourceVersion"]);
    assert!(policies(env, &ns.name).is_empty());
}

#[test]
fn a_missing_pod_is_named_with_its_namespace() {
    let Some(env) = support::require("a_missing_pod_is_named", CLUSTER) else { return };
    let ns = env.namespace("iso-missing");
    for cmd in ["isolate", "release"] {
        let out = env.kforensic(&[cmd, "pod", "nope", "-n", &ns.name]);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(stderr(&out).trim_end(), format!("error: pod 'nope' not found in namespace '{}'", ns.name));
    }
    assert!(policies(env, &ns.name).is_empty());
}

#[test]
fn two_pods_of_one_case_share_the_policy_until_the_last_is_released() {
    let Some(env) = support::require("two_pods_of_one_case_share_the_policy", CLUSTER) else { return };
    let ns = env.namespace("iso-shared");
    let _ = deploy_web(env, &ns);
    env.kubectl(&["-n", &ns.name, "scale", "deployment", "web", "--replicas=2"]);
    let pods = wait_pods(env, &ns.name, "app=web", 2, 60);
    for p in &pods {
        env.wait_running(&ns.name, p, 60);
        kf_json(env, &["isolate", "pod", p, "-n", &ns.name, "--case-id", "case-shared", "-o", "json"]);
    }
    assert_eq!(policies(env, &ns.name).len(), 1);
    let r = kf_json(env, &["release", "pod", &pods[0], "-n", &ns.name, "-o", "json"]);
    assert_eq!(r["changes"][0]["action"], "keep", "{}", r["changes"]);
    assert_eq!(policies(env, &ns.name).len(), 1, "still isolates the second pod");
    kf_json(env, &["release", "pod", &pods[1], "-n", &ns.name, "-o", "json"]);
    assert!(policies(env, &ns.name).is_empty());
}

/// A Role for `viewer` in `ns` with `rules` (YAML list items).
fn grant_viewer(env: &TestEnv, ns: &str, rules: &str) {
    env.apply(&format!(
        r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {{name: kf-test, namespace: {ns}}}
rules:
{rules}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {{name: viewer-kf-test, namespace: {ns}}}
roleRef: {{apiGroup: rbac.authorization.k8s.io, kind: Role, name: kf-test}}
subjects: [{{apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer}}]
"#
    ));
}

#[test]
fn a_failed_pod_patch_deletes_the_policy_it_just_created() {
    let Some(env) = support::require("a_failed_pod_patch_deletes_the_policy", CLUSTER) else { return };
    let ns = env.namespace("iso-rollback");
    let pod = deploy_web(env, &ns);
    // may create and delete policies, may not patch pods
    grant_viewer(
        env,
        &ns.name,
        "- {apiGroups: [\"\"], resources: [pods], verbs: [get, list]}\n- {apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [get, create, delete]}",
    );
    let before = get_json(env, &ns.name, &["pod", &pod]);
    let out = env.kforensic_as(env.view_kubeconfig(), &["isolate", "pod", &pod, "-n", &ns.name, "--case-id", "case-rb"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let err = stderr(&out);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("permission denied: cannot patch pods in namespace {}", ns.name)), "{err}");
    assert!(err.contains("rolled back: deleted networkpolicy kforensic-quarantine-case-rb"), "{err}");
    assert!(policies(env, &ns.name).is_empty(), "policy left behind");
    assert_eq!(get_json(env, &ns.name, &["pod", &pod])["metadata"]["resourceVersion"], before["metadata"]["resourceVersion"]);
}

#[test]
fn the_shipped_cluster_role_is_enough_for_isolate_detach_and_release() {
    let Some(env) = support::require("the_shipped_cluster_role_is_enough", CLUSTER) else { return };
    let ns = env.namespace("iso-role");
    let pod = deploy_web(env, &ns);
    let role = std::fs::read_to_string(support::repo_root().join("deploy/rbac-isolate.yaml")).unwrap();
    env.apply(&role);
    // namespaced grant only: cluster-wide bindings would change what `viewer` may do for other tests
    env.kubectl(&["-n", &ns.name, "create", "rolebinding", "viewer-isolate", "--clusterrole=kforensic-isolate", "--user=viewer"]);
    let before = get_json(env, &ns.name, &["pod", &pod]);
    let view = env.view_kubeconfig();
    let out = env.kforensic_as(view, &["isolate", "pod", &pod, "-n", &ns.name, "--detach", "--allow-dns", "-o", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert!(r["operator"].as_str().unwrap().starts_with("viewer"), "{}", r["operator"]);
    assert_eq!(policies(env, &ns.name).len(), 1);
    let out = env.kforensic_as(view, &["release", "pod", &pod, "-n", &ns.name, "--restore-labels"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let after = get_json(env, &ns.name, &["pod", &pod]);
    assert_eq!(labels(&after), labels(&before));
    assert_eq!(annotations(&after), annotations(&before));
    assert!(policies(env, &ns.name).is_empty());
}

/// Deletes the namespace on drop (its DaemonSets first, so no later detection sees them).
struct DropNs(&'static TestEnv, &'static str);
impl Drop for DropNs {
    fn drop(&mut self) {
        let _ = self.0.kubectl_raw(&["-n", self.1, "delete", "daemonsets", "--all"], None);
        let _ = self.0.kubectl_raw(&["delete", "namespace", self.1, "--wait=false"], None);
    }
}

#[test]
fn a_network_plugin_known_to_enforce_policies_is_recognised_and_silences_the_warning() {
    let Some(env) = support::require("a_network_plugin_known_to_enforce_policies", CLUSTER) else { return };
    let ns = env.namespace("iso-cni");
    let pod = deploy_web(env, &ns);
    let before = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--dry-run", "-o", "json"]);
    if before["network_plugin"]["enforcement"] != "unknown" {
        eprintln!("SKIP a_network_plugin_known_to_enforce_policies: the cluster already runs {}", before["network_plugin"]);
        return;
    }
    assert!(before["warnings"].to_string().contains("cannot tell whether this cluster enforces NetworkPolicy"));
    // a calico-node DaemonSet (as the Tigera operator installs it) that runs on no node
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let out = env.kubectl_raw(&["get", "namespace", "calico-system", "-o", "jsonpath={.status.phase}"], None);
        if !out.status.success() {
            break;
        }
        if stdout(&out) != "Terminating" || Instant::now() > deadline {
            eprintln!("SKIP a_network_plugin_known_to_enforce_policies: namespace calico-system exists ({})", stdout(&out));
            return;
        }
        std::thread::sleep(Duration::from_millis(500)); // an earlier run's, going away
    }
    env.kubectl(&["create", "namespace", "calico-system"]);
    let _cleanup = DropNs(env, "calico-system");
    env.apply(
        r#"
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: calico-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      nodeSelector: {kforensic.io/no-such-node: "true"}
      containers: [{name: c, image: test.local/busybox:1, command: [sleep, "1"]}]
"#,
    );
    let r = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--dry-run", "-o", "json"]);
    assert_eq!(r["network_plugin"]["plugins"], json!(["calico"]));
    assert_eq!(r["network_plugin"]["enforcement"], "enforces");
    assert!(!r["warnings"].to_string().contains("NetworkPolicy"), "{}", r["warnings"]);
}

#[test]
fn other_policies_that_allow_traffic_are_warned_about_and_detach_leaves_them() {
    let Some(env) = support::require("other_policies_that_allow_traffic", CLUSTER) else { return };
    let ns = env.namespace("iso-holes");
    let pod = deploy_web(env, &ns);
    env.apply(&format!(
        r#"
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow-web, namespace: {ns}}}
spec:
  podSelector: {{matchLabels: {{app: web}}}}
  ingress: [{{}}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: allow-dns-everywhere, namespace: {ns}}}
spec:
  podSelector: {{}}
  policyTypes: [Egress]
  egress: [{{ports: [{{port: 53, protocol: UDP}}]}}]
"#,
        ns = ns.name
    ));
    let warnings = |r: &Value| r["warnings"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect::<Vec<_>>();
    let dry = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--dry-run", "-o", "json"]);
    let w = warnings(&dry);
    assert!(w.iter().any(|w| w.starts_with("networkpolicy allow-web selects it")), "{w:?}");
    assert!(w.iter().any(|w| w.starts_with("networkpolicy allow-dns-everywhere selects every pod")), "{w:?}");

    let r = kf_json(env, &["isolate", "pod", &pod, "-n", &ns.name, "--detach", "-o", "json"]);
    let w = warnings(&r);
    assert!(!w.iter().any(|w| w.contains("allow-web")), "{w:?}");
    assert!(w.iter().any(|w| w.starts_with("networkpolicy allow-dns-everywhere selects every pod")), "{w:?}");
    let d = r["record"]["changes"].as_array().unwrap().iter().find(|c| c["change"] == "detach").unwrap().clone();
    assert_eq!(d["policies"], json!(["allow-web"]));
    let l = labels(&get_json(env, &ns.name, &["pod", &pod]));
    let np = get_json(env, &ns.name, &["networkpolicy", "allow-web"]);
    assert!(!selects(&np["spec"]["podSelector"], &l), "{l}");
}

#[test]
fn a_ticket_style_case_id_keeps_its_spelling_in_labels_and_a_dns_form_in_the_policy_name() {
    let Some(env) = support::require("a_ticket_style_case_id_keeps_its_spelling", CLUSTER) else { return };
    let ns = env.namespace("iso-ticket");
    let pod = deploy_web(env, &ns);
    let case = format!("INC-{:04}.a_b", fastrand::u16(..9999));
    // the case id from the environment, the pod as kubectl names it
    let out = support::kf()
        .kubeconfig(env.admin_kubeconfig())
        .env("KFORENSIC_CASE_ID", &case)
        .args(["-n", &ns.name, "-o", "json", "isolate", "pod", &format!("pod/{pod}")])
        .run();
    assert!(out.status.success(), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((r["apiVersion"].as_str(), r["kind"].as_str()), (Some("kforensic.io/v1"), Some("IsolateReport")));
    assert_eq!(r["case_id"], case.as_str());
    let nps = policies(env, &ns.name);
    assert_eq!(nps.len(), 1);
    let name = nps[0]["metadata"]["name"].as_str().unwrap();
    assert_eq!(name, kforensic::cluster::isolate::policy_name(&case));
    assert!(name.starts_with(&format!("kforensic-quarantine-{}-", case.to_ascii_lowercase().replace(['.', '_'], "-"))), "{name}");
    assert_eq!(nps[0]["metadata"]["labels"]["kforensic.io/case"], case.as_str());
    assert_eq!(labels(&get_json(env, &ns.name, &["pod", &pod]))["kforensic.io/quarantine"], case.as_str());
    let rel = kf_json(env, &["release", "pod", &format!("pod/{pod}"), "-n", &ns.name, "-o", "json"]);
    assert_eq!(rel["case_id"], case.as_str());
    assert!(policies(env, &ns.name).is_empty());
}
