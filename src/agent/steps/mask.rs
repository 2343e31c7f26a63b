//! `--mask-env`: environment values replaced by `sha256:<hex>` of the value, for a responder who
//! must not carry the workload's secrets. Names stay, and equal values stay equal (a value seen
//! elsewhere can still be matched by its hash). Off by default: the values are evidence.

use serde_json::Value;

/// `NAME=value` → `NAME=sha256:<hex of value>`; a line without `=` is hashed whole.
pub fn mask_assignment(kv: &str) -> String {
    match kv.split_once('=') {
        Some((k, v)) => format!("{k}={}", hashed(v)),
        None => hashed(kv),
    }
}

fn hashed(v: &str) -> String {
    format!("sha256:{}", hex::encode(crate::evidence::hash::Sha256::digest(v.as_bytes())))
}

/// Mask every `env` / `Env` list of `NAME=value` strings in a JSON document (OCI config,
/// docker inspect), wherever it is.
pub fn mask_json(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k.eq_ignore_ascii_case("env")
                    && let Value::Array(items) = val
                {
                    for it in items.iter_mut() {
                        if let Value::String(s) = it {
                            *s = mask_assignment(s);
                        }
                    }
                } else {
                    mask_json(val);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_json),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_hashes_and_names_stay() {
        let m = mask_assignment("DB_PASSWORD=hunter2");
        assert!(m.starts_with("DB_PASSWORD=sha256:") && !m.contains("hunter2"), "{m}");
        assert_eq!(m, mask_assignment("DB_PASSWORD=hunter2"), "equal values stay equal");
        let mut doc = serde_json::json!({"runtime": {"process": {"env": ["A=secret-1", "PATH=/bin"]}}, "docker": {"Config": {"Env": ["B=secret-2"]}}});
        mask_json(&mut doc);
        let text = doc.to_string();
        assert!(!text.contains("secret-1") && !text.contains("secret-2") && text.contains("\"A=sha256:"), "{text}");
    }
}
