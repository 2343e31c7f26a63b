//! kforensic: incident-response toolkit for Kubernetes.
//!
//! Data path: `cli` (arguments) → `cluster` (API side) / `agent` (node side) → `evidence`
//! (bundle, hashes, sinks); `analyze` reads checkpoint archives offline. `elf` is the core file
//! layout both the agent (writing) and `analyze` (reading, writing) share.

pub mod agent;
pub mod analyze;
pub mod app;
pub mod cluster;
pub mod elf;
pub mod error;
pub mod evidence;
pub mod image;
pub mod observe;
pub mod protocol;
#[cfg(test)]
mod schemas;
pub mod triage;

pub use error::{Error, Exit};
