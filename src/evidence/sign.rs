//! Signed bundles: the manifest, and the custody log up to its `finalized` line, signed with the
//! responder's OpenSSH key in OpenSSH's SSHSIG format (namespace `kforensic-evidence`), so that
//! anyone can check them with stock `ssh-keygen -Y verify` and an allowed-signers file. The key
//! never leaves the responder's machine: only this side signs, never the node.

use super::EvidenceError;
use super::hash::{Digested, DigestingReader};
use super::manifest::{CUSTODY, MANIFEST};
use serde::Serialize;
use signature::{Signer as _, Verifier as _};
use ssh_key::{HashAlg, LineEnding, PrivateKey, PublicKey, SshSig};
use std::io::{self, Write};
use std::path::Path;

/// The SSHSIG namespace of every kforensic signature (`ssh-keygen -Y … -n kforensic-evidence`).
pub const NAMESPACE: &str = "kforensic-evidence";
pub const MANIFEST_SIG: &str = "manifest.json.sig";
pub const CUSTODY_SIG: &str = "custody.log.sig";
/// Largest signature file read (an SSHSIG PEM is well under 1 KiB).
pub const MAX_SIG_BYTES: u64 = 64 << 10;
/// Environment variable holding the passphrase of an encrypted signing key.
pub const PASSPHRASE_ENV: &str = "KFORENSIC_SIGN_PASSPHRASE";

/// The socket of the ssh-agent that signs when `--sign-key` names a public key.
pub const AGENT_SOCK_ENV: &str = "SSH_AUTH_SOCK";

/// A loaded signing key: a private key file, or a public key whose private half ssh-agent holds.
#[derive(Clone)]
pub struct Signer {
    key: SignKey,
}

#[derive(Clone)]
enum SignKey {
    File(Box<PrivateKey>),
    Agent { public: PublicKey, socket: std::path::PathBuf },
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer({})", self.fingerprint())
    }
}

impl Signer {
    /// An OpenSSH private key file (ed25519 or ECDSA); an encrypted one is opened with the
    /// passphrase in `$KFORENSIC_SIGN_PASSPHRASE`, else the one `ask` gives. A PUBLIC key file (`id_ed25519.pub`) means:
    /// sign with its private half held by the ssh-agent at `$SSH_AUTH_SOCK`.
    pub fn from_file(path: &Path, ask: super::decrypt::AskPassphrase<'_>) -> Result<Signer, EvidenceError> {
        let bad = |why: String| EvidenceError::Usage(format!("--sign-key {}: {why}", path.display()));
        let text = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        if let Some(public) = std::str::from_utf8(&text).ok().and_then(|t| PublicKey::from_openssh(t.trim()).ok()) {
            use ssh_key::Algorithm;
            if !matches!(public.algorithm(), Algorithm::Ed25519 | Algorithm::Ecdsa { .. }) {
                return Err(bad(format!("{} keys are not supported: use an ed25519 or ECDSA key", public.algorithm())));
            }
            let socket = std::env::var_os(AGENT_SOCK_ENV).filter(|s| !s.is_empty()).ok_or_else(|| {
                bad(format!("a public key: kforensic signs with its private half in ssh-agent, but ${AGENT_SOCK_ENV} is not set (eval $(ssh-agent); ssh-add KEY)"))
            })?;
            return Ok(Signer { key: SignKey::Agent { public, socket: socket.into() } });
        }
        let key = PrivateKey::read_openssh_file(path).map_err(|e| bad(format!("not an OpenSSH private key ({e})")))?;
        let key = if key.is_encrypted() {
            let opened = match std::env::var(PASSPHRASE_ENV) {
                Ok(pass) => key.decrypt(pass.as_bytes()).map_err(|_| format!("the passphrase in ${PASSPHRASE_ENV} does not open it")),
                Err(_) => {
                    use age::secrecy::ExposeSecret;
                    let pass = ask(&path.display().to_string()).map_err(|why| bad(format!("the key is encrypted: {why}")))?;
                    key.decrypt(pass.expose_secret().as_bytes()).map_err(|_| "the passphrase does not open it".to_string())
                }
            };
            opened.map_err(|why| EvidenceError::Locked(format!("--sign-key {}: {why}", path.display())))?
        } else {
            key
        };
        use ssh_key::Algorithm;
        match key.algorithm() {
            Algorithm::Ed25519 | Algorithm::Ecdsa { .. } => Ok(Signer { key: SignKey::File(Box::new(key)) }),
            other => Err(bad(format!("{other} keys are not supported: use an ed25519 or ECDSA key"))),
        }
    }

    /// `SHA256:…`, as `ssh-keygen -l` shows it.
    pub fn fingerprint(&self) -> String {
        match &self.key {
            SignKey::File(k) => k.fingerprint(HashAlg::Sha256).to_string(),
            SignKey::Agent { public, .. } => public.fingerprint(HashAlg::Sha256).to_string(),
        }
    }

    /// Signed through ssh-agent?
    pub fn uses_agent(&self) -> bool {
        matches!(self.key, SignKey::Agent { .. })
    }

    /// Sign a message given by its digests (SHA-512, as `ssh-keygen -Y sign` does).
    fn sign(&self, msg: &Digested) -> Result<String, EvidenceError> {
        let cannot = |e: &dyn std::fmt::Display| EvidenceError::Usage(format!("cannot sign: {e}"));
        let data = signed_data(NAMESPACE, &[], HashAlg::Sha512, &msg.sha512);
        let sig = match &self.key {
            SignKey::File(k) => {
                let raw = k.try_sign(&data).map_err(|e| cannot(&e))?;
                SshSig::new(k.public_key().key_data().clone(), NAMESPACE, HashAlg::Sha512, raw).map_err(|e| cannot(&e))?
            }
            SignKey::Agent { public, socket } => {
                let raw = super::ssh_agent::sign(socket, public, &data).map_err(EvidenceError::Usage)?;
                let sig = SshSig::new(public.key_data().clone(), NAMESPACE, HashAlg::Sha512, raw).map_err(|e| cannot(&e))?;
                // an agent answering with another key's signature is caught here, not by the reader
                if !signs(public, &sig, msg) {
                    return Err(EvidenceError::Usage("ssh-agent returned a signature that does not verify".into()));
                }
                sig
            }
        };
        sig.to_pem(LineEnding::LF).map_err(|e| EvidenceError::Usage(format!("cannot encode the signature: {e}")))
    }

    /// Sign the finalized bundle in `dir`: `manifest.json.sig` and `custody.log.sig` (over the
    /// log up to and including its `finalized` line) at its root, 0600. Both files are read as
    /// streams, whatever their size.
    pub fn sign_bundle(&self, dir: &Path) -> Result<(), EvidenceError> {
        let (mpath, cpath) = (dir.join(MANIFEST), dir.join(CUSTODY));
        let mut m = DigestingReader::new(std::fs::File::open(&mpath).map_err(|e| EvidenceError::file(&mpath, e))?);
        io::copy(&mut m, &mut io::sink()).map_err(|e| EvidenceError::file(&mpath, e))?;
        let manifest = m.finish();
        let c = std::fs::File::open(&cpath).map_err(|e| EvidenceError::file(&cpath, e))?;
        let sealed = sealed_custody(&mut io::BufReader::with_capacity(1 << 20, c))
            .map_err(|e| EvidenceError::file(&cpath, e))?
            .ok_or_else(|| EvidenceError::Usage(format!("{}: the bundle is not finalized: nothing to sign", dir.display())))?;
        for (name, msg) in [(MANIFEST_SIG, &manifest), (CUSTODY_SIG, &sealed)] {
            let path = dir.join(name);
            let pem = self.sign(msg)?;
            let mut f = super::private::create_file(&path).map_err(|e| EvidenceError::file(&path, e))?;
            f.write_all(pem.as_bytes()).and_then(|()| f.sync_all()).map_err(|e| EvidenceError::file(&path, e))?;
        }
        Ok(())
    }
}

/// A custody line as the signature sees it: only its event.
#[derive(serde::Deserialize)]
struct EventOnly {
    #[serde(default)]
    event: String,
    #[serde(default)]
    prev_sha256: String,
}

impl super::custody::ChainLine for EventOnly {
    fn prev_sha256(&self) -> &str {
        &self.prev_sha256
    }
    fn event(&self) -> &str {
        &self.event
    }
}

/// The digests of the custody log up to and including the newline of its first `finalized`
/// line: what the custody signature covers (later `verify` / `upload` lines do not break it).
pub fn sealed_custody(r: &mut dyn io::BufRead) -> io::Result<Option<Digested>> {
    Ok(super::custody::check_chain_from::<EventOnly>(r, &mut |_, _| {})?.sealed)
}

/// The bytes an SSHSIG signature is made over (OpenSSH's PROTOCOL.sshsig), from the message's
/// digest: "SSHSIG", namespace, reserved, hash algorithm, H(message), each but the first a string.
fn signed_data(namespace: &str, reserved: &[u8], alg: HashAlg, digest: &[u8]) -> Vec<u8> {
    let mut v = b"SSHSIG".to_vec();
    for field in [namespace.as_bytes(), reserved, alg.as_str().as_bytes(), digest] {
        v.extend_from_slice(&(field.len() as u32).to_be_bytes());
        v.extend_from_slice(field);
    }
    v
}

/// Does `sig` (in our namespace) sign the message of `msg` with `key`?
fn signs(key: &PublicKey, sig: &SshSig, msg: &Digested) -> bool {
    let digest: &[u8] = match sig.hash_alg() {
        HashAlg::Sha256 => &msg.sha256,
        HashAlg::Sha512 => &msg.sha512,
        _ => return false,
    };
    let data = signed_data(sig.namespace(), sig.reserved(), sig.hash_alg(), digest);
    key.key_data() == sig.public_key() && sig.namespace() == NAMESPACE && key.key_data().verify(&data, sig.signature()).is_ok()
}

/// One allowed signer: principals and key (OpenSSH's allowed-signers format).
#[derive(Debug, Clone)]
pub struct AllowedSigner {
    pub principals: Vec<String>,
    pub key: PublicKey,
}

/// An allowed-signers file (`ssh-keygen -Y verify -f`): `principals [options] keytype base64`.
#[derive(Debug, Clone, Default)]
pub struct AllowedSigners(pub Vec<AllowedSigner>);

impl AllowedSigners {
    pub fn parse(text: &str, origin: &str) -> Result<AllowedSigners, EvidenceError> {
        let mut v = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad =
                || EvidenceError::Usage(format!("{origin} line {}: not an allowed-signers line (principals [options] keytype key)", n + 1));
            let fields: Vec<&str> = line.split_whitespace().collect();
            let principals = fields.first().ok_or_else(bad)?;
            let at =
                fields.iter().position(|f| f.starts_with("ssh-") || f.starts_with("ecdsa-") || f.starts_with("sk-")).ok_or_else(bad)?;
            if fields[1..at].iter().any(|o| o.contains("cert-authority")) {
                continue; // certificate authorities: not what a bundle is signed with
            }
            let key_text = fields[at..].iter().take(2).copied().collect::<Vec<_>>().join(" ");
            let key = PublicKey::from_openssh(&key_text).map_err(|_| bad())?;
            v.push(AllowedSigner { principals: principals.split(',').map(str::to_string).collect(), key });
        }
        Ok(AllowedSigners(v))
    }

    pub fn read(path: &Path) -> Result<AllowedSigners, EvidenceError> {
        let text = std::fs::read_to_string(path).map_err(|e| EvidenceError::file(path, e))?;
        Self::parse(&text, &path.display().to_string())
    }
}

/// What the signatures of a bundle say.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(test, derive(schemars::JsonSchema))]
pub struct SignatureReport {
    /// Both signature files are there.
    pub signed: bool,
    /// The signing key (`SHA256:…`), when signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// The principals of the allowed signer whose key it is, when an allowed-signers file was given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub signer: Vec<String>,
    /// What does not hold (empty when fine).
    pub problems: Vec<String>,
}

/// Check the signatures of a bundle (`None` for a file that is not there), given the digests of
/// the manifest and of the sealed custody log (up to its first `finalized` line).
pub fn check(
    manifest: &Digested,
    sealed: Option<&Digested>,
    manifest_sig: Option<&[u8]>,
    custody_sig: Option<&[u8]>,
    allowed: Option<&AllowedSigners>,
) -> SignatureReport {
    let mut r = SignatureReport::default();
    let (Some(ms), Some(cs)) = (manifest_sig, custody_sig) else {
        if manifest_sig.is_some() || custody_sig.is_some() {
            r.problems.push(format!("signature: only one of {MANIFEST_SIG} and {CUSTODY_SIG} is there"));
        } else if allowed.is_some() {
            r.problems.push("signature: the bundle is not signed, and --allowed-signers asks for a signature".into());
        }
        return r;
    };
    r.signed = true;
    let mut key: Option<PublicKey> = None;
    for (name, sig, msg) in [(MANIFEST_SIG, ms, Some(manifest)), (CUSTODY_SIG, cs, sealed)] {
        let Ok(sig) = SshSig::from_pem(sig) else {
            r.problems.push(format!("signature: {name} is not an SSH signature"));
            continue;
        };
        let pk = PublicKey::from(sig.public_key().clone());
        if sig.namespace() != NAMESPACE {
            r.problems.push(format!("signature: {name} is for namespace '{}', not '{NAMESPACE}'", sig.namespace()));
        }
        match msg {
            None => r.problems.push(format!("signature: {name}: the custody log has no 'finalized' line to check it against")),
            Some(m) if !signs(&pk, &sig, m) => {
                r.problems.push(format!("signature: {name} does not match: the file it signs changed after it was signed"))
            }
            Some(_) => {}
        }
        match &key {
            Some(k) if k.key_data() != pk.key_data() => r.problems.push("signature: the two signatures are by different keys".into()),
            _ => key = Some(pk),
        }
    }
    if let Some(k) = &key {
        r.fingerprint = Some(k.fingerprint(HashAlg::Sha256).to_string());
        if let Some(a) = allowed {
            match a.0.iter().find(|s| s.key.key_data() == k.key_data()) {
                Some(s) => r.signer = s.principals.clone(),
                None => r
                    .problems
                    .push(format!("signature: signed by {}, a key not in the allowed signers", r.fingerprint.clone().unwrap_or_default())),
            }
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sealed_custody_log_ends_with_the_finalized_line() {
        let log = b"{\"event\":\"bundle_created\"}\n{\"event\":\"finalized\"}\n{\"event\":\"verify\"}\n";
        let sealed = &log[..log.len() - "{\"event\":\"verify\"}\n".len()];
        assert_eq!(sealed_custody(&mut &log[..]).unwrap(), Some(super::super::hash::Digests::of(sealed)));
        assert_eq!(sealed_custody(&mut &b"{\"event\":\"bundle_created\"}\n"[..]).unwrap(), None);
    }

    #[test]
    fn signed_data_from_a_digest_is_what_ssh_key_signs() {
        let msg = b"a manifest";
        let d = super::super::hash::Digests::of(msg);
        for (alg, digest) in [(HashAlg::Sha512, &d.sha512[..]), (HashAlg::Sha256, &d.sha256[..])] {
            assert_eq!(signed_data(NAMESPACE, &[], alg, digest), SshSig::signed_data(NAMESPACE, alg, msg).unwrap());
        }
    }

    #[test]
    fn allowed_signers_lines_are_read_and_options_skipped() {
        let k = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAx9ePzgCElIkNymkMeOtKAuyCz2WGu1Tv82RFm0mTr+";
        let text = format!("# team\nresponder@example.org,ir@example.org namespaces=\"kforensic-evidence\" {k} laptop\n\n");
        let a = AllowedSigners::parse(&text, "f").unwrap();
        assert_eq!(a.0.len(), 1);
        assert_eq!(a.0[0].principals, ["responder@example.org", "ir@example.org"]);
        assert!(AllowedSigners::parse("just-a-name\n", "f").is_err());
    }
}
