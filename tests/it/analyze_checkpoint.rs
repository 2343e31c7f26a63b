//! `kforensic analyze` on a real checkpoint archive (containerd + CRIU 4.1.1), as a responder
//! would use it: summary, process tree, sockets, files, mounts, rootfs diff, memory.

use crate::support;
use crate::support::analyze_fixture::{self, analyze_json};
use serde_json::Value;
use std::io::Write;

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn implant<'a>(procs: &'a [Value], implant_path: &str) -> &'a Value {
    procs.iter().find(|p| p["exe"].as_str() == Some(implant_path)).unwrap_or_else(|| panic!("no process runs {implant_path}: {procs:#?}"))
}

#[test]
fn summary_names_pod_container_image_runtime_and_criu() {
    let Some(f) = analyze_fixture::get("summary_names_pod_container_image_runtime_and_criu") else { return };
    let r = analyze_json(&[f.tar.to_str().unwrap()]);
    let sm = &r["summary"];
    assert_eq!(sm["pod"], "web-7f9c");
    assert_eq!(sm["namespace"], "kft-analyze");
    assert_eq!(sm["container"], "app");
    assert_eq!(sm["container_id"], f.fact("CONTAINER"));
    assert_eq!(sm["image"], "test.local/busybox:1");
    assert!(s(&sm["image_ref"]).starts_with("sha256:"), "{sm}");
    assert_eq!(sm["runtime"], "io.containerd.runc.v2");
    assert!(s(&sm["criu_version"]).starts_with("4.1.1"), "{sm}");
    // sh (init), the implant, and sleep
    assert_eq!(sm["processes"], 3);
    assert!(sm["memory_pages_bytes"].as_u64().unwrap() > 0);
    assert!(sm["rootfs_diff_bytes"].as_u64().unwrap() > 0);
    assert_eq!(sm["deleted_files"], 1);

    // the table a person reads carries the same facts
    let out = support::kforensic(&["analyze", f.tar.to_str().unwrap()]);
    assert!(out.status.success(), "{}", support::stderr(&out));
    let t = support::stdout(&out);
    for want in ["web-7f9c", "kft-analyze", "test.local/busybox:1", "4.1.1", "io.containerd.runc.v2"] {
        assert!(t.contains(want), "summary table lacks {want}:\n{t}");
    }
}

#[test]
fn ps_tree_shows_the_implant_its_cmdline_env_and_deleted_binary() {
    let Some(f) = analyze_fixture::get("ps_tree_shows_the_implant_its_cmdline_env_and_deleted_binary") else { return };
    let r = analyze_json(&[f.tar.to_str().unwrap(), "--ps-tree", "--cmd", "--env"]);
    let procs = r["processes"].as_array().unwrap();
    let init = procs.iter().find(|p| p["pid"] == 1).expect("pid 1");
    assert_eq!(init["comm"], "sh");
    assert_eq!(init["ppid"], 0);
    assert_eq!(init["cmdline"][0], "sh");
    assert_eq!(init["cmdline"][1], "-c");
    assert!(s(&init["cmdline"][2]).contains("echo planted-by-attacker > /tmp/evil.txt"), "{init}");

    let imp = implant(procs, f.fact("IMPLANT"));
    assert_eq!(imp["comm"], "kworker");
    assert_eq!(imp["ppid"], 1);
    assert_eq!(imp["exe_deleted"], true, "the implant deleted its binary: {imp}");
    assert_eq!(imp["cmdline"], serde_json::json!([f.fact("IMPLANT"), f.fact("SOCKET")]));
    let env: Vec<&str> = imp["env"].as_array().unwrap().iter().map(s).collect();
    assert!(env.contains(&"KF_FIXTURE_ROLE=analyze-target"), "{env:?}");
    // a child is listed after its parent, one level deeper
    let pos = |pid: &Value| procs.iter().position(|p| &p["pid"] == pid).unwrap();
    assert!(pos(&imp["pid"]) > pos(&init["pid"]));
    assert_eq!(imp["depth"], 1);
}

#[test]
fn sockets_show_the_unix_listener_of_the_implant() {
    let Some(f) = analyze_fixture::get("sockets_show_the_unix_listener_of_the_implant") else { return };
    let r = analyze_json(&[f.tar.to_str().unwrap(), "--sockets", "--ps-tree"]);
    let imp_pid = implant(r["processes"].as_array().unwrap(), f.fact("IMPLANT"))["pid"].clone();
    let socks = r["sockets"].as_array().unwrap();
    let l = socks
        .iter()
        .find(|x| x["local"] == f.fact("SOCKET"))
        .unwrap_or_else(|| panic!("no socket bound to {}: {socks:#?}", f.fact("SOCKET")));
    assert_eq!(l["proto"], "unix/stream");
    assert_eq!(l["state"], "LISTEN");
    assert_eq!(l["pid"], imp_pid);

    let files = analyze_json(&[f.tar.to_str().unwrap(), "--files"]);
    let fs = files["files"].as_array().unwrap();
    let exe = fs.iter().find(|x| x["pid"] == imp_pid && x["fd"] == "exe").unwrap();
    assert_eq!(exe["path"], f.fact("IMPLANT"));
    assert_eq!(exe["deleted"], true);
    assert!(fs.iter().any(|x| x["pid"] == imp_pid && x["type"] == "unix" && s(&x["path"]).contains(f.fact("SOCKET"))));
}

#[test]
fn secret_is_found_in_the_implants_heap_and_in_its_memory_dump() {
    let Some(f) = analyze_fixture::get("secret_is_found_in_the_implants_heap_and_in_its_memory_dump") else { return };
    let tar = f.tar.to_str().unwrap();
    let secret = f.fact("SECRET");
    let r = analyze_json(&[tar, "--ps-tree", "--search", secret]);
    let imp_pid = implant(r["processes"].as_array().unwrap(), f.fact("IMPLANT"))["pid"].as_u64().unwrap();
    let hits = r["search"]["hits"].as_array().unwrap();
    assert!(!hits.is_empty(), "secret not found: {r:#}");
    for h in hits {
        assert_eq!(h["pid"].as_u64(), Some(imp_pid), "{h}");
        let a = h["address"].as_u64().unwrap();
        let reg = &h["region"];
        assert!(reg["start"].as_u64().unwrap() <= a && a < reg["end"].as_u64().unwrap(), "{h}");
        assert!(s(&reg["perms"]).starts_with("rw"), "{h}");
        let off = h["context_offset"].as_u64().unwrap() as usize;
        assert_eq!(&s(&h["context"])[off..off + secret.len()], secret);
    }
    assert!(hits.iter().any(|h| h["region"]["name"] == "[heap]"), "malloc'ed secret not in [heap]: {hits:#?}");

    // the same hits with a regular expression; none in another process
    let re = analyze_json(&[tar, "--search-regex", "KF-[A-Z]+-SECRET-[0-9]{4}"]);
    let addrs = |v: &Value| v["search"]["hits"].as_array().unwrap().iter().map(|h| h["address"].as_u64().unwrap()).collect::<Vec<_>>();
    assert_eq!(addrs(&re), addrs(&r));
    let other = analyze_json(&[tar, "--search", secret, "--pid", "1"]);
    assert!(other["search"]["hits"].as_array().unwrap().is_empty());

    // --dump-memory: the bytes at the hit's address in the ELF layout are the secret
    let out = f.dir.join(format!("implant-{}.core", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(format!("{}.map.json", out.display()));
    let d = analyze_json(&[tar, "--dump-memory", &imp_pid.to_string(), "--out", out.to_str().unwrap()]);
    let map: Value = serde_json::from_slice(&std::fs::read(format!("{}.map.json", out.display())).unwrap()).unwrap();
    assert_eq!(map["regions"], d["memory_dump"]["regions"]);
    let core = std::fs::read(&out).unwrap();
    assert_eq!(&core[..4], b"\x7fELF");
    for h in hits {
        let a = h["address"].as_u64().unwrap();
        let reg = map["regions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["start"].as_u64().unwrap() <= a && a < r["end"].as_u64().unwrap())
            .unwrap();
        let at = (reg["file_offset"].as_u64().unwrap() + a - reg["start"].as_u64().unwrap()) as usize;
        assert_eq!(&core[at..at + secret.len()], secret.as_bytes());
    }
    // readelf (binutils) reads our program headers
    if let Ok(o) = std::process::Command::new("readelf").arg("-lW").arg(&out).output() {
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(t.contains("CORE") && t.contains("LOAD"), "{t}");
    }
}

#[test]
fn rootfs_diff_lists_the_planted_and_deleted_files_and_extracts_one() {
    let Some(f) = analyze_fixture::get("rootfs_diff_lists_the_planted_and_deleted_files_and_extracts_one") else { return };
    let tar = f.tar.to_str().unwrap();
    let r = analyze_json(&[tar, "--rootfs-diff"]);
    let changed = r["rootfs_diff"]["changed"].as_array().unwrap();
    let planted = changed.iter().find(|e| e["path"] == f.fact("PLANTED")).unwrap_or_else(|| panic!("{changed:#?}"));
    assert_eq!(planted["kind"], "file");
    assert_eq!(planted["size"], "planted-by-attacker\n".len());
    assert_eq!(r["rootfs_diff"]["deleted"], serde_json::json!([f.fact("DELETED")]));

    let out = f.dir.join(format!("extract-{}", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let _ = std::fs::remove_file(out.join("evil.txt"));
    let x = analyze_json(&[tar, "--extract", f.fact("PLANTED"), "--out", out.to_str().unwrap()]);
    assert_eq!(x["extracted"]["bytes"], 20);
    assert_eq!(std::fs::read_to_string(out.join("evil.txt")).unwrap(), "planted-by-attacker\n");
    // an existing file is never overwritten
    let again = support::kforensic(&["analyze", tar, "--extract", f.fact("PLANTED"), "--out", out.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(1));
    assert!(support::stderr(&again).contains("exists"), "{}", support::stderr(&again));
    // a path that is not in the diff
    let missing = support::kforensic(&["analyze", tar, "--extract", "/etc/shadow", "--out", out.to_str().unwrap()]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(support::stderr(&missing).lines().count(), 1, "{}", support::stderr(&missing));
}

#[test]
fn mounts_come_from_the_oci_spec() {
    let Some(f) = analyze_fixture::get("mounts_come_from_the_oci_spec") else { return };
    let r = analyze_json(&[f.tar.to_str().unwrap(), "--mounts"]);
    let ms = r["mounts"].as_array().unwrap();
    let data = ms.iter().find(|m| m["destination"] == "/data").unwrap_or_else(|| panic!("{ms:#?}"));
    assert_eq!(data["type"], "bind");
    assert!(s(&data["options"]).split(',').any(|o| o == "ro"), "{data}");
    assert!(ms.iter().any(|m| m["destination"] == "/proc" && m["type"] == "proc"));
}

#[test]
fn compressed_archives_and_extracted_directories_read_the_same() {
    let Some(f) = analyze_fixture::get("compressed_archives_and_extracted_directories_read_the_same") else { return };
    let raw = std::fs::read(&f.tar).unwrap();
    let gz = f.dir.join("fixture.tar.gz");
    let mut e = flate2::write::GzEncoder::new(std::fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    e.write_all(&raw).unwrap();
    e.finish().unwrap();
    let zst = f.dir.join("fixture.tar.zst");
    std::fs::write(&zst, zstd::encode_all(&raw[..], 3).unwrap()).unwrap();
    let dir = analyze_fixture::extracted_copy(f, "extracted");

    let base = analyze_json(&[f.tar.to_str().unwrap(), "--search", f.fact("SECRET"), "--ps-tree", "--cmd"]);
    for (p, format) in [(&gz, "tar.gz"), (&zst, "tar.zst"), (&dir, "directory")] {
        let r = analyze_json(&[p.to_str().unwrap(), "--search", f.fact("SECRET"), "--ps-tree", "--cmd"]);
        assert_eq!(r["summary"]["format"], format);
        assert_eq!(r["processes"], base["processes"], "{format}");
        assert_eq!(r["search"]["hits"], base["search"]["hits"], "{format}");
        assert_eq!(r["summary"]["pod"], "web-7f9c");
    }
}
