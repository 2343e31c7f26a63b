//! Docker Engine through bollard: the operations kube-forensics runs (inspect, changes, export),
//! so a Docker node (or a stopped container) is captured through the daemon's own view too.

use futures::StreamExt;
use serde_json::Value;
use std::io::Write;
use tokio::runtime::Handle;

pub struct Docker {
    client: bollard::Docker,
    rt: Handle,
}

/// Docker's change kinds (`container_changes`): 0 modified, 1 added, 2 deleted.
pub fn change_kind(k: &bollard::models::ChangeType) -> &'static str {
    match k {
        bollard::models::ChangeType::_0 => "C",
        bollard::models::ChangeType::_1 => "A",
        bollard::models::ChangeType::_2 => "D",
    }
}

impl Docker {
    /// Connect to `host` (`unix:///path` or a socket path), else `$DOCKER_HOST`, else the
    /// default socket; negotiate the API version (old daemons refuse newer versioned paths).
    pub fn connect(host: Option<&str>, rt: Handle) -> Result<Self, String> {
        let client = match host {
            Some(h) => {
                let path = h.strip_prefix("unix://").unwrap_or(h);
                bollard::Docker::connect_with_unix(path, 120, bollard::API_DEFAULT_VERSION)
            }
            None => bollard::Docker::connect_with_local_defaults(),
        }
        .map_err(|e| format!("cannot connect to Docker: {e}"))?;
        let client = rt.block_on(client.negotiate_version()).map_err(|e| format!("Docker API version negotiation failed: {e}"))?;
        Ok(Self { client, rt })
    }

    pub fn inspect(&self, id: &str) -> Result<Value, String> {
        let r = self.rt.block_on(self.client.inspect_container(id, None)).map_err(|e| format!("docker inspect {id}: {e}"))?;
        serde_json::to_value(r).map_err(|e| format!("docker inspect {id}: {e}"))
    }

    /// `docker diff`: (kind, path) sorted by path.
    pub fn changes(&self, id: &str) -> Result<Vec<(&'static str, String)>, String> {
        let r = self.rt.block_on(self.client.container_changes(id)).map_err(|e| format!("docker diff {id}: {e}"))?;
        let mut v: Vec<_> = r.unwrap_or_default().iter().map(|c| (change_kind(&c.kind), c.path.clone())).collect();
        v.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(v)
    }

    /// `docker export`: the container's filesystem as tar, streamed into `out`.
    pub fn export(&self, id: &str, out: &mut dyn Write) -> std::io::Result<u64> {
        let mut s = self.client.export_container(id);
        let mut n = 0u64;
        while let Some(chunk) = self.rt.block_on(s.next()) {
            let chunk = chunk.map_err(|e| std::io::Error::other(format!("docker export {id}: {e}")))?;
            out.write_all(&chunk)?;
            n += chunk.len() as u64;
        }
        Ok(n)
    }
}
