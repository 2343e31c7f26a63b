//! A hostile tree in a real container: a directory chain deeper than any recursion cap with a
//! file at its bottom, names that are not UTF-8 and names with a newline. The capture on the real
//! cluster holds all of it: the export (names as bytes), diff.json (names escaped, located in the
//! export), the diff rebuilt offline; nothing is an error, and the bundle verifies.

use crate::checkpoint::{case_id, checkpoint, collector_pods, start_suspect, wait_for};
use crate::support::{self, CLUSTER, require, stderr, stdout};
use serde_json::Value;
use sha2::Digest;
use std::path::Path;

/// 600 directories `d` under /tmp/deep, `bottom` in the last; /tmp/odd-<0xff>/ with a file named
/// `new<LF>line`, and a file named `%41` (a `%` must not read as an escape).
const HOSTILE: &str = r#"mkdir /tmp/deep && cd /tmp/deep && i=0; while [ $i -lt 600 ]; do mkdir d && cd d || exit 1; i=$((i+1)); done; echo deepest-bytes > bottom; cd /; O="/tmp/odd-$(printf '\377')"; mkdir "$O" && echo newline-bytes > "$O/new$(printf '\nline')" && echo pct > /tmp/%41 && echo ready; exec sleep 100000"#;

/// Every member of a tar (zstd-compressed when `zst`): name bytes and data.
fn members(p: &Path, zst: bool) -> Vec<(Vec<u8>, Vec<u8>)> {
    let f = std::fs::File::open(p).unwrap();
    let r: Box<dyn std::io::Read> = if zst { Box::new(zstd::Decoder::new(f).unwrap()) } else { Box::new(f) };
    let mut a = tar::Archive::new(r);
    let mut out = vec![];
    for e in a.entries().unwrap() {
        let mut e = e.unwrap();
        let mut data = vec![];
        std::io::Read::read_to_end(&mut e, &mut data).unwrap();
        out.push((e.path_bytes().into_owned(), data));
    }
    out
}

fn data_of<'a>(m: &'a [(Vec<u8>, Vec<u8>)], name: &[u8]) -> Option<&'a [u8]> {
    m.iter().find(|(n, _)| n == name).map(|(_, d)| d.as_slice())
}

#[test]
fn a_600_deep_directory_and_names_that_are_not_utf8_or_hold_a_newline_are_all_captured() {
    let Some(env) = require("a_600_deep_directory_and_names_that_are_not_utf8_or_hold_a_newline_are_all_captured", CLUSTER) else {
        return;
    };
    let ns = env.namespace("ckpt-tree");
    start_suspect(env, &ns.name, "suspect", HOSTILE);
    wait_for(60, || env.kubectl(&["-n", &ns.name, "logs", "suspect"]).contains("ready").then_some(())).expect("suspect ready");
    let dir = tempfile::tempdir().unwrap();
    let case = case_id("tree");
    let out = checkpoint(env, env.admin_kubeconfig(), &ns.name, "suspect", &case, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["complete"], true, "{}", report["manifest"]["errors"]);
    let bundle = dir.path().join(&case);
    let c = bundle.join(format!("pods/{}/suspect/main", ns.name));
    let bottom = [b"tmp/deep/".to_vec(), b"d/".repeat(600), b"bottom".to_vec()].concat();
    let odd = b"tmp/odd-\xff/new\nline".to_vec();

    // the export: the deepest file's bytes, the names as the workload wrote them
    let export = members(&c.join("rootfs.tar.zst"), true);
    assert_eq!(data_of(&export, &bottom), Some(&b"deepest-bytes\n"[..]), "the file 600 directories down");
    assert_eq!(data_of(&export, &odd), Some(&b"newline-bytes\n"[..]));
    assert_eq!(data_of(&export, b"tmp/%41"), Some(&b"pct\n"[..]));

    // diff.json: the names escaped as the histories are, each row located in the export
    let diff: Value = serde_json::from_slice(&std::fs::read(c.join("diff.json")).unwrap()).unwrap();
    assert_eq!(diff["names"], "escaped");
    let row = |path: &str| {
        diff["changes"].as_array().unwrap().iter().find(|r| r["path"] == path).cloned().unwrap_or_else(|| panic!("no row {path}"))
    };
    let deepest = row(&format!("/tmp/deep/{}bottom", "d/".repeat(600)));
    assert_eq!(deepest["kind"], "A");
    assert_eq!(deepest["sha256"], hex::encode(sha2::Sha256::digest(b"deepest-bytes\n")));
    assert!(deepest["tar_offset"].is_u64(), "{deepest}");
    assert!(row("/tmp/odd-%FF/new%0Aline")["tar_offset"].is_u64());
    assert!(row("/tmp/%2541")["tar_offset"].is_u64());

    // the diff rebuilt offline from the export: the same bytes under the same names
    let rebuilt = dir.path().join("diff.tar");
    let x = support::kforensic(&["-o", "json", "analyze", bundle.to_str().unwrap(), "--extract-diff", "--out", rebuilt.to_str().unwrap()]);
    assert!(x.status.success(), "{}{}", stdout(&x), stderr(&x));
    let xr: Value = serde_json::from_slice(&x.stdout).unwrap();
    assert_eq!(xr["problems"], serde_json::json!([]), "{xr}");
    let diff_tar = members(&rebuilt, false);
    assert_eq!(data_of(&diff_tar, &bottom), Some(&b"deepest-bytes\n"[..]));
    assert_eq!(data_of(&diff_tar, &odd), Some(&b"newline-bytes\n"[..]));
    assert_eq!(data_of(&diff_tar, b"tmp/%41"), Some(&b"pct\n"[..]));

    let v = support::kforensic(&["verify", bundle.to_str().unwrap()]);
    assert_eq!(v.status.code(), Some(0), "verify: {}{}", stdout(&v), stderr(&v));
    assert_eq!(collector_pods(env, "kforensic", &case), "", "collector pod left behind");
}
