//! The summary of an isolate / release run: every change, for the incident record.

use super::record::IsolationRecord;
use crate::cli::output::{TableView, table};
use crate::cluster::cni::CniReport;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
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
pub struct Planned {
    #[serde(skip_serializing_if = "Option::is_none")]
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

impl TableView for Report {
    fn table(&self) -> String {
        let mut s = format!(
            "{} pod {}/{}  case {}  by {}\n",
            self.command, self.namespace, self.pod, self.case_id, self.operator
        );
        if self.dry_run {
            s.push_str("dry run: nothing was changed; this is what would be done\n");
        }
        if self.nothing_to_do {
            s.push_str(match self.command {
                "isolate" => "already isolated as asked: nothing to change\n",
                _ => "nothing to release\n",
            });
        }
        if !self.changes.is_empty() {
            let rows = self.changes.iter().map(|c| vec![c.action.clone(), c.object.clone(), c.detail.clone()]);
            s.push_str(&table(&["ACTION", "OBJECT", "DETAIL"], rows).to_string());
            s.push('\n');
        }
        if let Some(c) = &self.network_plugin {
            s.push_str(&format!("network plugin: {}\n", c.summary()));
        }
        s
    }
}
