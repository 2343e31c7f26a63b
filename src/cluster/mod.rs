//! Kubernetes API side: client, target resolution, collector pod lifecycle, isolation, triage.

pub mod client;
pub mod cni;
mod error;
pub mod isolate;
pub mod preflight;

pub use client::{ClusterCtx, ConnectOptions};
pub use error::ClusterError;
