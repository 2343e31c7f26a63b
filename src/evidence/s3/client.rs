//! An S3 client from the standard AWS chain (env, profile, SSO, web identity, instance metadata),
//! with `--region`, `--endpoint-url` and path-style addressing for S3-compatible stores.

use super::error::{Op, S3Error, classify};
use super::url::S3Url;
use crate::evidence::EvidenceError;
use aws_sdk_s3::config::retry::RetryConfig;
use aws_sdk_s3::config::timeout::TimeoutConfig;
use aws_sdk_s3::config::{BehaviorVersion, ProvideCredentials, Region};
use aws_sdk_s3::error::ProvideErrorMetadata;
use std::time::Duration;

#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct ConnectOptions {
    pub region: Option<String>,
    /// An S3-compatible endpoint (MinIO, Ceph, …); also read from AWS_ENDPOINT_URL(_S3).
    pub endpoint_url: Option<String>,
    /// Address buckets as `<endpoint>/<bucket>` (default: on when a custom endpoint is used).
    pub path_style: Option<bool>,
}

#[derive(Clone)]
pub struct S3 {
    pub client: aws_sdk_s3::Client,
    /// For messages: the endpoint URL, or "AWS S3 (<region>)".
    pub endpoint: String,
}

fn check_endpoint(url: &str) -> Result<(), EvidenceError> {
    let bad = |why: &str| EvidenceError::BadUrl { url: url.into(), why: why.into() };
    let uri: http::Uri = url.parse().map_err(|_| bad("not a URL (expected http(s)://host[:port])"))?;
    match uri.scheme_str() {
        Some("http") | Some("https") => {}
        _ => return Err(bad("the endpoint URL must start with http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("the endpoint URL has no host"));
    }
    Ok(())
}

/// The HTTPS client of the S3 client and of the credential providers: rustls (aws-lc) trusting
/// the system's roots, or Mozilla's bundled roots where the system has none (the collector image
/// is a bare binary: without this, no TLS connection from the node could be verified).
fn https_client() -> Result<aws_sdk_s3::config::SharedHttpClient, EvidenceError> {
    use aws_smithy_http_client::tls::{self, TlsContext, TrustStore};
    let store = if rustls_native_certs::load_native_certs().certs.is_empty() {
        let pem: String = webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().map(|c| der_to_pem(c)).collect();
        TrustStore::empty().with_native_roots(false).with_pem_certificate(pem.into_bytes())
    } else {
        TrustStore::default()
    };
    let ctx = TlsContext::builder()
        .with_trust_store(store)
        .build()
        .map_err(|e| EvidenceError::Io(std::io::Error::other(format!("TLS setup: {e}"))))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc))
        .tls_context(ctx)
        .build_https())
}

fn der_to_pem(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut s = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        s.push_str(std::str::from_utf8(line).unwrap_or_default());
        s.push('\n');
    }
    s.push_str("-----END CERTIFICATE-----\n");
    s
}

pub async fn connect(opts: &ConnectOptions) -> Result<S3, EvidenceError> {
    if let Some(e) = &opts.endpoint_url {
        check_endpoint(e)?;
    }
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(https_client()?);
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    if let Some(e) = &opts.endpoint_url {
        loader = loader.endpoint_url(e.clone());
    }
    let sdk = loader.load().await;
    let endpoint_url = sdk.endpoint_url().map(String::from);
    if let Some(e) = &endpoint_url {
        check_endpoint(e)?;
    }
    let region = match (sdk.region(), &endpoint_url) {
        (Some(r), _) => r.clone(),
        // S3-compatible stores rarely care; SigV4 still needs a region name
        (None, Some(_)) => Region::new("us-east-1"),
        (None, None) => return Err(S3Error::NoRegion.into()),
    };
    // Fail early and clearly when the chain finds nothing (instead of a signing error later).
    let provider = sdk.credentials_provider().ok_or_else(|| S3Error::NoCredentials("no provider configured".into()))?;
    if let Err(e) = provider.provide_credentials().await {
        let mut msg = e.to_string();
        let mut src = std::error::Error::source(&e);
        while let Some(s) = src {
            msg = s.to_string();
            src = s.source();
        }
        // the chain's message lists every provider it tried, one per line: keep the gist
        let gist = msg.lines().next().unwrap_or("").trim().trim_end_matches("Attempted:").trim().trim_end_matches('.');
        return Err(S3Error::NoCredentials(gist.to_string()).into());
    }
    // Standard retry mode: exponential backoff with jitter on 5xx, throttling, timeouts and
    // connection errors. AWS_MAX_ATTEMPTS / AWS_RETRY_MODE, when set, win.
    let retry = if std::env::var_os("AWS_MAX_ATTEMPTS").is_some() || std::env::var_os("AWS_RETRY_MODE").is_some() {
        sdk.retry_config().cloned().unwrap_or_else(RetryConfig::standard)
    } else {
        RetryConfig::standard().with_max_attempts(5).with_initial_backoff(Duration::from_millis(500))
    };
    let timeouts = TimeoutConfig::builder().connect_timeout(Duration::from_secs(10)).read_timeout(Duration::from_secs(120)).build();
    let path_style = opts.path_style.unwrap_or(endpoint_url.is_some());
    let conf = aws_sdk_s3::config::Builder::from(&sdk)
        .region(region.clone())
        .force_path_style(path_style)
        .retry_config(retry)
        .timeout_config(timeouts)
        .build();
    let endpoint = endpoint_url.unwrap_or_else(|| format!("AWS S3 ({region})"));
    Ok(S3 { client: aws_sdk_s3::Client::from_conf(conf), endpoint })
}

pub use crate::evidence::store::Listed;

impl S3 {
    pub(crate) fn op<'a>(&'a self, action: &'static str, target: &'a str, url: &'a S3Url, bucket_op: bool) -> Op<'a> {
        Op { action, target, endpoint: &self.endpoint, bucket_op, bucket: &url.bucket }
    }

    /// Does the bucket exist, and may we use it? (HeadBucket needs s3:ListBucket.)
    pub async fn check_bucket(&self, url: &S3Url) -> Result<(), EvidenceError> {
        let target = format!("s3://{}", url.bucket);
        let op = self.op("s3:ListBucket", &target, url, true);
        let Err(e) = self.client.head_bucket().bucket(&url.bucket).send().await else { return Ok(()) };
        if e.raw_response().is_none() || e.code().is_some() {
            return Err(classify(&e, &op).into());
        }
        // HEAD answers carry no body, hence no error code: ask once more with a GET that has one
        match self.client.list_objects_v2().bucket(&url.bucket).max_keys(1).send().await {
            Ok(_) => Ok(()),
            Err(e2) => Err(classify(&e2, &op).into()),
        }
    }

    /// Every object under `<prefix>/` (keys relative to it).
    pub async fn list(&self, url: &S3Url) -> Result<Vec<Listed>, EvidenceError> {
        let target = url.to_string();
        let prefix = if url.prefix.is_empty() { String::new() } else { format!("{}/", url.prefix) };
        let mut out = Vec::new();
        let mut pages = self.client.list_objects_v2().bucket(&url.bucket).prefix(&prefix).into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| classify(&e, &self.op("s3:ListBucket", &target, url, true)))?;
            for o in page.contents() {
                let Some(key) = o.key() else { continue };
                let Some(rel) = key.strip_prefix(&prefix) else { continue };
                out.push(Listed { rel: rel.to_string(), size: o.size().unwrap_or(0).max(0) as u64 });
            }
        }
        Ok(out)
    }
}
