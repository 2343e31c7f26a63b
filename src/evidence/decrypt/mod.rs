//! Reading sealed evidence back: the private key (an age identity file or an OpenSSH private
//! key) decrypts a bundle — a directory, a `.tar` of one, or one kept in a store (S3) — into a
//! plaintext tree, every hash checked against the manifest on the way (the stored bytes' and the
//! plaintext's), or one sealed archive for `analyze`.

mod identities;
mod source;
mod temp;

pub use identities::{AskPassphrase, Identities};
pub use source::Source;
pub use temp::{TempPlain, plaintext_archive};

use super::EvidenceError;
use super::manifest::{CUSTODY, MANIFEST, Manifest, SUB_BUNDLE_MEDIA};
use super::seal::{HashingReader, plain_path};
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// What [`decrypt_bundle`] did.
#[derive(Debug, Clone, Serialize)]
pub struct DecryptReport {
    pub bundle: String,
    pub out: String,
    /// Files written (decrypted, or copied when not sealed), every hash matching.
    pub files: u64,
    /// Plaintext bytes written.
    pub bytes: u64,
    /// One line per problem: an artifact missing, tampered, undecryptable or not matching.
    pub problems: Vec<String>,
    pub ok: bool,
}

fn why_not(e: &age::DecryptError) -> String {
    match e {
        age::DecryptError::NoMatchingKeys => "no key in the identity file can open it".into(),
        age::DecryptError::DecryptionFailed | age::DecryptError::InvalidMac => "damaged or tampered ciphertext".into(),
        e => e.to_string(),
    }
}

/// A new private file (0600), never over an existing one, symlinks never followed.
fn create_new(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).mode(super::private::FILE_MODE).custom_flags(libc::O_NOFOLLOW).open(path)
}

/// Decrypt the local bundle `bundle` (a directory, or a `.tar` made by `--archive`) into `out`:
/// see [`decrypt_source`].
pub fn decrypt_bundle(bundle: &Path, ids: &Identities, out: &Path) -> Result<DecryptReport, EvidenceError> {
    decrypt_source(&Source::local(bundle)?, ids, out)
}

/// What a walk over a bundle's artifacts has found so far.
#[derive(Default)]
struct Tally {
    files: u64,
    bytes: u64,
    problems: Vec<String>,
    /// Sealed artifacts met, and the recipients they are sealed to.
    sealed: usize,
    recipients: std::collections::BTreeSet<String>,
    /// Sealed artifacts some identity opened.
    opened_any: bool,
    /// Those no identity could open: (stored path, manifest size, manifest SHA-256).
    refused: Vec<(String, u64, String)>,
}

/// Decrypt the bundle `src` into `out` (created 0700; existing files are never overwritten):
/// each sealed `NAME.age` becomes `NAME`, other artifacts are copied, the manifest, custody log
/// and signatures are copied as they are; a case's sub-bundles (one level) likewise, under their
/// directories. Every stored file's size is checked before it is read, and its SHA-256 and the
/// plaintext's SHA-256 and size as it streams; a file that does not match is not left behind.
/// An identity that opens none of the bundle's artifacts is one error, not a line per artifact.
pub fn decrypt_source(src: &Source, ids: &Identities, out: &Path) -> Result<DecryptReport, EvidenceError> {
    let origin = src.location();
    let mbytes = src.read_meta(MANIFEST)?.ok_or_else(|| EvidenceError::NotABundle {
        path: origin.clone(),
        why: "it has no manifest.json (in a store, give the bundle's own prefix: s3://bucket/prefix/<case-id>)".into(),
    })?;
    let manifest = Manifest::parse(&mbytes, &origin)?;
    super::private::create_dir_all(out).map_err(|e| EvidenceError::file(out, e))?;
    let mut t = Tally::default();
    decrypt_tree(src, "", &manifest, ids, out, &mut t);
    // the case's sub-bundles: each one's manifest is an artifact of the case, checked above
    for a in manifest.artifacts.iter().filter(|a| a.spec.media_type == SUB_BUNDLE_MEDIA) {
        let Some(sub) = plain_path(&a.spec.path).unwrap_or(&a.spec.path).strip_suffix(&format!("/{MANIFEST}")) else { continue };
        let Ok(bytes) = std::fs::read(out.join(sub).join(MANIFEST)) else { continue };
        match Manifest::parse(&bytes, &format!("{origin}/{sub}")) {
            Ok(m) => decrypt_tree(src, &format!("{sub}/"), &m, ids, &out.join(sub), &mut t),
            Err(e) => t.problems.push(format!("{sub}: {e}")),
        }
    }
    if t.sealed > 0 && !t.opened_any && t.refused.len() == t.sealed {
        let to: Vec<&str> = t.recipients.iter().map(String::as_str).take(4).collect();
        return Err(EvidenceError::Usage(format!(
            "identity {} opens none of the {} encrypted artifacts: the bundle is sealed to {}; use the matching private key",
            ids.origin,
            t.sealed,
            to.join(", ")
        )));
    }
    // some artifacts opened, these not: a damaged header, or sealed to other keys
    for (rel, bytes, sha256) in std::mem::take(&mut t.refused) {
        let stored = src.open(&rel).and_then(|mut r| super::hash::hash_reader(&mut r, &super::progress::Progress::hidden()));
        t.problems.push(match stored {
            Ok((n, h)) if n != bytes || h != sha256 => format!(
                "{rel}: stored file differs from the manifest ({n} bytes, sha256 {h}; manifest: {bytes} bytes, sha256 {sha256}): tampered or damaged"
            ),
            _ => format!("{rel}: no key in the identity file can open it ({})", ids.origin),
        });
    }
    Ok(DecryptReport {
        bundle: origin,
        out: out.display().to_string(),
        files: t.files,
        bytes: t.bytes,
        ok: t.problems.is_empty(),
        problems: t.problems,
    })
}

/// The artifacts of one (sub-)bundle, whose files are `prefix` + their path in `src`, into `out`,
/// then its custody log and signatures (and its manifest, at the top: a sub-bundle's is one of
/// the case's artifacts).
fn decrypt_tree(src: &Source, prefix: &str, manifest: &Manifest, ids: &Identities, out: &Path, t: &mut Tally) {
    for a in &manifest.artifacts {
        if let Some(e) = &a.encryption {
            t.sealed += 1;
            t.recipients.extend(e.recipients.iter().cloned());
        }
        let plain = match &a.encryption {
            Some(_) => plain_path(&a.spec.path).unwrap_or(&a.spec.path),
            None => a.spec.path.as_str(),
        };
        match one(src, &format!("{prefix}{}", a.spec.path), a, &out.join(plain), ids) {
            Ok(bytes) => {
                t.opened_any |= a.encryption.is_some();
                t.files += 1;
                t.bytes += bytes;
            }
            Err(Problem::Refused) => t.refused.push((format!("{prefix}{}", a.spec.path), a.bytes, a.sha256.clone())),
            Err(Problem::Other(why)) => t.problems.push(format!("{prefix}{}: {why}", a.spec.path)),
        }
    }
    let names: &[&str] = if prefix.is_empty() {
        &[MANIFEST, CUSTODY, super::sign::MANIFEST_SIG, super::sign::CUSTODY_SIG]
    } else {
        &[CUSTODY, super::sign::MANIFEST_SIG, super::sign::CUSTODY_SIG]
    };
    for name in names {
        let copied = match src.read_meta(&format!("{prefix}{name}")) {
            Ok(None) => continue,
            Ok(Some(bytes)) => {
                create_new(&out.join(name)).and_then(|mut o| o.write_all(&bytes).and_then(|()| o.sync_all())).map_err(|e| e.to_string())
            }
            Err(e) => Err(e.to_string()),
        };
        if let Err(e) = copied {
            t.problems.push(format!("{prefix}{name}: not copied: {e}"));
        }
    }
}

enum Problem {
    /// The identities open nothing of it.
    Refused,
    Other(String),
}

/// The stored file `rel` of artifact `a` into `dest` (a temporary name first, renamed into place
/// only once every hash matched); the plaintext's size.
fn one(src: &Source, rel: &str, a: &super::ArtifactRecord, dest: &Path, ids: &Identities) -> Result<u64, Problem> {
    let missing = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => Problem::Other("missing from the bundle (stored elsewhere, or deleted)".into()),
        _ => Problem::Other(format!("cannot read it: {e}")),
    };
    // a stored size that is not the manifest's: nothing of it is read, let alone decrypted
    let size = src.size(rel).map_err(missing)?;
    if size != a.bytes {
        return Err(Problem::Other(format!(
            "stored file differs from the manifest ({size} bytes; manifest: {} bytes): tampered or damaged",
            a.bytes
        )));
    }
    if let Some(parent) = dest.parent() {
        super::private::create_dir_all(parent).map_err(|e| Problem::Other(format!("cannot create {}: {e}", parent.display())))?;
    }
    if dest.symlink_metadata().is_ok() {
        return Err(Problem::Other(format!("{} exists already: not overwritten", dest.display())));
    }
    let tmp = dest.with_file_name(format!(".{}.kf-partial", dest.file_name().and_then(|n| n.to_str()).unwrap_or("x")));
    let file = create_new(&tmp).map_err(|e| Problem::Other(format!("cannot write {}: {e}", tmp.display())));
    let res = file.and_then(|f| {
        let mut stored = HashingReader::new(src.open(rel).map_err(missing)?);
        let (w, copied) = copy_plain(&mut stored, f, a, ids);
        if let Err(Problem::Refused) = copied {
            return Err(Problem::Refused); // a wrong key reads no further
        }
        // whatever follows (the rest of a damaged file, bytes after the age stream) still
        // counts for the stored hash, which names tampering before any other failure does
        let drained = io::copy(&mut stored, &mut io::sink());
        let (sbytes, ssha) = stored.finish();
        if sbytes != a.bytes || ssha != a.sha256 {
            return Err(Problem::Other(format!(
                "stored file differs from the manifest ({sbytes} bytes, sha256 {ssha}; manifest: {} bytes, sha256 {}): tampered or damaged",
                a.bytes, a.sha256
            )));
        }
        let (bytes, sha) = copied?;
        drained.map_err(|e| Problem::Other(format!("cannot read it: {e}")))?;
        w.sync_all().map_err(|e| Problem::Other(e.to_string()))?;
        if let Some(e) = &a.encryption
            && (bytes != e.plaintext_bytes || sha != e.plaintext_sha256)
        {
            return Err(Problem::Other(format!(
                "decrypted bytes differ from the manifest ({bytes} bytes, sha256 {sha}; manifest: {} bytes, plaintext sha256 {})",
                e.plaintext_bytes, e.plaintext_sha256
            )));
        }
        std::fs::hard_link(&tmp, dest).map_err(|e| Problem::Other(format!("cannot write {}: {e}", dest.display())))?;
        Ok(bytes)
    });
    let _ = std::fs::remove_file(&tmp);
    res
}

/// The plaintext of the stored bytes into `f` (decrypted, or as they are when not sealed): the
/// file, and the plaintext's (size, SHA-256) or why there is none.
fn copy_plain<R: Read>(stored: &mut R, f: File, a: &super::ArtifactRecord, ids: &Identities) -> (File, Result<(u64, String), Problem>) {
    let mut w = super::HashingWriter::new(io::BufWriter::with_capacity(1 << 20, f));
    let copied = match &a.encryption {
        Some(_) => match ids.open(&mut *stored) {
            Ok(mut plain) => io::copy(&mut plain, &mut w)
                .map(|_| ())
                .map_err(|e| Problem::Other(format!("cannot decrypt: {e} (damaged or tampered ciphertext)"))),
            Err(age::DecryptError::NoMatchingKeys) => Err(Problem::Refused),
            Err(e) => Err(Problem::Other(why_not(&e))),
        },
        None => io::copy(stored, &mut w).map(|_| ()).map_err(|e| Problem::Other(format!("cannot copy: {e}"))),
    };
    let (bw, bytes, sha) = w.finish();
    match bw.into_inner() {
        Ok(f) => (f, copied.map(|()| (bytes, sha))),
        Err(e) => {
            let err = e.error().to_string();
            (e.into_inner().into_parts().0, copied.and(Err(Problem::Other(format!("cannot write: {err}")))))
        }
    }
}

#[cfg(test)]
#[allow(deprecated)] // X25519 test identities
mod tests {
    use super::*;
    use crate::evidence::seal::Recipients;
    use crate::evidence::{ArtifactSink, ArtifactSpec, BundleMeta, DirBundle};
    use std::path::PathBuf;
    use std::sync::Arc;

    fn no_passphrase(_: &str) -> Result<age::secrecy::SecretString, String> {
        Err("none in this test".into())
    }

    fn key_file(dir: &Path, id: &age::x25519::Identity) -> PathBuf {
        let p = dir.join("key.txt");
        std::fs::write(&p, format!("# test\n{}\n", age::secrecy::ExposeSecret::expose_secret(&id.to_string()))).unwrap();
        p
    }

    #[test]
    fn a_sealed_bundle_holds_no_plaintext_and_decrypts_with_every_hash_checked() {
        let t = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let r = Arc::new(Recipients::parse(&[id.to_public().to_string()]).unwrap());
        let mut b = DirBundle::create(t.path(), "case-e", BundleMeta::default()).unwrap();
        b.seal(r).unwrap();
        b.plan(["pods/ns/p/c/volatile.json", "cluster/pod.json"]).unwrap();
        b.put(&ArtifactSpec::new("pods/ns/p/c/volatile.json", "application/json", "agent"), &mut |w| {
            w.write_all(b"{\"env\":\"CANARY-x1\"}")
        })
        .unwrap();
        b.put(&ArtifactSpec::new("cluster/pod.json", "application/json", "api"), &mut |w| w.write_all(b"CANARY-x1 in the spec")).unwrap();
        let dir = b.dir().to_path_buf();
        let m = b.finalize().unwrap();
        assert!(m.complete, "{:?}", m.errors);
        assert!(m.artifacts.iter().all(|a| a.spec.path.ends_with(".age") && a.encryption.is_some()));
        // nowhere in the bundle, manifest and custody log included
        crate::evidence::tree::walk(&dir, &mut |rel, e, _| {
            let bytes = std::fs::read(e.path())?;
            assert!(!bytes.windows(9).any(|w| w == b"CANARY-x1"), "plaintext in {rel}");
            Ok(())
        })
        .unwrap();
        // verify needs no key
        let v = crate::evidence::verify_path(&dir, crate::evidence::VerifyOptions { record: false, ..Default::default() }).unwrap();
        assert!(v.ok, "{:?}", v.problems);

        let ids = Identities::from_file(&key_file(t.path(), &id), &no_passphrase).unwrap();
        let out = t.path().join("plain");
        let rep = decrypt_bundle(&dir, &ids, &out).unwrap();
        assert!(rep.ok, "{:?}", rep.problems);
        assert_eq!(std::fs::read(out.join("cluster/pod.json")).unwrap(), b"CANARY-x1 in the spec");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(out.join("cluster/pod.json")).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(out.join(MANIFEST).is_file());
        // the same from its .tar, read in place
        let tar = crate::evidence::archive_bundle(&dir).unwrap();
        let from_tar = t.path().join("from-tar");
        let rep = decrypt_bundle(&tar, &ids, &from_tar).unwrap();
        assert!(rep.ok && rep.files == 2, "{:?}", rep.problems);
        assert_eq!(std::fs::read(from_tar.join("pods/ns/p/c/volatile.json")).unwrap(), b"{\"env\":\"CANARY-x1\"}");
        assert_eq!(std::fs::read(from_tar.join(MANIFEST)).unwrap(), std::fs::read(dir.join(MANIFEST)).unwrap());
        // never overwrites
        let again = decrypt_bundle(&dir, &ids, &out).unwrap();
        assert!(
            !again.ok && again.problems.iter().all(|p| p.contains("not overwritten") || p.contains("not copied")),
            "{:?}",
            again.problems
        );

        // a wrong key: one line, not one per artifact
        let other = age::x25519::Identity::generate();
        let od = tempfile::tempdir().unwrap();
        let wrong = Identities::from_file(&key_file(od.path(), &other), &no_passphrase).unwrap();
        let e = decrypt_bundle(&dir, &wrong, &od.path().join("o")).expect_err("a wrong key fails").to_string();
        assert!(e.contains("opens none of the 2 encrypted artifacts") && !e.contains('\n'), "{e}");

        // a tampered ciphertext is named
        let p = dir.join("pods/ns/p/c/volatile.json.age");
        let mut c = std::fs::read(&p).unwrap();
        let n = c.len();
        c[n - 20] ^= 1;
        std::fs::write(&p, c).unwrap();
        let rep = decrypt_bundle(&dir, &ids, &t.path().join("plain2")).unwrap();
        assert!(!rep.ok);
        assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
        assert!(rep.problems[0].starts_with("pods/ns/p/c/volatile.json.age: "), "{:?}", rep.problems);
        assert!(!t.path().join("plain2/pods/ns/p/c/volatile.json").exists(), "no unverified plaintext is left");
    }

    #[test]
    fn a_case_is_decrypted_with_its_sealed_sub_bundles() {
        let t = tempfile::tempdir().unwrap();
        let id = age::x25519::Identity::generate();
        let r = Arc::new(Recipients::parse(&[id.to_public().to_string()]).unwrap());
        let mut top = DirBundle::create(t.path(), "case-f", BundleMeta::default()).unwrap();
        let subs = ["pods/ns/a", "pods/ns/b"];
        top.plan(subs.iter().map(|s| format!("{s}/{MANIFEST}"))).unwrap();
        for s in subs {
            let (parent, name) = s.rsplit_once('/').unwrap();
            let mut b = DirBundle::create_sub(&top.dir().join(parent), name, "case-f", BundleMeta::default()).unwrap();
            b.seal(r.clone()).unwrap();
            b.plan(["c/volatile.json"]).unwrap();
            b.put(&ArtifactSpec::new("c/volatile.json", "application/json", "test"), &mut |w| w.write_all(s.as_bytes())).unwrap();
            b.finalize().unwrap();
            let bytes = std::fs::read(top.dir().join(s).join(MANIFEST)).unwrap();
            top.put(&ArtifactSpec::new(format!("{s}/{MANIFEST}"), SUB_BUNDLE_MEDIA, "cli"), &mut |w| w.write_all(&bytes)).unwrap();
        }
        let dir = top.dir().to_path_buf();
        assert!(top.finalize().unwrap().complete);
        let ids = Identities::from_file(&key_file(t.path(), &id), &no_passphrase).unwrap();
        let out = t.path().join("plain");
        let rep = decrypt_bundle(&dir, &ids, &out).unwrap();
        assert!(rep.ok, "{:?}", rep.problems);
        for s in subs {
            assert_eq!(std::fs::read(out.join(s).join("c/volatile.json")).unwrap(), s.as_bytes());
            assert!(out.join(s).join(CUSTODY).is_file() && out.join(s).join(MANIFEST).is_file(), "{s}");
        }
        assert_eq!(rep.files, 4);
        // a sub-bundle's artifact altered: named under its directory
        let p = dir.join("pods/ns/b/c/volatile.json.age");
        let mut c = std::fs::read(&p).unwrap();
        c[40] ^= 1;
        std::fs::write(&p, c).unwrap();
        let rep = decrypt_bundle(&dir, &ids, &t.path().join("plain2")).unwrap();
        assert_eq!(rep.problems.len(), 1, "{:?}", rep.problems);
        assert!(rep.problems[0].starts_with("pods/ns/b/c/volatile.json.age: stored file differs"), "{:?}", rep.problems);
    }

    #[test]
    fn identity_files_are_checked_with_one_line() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("k");
        std::fs::write(&p, "hello").unwrap();
        let e = Identities::from_file(&p, &no_passphrase).err().unwrap().to_string();
        assert!(e.contains("neither an age identity file"), "{e}");
        let e = Identities::from_file(&t.path().join("none"), &no_passphrase).err().unwrap().to_string();
        assert!(e.contains("cannot read it"), "{e}");
    }
}
