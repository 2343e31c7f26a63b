//! S3 as a bundle store (aws-sdk-s3): [`S3Store`] behind `evidence::store::Store`, the client from
//! the standard credential chain, multipart upload with checksums, the node's streaming
//! [`S3Sink`], and reading a bundle back for `verify`.

pub mod client;
pub mod error;
pub(crate) mod object;
pub mod options;
pub mod read;
pub mod sink;
pub mod store;
pub mod upload;
pub mod url;

pub use client::{ConnectOptions, S3, connect};
pub use error::S3Error;
pub use options::{LockMode, Sse, UploadOptions};
pub use sink::S3Sink;
pub use store::S3Store;
pub use url::S3Url;
