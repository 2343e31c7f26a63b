//! Node side: find a container, capture inspect / diff / export / volatile state. Never talks to the Kubernetes API.

mod error;
pub mod locate;
pub mod mountinfo;
pub mod procfs;
pub mod safefs;
pub mod target;
pub mod tarwriter;
pub mod walk;

pub use error::AgentError;
