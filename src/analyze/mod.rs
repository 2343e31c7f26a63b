//! Offline analysis of checkpoint archives (kubelet / CRI-O / containerd) and CRIU images.

mod error;

pub use error::AnalyzeError;
