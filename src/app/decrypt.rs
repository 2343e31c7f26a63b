//! `kforensic decrypt BUNDLE --identity FILE --out DIR`: the plaintext tree of an encrypted
//! bundle (a directory, a .tar made with --archive, or s3://).

use super::GlobalArgs;
use super::output::TableView;
use super::s3_args::S3ConnectArgs;
use crate::evidence::Destination;
use crate::evidence::decrypt::{DecryptReport, Source, decrypt_source};
use crate::{Error, Exit};
use clap::Args;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  kforensic decrypt ./evidence/INC-1234 --identity ~/.config/ir/age-key.txt --out ./plain/INC-1234
  kforensic decrypt ./evidence/INC-1234 --identity ~/.ssh/id_ed25519 --out ./plain/INC-1234
  kforensic decrypt ./evidence/INC-1234.tar -i age-key.txt --out ./plain/INC-1234
  kforensic decrypt s3://ir-evidence/INC-1234 --region eu-west-3 -i age-key.txt --out ./plain
  # one artifact, without kforensic
  age -d -i age-key.txt -o checkpoint.tar ./evidence/INC-1234/pods/shop/web/app/checkpoint.tar.age";

#[derive(Debug, Clone, Args)]
pub struct DecryptArgs {
    /// An encrypted bundle (made with --encrypt-to): a directory, a .tar made with --archive, or
    /// s3://bucket/prefix/<case-id> (read in place: nothing is downloaded first).
    #[arg(value_name = "BUNDLE")]
    pub bundle: Destination,
    /// The private key: an age identity file (AGE-SECRET-KEY-1…) or an OpenSSH private key
    /// (ed25519 or RSA; a passphrase-protected one asks for its passphrase, or see --passphrase-file).
    #[arg(long, short = 'i', value_name = "FILE")]
    pub identity: PathBuf,
    #[command(flatten)]
    pub passphrase: super::passphrase::PassphraseArgs,
    /// Where the plaintext tree goes (created 0700, files 0600; existing files are never overwritten).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[command(flatten)]
    pub s3: S3ConnectArgs,
}

pub async fn run(g: &GlobalArgs, a: DecryptArgs) -> Result<Exit, Error> {
    let src = match &a.bundle {
        Destination::Local(p) => Source::local(p),
        stored => match stored.open(&a.s3.options(), &Default::default()).await {
            Ok(store) => Source::store(store, tokio::runtime::Handle::current()).await,
            Err(e) => Err(e),
        },
    }
    .map_err(super::usage)?;
    // the key is opened once the bundle is found (a passphrase is not asked for nothing)
    let ids = a.passphrase.identities(&a.identity)?;
    let out = a.out;
    // reading and decrypting is blocking work; a store's requests run on the runtime meanwhile
    let report = tokio::task::spawn_blocking(move || decrypt_source(&src, &ids, &out))
        .await
        .map_err(|e| Error::Evidence(std::io::Error::other(e).into()))?
        .map_err(super::usage)?;
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
