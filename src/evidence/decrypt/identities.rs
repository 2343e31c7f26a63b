//! The private keys that open sealed artifacts: an age identity file, or an OpenSSH private key
//! (ed25519 or RSA), opened with its passphrase when it has one.

use crate::evidence::EvidenceError;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Largest identity file read (age's own limit).
const MAX_IDENTITY_BYTES: u64 = 16 << 20;

/// How the passphrase of an encrypted key is had (the command layer: a file, or the terminal),
/// given the key's file name; Err says why there is none.
pub type AskPassphrase<'a> = &'a dyn Fn(&str) -> Result<age::secrecy::SecretString, String>;

/// The private keys that open sealed artifacts.
pub struct Identities {
    keys: Vec<Box<dyn age::Identity + Send + Sync>>,
    pub(super) origin: String,
}

impl Identities {
    /// An age identity file (`AGE-SECRET-KEY-1…` lines) or an OpenSSH private key (ed25519 or
    /// RSA); a passphrase-protected one is opened here, with the passphrase `ask` gives (a wrong
    /// one fails now, not per artifact).
    pub fn from_file(path: &Path, ask: AskPassphrase<'_>) -> Result<Identities, EvidenceError> {
        let origin = path.display().to_string();
        let bad = |why: String| EvidenceError::Usage(format!("identity {origin}: {why}"));
        let mut text = Vec::new();
        File::open(path)
            .and_then(|f| f.take(MAX_IDENTITY_BYTES).read_to_end(&mut text))
            .map_err(|e| bad(format!("cannot read it: {e}")))?;
        let keys: Vec<Box<dyn age::Identity + Send + Sync>> = if text.windows(15).any(|w| w == b"AGE-SECRET-KEY-") {
            let f =
                age::IdentityFile::from_buffer(io::Cursor::new(&text)).map_err(|e| bad(format!("not a valid age identity file: {e}")))?;
            f.into_identities().map_err(|e| bad(e.to_string()))?
        } else if text.windows(11).any(|w| w == b"PRIVATE KEY") {
            #[allow(deprecated)] // OpenSSH identities: kept by age for compatibility, as by us
            let id = age::ssh::Identity::from_buffer(io::Cursor::new(&text), Some(origin.clone()))
                .map_err(|e| bad(format!("not an OpenSSH private key age can use: {e}")))?;
            #[allow(deprecated)]
            match id {
                age::ssh::Identity::Unencrypted(_) => vec![Box::new(id)],
                age::ssh::Identity::Encrypted(key) => {
                    let pass = ask(&origin).map_err(|why| bad(format!("the OpenSSH key is passphrase-protected: {why}")))?;
                    let key = key
                        .decrypt(pass)
                        .map_err(|_| EvidenceError::Locked(format!("identity {origin}: the passphrase does not open this OpenSSH key")))?;
                    vec![Box::new(age::ssh::Identity::from(key))]
                }
                age::ssh::Identity::Unsupported(_) => {
                    return Err(bad("this OpenSSH key type cannot decrypt age files (use ed25519 or RSA)".into()));
                }
            }
        } else {
            return Err(bad("neither an age identity file (AGE-SECRET-KEY-1…) nor an OpenSSH private key".into()));
        };
        if keys.is_empty() {
            return Err(bad("no key in it".into()));
        }
        Ok(Identities { keys, origin })
    }

    /// A reader of the plaintext of the age file `input`.
    pub(super) fn open<'a, R: Read + 'a>(&self, input: R) -> Result<Box<dyn Read + 'a>, age::DecryptError> {
        let d = age::Decryptor::new(io::BufReader::with_capacity(1 << 20, input))?;
        let r = d.decrypt(self.keys.iter().map(|k| k.as_ref() as &dyn age::Identity))?;
        Ok(Box::new(r))
    }
}
