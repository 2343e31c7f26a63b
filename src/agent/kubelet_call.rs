//! `--kubelet-path direct`: the kubelet's checkpoint endpoint called by the agent itself, from the
//! node's network namespace (some kubelets answer only on the node), with the short-lived token
//! the API side got for the collector (it arrives in the request document, never in the pod's
//! spec or environment). The kubelet's serving certificate is verified against the cluster CA for
//! the node's name; a kubelet whose certificate is not signed by it (a self-signed serving
//! certificate, the kubelet's default) is still called, and the reply says which check could not
//! be made.

use crate::protocol::{KubeletCheckpointRequest, KubeletReply};
use base64::Engine;
use http_body_util::{BodyExt, Empty, Limited};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use std::sync::Arc;
use std::time::Duration;

/// The largest kubelet answer read (it is a short JSON document).
const MAX_ANSWER: usize = 1 << 20;

/// Call the kubelet at the first endpoint that answers; every failure is named in the error.
pub async fn checkpoint(req: &KubeletCheckpointRequest) -> Result<KubeletReply, String> {
    let mut tried = Vec::new();
    for ep in &req.endpoints {
        match call(req, ep).await {
            Ok(r) => return Ok(r),
            Err(e) => tried.push(format!("{ep}: {e}")),
        }
    }
    Err(format!("no kubelet endpoint answered ({})", tried.join("; ")))
}

async fn call(req: &KubeletCheckpointRequest, endpoint: &str) -> Result<KubeletReply, String> {
    let (tls, tls_note) =
        tls_connect(|| connect_on_node(req.container.clone(), endpoint.to_string()), &req.server_name, &req.ca_der).await?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tls)).await.map_err(|e| format!("HTTP: {e}"))?;
    tokio::spawn(conn);
    let request = http::Request::post(&req.path)
        .header(http::header::HOST, &req.server_name)
        .header(http::header::AUTHORIZATION, format!("Bearer {}", req.token))
        .body(Empty::<bytes::Bytes>::new())
        .map_err(|e| format!("bad request: {e}"))?;
    let limit = Duration::from_secs(req.timeout_seconds.max(1) + 30);
    let resp =
        tokio::time::timeout(limit, sender.send_request(request)).await.map_err(|_| format!("no answer within {}s", limit.as_secs()))?;
    let resp = resp.map_err(|e| format!("HTTP: {e}"))?;
    let status = resp.status().as_u16();
    let body = Limited::new(resp.into_body(), MAX_ANSWER).collect().await.map_err(|e| format!("reading the answer: {e}"))?.to_bytes();
    Ok(KubeletReply { endpoint: endpoint.to_string(), status, body: String::from_utf8_lossy(&body).into_owned(), tls: tls_note })
}

/// The TLS session with the kubelet, and what could be checked of its certificate: first as it
/// should be, signed by the cluster CA (`ca_der`, base64 DER) for the node's name
/// (`server_name`); where that fails (a self-signed serving certificate, another issuer, another
/// name, no cluster CA), again over a new connection from `connect` with the certificate accepted
/// unverified, and the note says which check failed ("NOT verified").
pub async fn tls_connect<F, Fut>(
    connect: F,
    server_name: &str,
    ca_der: &[String],
) -> Result<(tokio_rustls::client::TlsStream<tokio::net::TcpStream>, String), String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<tokio::net::TcpStream, String>>,
{
    let name = ServerName::try_from(server_name.to_string()).map_err(|e| format!("bad server name {server_name:?}: {e}"))?;
    let roots = roots(ca_der)?;
    let strict = tokio_rustls::TlsConnector::from(Arc::new(config(verified(roots))));
    match strict.connect(name.clone(), connect().await?).await {
        Ok(s) => Ok((s, "kubelet certificate verified against the cluster CA".to_string())),
        Err(e) => {
            let why = e.to_string();
            let lax = tokio_rustls::TlsConnector::from(Arc::new(config(Arc::new(Fallback { accept: true }))));
            let s = lax.connect(name, connect().await?).await.map_err(|e| format!("TLS: {e}"))?;
            Ok((s, format!("kubelet certificate NOT verified ({why}): the token was sent to the node's own kubelet address")))
        }
    }
}

/// A TCP connection made in the node's network namespace ([`node_netns`]). A socket keeps the namespace it
/// was made in; the thread that entered it is a thread of its own, and ends with the connect.
async fn connect_on_node(container: String, endpoint: String) -> Result<tokio::net::TcpStream, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let r = (|| -> Result<std::net::TcpStream, String> {
            nix::sched::setns(node_netns(&container)?, nix::sched::CloneFlags::CLONE_NEWNET)
                .map_err(|e| format!("cannot enter the node's network namespace: {e}"))?;
            let addr = std::net::ToSocketAddrs::to_socket_addrs(&endpoint)
                .map_err(|e| format!("cannot resolve: {e}"))?
                .next()
                .ok_or_else(|| "no address".to_string())?;
            let s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| format!("connect: {e}"))?;
            s.set_nonblocking(true).map_err(|e| e.to_string())?;
            Ok(s)
        })();
        let _ = tx.send(r);
    });
    let std = rx.await.map_err(|e| e.to_string())??;
    tokio::net::TcpStream::from_std(std).map_err(|e| e.to_string())
}

/// The node's network namespace, as the target container's runtime shim has it (the shim is the
/// parent of the container's init: the kernel says so, the workload cannot fake it — a process
/// merely named `kubelet` could); else PID 1's.
fn node_netns(container: &str) -> Result<std::fs::File, String> {
    let shim = crate::protocol::ContainerRef::parse(container).ok().and_then(|r| crate::agent::runtime::locate::locate(&r, None, &[]).shim);
    let mut tried = Vec::new();
    for pid in shim.into_iter().chain([1]) {
        match std::fs::File::open(format!("/proc/{pid}/ns/net")) {
            Ok(f) => return Ok(f),
            Err(e) => tried.push(format!("pid {pid}: {e}")),
        }
    }
    Err(format!("cannot open the node's network namespace ({})", tried.join("; ")))
}

fn roots(ca_der: &[String]) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    for c in ca_der {
        let der = base64::engine::general_purpose::STANDARD.decode(c).map_err(|e| format!("cluster CA: {e}"))?;
        roots.add(CertificateDer::from(der)).map_err(|e| format!("cluster CA: {e}"))?;
    }
    Ok(roots)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn verified(roots: rustls::RootCertStore) -> Arc<dyn rustls::client::danger::ServerCertVerifier> {
    match rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider()).build() {
        Ok(v) => v,
        // no usable CA: nothing verifies, and the lax pass says so
        Err(_) => Arc::new(Fallback { accept: false }),
    }
}

fn config(verifier: Arc<dyn rustls::client::danger::ServerCertVerifier>) -> rustls::ClientConfig {
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("aws-lc supports the default TLS versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth()
}

/// The kubelet's certificate accepted unverified (`accept`), or refused because no cluster CA
/// was usable; the handshake's signatures are checked either way.
#[derive(Debug)]
struct Fallback {
    accept: bool,
}

impl rustls::client::danger::ServerCertVerifier for Fallback {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if self.accept {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("no usable cluster CA to verify the kubelet's certificate".into()))
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &provider().signature_verification_algorithms)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &provider().signature_verification_algorithms)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        provider().signature_verification_algorithms.supported_schemes()
    }
}
