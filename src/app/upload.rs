//! `kforensic upload BUNDLE s3://bucket/prefix`: ship a local bundle (verified first; resumes; manifest last).

use super::GlobalArgs;
use super::output::TableView;
use super::progress::Bars;
use super::s3_args::S3UploadArgs;
use crate::evidence::{Destination, UploadReport, upload_bundle};
use crate::{Error, Exit};
use clap::Args;
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  # lands under s3://ir-evidence/2026/INC-1234/ (run it again to resume)
  kforensic upload ./evidence/INC-1234 s3://ir-evidence/2026
  # write-once, encrypted with the account's KMS key
  kforensic upload ./evidence/INC-1234 s3://ir-evidence/2026 --sse aws:kms --object-lock-mode COMPLIANCE --retain-until 2027-12-31T00:00:00Z
  # a MinIO or Ceph endpoint
  kforensic upload ./evidence/INC-1234 s3://evidence/ir --endpoint-url http://127.0.0.1:9000";

#[derive(Debug, Clone, Args)]
pub struct UploadArgs {
    /// The local bundle directory (e.g. ./evidence/<case-id>).
    #[arg(value_name = "BUNDLE")]
    pub bundle: PathBuf,
    /// Destination, s3://bucket/prefix; the bundle lands under <prefix>/<case-id>/.
    #[arg(value_name = "S3_URL")]
    pub destination: Destination,
    #[command(flatten)]
    pub s3: S3UploadArgs,
    #[command(flatten)]
    pub sign: super::sign_args::SignArgs,
}

pub async fn run(g: &GlobalArgs, a: UploadArgs) -> Result<Exit, Error> {
    if let Destination::Local(_) = a.destination {
        return Err(Error::Usage(format!("upload needs an s3://bucket/prefix destination, not '{}'", a.destination)));
    }
    if let Some(s) = a.sign.signer()? {
        s.sign_bundle(&a.bundle).map_err(super::usage)?;
    }
    let obs = Bars::shared(!g.quiet);
    let report = upload_bundle(&a.bundle, &a.destination, &a.s3.connect.options(), &a.s3.options(), &obs).await.map_err(super::usage)?;
    super::output::emit(g.output, &report).map_err(Error::Output)?;
    Ok(if report.complete { Exit::Ok } else { Exit::Partial })
}

impl TableView for UploadReport {
    fn kind(&self) -> &'static str {
        "UploadReport"
    }

    fn table(&self) -> String {
        let t = crate::app::output::table(
            &["OBJECT", "BYTES", "ACTION"],
            self.files.iter().map(|f| vec![f.path.clone(), f.bytes.to_string(), f.action.to_string()]),
        );
        let mut s = format!("{t}\n");
        s.push_str(&format!(
            "uploaded {} object(s), {} bytes in {:.1}s ({:.1} MB/s); skipped {} already there; bundle at {}{}\n",
            self.uploaded,
            self.bytes_uploaded,
            self.seconds,
            self.mb_per_s,
            self.skipped,
            self.destination,
            if self.complete { "" } else { " (partial evidence: the manifest says complete: false)" }
        ));
        s
    }
}
