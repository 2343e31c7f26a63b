//! `--encrypt-to`: the public recipients every artifact of a bundle is sealed to (age).

use crate::Error;
use crate::evidence::seal::Recipients;
use clap::Args;
use std::sync::Arc;

#[derive(Debug, Clone, Default, Args)]
pub struct EncryptArgs {
    /// Encrypt every artifact (age, stored as NAME.age) to this PUBLIC key: an age1… X25519
    /// recipient, an ssh-ed25519 / ssh-rsa public key, or a file of them (one per line, # comments).
    /// Repeatable. The node side encrypts too: no plaintext leaves the agent. The manifest and the
    /// custody log stay readable (verify needs no key); `kforensic decrypt` or `age -d` reads the rest.
    #[arg(long, value_name = "RECIPIENT|FILE", help_heading = "Evidence")]
    pub encrypt_to: Vec<String>,
}

impl EncryptArgs {
    /// The parsed recipients, checked before any work starts (None without --encrypt-to).
    pub fn recipients(&self) -> Result<Option<Arc<Recipients>>, Error> {
        if self.encrypt_to.is_empty() {
            return Ok(None);
        }
        let mut keys = Vec::new();
        for a in &self.encrypt_to {
            if a.starts_with("age1") || a.starts_with("ssh-") || a.starts_with("AGE-SECRET-KEY-") {
                keys.push(a.clone());
                continue;
            }
            let text = std::fs::read_to_string(a).map_err(|e| {
                Error::Usage(format!("--encrypt-to {a}: not an age1…/ssh- public key and not a readable file of them ({e})"))
            })?;
            let before = keys.len();
            keys.extend(text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string));
            if keys.len() == before {
                return Err(Error::Usage(format!("--encrypt-to {a}: the file holds no recipient")));
            }
        }
        Recipients::parse(&keys).map(|r| Some(Arc::new(r))).map_err(|e| Error::Usage(format!("--encrypt-to: {e}")))
    }
}
