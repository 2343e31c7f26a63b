//! The direct kubelet path's TLS decision (`agent::kubelet_call::tls_connect`) against a real TLS
//! server on 127.0.0.1 with certificates made by the openssl CLI: a serving certificate signed by
//! the cluster CA for the node's name is verified; a self-signed one, one of another CA, one for
//! another name, or no cluster CA at all is accepted only unverified, and the note says which
//! check failed. The real cluster's kubelet (signed by the test cluster's CA) is the verified case
//! in `checkpoint::the_direct_kubelet_path_…`.

use base64::Engine;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The openssl CLI with `args` (split at whitespace), run in `dir`.
fn openssl(dir: &Path, args: &str) {
    let out =
        Command::new("openssl").args(args.split_whitespace()).current_dir(dir).output().expect("openssl CLI (scripts/testenv installs it)");
    assert!(out.status.success(), "openssl {args}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `dir/NAME.{crt,key}`: a CA (`issuer` None), or a serving certificate for `san` signed by the
/// CA `issuer`, or by itself when `issuer` is `name`.
fn cert(dir: &Path, name: &str, issuer: Option<&str>, san: &str) {
    let new = format!("-newkey rsa:2048 -nodes -subj /CN={name} -keyout {name}.key");
    match issuer {
        None => openssl(
            dir,
            &format!(
                "req -x509 {new} -days 2 -out {name}.crt -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign"
            ),
        ),
        Some(ca) if ca == name => openssl(
            dir,
            &format!(
                "req -x509 {new} -days 2 -out {name}.crt -addext subjectAltName={san} -addext extendedKeyUsage=serverAuth -addext basicConstraints=critical,CA:FALSE"
            ),
        ),
        Some(ca) => {
            std::fs::write(
                dir.join(format!("{name}.ext")),
                format!("subjectAltName={san}\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n"),
            )
            .unwrap();
            openssl(dir, &format!("req -new {new} -out {name}.csr"));
            openssl(
                dir,
                &format!("x509 -req -in {name}.csr -CA {ca}.crt -CAkey {ca}.key -set_serial 7 -days 2 -out {name}.crt -extfile {name}.ext"),
            );
        }
    }
}

fn ca_der(dir: &Path, name: &str) -> String {
    let der = CertificateDer::from_pem_file(dir.join(format!("{name}.crt"))).unwrap();
    base64::engine::general_purpose::STANDARD.encode(der.as_ref())
}

/// A TLS server on 127.0.0.1 serving `dir/NAME.crt` (two connections: the verified try and the
/// fallback); each answers "ok" once the handshake is done.
async fn serve(dir: &Path, name: &str) -> std::net::SocketAddr {
    let chain = vec![CertificateDer::from_pem_file(dir.join(format!("{name}.crt"))).unwrap()];
    let key = PrivateKeyDer::from_pem_file(dir.join(format!("{name}.key"))).unwrap();
    let cfg = rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(mut s) = acceptor.accept(tcp).await {
                    let _ = s.write_all(b"ok").await;
                    let _ = s.shutdown().await;
                }
            });
        }
    });
    addr
}

/// The note `tls_connect` gives for a server with certificate `served`, the node named
/// `node`, and the cluster CAs `cas`; the session must work either way.
async fn note(dir: &Path, served: &str, node: &str, cas: &[String]) -> String {
    let addr = serve(dir, served).await;
    let connect = || async move { tokio::net::TcpStream::connect(addr).await.map_err(|e| e.to_string()) };
    let (mut tls, note) = kforensic::agent::kubelet_call::tls_connect(connect, node, cas).await.unwrap();
    let mut got = Vec::new();
    tls.read_to_end(&mut got).await.unwrap();
    assert_eq!(got, b"ok", "{served}: no working session");
    note
}

#[tokio::test]
async fn the_kubelet_certificate_is_verified_against_the_cluster_ca_for_the_node_name_else_said_unverified() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    cert(dir, "cluster-ca", None, "");
    cert(dir, "other-ca", None, "");
    cert(dir, "kubelet", Some("cluster-ca"), "IP:127.0.0.1,DNS:node-1.example");
    cert(dir, "elsewhere", Some("cluster-ca"), "DNS:node-2.example");
    cert(dir, "foreign", Some("other-ca"), "IP:127.0.0.1,DNS:node-1.example");
    cert(dir, "selfsigned", Some("selfsigned"), "IP:127.0.0.1,DNS:node-1.example");
    let ca = vec![ca_der(dir, "cluster-ca")];
    let verified = "kubelet certificate verified against the cluster CA";

    // signed by the cluster CA for the node's name: an IP (the test cluster's node is 127.0.0.1) or a DNS name
    assert_eq!(note(dir, "kubelet", "127.0.0.1", &ca).await, verified);
    assert_eq!(note(dir, "kubelet", "node-1.example", &ca).await, verified);
    // the cluster CA among others (a kubeconfig's CA bundle)
    assert_eq!(note(dir, "kubelet", "127.0.0.1", &[ca_der(dir, "other-ca"), ca[0].clone()]).await, verified);

    // everything else: called, and the note names what failed
    let unverified = |n: &str, why: &str| {
        assert!(n.starts_with("kubelet certificate NOT verified (") && n.contains(why), "expected NOT verified ({why}): {n}");
    };
    // the kubelet's default: a self-signed serving certificate
    unverified(&note(dir, "selfsigned", "127.0.0.1", &ca).await, "UnknownIssuer");
    // signed by another CA
    unverified(&note(dir, "foreign", "127.0.0.1", &ca).await, "UnknownIssuer");
    // the cluster CA's, for another node
    unverified(&note(dir, "elsewhere", "127.0.0.1", &ca).await, "certificate not valid for name");
    unverified(&note(dir, "kubelet", "node-2.example", &ca).await, "certificate not valid for name");
    // no cluster CA (a kubeconfig with insecure-skip-tls-verify): nothing can be verified
    unverified(&note(dir, "kubelet", "127.0.0.1", &[]).await, "no usable cluster CA");
}
