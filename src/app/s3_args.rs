//! The S3 flags every command that ships or reads evidence in S3 takes, and size parsing.

use clap::{Args, ValueEnum};

/// How to reach S3 (or an S3-compatible store).
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "S3 options")]
pub struct S3ConnectArgs {
    /// AWS region of the bucket (default: AWS_REGION / profile; us-east-1 with --endpoint-url).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// S3-compatible endpoint, e.g. http://127.0.0.1:9000 (MinIO, Ceph…). Implies path-style.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Use virtual-hosted-style addressing (<bucket>.<endpoint>) even with --endpoint-url.
    #[arg(long)]
    pub virtual_hosted_style: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SseArg {
    #[value(name = "AES256")]
    Aes256,
    #[value(name = "aws:kms")]
    AwsKms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LockModeArg {
    #[value(name = "GOVERNANCE")]
    Governance,
    #[value(name = "COMPLIANCE")]
    Compliance,
}

/// How to write evidence to S3.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "S3 options")]
pub struct S3UploadArgs {
    #[command(flatten)]
    pub connect: S3ConnectArgs,
    /// Server-side encryption of every object.
    #[arg(long, value_enum, value_name = "ALG")]
    pub sse: Option<SseArg>,
    /// KMS key for --sse aws:kms (default: the bucket's / account's key).
    #[arg(long, value_name = "KEY", requires = "sse")]
    pub sse_kms_key_id: Option<String>,
    /// Object Lock retention mode (write-once evidence; the bucket must have Object Lock on).
    #[arg(long, value_enum, value_name = "MODE", requires = "retain_until")]
    pub object_lock_mode: Option<LockModeArg>,
    /// Object Lock retain-until time, RFC 3339 (e.g. 2027-01-01T00:00:00Z).
    #[arg(long, value_name = "TIME", requires = "object_lock_mode", value_parser = parse_future_time)]
    pub retain_until: Option<jiff::Timestamp>,
    /// Multipart part size (at least 5MiB), e.g. 16MiB.
    #[arg(long, value_name = "SIZE", default_value = "5MiB", value_parser = parse_part_size)]
    pub part_size: u64,
    /// Parts in flight at once (memory used is about this times --part-size).
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
}

/// `5MiB`, `16MiB`, `64GiB`, `1TiB`, `8M`, `500 MB`, or bytes. Units are powers of 1024 whatever
/// their spelling (`GB` = `GiB`: sizes here are limits, and a limit a little high is harmless).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| format!("'{s}' is not a size (e.g. 16MiB)"))?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        "t" | "tib" | "tb" => 1 << 40,
        _ => return Err(format!("'{s}': unknown unit (use KiB, MiB, GiB, TiB)")),
    };
    n.checked_mul(mult).ok_or_else(|| format!("'{s}' is too large"))
}

fn parse_part_size(s: &str) -> Result<u64, String> {
    let n = parse_size(s)?;
    if n < 5 << 20 {
        return Err(format!("'{s}': S3 parts are at least 5MiB"));
    }
    if n > 5 << 30 {
        return Err(format!("'{s}': S3 parts are at most 5GiB"));
    }
    Ok(n)
}

fn parse_future_time(s: &str) -> Result<jiff::Timestamp, String> {
    let t: jiff::Timestamp = s.parse().map_err(|e| format!("'{s}' is not an RFC 3339 time: {e}"))?;
    if t <= jiff::Timestamp::now() {
        return Err(format!("'{s}' is in the past: retention must end in the future"));
    }
    Ok(t)
}

impl S3ConnectArgs {
    pub fn options(&self) -> crate::evidence::s3::ConnectOptions {
        crate::evidence::s3::ConnectOptions {
            region: self.region.clone(),
            endpoint_url: self.endpoint_url.clone(),
            path_style: if self.virtual_hosted_style { Some(false) } else { None },
        }
    }
}

impl S3UploadArgs {
    pub fn options(&self) -> crate::evidence::s3::UploadOptions {
        use crate::evidence::s3::{LockMode, Sse};
        crate::evidence::s3::UploadOptions {
            sse: self.sse.map(|s| match s {
                SseArg::Aes256 => Sse::Aes256,
                SseArg::AwsKms => Sse::Kms,
            }),
            sse_kms_key_id: self.sse_kms_key_id.clone(),
            lock: self.object_lock_mode.zip(self.retain_until).map(|(m, t)| {
                let m = match m {
                    LockModeArg::Governance => LockMode::Governance,
                    LockModeArg::Compliance => LockMode::Compliance,
                };
                (m, t)
            }),
            part_size: self.part_size,
            concurrency: self.concurrency as usize,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("5MiB").unwrap(), 5 << 20);
        assert_eq!(parse_size("16M").unwrap(), 16 << 20);
        assert_eq!(parse_size("1GiB").unwrap(), 1 << 30);
        assert_eq!(parse_size("100").unwrap(), 100);
        assert_eq!(parse_size("64GiB").unwrap(), 64 << 30);
        assert_eq!(parse_size("68719476736").unwrap(), 64 << 30);
        assert_eq!(parse_size("2 TiB").unwrap(), 2 << 40);
        assert!(parse_size("1PiB").is_err());
        assert!(parse_size("x").is_err());
        assert!(parse_part_size("1MiB").is_err());
        assert!(parse_future_time("2001-01-01T00:00:00Z").is_err());
        assert!(parse_future_time("2999-01-01T00:00:00Z").is_ok());
    }
}
