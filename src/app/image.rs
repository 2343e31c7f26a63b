//! `kforensic image save|push`: the collector image, made from this binary (or builds given with
//! --binary), as an OCI archive or pushed to a registry.

use super::GlobalArgs;
use super::output::{TableView, human_bytes};
use crate::image::registry::{PushOptions, PushReport};
use crate::image::{ImageError, ImageSet, Reference};
use crate::{Error, Exit};
use clap::{Args, Subcommand};
use std::path::PathBuf;

pub const EXAMPLES: &str = "\
Examples:
  kforensic image push registry.internal:5000/kforensic:v0.1.0
  kforensic checkpoint pod web-7d9f --image registry.internal:5000/kforensic@sha256:…
  kforensic image save --out kforensic-image.tar && ctr -n k8s.io images import kforensic-image.tar
  kforensic image push ghcr.io/org/kforensic:v1 --binary x86_64/kforensic --binary aarch64/kforensic";

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Write the collector image as an OCI archive (ctr images import, skopeo, docker load).
    #[command(after_help = EXAMPLES)]
    Save(SaveArgs),
    /// Push the collector image to a registry and print the pinned reference (NAME@sha256:…).
    #[command(after_help = EXAMPLES)]
    Push(PushArgs),
}

#[derive(Debug, Clone, Args)]
pub struct BinaryArgs {
    /// The kforensic binary to pack, one per architecture (x86_64, aarch64); repeat for a
    /// multi-architecture image. Default: this binary. A dynamically linked build brings the
    /// shared libraries it loads from this machine.
    #[arg(long, value_name = "FILE")]
    pub binary: Vec<PathBuf>,
}

impl BinaryArgs {
    fn build(&self) -> Result<ImageSet, Error> {
        let bins = if self.binary.is_empty() { vec![PathBuf::from("/proc/self/exe")] } else { self.binary.clone() };
        ImageSet::from_binaries(&bins).map_err(image_error)
    }
}

#[derive(Debug, Clone, Args)]
pub struct SaveArgs {
    /// The archive to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The name recorded in the archive (what `ctr images import` and `docker load` call it).
    #[arg(long, value_name = "REF", default_value_t = crate::cluster::collector::published_image())]
    pub name: String,
    #[command(flatten)]
    pub binaries: BinaryArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PushArgs {
    /// Where to push: registry/repository:tag.
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Talk to the registry over plain HTTP (a registry on localhost or a lab network).
    #[arg(long)]
    pub plain_http: bool,
    #[command(flatten)]
    pub binaries: BinaryArgs,
}

fn image_error(e: ImageError) -> Error {
    if e.is_usage() { Error::Usage(e.to_string()) } else { Error::Image(e) }
}

#[derive(Debug, serde::Serialize)]
pub struct SaveReport {
    pub path: PathBuf,
    pub name: String,
    pub digest: String,
    pub bytes: u64,
    pub images: Vec<ImageSummary>,
}

#[derive(Debug, serde::Serialize)]
pub struct ImageSummary {
    pub architecture: &'static str,
    pub manifest: String,
    pub linked: &'static str,
    pub layer_bytes: u64,
    pub files: Vec<String>,
}

fn summaries(set: &ImageSet) -> Vec<ImageSummary> {
    set.images
        .iter()
        .map(|i| ImageSummary {
            architecture: i.arch.oci(),
            manifest: i.manifest.digest.clone(),
            linked: if i.is_static { "static" } else { "dynamic" },
            layer_bytes: i.layer.data.len() as u64,
            files: i.files.iter().map(|f| format!("/{f}")).collect(),
        })
        .collect()
}

impl TableView for SaveReport {
    fn kind(&self) -> &'static str {
        "ImageSaveReport"
    }
    fn table(&self) -> String {
        let mut s = format!("{} ({}): {} {}\n", self.path.display(), human_bytes(self.bytes), self.name, self.digest);
        for i in &self.images {
            s.push_str(&format!(
                "  linux/{} {} build, {} files, layer {}\n",
                i.architecture,
                i.linked,
                i.files.len(),
                human_bytes(i.layer_bytes)
            ));
        }
        s
    }
}

impl TableView for PushReport {
    fn kind(&self) -> &'static str {
        "ImagePushReport"
    }
    /// The pinned reference alone on stdout: `IMG=$(kforensic image push …)`.
    fn table(&self) -> String {
        format!("{}\n", self.pinned)
    }
}

pub async fn run(g: &GlobalArgs, cmd: ImageCommand) -> Result<Exit, Error> {
    match cmd {
        ImageCommand::Save(a) => {
            Reference::parse(&a.name).map_err(image_error)?;
            let binaries = a.binaries.clone();
            let set =
                tokio::task::spawn_blocking(move || binaries.build()).await.map_err(|e| Error::Output(std::io::Error::other(e)))??;
            let bytes = set.write_archive(&a.name, &a.out).map_err(image_error)?;
            let report = SaveReport { path: a.out, name: a.name, digest: set.digest().to_string(), bytes, images: summaries(&set) };
            super::output::emit(g.output, &report).map_err(Error::Output)?;
        }
        ImageCommand::Push(a) => {
            let reference = Reference::parse(&a.reference).map_err(image_error)?;
            let opts = PushOptions { plain_http: a.plain_http, credentials: None };
            // the registry first: a typo or a missing login is said before the image is built
            let mut registry = crate::image::registry::connect(&reference, &opts).await.map_err(image_error)?;
            let binaries = a.binaries.clone();
            let set =
                tokio::task::spawn_blocking(move || binaries.build()).await.map_err(|e| Error::Output(std::io::Error::other(e)))??;
            let report = registry.push(&set).await.map_err(image_error)?;
            if !g.quiet {
                eprintln!(
                    "pushed {} (linux/{}): {} blobs uploaded ({}), {} already there",
                    report.reference,
                    report.architectures.join(", linux/"),
                    report.uploaded,
                    human_bytes(report.bytes_uploaded),
                    report.present
                );
            }
            super::output::emit(g.output, &report).map_err(Error::Output)?;
        }
    }
    Ok(Exit::Ok)
}
