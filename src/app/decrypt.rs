//! `kforensic decrypt BUNDLE --identity FILE --out DIR`: the plaintext tree of an encrypted bundle.

use super::GlobalArgs;
use super::output::TableView;
use crate::evidence::decrypt::{DecryptReport, Identities, decrypt_bundle};
use crate::{Error, Exit};
use clap::Args;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  kforensic decrypt ./evidence/INC-1234 --identity ~/.config/ir/age-key.txt --out ./plain/INC-1234
  kforensic decrypt ./evidence/INC-1234 --identity ~/.ssh/id_ed25519 --out ./plain/INC-1234
  # one artifact, without kforensic
  age -d -i age-key.txt -o checkpoint.tar ./evidence/INC-1234/pods/shop/web/app/checkpoint.tar.age";

#[derive(Debug, Clone, Args)]
pub struct DecryptArgs {
    /// An encrypted bundle directory (made with --encrypt-to).
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// The private key: an age identity file (AGE-SECRET-KEY-1…) or an unencrypted OpenSSH private key.
    #[arg(long, short = 'i', value_name = "FILE")]
    pub identity: PathBuf,
    /// Where the plaintext tree goes (created 0700, files 0600; existing files are never overwritten).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

pub fn run(g: &GlobalArgs, a: DecryptArgs) -> Result<Exit, Error> {
    let ids = Identities::from_file(&a.identity).map_err(super::usage)?;
    let report = decrypt_bundle(&a.bundle, &ids, &a.out).map_err(super::usage)?;
    super::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.ok { Exit::Ok } else { Exit::Failure })
}

impl TableView for DecryptReport {
    fn kind(&self) -> &'static str {
        "DecryptReport"
    }

    fn table(&self) -> String {
        let mut s = String::new();
        for p in &self.problems {
            s.push_str(&super::output::terminal_safe(p));
            s.push('\n');
        }
        let (bundle, out) = (super::output::terminal_safe(&self.bundle), super::output::terminal_safe(&self.out));
        if self.ok {
            s.push_str(&format!("OK {bundle}: {} files ({} bytes) in {out}, every hash matches the manifest\n", self.files, self.bytes));
        } else {
            s.push_str(&format!("FAILED {bundle}: {} problem(s); {} files written to {out}\n", self.problems.len(), self.files));
        }
        s
    }
}
