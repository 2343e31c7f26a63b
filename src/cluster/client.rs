//! A Kubernetes client built from kubeconfig / context / in-cluster config.

use super::ClusterError;
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
}

/// A connected client and what we know of where it points.
#[derive(Clone)]
pub struct ClusterCtx {
    pub client: Client,
    /// The namespace from `-n`, else the context's, else "default".
    pub namespace: String,
    pub context: Option<String>,
    pub server: String,
    /// `major.minor` + git version as the server reports it.
    pub version: k8s_openapi::apimachinery::pkg::version::Info,
}

impl ClusterCtx {
    /// The server's minor version as a number (e.g. 20 for v1.20.2), when it parses.
    pub fn minor(&self) -> Option<u32> {
        self.version.minor.trim_end_matches('+').parse().ok()
    }
}

/// Build the client configuration without contacting the server.
pub async fn config(opts: &ConnectOptions) -> Result<(Config, Option<String>), ClusterError> {
    let kopts = KubeConfigOptions { context: opts.context.clone(), cluster: None, user: None };
    let map = |e: KubeconfigError| match e {
        KubeconfigError::LoadContext(name) => ClusterError::NoContext(name),
        other => ClusterError::Kubeconfig(other.to_string()),
    };
    if let Some(path) = &opts.kubeconfig {
        let kc = Kubeconfig::read_from(path)
            .map_err(|e| ClusterError::Kubeconfig(format!("{}: {}", path.display(), short(&e))))?;
        let ctx = opts.context.clone().or_else(|| kc.current_context.clone());
        let cfg = Config::from_custom_kubeconfig(kc, &kopts).await.map_err(map)?;
        return Ok((cfg, ctx));
    }
    match Config::from_kubeconfig(&kopts).await {
        Ok(cfg) => {
            let ctx = opts.context.clone().or_else(|| {
                Kubeconfig::read().ok().and_then(|k| k.current_context)
            });
            Ok((cfg, ctx))
        }
        Err(KubeconfigError::LoadContext(name)) => Err(ClusterError::NoContext(name)),
        Err(e) if opts.context.is_some() => Err(map(e)),
        Err(_) => Config::incluster().map(|c| (c, None)).map_err(|_| ClusterError::NoConfig),
    }
}

/// Connect and check that the API answers (one round trip: `/version`).
pub async fn connect(opts: &ConnectOptions) -> Result<ClusterCtx, ClusterError> {
    let (mut cfg, context) = config(opts).await?;
    cfg.connect_timeout = Some(Duration::from_secs(10));
    cfg.read_timeout = Some(Duration::from_secs(60));
    let server = cfg.cluster_url.to_string().trim_end_matches('/').to_string();
    let namespace = opts.namespace.clone().unwrap_or_else(|| cfg.default_namespace.clone());
    let client = Client::try_from(cfg)
        .map_err(|e| ClusterError::Unreachable { server: server.clone(), reason: short(&e) })?;
    let version = client
        .apiserver_version()
        .await
        .map_err(|e| ClusterError::Unreachable { server: server.clone(), reason: short(&e) })?;
    Ok(ClusterCtx { client, namespace, context, server, version })
}

/// The innermost cause of an error, which is what a person needs to read.
pub fn short(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
