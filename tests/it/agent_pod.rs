//! `kforensic agent capture` of a container the kubelet runs (CRI layout of a real node): pod
//! identity from the runtime's annotations, /var/log/pods files, volumes in or out of the export.

use crate::support::{self, agent::*, pod::Pod};

#[test]
fn kubelet_pod_container_is_captured_with_its_identity_logs_and_volumes() {
    let Some(env) =
        support::require("kubelet_pod_container_is_captured_with_its_identity_logs_and_volumes", &[support::CLUSTER, &["images"]].concat())
    else {
        return;
    };
    let ns = env.namespace("agent");
    let suspect = Pod::new(&ns.name, "suspect")
        .grace(1)
        .spec("restartPolicy: Never")
        .container("app", env.var("KF_BUSYBOX_IMAGE"))
        .sh("echo secret-in-pod-3131; echo planted > /tmp/p.txt; while true; do sleep 1000; done");
    env.apply(&suspect.yaml());
    env.wait_running(&ns.name, "suspect", 60);
    let cid = env.kubectl(&["-n", &ns.name, "get", "pod", "suspect", "-o", "jsonpath={.status.containerStatuses[0].containerID}"]);
    assert!(cid.starts_with("containerd://"), "{cid}");
    // the first log line and the file are written right after start
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !env.kubectl(&["-n", &ns.name, "logs", "suspect"]).contains("secret-in-pod-3131") {
        assert!(std::time::Instant::now() < deadline, "pod never logged");
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    let out = tempfile::tempdir().unwrap();
    let o = support::kforensic(&[
        "agent",
        "capture",
        "--container",
        &cid,
        "--runc-root",
        env.var("KF_RUNC_ROOT"),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    check_index(out.path());
    // no pod flags given: namespace, pod and container name come from the CRI annotations
    let dir = out.path().join(format!("pods/{}/suspect/app", ns.name));
    let inspect = json(&dir.join("inspect.json"));
    assert_eq!(inspect["identity"]["namespace"], ns.name.as_str());
    assert!(inspect["runtime"]["runc_state"]["init_process_pid"].as_i64().is_some(), "runc state under --runc-root");
    assert!(std::fs::read_to_string(dir.join("logs/node/0.log")).unwrap().contains("secret-in-pod-3131"));
    assert!(changes(&json(&dir.join("diff.json"))).contains(&("A".into(), "/tmp/p.txt".into())));
    let token = "var/run/secrets/kubernetes.io/serviceaccount/token";
    let r = tar_zst_entries(&dir.join("rootfs.tar.zst"));
    assert!(r.contains_key("tmp/p.txt"));
    assert!(
        !r.keys().any(|k| k.starts_with("var/run/secrets/kubernetes.io/serviceaccount/") && k.len() > 46),
        "volume content exported without --include-volumes"
    );
    assert!(!r.contains_key("etc/hosts"), "kubelet's bind-mounted /etc/hosts is not image content");

    // with --include-volumes the service account volume is part of the export
    let out = tempfile::tempdir().unwrap();
    let o = support::kforensic(&[
        "agent",
        "capture",
        "--container",
        &cid,
        "--steps",
        "export",
        "--include-volumes",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let r = tar_zst_entries(&out.path().join(format!("pods/{}/suspect/app/rootfs.tar.zst", ns.name)));
    let tok = r
        .iter()
        .find(|(k, _)| k.starts_with("var/run/secrets/kubernetes.io/serviceaccount/") && k.ends_with("/token") || k.as_str() == token);
    assert!(tok.is_some(), "no token in {:?}", r.keys().filter(|k| k.starts_with("var/")).collect::<Vec<_>>());
}
