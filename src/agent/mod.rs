//! Node side: find a container, capture inspect / diff / export / volatile state. Never talks to the Kubernetes API.

mod error;
pub mod memory;

pub use error::AgentError;
