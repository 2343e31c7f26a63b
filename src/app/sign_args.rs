//! `--sign-key`: the responder's OpenSSH key that signs a bundle's manifest and custody log.

use crate::Error;
use crate::evidence::sign::Signer;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Args)]
pub struct SignArgs {
    /// Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this
    /// OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from
    /// $KFORENSIC_SIGN_PASSPHRASE), or with a PUBLIC key file (id_ed25519.pub) by the matching
    /// key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine.
    #[arg(long, value_name = "FILE", env = "KFORENSIC_SIGN_KEY", help_heading = "Evidence")]
    pub sign_key: Option<PathBuf>,
}

impl SignArgs {
    /// The loaded key, read before any work starts (a wrong key costs nothing).
    pub fn signer(&self) -> Result<Option<Signer>, Error> {
        self.sign_key.as_deref().map(Signer::from_file).transpose().map_err(|e| Error::Usage(e.to_string()))
    }
}
