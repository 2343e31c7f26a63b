//! Push an [`ImageSet`] to a registry over the OCI distribution API: blobs that are missing
//! (`HEAD`, then a monolithic `POST` + `PUT ?digest=`), each architecture's manifest by digest,
//! then the top manifest (index, or the one manifest) under the tag. Authentication as
//! registries ask for it: a `Bearer` token from the realm of the `WWW-Authenticate` challenge
//! (with the user's Docker credentials, else anonymous), or `Basic`.

use super::credentials::{self, Credentials};
use super::oci::{Blob, ImageSet};
use super::{ImageError, Reference};
use bytes::Bytes;
use http::{HeaderValue, Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// `http://` instead of `https://` (a registry on localhost or a lab network).
    pub plain_http: bool,
    /// Credentials to use instead of Docker's configuration.
    pub credentials: Option<Credentials>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct PushReport {
    /// `registry/repository:tag` as pushed.
    pub reference: String,
    /// `registry/repository@sha256:…`: what `--image` pins.
    pub pinned: String,
    pub digest: String,
    pub architectures: Vec<&'static str>,
    /// Blobs uploaded, and those the registry had already.
    pub uploaded: usize,
    pub present: usize,
    pub bytes_uploaded: u64,
}

type Https = hyper_rustls::HttpsConnector<HttpConnector>;

/// A registry connection for one repository, logged in as it asked.
pub struct Registry {
    reference: Reference,
    client: Client<Https, Full<Bytes>>,
    base: String,
    registry: String,
    repository: String,
    auth: Option<HeaderValue>,
    credentials: Option<Credentials>,
}

fn tls_config() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs().certs;
    if native.is_empty() {
        roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
    } else {
        roots.add_parsable_certificates(native);
    }
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("aws-lc supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth()
}

fn client() -> Client<Https, Full<Bytes>> {
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_connect_timeout(Some(Duration::from_secs(15)));
    let https =
        hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls_config()).https_or_http().enable_http1().wrap_connector(http);
    Client::builder(TokioExecutor::new()).build(https)
}

struct Reply {
    status: StatusCode,
    headers: http::HeaderMap,
    body: Bytes,
}

impl Registry {
    fn connect_err(&self, e: impl std::fmt::Display) -> ImageError {
        ImageError::Connect { registry: self.registry.clone(), message: e.to_string() }
    }

    fn refused(&self, what: &str, r: &Reply) -> ImageError {
        // the distribution API's error document: {"errors":[{"code","message"}]}
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
        let msgs: Vec<String> = v["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| format!("{} {}", e["code"].as_str().unwrap_or(""), e["message"].as_str().unwrap_or("")).trim().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let detail = if msgs.is_empty() { String::new() } else { format!(" ({})", msgs.join("; ")) };
        let hint = if r.status == StatusCode::UNAUTHORIZED || r.status == StatusCode::FORBIDDEN {
            " — log in with `docker login` (kforensic reads Docker's credentials)"
        } else {
            ""
        };
        ImageError::Registry {
            registry: self.registry.clone(),
            what: what.into(),
            status: r.status.as_u16(),
            detail: format!("{detail}{hint}"),
        }
    }

    async fn send(
        &self,
        method: Method,
        url: &str,
        content_type: Option<&str>,
        body: Bytes,
        auth: Option<&HeaderValue>,
    ) -> Result<Reply, ImageError> {
        let mut b = Request::builder().method(method).uri(url).header(header::USER_AGENT, concat!("kforensic/", env!("CARGO_PKG_VERSION")));
        if let Some(ct) = content_type {
            b = b.header(header::CONTENT_TYPE, ct);
        }
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, a.clone());
        }
        let req = b
            .header(header::CONTENT_LENGTH, body.len())
            .body(Full::new(body))
            .map_err(|e| self.connect_err(format!("bad request URL {url}: {e}")))?;
        let resp = self.client.request(req).await.map_err(|e| {
            let mut msg = e.to_string();
            let mut src = std::error::Error::source(&e);
            while let Some(s) = src {
                msg = format!("{msg}: {s}");
                src = s.source();
            }
            self.connect_err(msg)
        })?;
        let (parts, body) = resp.into_parts();
        let body = body.collect().await.map_err(|e| self.connect_err(e))?.to_bytes();
        Ok(Reply { status: parts.status, headers: parts.headers, body })
    }

    /// A request with the session's authorization; on a 401, answer the challenge once and retry.
    async fn call(&mut self, method: Method, url: &str, content_type: Option<&str>, body: Bytes) -> Result<Reply, ImageError> {
        let r = self.send(method.clone(), url, content_type, body.clone(), self.auth.as_ref()).await?;
        if r.status != StatusCode::UNAUTHORIZED {
            return Ok(r);
        }
        let challenge = r.headers.get(header::WWW_AUTHENTICATE).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        self.auth = Some(self.answer(&challenge).await?);
        self.send(method, url, content_type, body, self.auth.as_ref()).await
    }

    async fn answer(&mut self, challenge: &str) -> Result<HeaderValue, ImageError> {
        use base64::Engine;
        if self.credentials.is_none() {
            self.credentials = credentials::lookup(&self.registry)?;
        }
        let basic = self.credentials.as_ref().map(|c| {
            let token = base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.username, c.secret));
            HeaderValue::from_str(&format!("Basic {token}")).expect("base64 is a header value")
        });
        let (scheme, params) = challenge.split_once(' ').unwrap_or((challenge, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return basic.ok_or_else(|| self.no_credentials());
        }
        if !scheme.eq_ignore_ascii_case("bearer") {
            return Err(ImageError::Registry {
                registry: self.registry.clone(),
                what: "the request".into(),
                status: 401,
                detail: format!(" (unsupported authentication {challenge:?})"),
            });
        }
        let p = challenge_params(params);
        let realm = p
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.connect_err("a Bearer challenge without realm"))?;
        let mut url = format!("{realm}{}", if realm.contains('?') { '&' } else { '?' });
        if let Some((_, s)) = p.iter().find(|(k, _)| k == "service") {
            url.push_str(&format!("service={}&", pct(s)));
        }
        url.push_str(&format!("scope={}", pct(&format!("repository:{}:pull,push", self.repository))));
        let r = self.send(Method::GET, &url, None, Bytes::new(), basic.as_ref()).await?;
        if !r.status.is_success() {
            return Err(if self.credentials.is_none() && r.status.is_client_error() {
                self.no_credentials()
            } else {
                self.refused("a token", &r)
            });
        }
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
        let token =
            v["token"].as_str().or(v["access_token"].as_str()).ok_or_else(|| self.connect_err("the token answer holds no token"))?;
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| self.connect_err("the token is not a header value"))
    }

    fn no_credentials(&self) -> ImageError {
        ImageError::Credentials {
            registry: self.registry.clone(),
            message: "the registry asks for a login and Docker's configuration has none: run `docker login` first".into(),
        }
    }

    /// `GET /v2/`: the registry answers (and asks for a login if it wants one).
    async fn ping(&mut self) -> Result<(), ImageError> {
        let url = format!("{}/v2/", self.origin());
        let r = self.call(Method::GET, &url, None, Bytes::new()).await?;
        if r.status.is_success() { Ok(()) } else { Err(self.refused("the API check (GET /v2/)", &r)) }
    }

    /// Upload `blob` unless the registry has it. Returns whether it was uploaded.
    async fn blob(&mut self, blob: &Blob) -> Result<bool, ImageError> {
        let url = format!("{}/blobs/{}", self.base, blob.digest);
        let r = self.call(Method::HEAD, &url, None, Bytes::new()).await?;
        if r.status.is_success() {
            return Ok(false);
        }
        let r = self.call(Method::POST, &format!("{}/blobs/uploads/", self.base), None, Bytes::new()).await?;
        if r.status != StatusCode::ACCEPTED {
            return Err(self.refused("starting an upload", &r));
        }
        let loc =
            r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).ok_or_else(|| self.connect_err("an upload without Location"))?;
        let loc = if loc.starts_with('/') { format!("{}{loc}", self.origin()) } else { loc.to_string() };
        let put = format!("{loc}{}digest={}", if loc.contains('?') { '&' } else { '?' }, pct(&blob.digest));
        let r = self.call(Method::PUT, &put, Some("application/octet-stream"), Bytes::from(blob.data.clone())).await?;
        if r.status != StatusCode::CREATED {
            return Err(self.refused(&format!("blob {}", blob.digest), &r));
        }
        Ok(true)
    }

    async fn manifest(&mut self, m: &Blob, reference: &str) -> Result<(), ImageError> {
        let url = format!("{}/manifests/{reference}", self.base);
        let r = self.call(Method::PUT, &url, Some(m.media_type), Bytes::from(m.data.clone())).await?;
        if r.status != StatusCode::CREATED {
            return Err(self.refused(&format!("manifest {reference}"), &r));
        }
        match r.headers.get("docker-content-digest").and_then(|v| v.to_str().ok()) {
            Some(d) if d != m.digest => Err(ImageError::Registry {
                registry: self.registry.clone(),
                what: format!("manifest {reference}"),
                status: r.status.as_u16(),
                detail: format!(" (it stored digest {d}, not {})", m.digest),
            }),
            _ => Ok(()),
        }
    }

    fn origin(&self) -> &str {
        let after = self.base.find("://").map(|i| i + 3).unwrap_or(0);
        &self.base[..self.base[after..].find('/').map(|i| after + i).unwrap_or(self.base.len())]
    }
}

/// `key="value", key=value` of an authentication challenge.
fn challenge_params(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while let Some((k, after)) = rest.split_once('=') {
        let k = k.trim().trim_start_matches(',').trim().to_ascii_lowercase();
        let (v, next) = if let Some(q) = after.strip_prefix('"') {
            let end = q.find('"').unwrap_or(q.len());
            (q[..end].to_string(), q.get(end + 1..).unwrap_or(""))
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.push((k, v));
        rest = next.trim_start_matches([',', ' ']);
    }
    out
}

/// Percent-encode a query value.
fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// Check that the registry of `reference` answers (logging in if it asks).
pub async fn connect(reference: &Reference, opts: &PushOptions) -> Result<Registry, ImageError> {
    let scheme = if opts.plain_http { "http" } else { "https" };
    let mut s = Registry {
        reference: reference.clone(),
        client: client(),
        base: format!("{scheme}://{}/v2/{}", reference.api_host(), reference.repository),
        registry: reference.registry.clone(),
        repository: reference.repository.clone(),
        auth: None,
        credentials: opts.credentials.clone(),
    };
    s.ping().await?;
    Ok(s)
}

impl Registry {
    /// Push `set` to the reference (its tag, else `latest`).
    pub async fn push(&mut self, set: &ImageSet) -> Result<PushReport, ImageError> {
        let reference = self.reference.clone();
        if let Some(d) = &reference.digest
            && d != set.digest()
        {
            return Err(ImageError::BadReference {
                reference: reference.to_string(),
                why: format!("this image's digest is {}: push to a tag (the digest follows from the content)", set.digest()),
            });
        }
        let (mut uploaded, mut present, mut bytes) = (0, 0, 0u64);
        for img in &set.images {
            for b in [&img.layer, &img.config] {
                if self.blob(b).await? {
                    uploaded += 1;
                    bytes += b.data.len() as u64;
                } else {
                    present += 1;
                }
            }
            if set.index.is_some() {
                self.manifest(&img.manifest, &img.manifest.digest).await?;
            }
        }
        self.manifest(set.top(), reference.target()).await?;
        Ok(PushReport {
            reference: reference.to_string(),
            pinned: format!("{}@{}", reference.name(), set.digest()),
            digest: set.digest().to_string(),
            architectures: set.images.iter().map(|i| i.arch.oci()).collect(),
            uploaded,
            present,
            bytes_uploaded: bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_are_read_as_registries_send_them() {
        let p = challenge_params(r#"realm="https://ghcr.io/token",service="ghcr.io",scope="repository:org/kf:pull""#);
        assert_eq!(
            p,
            [("realm", "https://ghcr.io/token"), ("service", "ghcr.io"), ("scope", "repository:org/kf:pull")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        assert_eq!(
            challenge_params("realm=x, service=y"),
            [("realm".to_string(), "x".to_string()), ("service".to_string(), "y".to_string())]
        );
        assert_eq!(pct("repository:a/b:pull,push"), "repository%3Aa%2Fb%3Apull%2Cpush");
    }
}
