//! Kubernetes API side: client, target resolution, collector pod lifecycle, isolation, triage.

pub mod client;
pub mod cni;
mod error;
pub mod permissions;
pub mod preflight;
pub mod target;

pub use client::{ClusterCtx, ConnectOptions};
pub use error::ClusterError;
