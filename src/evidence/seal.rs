//! Encryption at rest: artifacts sealed with age (`age-encryption.org/v1`) to public recipients
//! as they are produced — X25519 (`age1…`) and OpenSSH (`ssh-ed25519`, `ssh-rsa`) keys. Only
//! public keys are ever needed here; the node side gets the same strings in its request.
//!
//! A sealed artifact is stored as `NAME.age` (the plaintext's name plus `.age`): a standard age
//! file that stock `age -d -i KEY` decrypts. Its manifest record keeps the SHA-256 and size of
//! what is stored (the ciphertext: `verify` needs no key) and, under `encryption`, those of the
//! plaintext and the recipients' fingerprints ([`Encryption`]).

use super::artifact::{ArtifactRecord, ArtifactSink, ArtifactSpec};
use super::hash::{HashingWriter, Sha256};
use super::{EvidenceError, SealedWrite};
use serde::{Deserialize, Serialize};
use std::io::{self, Write};
use std::sync::Arc;

/// The `format` of an age-encrypted artifact.
pub const AGE_FORMAT: &str = "age";
/// What a sealed artifact's name ends with.
pub const SEALED_SUFFIX: &str = ".age";

/// The plaintext side of a sealed artifact, in its manifest record (`encryption`).
#[cfg_attr(test, derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Encryption {
    /// `age` (age-encryption.org/v1).
    pub format: String,
    /// Fingerprints of the recipients it was sealed to: `age1…` as given, `SHA256:…` (as
    /// `ssh-keygen -l` prints it) for OpenSSH keys.
    pub recipients: Vec<String>,
    pub plaintext_bytes: u64,
    /// Lower-case hex SHA-256 of the plaintext.
    pub plaintext_sha256: String,
}

/// The stored name of a sealed artifact.
pub fn sealed_path(plain: &str) -> String {
    format!("{plain}{SEALED_SUFFIX}")
}

/// The plaintext name of a sealed artifact (`None` when it does not end in `.age`).
pub fn plain_path(sealed: &str) -> Option<&str> {
    sealed.strip_suffix(SEALED_SUFFIX).filter(|p| !p.is_empty() && !p.ends_with('/'))
}

#[allow(deprecated)] // OpenSSH recipients: age keeps them for compatibility, and so do we
enum Key {
    X25519(age::x25519::Recipient),
    Ssh(age::ssh::Recipient),
}

/// Public recipients to seal to (at least one).
pub struct Recipients {
    keys: Vec<Key>,
    given: Vec<String>,
    fingerprints: Vec<String>,
}

impl std::fmt::Debug for Recipients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipients").field("fingerprints", &self.fingerprints).finish()
    }
}

impl Recipients {
    /// Parse public recipients, one per string: `age1…`, `ssh-ed25519 AAAA… [comment]`,
    /// `ssh-rsa AAAA… [comment]`. A private key is refused (it must never travel).
    #[allow(deprecated)]
    pub fn parse<S: AsRef<str>>(list: &[S]) -> Result<Recipients, EvidenceError> {
        let mut r = Recipients { keys: vec![], given: vec![], fingerprints: vec![] };
        for s in list {
            let s = s.as_ref().trim();
            let bad = |why: &str| EvidenceError::Usage(format!("encryption recipient '{}': {why}", short(s)));
            if s.starts_with("AGE-SECRET-KEY-") || s.contains("PRIVATE KEY") {
                return Err(EvidenceError::Usage(
                    "an encryption recipient is a PUBLIC key (age1… or ssh-ed25519/ssh-rsa …), not a private one".into(),
                ));
            }
            if s.starts_with("age1") {
                let k: age::x25519::Recipient = s.parse().map_err(|e: &str| bad(e))?;
                r.fingerprints.push(k.to_string());
                r.keys.push(Key::X25519(k));
            } else if s.starts_with("ssh-ed25519 ") || s.starts_with("ssh-rsa ") {
                let k: age::ssh::Recipient = s.parse().map_err(|_| bad("not a valid OpenSSH public key"))?;
                let pk = ssh_key::PublicKey::from_openssh(s).map_err(|e| bad(&e.to_string()))?;
                r.fingerprints.push(pk.fingerprint(ssh_key::HashAlg::Sha256).to_string());
                r.keys.push(Key::Ssh(k));
            } else {
                return Err(bad("expected an age1… X25519 recipient or an ssh-ed25519 / ssh-rsa public key"));
            }
            r.given.push(s.to_string());
        }
        if r.keys.is_empty() {
            return Err(EvidenceError::Usage("no encryption recipient given".into()));
        }
        Ok(r)
    }

    /// The recipients as given (public: what the node side is sent).
    pub fn as_strings(&self) -> &[String] {
        &self.given
    }

    pub fn fingerprints(&self) -> &[String] {
        &self.fingerprints
    }

    fn encryptor(&self) -> io::Result<age::Encryptor> {
        let list = self.keys.iter().map(|k| match k {
            Key::X25519(r) => r as &dyn age::Recipient,
            Key::Ssh(r) => r as &dyn age::Recipient,
        });
        age::Encryptor::with_recipients(list).map_err(|e| io::Error::other(format!("cannot encrypt: {e}")))
    }

    /// Seal what `write` produces into `out` (an age file); the plaintext is hashed on the way.
    pub fn seal(&self, out: &mut dyn Write, write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>) -> io::Result<Encryption> {
        let stream = self.encryptor()?.wrap_output(out)?;
        let mut hw = HashingWriter::new(stream);
        write(&mut hw)?;
        let (stream, bytes, sha) = hw.finish();
        stream.finish()?;
        Ok(Encryption { format: AGE_FORMAT.into(), recipients: self.fingerprints.clone(), plaintext_bytes: bytes, plaintext_sha256: sha })
    }
}

fn short(s: &str) -> String {
    s.chars().take(40).flat_map(char::escape_debug).collect()
}

/// Wraps a sink: every artifact put through it is sealed to the recipients and stored as
/// `NAME.age` with its [`Encryption`] record. Artifacts that arrive sealed already pass as they are.
pub struct SealingSink<'a> {
    inner: &'a mut dyn ArtifactSink,
    recipients: Arc<Recipients>,
}

impl<'a> SealingSink<'a> {
    pub fn new(inner: &'a mut dyn ArtifactSink, recipients: Arc<Recipients>) -> Self {
        SealingSink { inner, recipients }
    }
}

/// The spec of the stored (sealed) form of an artifact.
pub fn sealed_spec(spec: &ArtifactSpec) -> ArtifactSpec {
    ArtifactSpec { path: sealed_path(&spec.path), ..spec.clone() }
}

impl ArtifactSink for SealingSink<'_> {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        let r = self.recipients.clone();
        self.inner.put_sealed(&sealed_spec(spec), &mut |w| r.seal(w, write).map(|e| Some(Box::new(e))))
    }

    fn put_sealed(&mut self, spec: &ArtifactSpec, write: &mut SealedWrite<'_>) -> Result<ArtifactRecord, EvidenceError> {
        self.inner.put_sealed(spec, write)
    }

    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.inner.error(path, message)
    }

    fn stored(&mut self, record: &ArtifactRecord, location: &str) -> Result<(), EvidenceError> {
        self.inner.stored(record, location)
    }

    fn last_timing(&self) -> Option<crate::evidence::artifact::SinkTiming> {
        self.inner.last_timing()
    }
}

/// Check an encryption record read from a manifest (which may be hostile).
pub fn check_record(path: &str, e: &Encryption) -> Result<(), String> {
    if e.format != AGE_FORMAT {
        return Err(format!("'{path}' is encrypted in an unknown format '{}'", e.format));
    }
    if !super::manifest::is_sha256_hex(&e.plaintext_sha256) {
        return Err(format!("'{path}' has a malformed plaintext_sha256"));
    }
    if plain_path(path).is_none() {
        return Err(format!("'{path}' is encrypted but its name does not end in {SEALED_SUFFIX}"));
    }
    Ok(())
}

/// SHA-256 and size of everything read through it.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: io::Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader { inner, hasher: Sha256::new(), bytes: 0 }
    }
    pub fn finish(self) -> (u64, String) {
        (self.bytes, self.hasher.finalize_hex())
    }
}

impl<R: io::Read> io::Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(deprecated)] // X25519 test identities
mod tests {
    use super::*;

    #[test]
    fn recipients_are_public_keys_only() {
        let id = age::x25519::Identity::generate();
        let pubkey = id.to_public().to_string();
        let r = Recipients::parse(&[pubkey.as_str()]).unwrap();
        assert_eq!(r.fingerprints(), std::slice::from_ref(&pubkey));
        let secret = age::secrecy::ExposeSecret::expose_secret(&id.to_string()).to_string();
        let e = Recipients::parse(&[secret.as_str()]).unwrap_err().to_string();
        assert!(e.contains("PUBLIC"), "{e}");
        assert!(!e.contains(&secret[15..]), "the secret is not echoed: {e}");
        // an ssh-rsa public key (made by ssh-keygen) is a recipient too, named by its fingerprint
        let rsa = Recipients::parse(&[RSA_PUB]).unwrap();
        assert!(rsa.fingerprints()[0].starts_with("SHA256:"), "{:?}", rsa.fingerprints());
        let mut out = Vec::new();
        rsa.seal(&mut out, &mut |w| w.write_all(b"x")).unwrap();
        assert!(out.starts_with(b"age-encryption.org/v1\n-> ssh-rsa "));
        assert!(Recipients::parse(&["age1nope"]).is_err());
        assert!(Recipients::parse(&["ecdsa-sha2-nistp256 AAAA"]).is_err());
        assert!(Recipients::parse::<&str>(&[]).is_err());
    }

    #[test]
    fn sealed_bytes_decrypt_to_the_plaintext_whose_hash_is_recorded() {
        let id = age::x25519::Identity::generate();
        let r = Recipients::parse(&[id.to_public().to_string()]).unwrap();
        let mut out = Vec::new();
        let e = r.seal(&mut out, &mut |w| w.write_all(b"secret canary")).unwrap();
        assert!(!out.windows(6).any(|w| w == b"canary"));
        assert_eq!(e.plaintext_bytes, 13);
        assert_eq!(e.plaintext_sha256, Sha256::new().tap(b"secret canary"));
        let plain = age::decrypt(&id, &out).unwrap();
        assert_eq!(plain, b"secret canary");
        assert_eq!(plain_path("a/b.json.age"), Some("a/b.json"));
        assert_eq!(plain_path("a/.age"), None);
    }

    #[test]
    fn the_node_seals_the_stream_carries_the_plaintext_facts_and_plaintext_is_refused() {
        use crate::evidence::stream::{StreamSink, receive};
        use crate::evidence::{BundleMeta, DirBundle};
        let id = age::x25519::Identity::generate();
        let r = Arc::new(Recipients::parse(&[id.to_public().to_string()]).unwrap());
        // the agent's side: sealed as produced, then framed
        let mut st = StreamSink::new(Vec::new()).unwrap();
        SealingSink::new(&mut st, r.clone())
            .put(&ArtifactSpec::new("pods/ns/p/c/inspect.json", "application/json", "agent"), &mut |w| w.write_all(b"TOKEN=abc"))
            .unwrap();
        let wire = st.finish().unwrap();
        assert!(!wire.windows(9).any(|w| w == b"TOKEN=abc"), "no plaintext on the wire");
        let t = tempfile::tempdir().unwrap();
        let mut b = DirBundle::create(t.path(), "c", BundleMeta::default()).unwrap();
        b.seal(r.clone()).unwrap();
        let rep = receive(&mut wire.as_slice(), &mut b).unwrap();
        assert!(rep.complete(), "{:?}", rep.failed);
        let e = rep.artifacts[0].encryption.as_ref().expect("encryption record");
        assert_eq!(rep.artifacts[0].spec.path, "pods/ns/p/c/inspect.json.age");
        assert_eq!(e.plaintext_sha256, Sha256::new().tap(b"TOKEN=abc"));
        assert_eq!(e.recipients, r.fingerprints());
        // an agent that ignored the recipients: its plaintext is not kept
        let mut st = StreamSink::new(Vec::new()).unwrap();
        st.put(&ArtifactSpec::new("pods/ns/p/c/volatile.json", "application/json", "agent"), &mut |w| w.write_all(b"TOKEN=abc")).unwrap();
        let wire = st.finish().unwrap();
        let rep = receive(&mut wire.as_slice(), &mut b).unwrap();
        assert!(!rep.complete() && rep.failed[0].message.contains("unencrypted"), "{:?}", rep.failed);
        assert!(!t.path().join("c/pods/ns/p/c/volatile.json").exists());
        let m = b.finalize().unwrap();
        assert!(!m.complete);
    }

    const RSA_PUB: &str = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDClS2yCwUpyYnquZwm41xxEuEl40FT8Q+P6VfgtK2rfs8h/2l6oJr8asicNO2UgMFNHQ2I2FLm1ZSZa/SGkd8qviK1oE2R3M/VMsZR7i5KgZkYW05st5Z4yGolVpLHZksJC9bPjYT54xKvTND0iszZblYSqZJ66S8RLd7vZSAKi0FpkeTX0AyAt0DU9KgSZmtsVjvb1RBYDXBe1bcNYv++zVufDcLTYUZCWk7dw9ubPyjkaRAA5wBjJ2yc2K6Ax2iqLPOjyZJPNSiF5pa3gJscRkSSrHRofDZ+mXSul5Rl1KyCGzpu5p+DyHx8tJLtniCuYDKC8ftHZOWOmH53OWS1 test";

    trait Tap {
        fn tap(self, b: &[u8]) -> String;
    }
    impl Tap for Sha256 {
        fn tap(mut self, b: &[u8]) -> String {
            self.update(b);
            self.finalize_hex()
        }
    }
}
