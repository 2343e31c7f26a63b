//! Evidence bundles: layout, streaming SHA-256, manifest, custody log, sinks (dir, S3), verify.

pub mod artifact;
mod error;
pub mod stream;

pub use artifact::{ArtifactRecord, ArtifactSink, ArtifactSpec, HashingWriter};
pub use error::EvidenceError;
