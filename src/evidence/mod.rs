//! Evidence bundles: layout, streaming SHA-256, manifest, custody log, sinks (dir, S3), verify.

mod error;

pub use error::EvidenceError;
