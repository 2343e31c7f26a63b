//! Container runtimes on the node: finding a container's processes and host paths from its
//! Kubernetes container ID (any runtime), the runtimes' own records (OCI bundle, runc state,
//! CRI labels), and Docker's engine API. Adding a runtime lands here.

pub mod docker;
pub mod kube_identity;
pub mod locate;
