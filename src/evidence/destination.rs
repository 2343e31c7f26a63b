//! Where a bundle goes: a local directory (default `./evidence`) or `s3://bucket/prefix`.

use super::EvidenceError;
pub use super::s3::S3Url;
use super::s3::{ConnectOptions, S3Store, UploadOptions};
use super::store::{Store, local::LocalStore};
use std::path::{Path, PathBuf};

/// The default local destination: bundles land in `./evidence/<case-id>/`.
pub const DEFAULT_DIR: &str = "evidence";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Local(PathBuf),
    S3(S3Url),
}

impl Destination {
    /// A directory path, or `s3://bucket/prefix`. Any other `scheme://` is refused.
    pub fn parse(s: &str) -> Result<Destination, EvidenceError> {
        if s.starts_with("s3:") || s.starts_with("S3:") {
            return S3Url::parse(s).map(Destination::S3);
        }
        if let Some((scheme, _)) = s.split_once("://")
            && !scheme.is_empty()
            && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'-')
        {
            return Err(bad(s, &format!("'{scheme}://' is not supported: give a directory or s3://bucket/prefix")));
        }
        if s.is_empty() {
            return Err(bad(s, "empty destination"));
        }
        Ok(Destination::Local(PathBuf::from(s)))
    }

    /// The store this destination names, reached and checked (for S3: credentials, region and
    /// bucket, one line on failure). `conn` and `opts` are how S3 is reached and written.
    pub async fn open(&self, conn: &ConnectOptions, opts: &UploadOptions) -> Result<Box<dyn Store>, EvidenceError> {
        Ok(match self {
            Destination::Local(dir) => Box::new(LocalStore::open(dir)?),
            Destination::S3(url) => Box::new(S3Store::open(url, conn, opts).await?),
        })
    }

    /// The local directory a bundle is written to before it goes to this destination
    /// (for S3: `./evidence`, uploaded from there once finalized).
    pub fn staging_dir(&self) -> &Path {
        match self {
            Destination::Local(p) => p,
            Destination::S3(_) => Path::new(DEFAULT_DIR),
        }
    }
}

/// How the command line takes a destination (clap's `value_parser`): a bad one is a usage error
/// naming the reason.
impl std::str::FromStr for Destination {
    type Err = EvidenceError;
    fn from_str(s: &str) -> Result<Destination, EvidenceError> {
        Destination::parse(s)
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Local(p) => write!(f, "{}", p.display()),
            Destination::S3(u) => write!(f, "{u}"),
        }
    }
}

impl Default for Destination {
    fn default() -> Self {
        Destination::Local(PathBuf::from(DEFAULT_DIR))
    }
}

fn bad(url: &str, why: &str) -> EvidenceError {
    EvidenceError::BadUrl { url: url.into(), why: why.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_parse() {
        assert_eq!(Destination::parse("out/dir").unwrap(), Destination::Local("out/dir".into()));
        let Destination::S3(u) = Destination::parse("s3://my-bucket/cases/2026/").unwrap() else { panic!() };
        assert_eq!((u.bucket.as_str(), u.prefix.as_str()), ("my-bucket", "cases/2026"));
        assert_eq!(u.key("manifest.json"), "cases/2026/manifest.json");
        assert_eq!(u.for_case("kf-1").to_string(), "s3://my-bucket/cases/2026/kf-1");
        assert_eq!(u.for_case("kf-1").for_case("kf-1").to_string(), "s3://my-bucket/cases/2026/kf-1");
        let Destination::S3(u) = Destination::parse("s3://bkt").unwrap() else { panic!() };
        assert_eq!(u.key("a"), "a");
    }

    #[test]
    fn bad_urls_are_refused_with_a_reason() {
        for s in ["s3://", "s3:/bucket", "s3://Bad_Bucket/x", "s3://ab", "s3://bkt/a//b", "s3://bkt/../x", "http://x/y", "gs://b/p", ""] {
            let e = Destination::parse(s).unwrap_err();
            assert!(matches!(e, EvidenceError::BadUrl { .. }), "{s}: {e}");
        }
    }
}
