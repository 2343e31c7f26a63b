//! Kubernetes API side: client, target resolution, collector pod lifecycle, isolation, triage.

pub mod api_evidence;
pub mod client;
pub mod cni;
pub mod collector;
pub mod kubelet;
mod error;
pub mod permissions;
pub mod preflight;
pub mod target;

pub use client::{ClusterCtx, ConnectOptions};
pub use error::ClusterError;
