//! S3 failures as one line each, classified from the SDK error's `code()` and HTTP status (its
//! `Display` is only "service error").

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum S3Error {
    #[error("bucket '{bucket}' does not exist at {endpoint}")]
    NoSuchBucket { bucket: String, endpoint: String },
    #[error("access denied: {action} on {target} ({code}){hint}")]
    AccessDenied { action: &'static str, target: String, code: String, hint: &'static str },
    #[error(
        "no AWS credentials found ({0}): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, SSO, or use a web-identity / instance role"
    )]
    NoCredentials(String),
    #[error("no AWS region: pass --region or set AWS_REGION")]
    NoRegion,
    #[error("cannot reach S3 at {endpoint} ({action} on {target}): {why}")]
    Unreachable { endpoint: String, action: &'static str, target: String, why: String },
    #[error("{target} does not exist")]
    NoSuchKey { target: String },
    #[error("bucket of {target} is in another region: pass the bucket's --region")]
    WrongRegion { target: String },
    #[error("{action} on {target} failed: {detail}")]
    Failed { action: &'static str, target: String, detail: String },
}

/// What was being attempted, for the message.
pub struct Op<'a> {
    /// The IAM action the request needs, e.g. `s3:PutObject`.
    pub action: &'static str,
    /// `s3://bucket/key` (or `s3://bucket`).
    pub target: &'a str,
    pub endpoint: &'a str,
    /// A 404 on this request means the bucket is missing (HeadBucket, ListObjectsV2).
    pub bucket_op: bool,
    pub bucket: &'a str,
}

/// The innermost cause's message (e.g. "Connection refused (os error 111)").
fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(s) = cur.source() {
        cur = s;
    }
    cur.to_string()
}

pub fn classify<E>(err: &SdkError<E, HttpResponse>, op: &Op<'_>) -> S3Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let unreachable =
        |why: String| S3Error::Unreachable { endpoint: op.endpoint.to_string(), action: op.action, target: op.target.to_string(), why };
    match err {
        SdkError::TimeoutError(_) => unreachable("timed out".into()),
        SdkError::DispatchFailure(d) => {
            let why = d.as_connector_error().map(|c| root_cause(c)).unwrap_or_else(|| root_cause(err));
            if why.contains("credentials") || why.contains("identity") { S3Error::NoCredentials(why) } else { unreachable(why) }
        }
        SdkError::ConstructionFailure(_) | SdkError::ResponseError(_) => {
            let why = root_cause(err);
            if why.contains("credentials") || why.contains("identity") {
                S3Error::NoCredentials(why)
            } else {
                S3Error::Failed { action: op.action, target: op.target.into(), detail: why }
            }
        }
        SdkError::ServiceError(s) => {
            let status = s.raw().status().as_u16();
            let code = err.code().unwrap_or("").to_string();
            let denied = |hint: &'static str| S3Error::AccessDenied {
                action: op.action,
                target: op.target.into(),
                code: if code.is_empty() { format!("HTTP {status}") } else { code.clone() },
                hint,
            };
            match code.as_str() {
                "NoSuchBucket" => S3Error::NoSuchBucket { bucket: op.bucket.into(), endpoint: op.endpoint.into() },
                "NoSuchKey" => S3Error::NoSuchKey { target: op.target.into() },
                "SignatureDoesNotMatch" => denied(": the secret key does not match the access key id"),
                "InvalidAccessKeyId" => denied(": this access key id is unknown to the server"),
                "ExpiredToken" | "InvalidToken" | "TokenRefreshRequired" => denied(": the session credentials expired or are invalid"),
                "AccessDenied" | "AllAccessDisabled" | "AccountProblem" | "InvalidObjectState" => denied(""),
                "PermanentRedirect" | "AuthorizationHeaderMalformed" | "IllegalLocationConstraintException" => {
                    S3Error::WrongRegion { target: op.target.into() }
                }
                _ if status == 404 && op.bucket_op => S3Error::NoSuchBucket { bucket: op.bucket.into(), endpoint: op.endpoint.into() },
                _ if status == 404 => S3Error::NoSuchKey { target: op.target.into() },
                _ if status == 403 => denied(""),
                _ if status == 301 => S3Error::WrongRegion { target: op.target.into() },
                _ => {
                    let msg = err.message().map(|m| format!(": {m}")).unwrap_or_default();
                    let code = if code.is_empty() { "error".to_string() } else { code.clone() };
                    S3Error::Failed { action: op.action, target: op.target.into(), detail: format!("{code}{msg} (HTTP {status})") }
                }
            }
        }
        _ => S3Error::Failed { action: op.action, target: op.target.into(), detail: root_cause(err) },
    }
}
