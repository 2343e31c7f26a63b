//! Evidence bundles: layout, streaming SHA-256, manifest, custody log, sinks (dir, S3), verify.
//!
//! A producer creates a [`DirBundle`] in [`Destination::staging_dir`], declares what it expects
//! ([`DirBundle::plan`]), streams each artifact through [`ArtifactSink::put`], records what could
//! not be captured ([`ArtifactSink::error`]), and hands the bundle to [`finish`], which writes the
//! manifest (last), makes the `.tar` when asked and uploads it to a [`Store`] (S3) when the
//! destination is one.

pub mod archive;
pub mod artifact;
pub mod audit;
pub mod bundle;
pub mod custody;
pub mod decrypt;
pub mod destination;
mod error;
/// Entry points for the fuzz targets in `fuzz/` and the fuzz smoke test.
pub mod fuzzing;
pub mod hash;
pub mod identity;
pub mod manifest;
pub mod meta;
pub mod private;
pub mod progress;
pub mod s3;
pub mod seal;
pub mod sign;
pub mod ssh_agent;
pub mod store;
pub mod stream;
pub mod tree;
pub mod upload;
pub mod verify;

pub use archive::archive_bundle;
pub use artifact::{ArtifactRecord, ArtifactSink, ArtifactSpec, SealedWrite};
pub use bundle::{BundleMeta, CreateOptions, DirBundle};
pub use destination::{Destination, S3Url};
pub use error::EvidenceError;
pub use hash::HashingWriter;
pub use manifest::{ClusterInfo, Manifest, Operator, Tool};
pub use store::Store;
pub use upload::{UploadReport, upload_bundle, upload_to};
pub use verify::{VerifyOptions, VerifyReport, verify_path, verify_store};

use std::path::PathBuf;

/// How to finish a bundle: archive it, and where S3 is, how to reach and write it.
#[derive(Debug, Clone)]
pub struct FinishOptions {
    /// Also write `<dir>.tar`.
    pub archive: bool,
    pub s3: s3::ConnectOptions,
    pub upload: s3::UploadOptions,
    /// Where upload progress goes.
    pub observer: crate::observe::SharedObserver,
    /// Sign the manifest and the custody log (SSHSIG) once finalized.
    pub signer: Option<sign::Signer>,
}

impl Default for FinishOptions {
    fn default() -> Self {
        FinishOptions {
            archive: false,
            s3: Default::default(),
            upload: Default::default(),
            observer: crate::observe::quiet(),
            signer: None,
        }
    }
}

/// The finished bundle: its manifest, where it is, and what was shipped.
#[derive(Debug)]
pub struct Finished {
    pub manifest: Manifest,
    pub dir: PathBuf,
    pub archive: Option<PathBuf>,
    pub upload: Option<UploadReport>,
}

/// Finalize `bundle` (manifest last), archive it when asked, and upload it when `dest` is a store
/// (S3) rather than the local directory it was written in.
/// The local bundle stays either way; an upload failure is returned after the bundle is safe on
/// disk, as [`EvidenceError::NotUploaded`] naming where it is.
pub async fn finish(bundle: DirBundle, dest: &Destination, opts: &FinishOptions) -> Result<Finished, EvidenceError> {
    let dir = bundle.dir().to_path_buf();
    let manifest = bundle.finalize()?;
    if let Some(s) = &opts.signer {
        s.sign_bundle(&dir)?;
    }
    let archive = if opts.archive { Some(archive_bundle(&dir)?) } else { None };
    let upload = match dest {
        Destination::Local(_) => None,
        // the bundle was written in place; any other destination is a store it goes to
        remote => {
            Some(upload_bundle(&dir, remote, &opts.s3, &opts.upload, &opts.observer).await.map_err(|e| EvidenceError::NotUploaded {
                dir: dir.clone(),
                dest: remote.to_string(),
                cause: Box::new(e),
            })?)
        }
    };
    Ok(Finished { manifest, dir, archive, upload })
}

/// As [`finish`]; a stop asked while the bundle is being uploaded gives the upload up (the bundle
/// is finished on disk by then) with [`EvidenceError::NotUploaded`] naming where it is. A stop
/// asked before (a capture cut short) does not: that bundle still goes, marked incomplete.
pub async fn finish_unless_stopped(
    bundle: DirBundle,
    dest: &Destination,
    opts: &FinishOptions,
    stop: &crate::observe::Stop,
) -> Result<Finished, EvidenceError> {
    if stop.is_stopped() || matches!(dest, Destination::Local(_)) {
        return finish(bundle, dest, opts).await;
    }
    let dir = bundle.dir().to_path_buf();
    tokio::select! {
        // finish first: its first poll finalizes the bundle, before anything is sent
        biased;
        r = finish(bundle, dest, opts) => r,
        why = stop.stopped() => {
            Err(EvidenceError::NotUploaded { dir, dest: dest.to_string(), cause: Box::new(std::io::Error::other(why).into()) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_to_a_local_destination_finalizes_and_archives() {
        let d = tempfile::tempdir().unwrap();
        let dest = Destination::parse(d.path().to_str().unwrap()).unwrap();
        let mut b = DirBundle::create(dest.staging_dir(), "case-fin", BundleMeta::default()).unwrap();
        b.plan(["a.txt"]).unwrap();
        b.put(&ArtifactSpec::new("a.txt", "text/plain", "test"), &mut |w| w.write_all(b"hello")).unwrap();
        let opts = FinishOptions { archive: true, ..Default::default() };
        let f = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(finish(b, &dest, &opts)).unwrap();
        assert!(f.manifest.complete);
        assert!(f.upload.is_none());
        assert_eq!(f.dir, d.path().join("case-fin"));
        let tar = f.archive.unwrap();
        for p in [&f.dir, &tar] {
            let r = verify_path(p, VerifyOptions::default()).unwrap();
            assert!(r.ok, "{}: {:?}", p.display(), r.problems);
        }
    }

    #[test]
    fn a_fresh_bundle_and_its_archive_are_private_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let old = unsafe { libc::umask(0) };
        let d = tempfile::tempdir().unwrap();
        let dest = Destination::parse(d.path().join("evidence").to_str().unwrap()).unwrap();
        let mut b = DirBundle::create(dest.staging_dir(), "case-priv", BundleMeta::default()).unwrap();
        b.put(&ArtifactSpec::new("pods/ns/p/c/volatile.json", "application/json", "test"), &mut |w| w.write_all(b"{}")).unwrap();
        let opts = FinishOptions { archive: true, ..Default::default() };
        let f = tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(finish(b, &dest, &opts)).unwrap();
        unsafe { libc::umask(old) };
        let mut seen = 0;
        let mut stack = vec![d.path().join("evidence")];
        while let Some(p) = stack.pop() {
            let md = std::fs::symlink_metadata(&p).unwrap();
            let want = if md.is_dir() { private::DIR_MODE } else { private::FILE_MODE };
            assert_eq!(md.permissions().mode() & 0o777, want, "{}", p.display());
            seen += 1;
            if md.is_dir() {
                stack.extend(std::fs::read_dir(&p).unwrap().map(|e| e.unwrap().path()));
            }
        }
        assert!(f.archive.is_some() && seen >= 9, "bundle dirs, artifact, custody, manifest and the .tar: {seen}");
    }
}
