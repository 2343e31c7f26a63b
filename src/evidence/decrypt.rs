//! Reading sealed evidence back: the private key (an age identity file or an unencrypted OpenSSH
//! private key) decrypts a bundle into a plaintext tree, every hash checked against the manifest
//! on the way (the ciphertext's and the plaintext's), or one sealed archive for `analyze`.

use super::EvidenceError;
use super::manifest::{CUSTODY, MANIFEST};
use super::seal::{HashingReader, plain_path};
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Largest identity file read (age's own limit).
const MAX_IDENTITY_BYTES: u64 = 16 << 20;

/// The private keys that open sealed artifacts.
pub struct Identities {
    keys: Vec<Box<dyn age::Identity + Send + Sync>>,
    origin: String,
}

impl Identities {
    /// An age identity file (`AGE-SECRET-KEY-1…` lines) or an unencrypted OpenSSH private key
    /// (ed25519 or RSA).
    pub fn from_file(path: &Path) -> Result<Identities, EvidenceError> {
        let origin = path.display().to_string();
        let bad = |why: String| EvidenceError::Usage(format!("identity {origin}: {why}"));
        let mut text = Vec::new();
        File::open(path)
            .and_then(|f| f.take(MAX_IDENTITY_BYTES).read_to_end(&mut text))
            .map_err(|e| bad(format!("cannot read it: {e}")))?;
        let keys: Vec<Box<dyn age::Identity + Send + Sync>> = if text.windows(15).any(|w| w == b"AGE-SECRET-KEY-") {
            let f =
                age::IdentityFile::from_buffer(io::Cursor::new(&text)).map_err(|e| bad(format!("not a valid age identity file: {e}")))?;
            f.into_identities().map_err(|e| bad(e.to_string()))?
        } else if text.windows(11).any(|w| w == b"PRIVATE KEY") {
            #[allow(deprecated)] // OpenSSH identities: kept by age for compatibility, as by us
            let id = age::ssh::Identity::from_buffer(io::Cursor::new(&text), Some(origin.clone()))
                .map_err(|e| bad(format!("not an OpenSSH private key age can use: {e}")))?;
            #[allow(deprecated)]
            match id {
                age::ssh::Identity::Unencrypted(_) => vec![Box::new(id)],
                age::ssh::Identity::Encrypted(_) => {
                    return Err(bad(
                        "the OpenSSH key is passphrase-protected: use an unencrypted copy on an offline machine, or `age -d -i KEY` per artifact (it asks for the passphrase)"
                            .into(),
                    ));
                }
                age::ssh::Identity::Unsupported(_) => {
                    return Err(bad("this OpenSSH key type cannot decrypt age files (use ed25519 or RSA)".into()));
                }
            }
        } else {
            return Err(bad("neither an age identity file (AGE-SECRET-KEY-1…) nor an OpenSSH private key".into()));
        };
        if keys.is_empty() {
            return Err(bad("no key in it".into()));
        }
        Ok(Identities { keys, origin })
    }

    /// A reader of the plaintext of the age file `input`.
    fn open<'a, R: Read + 'a>(&self, input: R) -> Result<Box<dyn Read + 'a>, age::DecryptError> {
        let d = age::Decryptor::new(io::BufReader::with_capacity(1 << 20, input))?;
        let r = d.decrypt(self.keys.iter().map(|k| k.as_ref() as &dyn age::Identity))?;
        Ok(Box::new(r))
    }
}

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

fn open_nofollow(path: &Path) -> io::Result<File> {
    OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW).open(path)
}

/// Decrypt the local bundle `bundle` into `out` (created 0700; existing files are never
/// overwritten): each sealed `NAME.age` becomes `NAME`, other artifacts are copied, the manifest,
/// custody log and signatures are copied as they are. Every stored hash and every plaintext hash
/// is checked against the manifest; a file whose plaintext does not match is not left behind.
/// An identity that opens none of the bundle's artifacts is one error, not a line per artifact.
pub fn decrypt_bundle(bundle: &Path, ids: &Identities, out: &Path) -> Result<DecryptReport, EvidenceError> {
    let not_bundle = |why: String| EvidenceError::NotABundle { path: bundle.display().to_string(), why };
    if !bundle.is_dir() {
        return Err(not_bundle(
            "decrypt reads a bundle directory (unpack a .tar first; download an s3:// bundle with aws s3 cp --recursive)".into(),
        ));
    }
    let mut mfile = open_nofollow(&bundle.join(MANIFEST)).map_err(|e| not_bundle(format!("cannot read manifest.json: {e}")))?;
    let (manifest, _) = super::meta::read_manifest(&mut mfile, &bundle.display().to_string())?;
    super::private::create_dir_all(out).map_err(|e| EvidenceError::file(out, e))?;
    let mut r = DecryptReport {
        bundle: bundle.display().to_string(),
        out: out.display().to_string(),
        files: 0,
        bytes: 0,
        problems: vec![],
        ok: false,
    };
    let mut opened_any = false;
    let mut refused_all = true;
    for a in &manifest.artifacts {
        let plain = match &a.encryption {
            Some(_) => plain_path(&a.spec.path).unwrap_or(&a.spec.path),
            None => a.spec.path.as_str(),
        };
        let dest = out.join(plain);
        match one(bundle, a, &dest, ids) {
            Ok(bytes) => {
                opened_any |= a.encryption.is_some();
                refused_all = false;
                r.files += 1;
                r.bytes += bytes;
            }
            Err(Problem::Refused) => {
                r.problems.push(format!("{}: {} ({})", a.spec.path, "no key in the identity file can open it", ids.origin))
            }
            Err(Problem::Other(why)) => {
                refused_all = false;
                r.problems.push(format!("{}: {why}", a.spec.path));
            }
        }
    }
    let sealed = manifest.artifacts.iter().filter(|a| a.encryption.is_some()).count();
    if sealed > 0 && !opened_any && refused_all {
        let to: Vec<&str> =
            manifest.artifacts.iter().filter_map(|a| a.encryption.as_ref()).flat_map(|e| e.recipients.iter().map(String::as_str)).collect();
        let mut to: Vec<&str> = to.into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        to.truncate(4);
        return Err(EvidenceError::Usage(format!(
            "identity {} opens none of the {sealed} encrypted artifacts: the bundle is sealed to {}; use the matching private key",
            ids.origin,
            to.join(", ")
        )));
    }
    for name in [MANIFEST, CUSTODY, super::sign::MANIFEST_SIG, super::sign::CUSTODY_SIG] {
        let src = bundle.join(name);
        if !src.exists() {
            continue;
        }
        let copied = open_nofollow(&src).and_then(|mut f| create_new(&out.join(name)).and_then(|mut o| io::copy(&mut f, &mut o)));
        if let Err(e) = copied {
            r.problems.push(format!("{name}: not copied: {e}"));
        }
    }
    r.ok = r.problems.is_empty();
    Ok(r)
}

enum Problem {
    /// The identities open nothing of it.
    Refused,
    Other(String),
}

/// One artifact into `dest` (a temporary name first); the plaintext's size.
fn one(bundle: &Path, a: &super::ArtifactRecord, dest: &Path, ids: &Identities) -> Result<u64, Problem> {
    let src = bundle.join(&a.spec.path);
    let file = open_nofollow(&src).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Problem::Other("missing from the bundle (stored elsewhere, or deleted)".into()),
        _ => Problem::Other(format!("cannot read it: {e}")),
    })?;
    if let Some(parent) = dest.parent() {
        super::private::create_dir_all(parent).map_err(|e| Problem::Other(format!("cannot create {}: {e}", parent.display())))?;
    }
    if dest.symlink_metadata().is_ok() {
        return Err(Problem::Other(format!("{} exists already: not overwritten", dest.display())));
    }
    let tmp = dest.with_file_name(format!(".{}.kf-partial", dest.file_name().and_then(|n| n.to_str()).unwrap_or("x")));
    let res = (|| {
        let mut stored = HashingReader::new(file);
        let mut w = super::HashingWriter::new(io::BufWriter::with_capacity(
            1 << 20,
            create_new(&tmp).map_err(|e| Problem::Other(format!("cannot write {}: {e}", tmp.display())))?,
        ));
        match &a.encryption {
            Some(_) => {
                let mut plain = ids.open(&mut stored).map_err(|e| match e {
                    age::DecryptError::NoMatchingKeys => Problem::Refused,
                    e => Problem::Other(why_not(&e)),
                })?;
                io::copy(&mut plain, &mut w)
                    .map_err(|e| Problem::Other(format!("cannot decrypt: {e} (damaged or tampered ciphertext)")))?;
                drop(plain);
                // whatever follows the age stream still counts for the stored hash
                io::copy(&mut stored, &mut io::sink()).map_err(|e| Problem::Other(e.to_string()))?;
            }
            None => {
                io::copy(&mut stored, &mut w).map_err(|e| Problem::Other(format!("cannot copy: {e}")))?;
            }
        }
        let (bw, bytes, sha) = w.finish();
        bw.into_inner().map_err(|e| Problem::Other(e.to_string()))?.sync_all().map_err(|e| Problem::Other(e.to_string()))?;
        let (sbytes, ssha) = stored.finish();
        if sbytes != a.bytes || ssha != a.sha256 {
            return Err(Problem::Other(format!(
                "stored file differs from the manifest ({sbytes} bytes, sha256 {ssha}; manifest: {} bytes, sha256 {}): tampered or damaged",
                a.bytes, a.sha256
            )));
        }
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
    })();
    let _ = std::fs::remove_file(&tmp);
    res
}

/// A plaintext copy in a private temporary directory, removed when dropped.
pub struct TempPlain {
    dir: PathBuf,
    pub path: PathBuf,
}

impl Drop for TempPlain {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn private_temp_dir() -> io::Result<PathBuf> {
    let base = std::env::temp_dir();
    for _ in 0..16 {
        let d = base.join(format!("kforensic-plain-{}-{:016x}", std::process::id(), fastrand::u64(..)));
        match super::private::create_dir(&d) {
            Ok(()) => return Ok(d),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("cannot create a private temporary directory"))
}

/// For `analyze`: the plaintext of a sealed checkpoint archive (`NAME.age`), or of an encrypted
/// bundle directory (decrypted whole, every hash checked; the path is then its one checkpoint
/// archive, or the tree itself, whose ELF cores analyze reads), in a private temporary directory
/// ($TMPDIR, 0700) that is removed when the result is dropped.
pub fn plaintext_archive(path: &Path, ids: &Identities) -> Result<TempPlain, EvidenceError> {
    let usage = |why: String| EvidenceError::Usage(why);
    let dir = private_temp_dir().map_err(|e| EvidenceError::file(std::env::temp_dir(), e))?;
    if path.is_dir() {
        let mut t = TempPlain { path: dir.join("bundle"), dir };
        let r = decrypt_bundle(path, ids, &t.path)?;
        if let Some(p) = r.problems.first() {
            return Err(usage(format!("{}: {p} ({} problem(s): run kforensic verify / decrypt)", path.display(), r.problems.len())));
        }
        let mut archives = vec![];
        super::tree::walk(&t.path, &mut |rel, _, ft| {
            if ft.is_file() && (rel == "checkpoint.tar" || rel.ends_with("/checkpoint.tar")) {
                archives.push(rel);
            }
            Ok(())
        })
        .map_err(|e| EvidenceError::file(&t.path, e))?;
        if let [one] = archives.as_slice() {
            t.path = t.path.join(one);
        }
        return Ok(t);
    }
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("archive.age");
    let plain_name = plain_path(name).unwrap_or("checkpoint.tar").to_string();
    let t = TempPlain { path: dir.join(&plain_name), dir };
    let file = open_nofollow(path).map_err(|e| EvidenceError::file(path, e))?;
    let mut plain = ids.open(file).map_err(|e| usage(format!("{}: {} ({})", path.display(), why_not(&e), ids.origin)))?;
    let mut w = io::BufWriter::with_capacity(1 << 20, create_new(&t.path).map_err(|e| EvidenceError::file(&t.path, e))?);
    io::copy(&mut plain, &mut w).map_err(|e| usage(format!("{}: cannot decrypt: {e} (damaged or tampered ciphertext)", path.display())))?;
    w.flush().map_err(|e| EvidenceError::file(&t.path, e))?;
    Ok(t)
}

#[cfg(test)]
#[allow(deprecated)] // X25519 test identities
mod tests {
    use super::*;
    use crate::evidence::seal::Recipients;
    use crate::evidence::{ArtifactSink, ArtifactSpec, BundleMeta, DirBundle};
    use std::sync::Arc;

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

        let ids = Identities::from_file(&key_file(t.path(), &id)).unwrap();
        let out = t.path().join("plain");
        let rep = decrypt_bundle(&dir, &ids, &out).unwrap();
        assert!(rep.ok, "{:?}", rep.problems);
        assert_eq!(std::fs::read(out.join("cluster/pod.json")).unwrap(), b"CANARY-x1 in the spec");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(out.join("cluster/pod.json")).unwrap().permissions().mode() & 0o777, 0o600);
        assert!(out.join(MANIFEST).is_file());
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
        let wrong = Identities::from_file(&key_file(od.path(), &other)).unwrap();
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
    fn identity_files_are_checked_with_one_line() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("k");
        std::fs::write(&p, "hello").unwrap();
        let e = Identities::from_file(&p).err().unwrap().to_string();
        assert!(e.contains("neither an age identity file"), "{e}");
        let e = Identities::from_file(&t.path().join("none")).err().unwrap().to_string();
        assert!(e.contains("cannot read it"), "{e}");
    }
}
