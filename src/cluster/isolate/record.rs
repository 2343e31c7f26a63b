//! The isolation record: JSON in the pod's `kforensic.io/isolation` annotation listing every change
//! kforensic made (who, when, what). `release` undoes exactly what it lists and nothing else.
//! The node keeps its own small record (`kforensic.io/cordon`) because several cases may hold a
//! cordon on the same node.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const SCHEMA: &str = "kforensic.io/isolation/v1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct IsolationRecord {
    pub schema: String,
    pub case_id: String,
    pub changes: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Entry {
    /// RFC 3339, UTC.
    pub at: String,
    /// The user the API server authenticated (SelfSubjectReview), else the kubeconfig user name.
    pub by: String,
    #[serde(flatten)]
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    /// The deny-all NetworkPolicy for this case in the pod's namespace. `created` is false when it
    /// already existed (another pod of the same case in this namespace): release then deletes it only
    /// once no pod of the case is left labelled.
    NetworkPolicy { name: String, allow_dns: bool, created: bool },
    /// The quarantine label the NetworkPolicy selects.
    Label { key: String, value: String },
    /// Labels removed so that no controller or Service selects the pod any more.
    Detach {
        removed_labels: BTreeMap<String, String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        controller: Option<ObjectRef>,
        #[serde(default)]
        services: Vec<String>,
        /// Other NetworkPolicies that allowed traffic to or from the pod and no longer select it.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        policies: Vec<String>,
    },
    /// The pod's node was marked unschedulable (or already was: `was_unschedulable`).
    Cordon { node: String, was_unschedulable: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ObjectRef {
    pub kind: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind, self.name)
    }
}

impl IsolationRecord {
    pub fn new(case_id: &str) -> Self {
        IsolationRecord { schema: SCHEMA.into(), case_id: case_id.into(), changes: vec![] }
    }

    /// Parse the annotation's text (written by kforensic, but editable by anyone who can patch pods).
    pub fn parse(text: &str) -> Result<Self, String> {
        let r: IsolationRecord = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if r.schema != SCHEMA {
            return Err(format!("unknown schema '{}' (expected '{SCHEMA}')", r.schema));
        }
        Ok(r)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn network_policy(&self) -> Option<(&str, bool)> {
        self.changes.iter().find_map(|e| match &e.change {
            Change::NetworkPolicy { name, allow_dns, .. } => Some((name.as_str(), *allow_dns)),
            _ => None,
        })
    }
    pub fn detach(&self) -> Option<&BTreeMap<String, String>> {
        self.changes.iter().find_map(|e| match &e.change {
            Change::Detach { removed_labels, .. } => Some(removed_labels),
            _ => None,
        })
    }
    pub fn cordon_node(&self) -> Option<&str> {
        self.changes.iter().find_map(|e| match &e.change {
            Change::Cordon { node, .. } => Some(node.as_str()),
            _ => None,
        })
    }
    pub fn has_label(&self) -> bool {
        self.changes.iter().any(|e| matches!(e.change, Change::Label { .. }))
    }
}

/// The node's annotation: which cases hold a cordon, and whether the node was unschedulable before
/// the first of them (then kforensic never uncordons it).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct NodeCordonRecord {
    pub cases: Vec<String>,
    pub was_unschedulable: bool,
}

impl NodeCordonRecord {
    pub fn parse(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trips_with_flat_change_entries() {
        let mut r = IsolationRecord::new("case-1");
        r.changes.push(Entry {
            at: "2026-11-25T15:00:00Z".into(),
            by: "admin".into(),
            change: Change::NetworkPolicy { name: "kforensic-quarantine-case-1".into(), allow_dns: true, created: true },
        });
        r.changes.push(Entry {
            at: "2026-11-25T15:00:00Z".into(),
            by: "admin".into(),
            change: Change::Detach {
                removed_labels: [("app".to_string(), "web".to_string())].into(),
                controller: Some(ObjectRef { kind: "ReplicaSet".into(), name: "web-1".into() }),
                services: vec!["web".into()],
                policies: vec![],
            },
        });
        let json = r.to_json();
        assert!(json.contains(r#""change":"network-policy""#), "{json}");
        assert_eq!(IsolationRecord::parse(&json).unwrap(), r);
        assert_eq!(r.network_policy(), Some(("kforensic-quarantine-case-1", true)));
        assert_eq!(r.detach().unwrap()["app"], "web");
        assert_eq!(r.cordon_node(), None);
    }

    #[test]
    fn hostile_or_foreign_annotations_are_refused_not_trusted() {
        assert!(IsolationRecord::parse("not json").is_err());
        assert!(IsolationRecord::parse(r#"{"schema":"other","case_id":"x","changes":[]}"#).is_err());
        assert!(
            IsolationRecord::parse(
                r#"{"schema":"kforensic.io/isolation/v1","case_id":"x","changes":[{"at":"","by":"","change":"rm-rf"}]}"#
            )
            .is_err()
        );
    }
}
