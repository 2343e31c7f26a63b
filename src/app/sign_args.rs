//! `--sign-key`: the responder's OpenSSH key that signs a bundle's manifest and custody log.

use crate::Error;
use crate::evidence::sign::Signer;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Clone, Default, Args)]
pub struct SignArgs {
    /// Sign the manifest and the custody log (SSHSIG, namespace kforensic-evidence) with this
    /// OpenSSH private key (ed25519 or ECDSA; an encrypted key takes its passphrase from
    /// $KFORENSIC_SIGN_PASSPHRASE, --passphrase-file, or asks on the terminal), or with a PUBLIC key file (id_ed25519.pub) by the matching
    /// key held in ssh-agent ($SSH_AUTH_SOCK). The key never leaves this machine.
    #[arg(long, value_name = "FILE", env = "KFORENSIC_SIGN_KEY", help_heading = "Evidence")]
    pub sign_key: Option<PathBuf>,
    #[command(flatten)]
    pub passphrase: super::passphrase::PassphraseArgs,
}

impl SignArgs {
    /// The loaded key, read before any work starts (a wrong key costs nothing).
    pub fn signer(&self) -> Result<Option<Signer>, Error> {
        let ask = super::passphrase::asker(self.passphrase.passphrase_file.clone());
        self.sign_key.as_deref().map(|k| Signer::from_file(k, &ask)).transpose().map_err(super::usage)
    }
}
