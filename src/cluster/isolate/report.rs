//! The summary of an isolate / release run: every change, for the incident record.

use super::record::IsolationRecord;
use crate::cluster::cni::CniReport;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Report {
    /// "isolate" or "release".
    pub command: &'static str,
    pub dry_run: bool,
    pub case_id: String,
    pub namespace: String,
    pub pod: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    pub operator: String,
    /// True when the pod already was in the asked-for state and nothing was changed.
    pub nothing_to_do: bool,
    /// What was done (or, with --dry-run, would be done), in order.
    pub changes: Vec<ChangeLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_plugin: Option<CniReport>,
    /// The objects and patches, exactly as sent (or, with --dry-run, as they would be sent).
    pub plan: Planned,
    /// The record on the pod after this run (isolate), or the one release undid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<IsolationRecord>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct ChangeLine {
    pub action: String,
    pub object: String,
    pub detail: String,
}

impl ChangeLine {
    pub fn new(action: &str, object: impl Into<String>, detail: impl Into<String>) -> Self {
        ChangeLine { action: action.into(), object: object.into(), detail: detail.into() }
    }
}

#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct Planned {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, schemars(with = "Option<serde_json::Value>"))]
    pub create_network_policy: Option<NetworkPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_network_policy: Option<String>,
    /// JSON merge patch of the pod.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pod_patch: Option<serde_json::Value>,
    /// JSON merge patch of the node.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_patch: Option<serde_json::Value>,
}
