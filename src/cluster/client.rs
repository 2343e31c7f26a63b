//! A Kubernetes client built from kubeconfig / context / in-cluster config.

use super::ClusterError;
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};
use std::path::{Path, PathBuf};
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
    /// For the API's short calls: a connection that says nothing for 60 s is given up.
    pub client: Client,
    /// For the long ones (agent exec streams, the kubelet checkpoint through the node proxy): no
    /// idle read timeout, so a quiet minute of CRIU or a slow node does not cut them. These run
    /// under the command's own `--timeout` instead.
    pub streaming: Client,
    /// The namespace from `-n`, else the context's, else "default".
    pub namespace: String,
    pub context: Option<String>,
    pub server: String,
    /// `major.minor` + git version as the server reports it.
    pub version: k8s_openapi::apimachinery::pkg::version::Info,
    /// The cluster CA certificates (DER) of the kubeconfig: what a kubelet's serving certificate
    /// is checked against on the direct path.
    pub ca_der: Vec<Vec<u8>>,
}

impl ClusterCtx {
    /// The server's minor version as a number (e.g. 20 for v1.20.2), when it parses.
    pub fn minor(&self) -> Option<u32> {
        self.version.minor.trim_end_matches('+').parse().ok()
    }
}

/// The kubeconfig files to read, as kubectl finds them: `--kubeconfig`, else every file listed in
/// `$KUBECONFIG` (empty entries and missing files skipped, merged in order: the first to set a
/// value wins), else `~/.kube/config`. Empty when there is none (then: in-cluster).
pub fn kubeconfig_files(explicit: Option<&Path>) -> Vec<PathBuf> {
    if let Some(p) = explicit {
        return vec![p.to_path_buf()];
    }
    if let Some(v) = std::env::var_os("KUBECONFIG") {
        let listed: Vec<PathBuf> = std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).collect();
        if !listed.is_empty() {
            return listed.into_iter().filter(|p| p.exists()).collect();
        }
    }
    std::env::home_dir().map(|h| h.join(".kube").join("config")).filter(|p| p.exists()).into_iter().collect()
}

/// Read and merge `files`; a file that cannot be read or parsed is named with the first line of
/// the parser's words (which give the line and column).
fn read_kubeconfigs(files: &[PathBuf]) -> Result<Kubeconfig, ClusterError> {
    let named = |f: &Path, e: &KubeconfigError| {
        let why = e.to_string();
        ClusterError::Kubeconfig(format!("{}: {}", f.display(), why.lines().next().unwrap_or_default()))
    };
    let mut merged = Kubeconfig::default();
    for f in files {
        let kc = Kubeconfig::read_from(f).map_err(|e| named(f, &e))?;
        merged = merged.merge(kc).map_err(|e| named(f, &e))?;
    }
    Ok(merged)
}

/// Build the client configuration without contacting the server.
pub async fn config(opts: &ConnectOptions) -> Result<(Config, Option<String>), ClusterError> {
    let kopts = KubeConfigOptions { context: opts.context.clone(), cluster: None, user: None };
    let files = kubeconfig_files(opts.kubeconfig.as_deref());
    if files.is_empty() {
        if opts.context.is_some() {
            return Err(ClusterError::NoConfig);
        }
        return Config::incluster().map(|c| (c, None)).map_err(|_| ClusterError::NoConfig);
    }
    let kc = read_kubeconfigs(&files)?;
    let ctx = opts.context.clone().or_else(|| kc.current_context.clone());
    let cfg = Config::from_custom_kubeconfig(kc, &kopts).await.map_err(|e| match e {
        KubeconfigError::LoadContext(name) => ClusterError::NoContext(name),
        other => ClusterError::Kubeconfig(short(&other)),
    })?;
    Ok((cfg, ctx))
}

/// Why the API could not be reached, in the words a person needs: a credential plugin that is
/// missing or failed is named with what it said; otherwise the innermost cause.
fn unreachable_reason(cfg_exec: Option<&str>, e: &(dyn std::error::Error + 'static)) -> String {
    use kube::client::AuthError;
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(a) = err.downcast_ref::<AuthError>() {
            let plugin = cfg_exec.unwrap_or("?");
            match a {
                AuthError::AuthExecStart(io) => {
                    return format!("the kubeconfig's credential plugin '{plugin}' cannot be run: {io} (is it installed and on PATH?)");
                }
                AuthError::AuthExecRun { cmd, out } => {
                    let said = String::from_utf8_lossy(&out.stderr);
                    let said = said.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                    return format!("the kubeconfig's credential plugin '{cmd}' failed ({}): {said}", out.status);
                }
                other => return format!("the kubeconfig's credential plugin '{plugin}': {other}"),
            }
        }
        cur = err.source();
    }
    short(e)
}
/// Connect and check that the API answers (one round trip: `/version`).
pub async fn connect(opts: &ConnectOptions) -> Result<ClusterCtx, ClusterError> {
    let (mut cfg, context) = config(opts).await?;
    cfg.connect_timeout = Some(Duration::from_secs(10));
    cfg.read_timeout = Some(Duration::from_secs(60));
    let server = cfg.cluster_url.to_string().trim_end_matches('/').to_string();
    let namespace = opts.namespace.clone().unwrap_or_else(|| cfg.default_namespace.clone());
    let exec = cfg.auth_info.exec.as_ref().and_then(|x| x.command.clone());
    let unreachable = |e: kube::Error| ClusterError::Unreachable {
        server: server.clone(),
        reason: unreachable_reason(exec.as_deref(), &e),
        source: Box::new(e),
    };
    let ca_der = cfg.root_cert.clone().unwrap_or_default();
    let mut long = cfg.clone();
    long.read_timeout = None;
    let client = Client::try_from(cfg).map_err(unreachable)?;
    let streaming = Client::try_from(long).map_err(unreachable)?;
    let version = client.apiserver_version().await.map_err(unreachable)?;
    Ok(ClusterCtx { client, streaming, namespace, context, server, version, ca_der })
}

/// The innermost cause of an error, which is what a person needs to read.
pub fn short(e: &(dyn std::error::Error + 'static)) -> String {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}
