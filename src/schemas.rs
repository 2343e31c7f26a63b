//! The JSON Schemas of the bundle's files and of the `-o json` reports, generated from the types
//! (test builds derive `schemars::JsonSchema` on them) and committed under `docs/src/schemas/`.
//! The test fails when a type changed and the committed schema did not; `scripts/gen-docs`
//! (which sets `KF_REGENERATE_DOCS=1`) rewrites them.

use schemars::{JsonSchema, Schema, schema_for};
use serde_json::{Value, json};
use std::path::PathBuf;

/// What one schema file describes.
enum Doc {
    /// A file of the bundle (or a record kforensic writes); `schema` is the value of its `schema`
    /// field, when it has one.
    Bundle { schema: Option<&'static str> },
    /// A report printed with `-o json|yaml`: `apiVersion` and `kind` come first.
    Report { kind: &'static str },
}

fn schema<T: JsonSchema>(doc: Doc) -> Value {
    let mut s: Schema = schema_for!(T);
    let obj = s.as_object_mut().expect("every documented type is an object");
    match doc {
        Doc::Bundle { schema: Some(id) } => {
            obj["properties"]["schema"] = json!({"type": "string", "const": id});
        }
        Doc::Bundle { schema: None } => {}
        Doc::Report { kind } => {
            let props = obj["properties"].as_object_mut().expect("a report has properties");
            props.insert("apiVersion".into(), json!({"type": "string", "const": crate::app::output::API_VERSION}));
            props.insert("kind".into(), json!({"type": "string", "const": kind}));
            let required = obj.entry("required").or_insert_with(|| json!([]));
            let list = required.as_array_mut().expect("required is a list");
            list.insert(0, json!("kind"));
            list.insert(0, json!("apiVersion"));
        }
    }
    s.to_value()
}

/// Every schema file: its name under `docs/src/schemas/` and its content.
fn schemas() -> Vec<(&'static str, Value)> {
    use crate::cluster::checkpoint::CheckpointReport;
    use crate::cluster::isolate::Report as IsolateReport;
    use crate::cluster::isolate::record::IsolationRecord;
    use crate::cluster::preflight::PreflightReport;
    use crate::evidence::custody::CustodyEntry;
    use crate::evidence::{Manifest, UploadReport, VerifyReport};
    vec![
        ("manifest.v1.schema.json", schema::<Manifest>(Doc::Bundle { schema: Some(crate::evidence::manifest::SCHEMA) })),
        ("custody-entry.v1.schema.json", schema::<CustodyEntry>(Doc::Bundle { schema: None })),
        ("checkpoint-report.v1.schema.json", schema::<CheckpointReport>(Doc::Report { kind: "CheckpointReport" })),
        ("verify-report.v1.schema.json", schema::<VerifyReport>(Doc::Report { kind: "VerifyReport" })),
        ("upload-report.v1.schema.json", schema::<UploadReport>(Doc::Report { kind: "UploadReport" })),
        ("preflight-report.v1.schema.json", schema::<PreflightReport>(Doc::Report { kind: "PreflightReport" })),
        ("isolate-report.v1.schema.json", schema::<IsolateReport>(Doc::Report { kind: "IsolateReport" })),
        ("release-report.v1.schema.json", schema::<IsolateReport>(Doc::Report { kind: "ReleaseReport" })),
        // the record `isolate` writes on the pod (annotation kforensic.io/isolation), read by `release`
        (
            "isolation-record.v1.schema.json",
            schema::<IsolationRecord>(Doc::Bundle { schema: Some(crate::cluster::isolate::record::SCHEMA) }),
        ),
    ]
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/src/schemas")
}

fn render(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("a schema serializes");
    s.push('\n');
    s
}

#[test]
fn committed_schemas_are_fresh() {
    let regenerate = std::env::var_os("KF_REGENERATE_DOCS").is_some();
    let mut stale = Vec::new();
    for (name, value) in schemas() {
        let path = dir().join(name);
        let text = render(&value);
        if regenerate {
            std::fs::create_dir_all(dir()).unwrap();
            std::fs::write(&path, &text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(stale.is_empty(), "docs/src/schemas/{stale:?} stale: regenerate with scripts/gen-docs");
    let mut committed: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".schema.json"))
        .collect();
    committed.sort();
    let mut expected: Vec<String> = schemas().into_iter().map(|(n, _)| n.to_string()).collect();
    expected.sort();
    assert_eq!(committed, expected, "docs/src/schemas/ holds a schema no type generates: remove it");
}

#[test]
fn the_schemas_name_their_version_and_reports_their_header() {
    let v = schema::<crate::evidence::Manifest>(Doc::Bundle { schema: Some(crate::evidence::manifest::SCHEMA) });
    assert_eq!(v["properties"]["schema"]["const"], "kforensic.io/evidence/v1");
    let required: Vec<&str> = v["required"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    for k in ["schema", "case_id", "tool", "artifacts", "errors", "complete"] {
        assert!(required.contains(&k), "{k} not required: {required:?}");
    }
    let r = schema::<crate::evidence::VerifyReport>(Doc::Report { kind: "VerifyReport" });
    assert_eq!(r["properties"]["apiVersion"]["const"], "kforensic.io/v1");
    assert_eq!(r["properties"]["kind"]["const"], "VerifyReport");
    assert_eq!(r["required"][0], "apiVersion");
    assert_eq!(r["required"][1], "kind");
    assert!(r["properties"].get("manifest").is_none(), "a skipped field is not in the schema");
}
