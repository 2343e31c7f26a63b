//! `s3://bucket[/prefix]`: an S3 destination, checked as S3 names buckets.

use crate::evidence::EvidenceError;

/// `s3://bucket[/prefix]`; `prefix` has no leading or trailing '/'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub prefix: String,
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
        if self.prefix.is_empty() { write!(f, "s3://{}", self.bucket) } else { write!(f, "s3://{}/{}", self.bucket, self.prefix) }
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
