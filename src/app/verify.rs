//! `kforensic verify BUNDLE`: hashes, sizes, custody chain and completeness of a bundle (directory, .tar or s3://).

use super::GlobalArgs;
use super::output::TableView;
use super::progress::Bars;
use super::s3_args::S3ConnectArgs;
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
    #[command(flatten)]
    pub s3: S3ConnectArgs,
}

pub async fn run(g: &GlobalArgs, a: VerifyArgs) -> Result<Exit, Error> {
    let obs = Bars::shared(!g.quiet);
    let report = match a.bundle {
        Destination::Local(p) => {
            let opts = VerifyOptions { record: !a.no_record, observer: obs };
            tokio::task::spawn_blocking(move || verify_path(&p, opts))
                .await
                .map_err(|e| Error::Evidence(std::io::Error::other(e).into()))?
        }
        stored => match stored.open(&a.s3.options(), &Default::default()).await {
            Ok(store) => verify_store(&*store, &obs).await,
            Err(e) => Err(e),
        },
    }
    .map_err(super::usage)?;
    super::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.ok { Exit::Ok } else { Exit::Failure })
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
                "OK {}: {} artifacts ({} bytes) match the manifest, custody chain of {} lines intact, complete\n",
                self.bundle, self.artifacts, self.bytes, self.custody_lines
            ));
        } else {
            s.push_str(&format!(
                "FAILED {}: {} problem(s); {}/{} artifacts match\n",
                self.bundle,
                self.problems.len(),
                self.artifacts_ok,
                self.artifacts
            ));
        }
        s
    }
}
