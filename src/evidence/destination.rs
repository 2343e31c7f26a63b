//! Where a bundle goes: a local directory (default `./evidence`) or `s3://bucket/prefix`.

use super::EvidenceError;
use std::path::{Path, PathBuf};

/// The default local destination: bundles land in `./evidence/<case-id>/`.
pub const DEFAULT_DIR: &str = "evidence";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Local(PathBuf),
    S3(S3Url),
}

/// `s3://bucket[/prefix]`; `prefix` has no leading or trailing '/'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub prefix: String,
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

    /// The local directory a bundle is written to before it goes to this destination
    /// (for S3: `./evidence`, uploaded from there once finalized).
    pub fn staging_dir(&self) -> &Path {
        match self {
            Destination::Local(p) => p,
            Destination::S3(_) => Path::new(DEFAULT_DIR),
        }
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

impl S3Url {
    pub fn parse(s: &str) -> Result<S3Url, EvidenceError> {
        let rest = s.strip_prefix("s3://").ok_or_else(|| bad(s, "an S3 destination is written s3://bucket/prefix"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        check_bucket(bucket).map_err(|why| bad(s, &why))?;
        let prefix = prefix.trim_end_matches('/');
        if !prefix.is_empty() {
            if prefix.split('/').any(|c| c.is_empty() || c == "." || c == "..") {
                return Err(bad(s, "the prefix has an empty, '.' or '..' part"));
            }
            if prefix.chars().any(|c| c.is_control()) {
                return Err(bad(s, "the prefix has control characters"));
            }
        }
        Ok(S3Url { bucket: bucket.into(), prefix: prefix.into() })
    }

    /// The object key of `rel` under this prefix.
    pub fn key(&self, rel: &str) -> String {
        if self.prefix.is_empty() { rel.to_string() } else { format!("{}/{rel}", self.prefix) }
    }

    /// This URL with `child` appended to the prefix.
    pub fn join(&self, child: &str) -> S3Url {
        S3Url { bucket: self.bucket.clone(), prefix: self.key(child) }
    }

    /// Where bundle `case_id` goes under this destination: `<prefix>/<case-id>`, unless the
    /// prefix already ends with the case id.
    pub fn for_case(&self, case_id: &str) -> S3Url {
        if self.prefix.rsplit('/').next() == Some(case_id) { self.clone() } else { self.join(case_id) }
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

/// S3 bucket naming rules (3-63 of a-z 0-9 . -, starting and ending with a letter or digit).
fn check_bucket(b: &str) -> Result<(), String> {
    if b.is_empty() {
        return Err("no bucket name".into());
    }
    let ok = (3..=63).contains(&b.len())
        && b.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.as_bytes()[0].is_ascii_alphanumeric()
        && b.as_bytes()[b.len() - 1].is_ascii_alphanumeric()
        && !b.contains("..");
    if ok { Ok(()) } else { Err(format!("'{b}' is not a valid bucket name (3-63 characters of a-z, 0-9, '.', '-')")) }
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
