//! `kforensic preflight`: incident readiness, checked before an incident.

use super::{ClusterCtx, ClusterError};
use crate::cli::output::TableView;
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct PreflightReport {
    pub server: String,
    pub version: String,
    pub ready: bool,
}

pub async fn run(ctx: &ClusterCtx, _collector_ns: &str) -> Result<PreflightReport, ClusterError> {
    Ok(PreflightReport { server: ctx.server.clone(), version: ctx.version.git_version.clone(), ready: false })
}

impl TableView for PreflightReport {
    fn table(&self) -> String {
        format!("cluster {} ({})\n", self.server, self.version)
    }
}
