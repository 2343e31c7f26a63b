//! `kforensic verify BUNDLE`: hashes, sizes, custody chain and completeness of a bundle (directory, .tar or s3://).

use super::GlobalArgs;
use super::output::TableView;
use super::progress::Bars;
use super::s3_args::S3ConnectArgs;
use crate::evidence::sign::AllowedSigners;
use crate::evidence::{Destination, VerifyOptions, VerifyReport, verify_path, verify_store};
use crate::{Error, Exit};
use clap::Args;

pub const EXAMPLES: &str = "\
Examples:
  kforensic verify ./evidence/INC-1234
  kforensic verify ./evidence/INC-1234.tar --no-record
  kforensic verify s3://ir-evidence/2026/INC-1234 --region eu-west-3
  kforensic verify ./evidence/INC-1234 -o json | jq .problems";

#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// A bundle directory, a .tar made with --archive, or s3://bucket/prefix/<case-id>.
    #[arg(value_name = "BUNDLE")]
    pub bundle: Destination,
    /// Do not append a `verify` event to a local bundle's custody.log.
    #[arg(long)]
    pub no_record: bool,
    /// Require a valid signature by one of these keys (OpenSSH allowed-signers format, as for
    /// `ssh-keygen -Y verify -f`); the signer is named. Without it, verify says whether and by
    /// which key the bundle is signed.
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<std::path::PathBuf>,
    #[command(flatten)]
    pub s3: S3ConnectArgs,
}

pub async fn run(g: &GlobalArgs, a: VerifyArgs) -> Result<Exit, Error> {
    let allowed = a.allowed_signers.as_deref().map(AllowedSigners::read).transpose().map_err(|e| Error::Usage(e.to_string()))?;
    let obs = Bars::shared(!g.quiet);
    let report = match a.bundle {
        Destination::Local(p) => {
            let opts = VerifyOptions { record: !a.no_record, allowed_signers: allowed, observer: obs };
            tokio::task::spawn_blocking(move || verify_path(&p, opts))
                .await
                .map_err(|e| Error::Evidence(std::io::Error::other(e).into()))?
        }
        stored => match stored.open(&a.s3.options(), &Default::default()).await {
            Ok(store) => verify_store(&*store, &obs, allowed.as_ref()).await,
            Err(e) => Err(e),
        },
    }
    .map_err(super::usage)?;
    super::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.ok { Exit::Ok } else { Exit::Failure })
}

/// `signed by responder@example.org (key SHA256:…)`, `signed by key SHA256:…` or `not signed`.
fn signed_by(s: &crate::evidence::sign::SignatureReport) -> String {
    match (&s.fingerprint, s.signer.is_empty()) {
        (Some(fp), true) => format!("signed by key {fp}"),
        (Some(fp), false) => format!("signed by {} (key {fp})", s.signer.join(", ")),
        (None, _) => "not signed".into(),
    }
}

impl TableView for VerifyReport {
    fn kind(&self) -> &'static str {
        "VerifyReport"
    }

    fn table(&self) -> String {
        let mut s = String::new();
        for p in &self.problems {
            s.push_str(&p.message);
            s.push('\n');
        }
        if self.ok {
            s.push_str(&format!(
                "OK {}: {} artifacts ({} bytes) match the manifest, custody chain of {} lines intact, complete, {}\n",
                self.bundle,
                self.artifacts,
                self.bytes,
                self.custody_lines,
                signed_by(&self.signature)
            ));
        } else {
            s.push_str(&format!(
                "FAILED {}: {} problem(s); {}/{} artifacts match; {}\n",
                self.bundle,
                self.problems.len(),
                self.artifacts_ok,
                self.artifacts,
                signed_by(&self.signature)
            ));
        }
        s
    }
}
