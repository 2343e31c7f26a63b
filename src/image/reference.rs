//! Image references as Docker and containerd read them: `[registry/]repository[:tag][@sha256:…]`.
//! A first component with a `.` or `:`, or `localhost`, is a registry; otherwise the image is on
//! Docker Hub (`docker.io`, official images under `library/`).

use super::ImageError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// As the user names it (`docker.io`, `127.0.0.1:5000`, `ghcr.io`).
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<hex>`
    pub digest: Option<String>,
}

impl Reference {
    pub fn parse(s: &str) -> Result<Reference, ImageError> {
        let bad = |why: &str| ImageError::BadReference { reference: s.to_string(), why: why.into() };
        if s.is_empty() || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("empty, or spaces in it"));
        }
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => {
                let hex = d.strip_prefix("sha256:").ok_or_else(|| bad("the digest must be sha256:<64 hex digits>"))?;
                if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
                    return Err(bad("the digest must be sha256:<64 lower-case hex digits>"));
                }
                (r, Some(d.to_string()))
            }
            None => (s, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path)) if first.contains('.') || first.contains(':') || first == "localhost" => (first.to_string(), path),
            _ => ("docker.io".to_string(), rest),
        };
        let (repository, tag) = match path.rsplit_once(':') {
            Some((r, t)) if !t.contains('/') => (r.to_string(), Some(t.to_string())),
            _ => (path.to_string(), None),
        };
        let repository = if registry == "docker.io" && !repository.contains('/') { format!("library/{repository}") } else { repository };
        let component_ok = |c: &str| {
            !c.is_empty()
                && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
                && c.as_bytes()[0].is_ascii_alphanumeric()
                && c.as_bytes()[c.len() - 1].is_ascii_alphanumeric()
        };
        if !repository.split('/').all(component_ok) {
            return Err(bad("the repository must be lower-case letters, digits and . _ - between slashes"));
        }
        if let Some(t) = &tag
            && (t.is_empty()
                || t.len() > 128
                || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
                || t.starts_with(['.', '-']))
        {
            return Err(bad("a tag is letters, digits, '.', '_', '-' (at most 128)"));
        }
        Ok(Reference { registry, repository, tag, digest })
    }

    /// The host the API is served on (Docker Hub's is not docker.io).
    pub fn api_host(&self) -> &str {
        if self.registry == "docker.io" { "registry-1.docker.io" } else { &self.registry }
    }

    /// `registry/repository`, as a pinned reference starts.
    pub fn name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The manifest reference pushed to: the tag, else the digest, else `latest`.
    pub fn target(&self) -> &str {
        self.tag.as_deref().or(self.digest.as_deref()).unwrap_or("latest")
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name())?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_read_as_docker_reads_them() {
        let r = Reference::parse("127.0.0.1:5000/kforensic:test").unwrap();
        assert_eq!((r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()), ("127.0.0.1:5000", "kforensic", Some("test")));
        let r = Reference::parse("ghcr.io/kforensic/kforensic:v0.1.0").unwrap();
        assert_eq!((r.api_host(), r.repository.as_str(), r.target()), ("ghcr.io", "kforensic/kforensic", "v0.1.0"));
        let r = Reference::parse("busybox").unwrap();
        assert_eq!((r.api_host(), r.repository.as_str(), r.target()), ("registry-1.docker.io", "library/busybox", "latest"));
        let r = Reference::parse("localhost/kf").unwrap();
        assert_eq!((r.registry.as_str(), r.repository.as_str()), ("localhost", "kf"));
        let d = format!("sha256:{}", "ab".repeat(32));
        let r = Reference::parse(&format!("reg.example:443/a/b@{d}")).unwrap();
        assert_eq!((r.digest.as_deref(), r.target()), (Some(d.as_str()), d.as_str()));
        assert_eq!(r.to_string(), format!("reg.example:443/a/b@{d}"));
    }

    #[test]
    fn malformed_references_are_refused_with_the_reason() {
        for bad in [
            "",
            "Reg.example/UPPER:1",
            "r.example/a:b:c",
            "r.example/a@sha256:short",
            "r.example/a@md5:00",
            "r.example//a",
            "a b",
            "r.example/a:-x",
        ] {
            let e = Reference::parse(bad).unwrap_err();
            assert!(e.is_usage() && e.to_string().contains("is not an image reference"), "{bad:?}: {e}");
        }
    }
}
