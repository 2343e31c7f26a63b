//! Registry credentials as `docker login` leaves them: `$DOCKER_CONFIG/config.json` (default
//! `~/.docker/config.json`): `credHelpers` per registry, else `credsStore`, else the base64
//! `auth` of `auths`. A helper is `docker-credential-<name> get`, the server on its stdin, JSON
//! `{"Username","Secret"}` on its stdout.

use super::ImageError;
use std::path::{Path, PathBuf};

#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub secret: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credentials({}, ***)", self.username)
    }
}

/// Docker's configuration file.
pub fn config_path() -> Option<PathBuf> {
    match std::env::var_os("DOCKER_CONFIG") {
        Some(d) if !d.is_empty() => Some(PathBuf::from(d).join("config.json")),
        _ => std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".docker/config.json")),
    }
}

/// The key Docker files a registry under (Docker Hub's is historical).
fn server_key(registry: &str) -> String {
    if registry == "docker.io" { "https://index.docker.io/v1/".into() } else { registry.into() }
}

/// `https://host/v1/` and `host` name the same registry.
fn host_of(key: &str) -> &str {
    let k = key.strip_prefix("https://").or_else(|| key.strip_prefix("http://")).unwrap_or(key);
    let h = k.split('/').next().unwrap_or(k);
    if h == "index.docker.io" || h == "registry-1.docker.io" { "docker.io" } else { h }
}

/// The credentials for `registry` (as in the reference: `docker.io`, `ghcr.io`, `host:port`),
/// None to go anonymous.
pub fn lookup(registry: &str) -> Result<Option<Credentials>, ImageError> {
    let Some(path) = config_path() else { return Ok(None) };
    lookup_in(&path, registry, None)
}

/// [`lookup`] in the configuration at `path`, helpers taken from `helper_dir` (None: `PATH`).
pub fn lookup_in(path: &Path, registry: &str, helper_dir: Option<&Path>) -> Result<Option<Credentials>, ImageError> {
    let err = |message: String| ImageError::Credentials { registry: registry.into(), message };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(err(format!("cannot read {}: {e}", path.display()))),
    };
    let cfg: serde_json::Value = serde_json::from_str(&text).map_err(|e| err(format!("{} is not JSON: {e}", path.display())))?;
    let helper = cfg["credHelpers"]
        .as_object()
        .and_then(|m| m.iter().find(|(k, _)| host_of(k) == registry).and_then(|(_, v)| v.as_str()))
        .or_else(|| cfg["credsStore"].as_str())
        .filter(|h| !h.is_empty());
    if let Some(h) = helper {
        return run_helper(h, helper_dir, &server_key(registry)).map_err(err);
    }
    let Some(entry) = cfg["auths"].as_object().and_then(|m| m.iter().find(|(k, _)| host_of(k) == registry).map(|(_, v)| v)) else {
        return Ok(None);
    };
    if let (Some(u), Some(p)) = (entry["username"].as_str(), entry["password"].as_str()) {
        return Ok(Some(Credentials { username: u.into(), secret: p.into() }));
    }
    let Some(auth) = entry["auth"].as_str().filter(|a| !a.is_empty()) else { return Ok(None) };
    use base64::Engine;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(auth.trim())
        .map_err(|_| err(format!("the auth of {registry} in {} is not base64", path.display())))?;
    let raw = String::from_utf8(raw).map_err(|_| err(format!("the auth of {registry} in {} is not text", path.display())))?;
    let (u, p) = raw.split_once(':').ok_or_else(|| err(format!("the auth of {registry} in {} is not user:password", path.display())))?;
    Ok(Some(Credentials { username: u.into(), secret: p.into() }))
}

fn run_helper(helper: &str, dir: Option<&Path>, server: &str) -> Result<Option<Credentials>, String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let prog = format!("docker-credential-{helper}");
    let mut child = Command::new(dir.map(|d| d.join(&prog)).unwrap_or_else(|| PathBuf::from(&prog)))
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run the credential helper {prog}: {e} (install it, or remove it from the Docker config)"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(server.as_bytes());
    }
    let out = child.wait_with_output().map_err(|e| format!("{prog}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        // the helper's way of saying "none stored": go anonymous
        if stdout.contains("credentials not found") {
            return Ok(None);
        }
        let why = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(format!("{prog} get failed ({}): {}", out.status, if why.is_empty() { stdout.trim().to_string() } else { why }));
    }
    let v: serde_json::Value = serde_json::from_str(&stdout).map_err(|e| format!("{prog} get did not answer JSON: {e}"))?;
    match (v["Username"].as_str(), v["Secret"].as_str()) {
        (Some(u), Some(s)) if !s.is_empty() => Ok(Some(Credentials { username: u.into(), secret: s.into() })),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_config_auths_and_credential_helpers_are_honoured() {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("config.json");
        // a credential helper as docker-credential-* are: a program on PATH
        let helper = dir.path().join("docker-credential-kftest");
        std::fs::write(
            &helper,
            "#!/bin/sh\nread s\n[ \"$1\" = get ] || exit 2\n[ \"$s\" = ghcr.io ] && { echo '{\"ServerURL\":\"ghcr.io\",\"Username\":\"bot\",\"Secret\":\"ghp_x\"}'; exit 0; }\necho 'credentials not found in native keychain'; exit 1\n",
        )
        .unwrap();
        std::fs::set_permissions(&helper, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        std::fs::write(
            &cfg,
            r#"{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNzOndvcmQ="}, "127.0.0.1:5000": {}},
                "credHelpers": {"ghcr.io": "kftest", "quay.io": "kftest"}}"#,
        )
        .unwrap();
        let lookup_in = |cfg: &Path, reg: &str| lookup_in(cfg, reg, Some(dir.path()));
        assert_eq!(lookup_in(&cfg, "docker.io").unwrap(), Some(Credentials { username: "user".into(), secret: "pass:word".into() }));
        assert_eq!(lookup_in(&cfg, "ghcr.io").unwrap(), Some(Credentials { username: "bot".into(), secret: "ghp_x".into() }));
        assert_eq!(lookup_in(&cfg, "quay.io").unwrap(), None, "the helper has none: anonymous");
        assert_eq!(lookup_in(&cfg, "127.0.0.1:5000").unwrap(), None);
        assert_eq!(lookup_in(&dir.path().join("none.json"), "ghcr.io").unwrap(), None);
        std::fs::write(&cfg, r#"{"credsStore": "absent-helper"}"#).unwrap();
        let e = lookup_in(&cfg, "ghcr.io").unwrap_err().to_string();
        assert!(e.contains("docker-credential-absent-helper") && e.contains("ghcr.io"), "{e}");
        std::fs::write(&cfg, "{not json").unwrap();
        assert!(lookup_in(&cfg, "ghcr.io").unwrap_err().to_string().contains("not JSON"));
    }
}
