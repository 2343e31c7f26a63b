//! Kubernetes API side: client, target resolution, collector pod lifecycle, isolation, triage.

pub mod client;
mod error;
pub mod preflight;
pub mod triage;

pub use client::{ClusterCtx, ConnectOptions};
pub use error::ClusterError;
