//! Secrets as metadata only — name, type, keys, owners, age — unless the responder asks for the
//! values (`--include-secret-values`). Annotations are reduced to their keys: kubectl's
//! `last-applied-configuration` annotation holds the values in clear.

use super::{Produced, RawIdent, Shared, each_item, envelope, finish, line};
use crate::cluster::collect::fetch::{Res, list_params};
use crate::cluster::collect::writer::Out;
use crate::observe::SharedTask as Bar;
use k8s_openapi::api::core::v1::Secret;
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretMeta {
    pub kind: &'static str,
    pub api_version: &'static str,
    pub namespace: Option<String>,
    pub name: String,
    pub uid: Option<String>,
    #[serde(rename = "type")]
    pub type_: Option<String>,
    pub keys: Vec<String>,
    pub owners: Vec<Owner>,
    pub created: Option<String>,
    pub age_seconds: Option<i64>,
    pub labels: BTreeMap<String, String>,
    pub annotation_keys: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct Owner {
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// The metadata record of a secret: never a value.
pub fn metadata_only(s: &Secret, now: jiff::Timestamp) -> SecretMeta {
    let m = &s.metadata;
    let mut keys: Vec<String> = s.data.iter().flat_map(|d| d.keys().cloned()).collect();
    keys.extend(s.string_data.iter().flat_map(|d| d.keys().cloned()));
    keys.sort();
    keys.dedup();
    SecretMeta {
        kind: "Secret",
        api_version: "v1",
        namespace: m.namespace.clone(),
        name: m.name.clone().unwrap_or_default(),
        uid: m.uid.clone(),
        type_: s.type_.clone(),
        keys,
        owners: m
            .owner_references
            .iter()
            .flatten()
            .map(|o| Owner { kind: o.kind.clone(), name: o.name.clone(), uid: o.uid.clone() })
            .collect(),
        created: m.creation_timestamp.as_ref().map(|t| t.0.to_string()),
        age_seconds: m.creation_timestamp.as_ref().map(|t| now.duration_since(t.0).as_secs()),
        labels: m.labels.clone().unwrap_or_default(),
        annotation_keys: m.annotations.iter().flat_map(|a| a.keys().cloned()).collect(),
    }
}

pub async fn run(env: Shared, mut out: Out, bar: Bar) -> Produced {
    let res = Res::core("secrets", "Secret", true);
    let with_values = env.plan.include_secret_values;
    let now = jiff::Timestamp::now();
    let r = async {
        let lp = list_params(env.plan.page_size, None, None);
        let n = each_item(&env, &res, lp, Some(&mut out), &bar, |raw, buf| {
            match serde_json::from_str::<Secret>(raw) {
                Ok(s) if with_values => {
                    let id =
                        RawIdent { name: s.metadata.name.clone(), namespace: s.metadata.namespace.clone(), uid: s.metadata.uid.clone() };
                    envelope(buf, "Secret", "v1", &id, raw);
                }
                Ok(s) => line(buf, &metadata_only(&s, now)),
                // never write what we could not strip
                Err(e) => {
                    let id = super::RawMeta::parse(raw).metadata;
                    line(
                        buf,
                        &serde_json::json!({"kind":"Secret","apiVersion":"v1","namespace":id.namespace,"name":id.name,"uid":id.uid,
                        "error": format!("not decoded, not written: {e}")}),
                    );
                }
            }
            Ok(())
        })
        .await?;
        Ok(Produced { objects: n, ..Produced::default() })
    }
    .await;
    finish(r, vec![out], &bar).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn metadata_never_carries_values() {
        let s: Secret = serde_json::from_value(json!({"metadata":{"name":"s","namespace":"n","creationTimestamp":"2026-01-01T00:00:00Z",
            "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"stringData\":{\"pw\":\"hunter2\"}}"},
            "ownerReferences":[{"apiVersion":"v1","kind":"ServiceAccount","name":"sa","uid":"u"}]},
            "type":"Opaque","data":{"pw":"aHVudGVyMg=="}}))
        .unwrap();
        let now: jiff::Timestamp = "2026-01-01T00:01:00Z".parse().unwrap();
        let text = serde_json::to_string(&metadata_only(&s, now)).unwrap();
        assert!(!text.contains("hunter2") && !text.contains("aHVudGVyMg"), "{text}");
        assert!(text.contains("\"keys\":[\"pw\"]") && text.contains("\"ageSeconds\":60") && text.contains("ServiceAccount"), "{text}");
    }
}
