//! The S3 sink (aws-sdk-s3): client from the standard credential chain, multipart upload with
//! checksums, and reading a bundle back for `verify`.

pub mod client;
pub mod error;
pub(crate) mod object;
pub mod options;
pub mod read;
pub mod sink;
pub mod upload;

pub use client::{connect, ConnectOptions, S3};
pub use error::S3Error;
pub use sink::S3Sink;
pub use options::{LockMode, Sse, UploadOptions};
