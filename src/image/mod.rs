//! The collector image, made from a kforensic binary itself: no Dockerfile, no builder. `files`
//! decides what goes in (the binary, and for a dynamically linked build the interpreter and the
//! shared libraries it loads, found as the loader finds them), `oci` lays it out as a
//! reproducible OCI image (one layer, fixed times and owners, sorted entries: the same binary
//! always gives the same digest) and writes an OCI archive, `reference` parses image references,
//! `registry` pushes over the OCI distribution API and `credentials` reads Docker's credential
//! configuration.

pub mod credentials;
pub mod files;
pub mod oci;
pub mod reference;
pub mod registry;

pub use oci::{Image, ImageSet};
pub use reference::Reference;

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("cannot read {path}: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path} is not a usable executable: {why}")]
    NotExecutable { path: PathBuf, why: String },
    #[error("{path} is built for ELF machine {machine}; images are made for x86_64 and aarch64 binaries")]
    UnsupportedArch { path: PathBuf, machine: u16 },
    #[error(
        "{name} (needed by {needed_by}) is not in {searched}: copy the library there, or build a static binary (cargo build --target <arch>-unknown-linux-musl)"
    )]
    LibraryNotFound { name: String, needed_by: String, searched: String },
    #[error("two binaries for {0}: give one binary per architecture")]
    DuplicateArch(String),
    #[error("'{reference}' is not an image reference: {why}")]
    BadReference { reference: String, why: String },
    #[error("cannot reach the registry {registry}: {message}")]
    Connect { registry: String, message: String },
    #[error("the registry {registry} refused {what}: HTTP {status}{detail}")]
    Registry { registry: String, what: String, status: u16, detail: String },
    #[error("credentials for {registry}: {message}")]
    Credentials { registry: String, message: String },
}

impl ImageError {
    /// Errors in what the user typed.
    pub fn is_usage(&self) -> bool {
        matches!(self, ImageError::BadReference { .. } | ImageError::DuplicateArch(_))
    }
}
