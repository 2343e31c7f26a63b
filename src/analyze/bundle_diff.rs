//! The diff of a container in a capture bundle, whatever the bundle's layout: `diff.json`'s rows
//! ([`read_diff`]) and the changed content as a diff tar ([`extract_diff`], `kforensic analyze
//! BUNDLE --extract-diff --out FILE`).
//!
//! Two layouts exist (see ARCHITECTURE.md, "The bundle"): the changed content in its own
//! `diff.tar.zst` (bundles made before the one-pass capture, and captures without the export), or
//! in the export `rootfs.tar.zst`, each added or changed row of `diff.json` carrying the offset
//! of its tar header there (`tar_offset`) and the SHA-256 of what the export stored. Either way
//! the rebuilt tar is an OCI-layer-style diff (deletions as `.wh.` files, opaque directories as
//! `.wh..wh..opq`) and every regular file in it is checked against the row's SHA-256.

use super::AnalyzeError;
use super::error::one_line;
use crate::evidence::hash::Sha256;
use crate::protocol::name;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

const DIFF_JSON: &str = crate::protocol::layout::DIFF_JSON;
const DIFF_TAR: &str = crate::protocol::layout::DIFF_TAR;
const ROOTFS: &str = crate::protocol::layout::ROOTFS;

/// One row of `diff.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DiffRow {
    /// A (added), C (changed) or D (deleted).
    pub kind: String,
    /// Absolute path inside the container.
    pub path: String,
    /// file, dir, symlink, hardlink, char, block, fifo, socket, whiteout
    #[serde(rename = "type")]
    pub entry_type: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub sha256: Option<String>,
    #[serde(default)]
    pub link_target: Option<String>,
    #[serde(default)]
    pub opaque: bool,
    /// Offset of the entry's tar header in the uncompressed export (export layout only).
    #[serde(default)]
    pub tar_offset: Option<u64>,
    /// Changed in the upper layer but hidden from the container by a mount point: not in the
    /// export (export layout only).
    #[serde(default)]
    pub hidden_by_mount: bool,
}

/// Where a bundle keeps the changed content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Content {
    /// `diff.tar.zst` (bundles made before the one-pass capture; captures without the export).
    DiffTar,
    /// `rootfs.tar.zst`, located by the rows' `tar_offset`.
    Export,
}

/// A container's diff as its bundle records it.
#[derive(Debug, Clone, Serialize)]
pub struct BundleDiff {
    /// The container's directory in the bundle.
    pub dir: PathBuf,
    pub content: Content,
    pub rows: Vec<DiffRow>,
    /// The rows' paths keep the names' bytes, escaped (`protocol::name`); false in bundles made
    /// before (bytes that were not UTF-8 were replaced).
    pub escaped_names: bool,
}

impl BundleDiff {
    /// A tar member's name (bytes, no leading `/`) as the rows spell it, without the leading `/`.
    pub fn row_name(&self, member: &[u8]) -> String {
        if self.escaped_names { name::escape(member) } else { String::from_utf8_lossy(member).into_owned() }
    }

    /// A row's path (or a name made from one) as the bytes of a tar member name.
    fn member_name(&self, row_path: &str) -> PathBuf {
        let rel = row_path.trim_start_matches('/');
        if self.escaped_names { PathBuf::from(OsString::from_vec(name::unescape(rel))) } else { PathBuf::from(rel) }
    }
}

#[derive(Deserialize)]
struct DiffJson {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    names: Option<String>,
    #[serde(default)]
    changes: Vec<DiffRow>,
}

/// The container directory meant by `path`: one holding `diff.json`, or a bundle with exactly
/// one container that has one.
pub fn container_dir(path: &Path) -> Result<PathBuf, AnalyzeError> {
    if path.join(DIFF_JSON).is_file() {
        return Ok(path.to_path_buf());
    }
    if !path.is_dir() {
        return Err(AnalyzeError::NotFound(format!(
            "{}: not a capture bundle or a container directory of one (no {DIFF_JSON})",
            path.display()
        )));
    }
    let mut found = vec![];
    let dirs = |p: PathBuf| -> Vec<PathBuf> {
        std::fs::read_dir(p)
            .map(|rd| rd.filter_map(|e| e.ok()).filter(|e| e.file_type().is_ok_and(|t| t.is_dir())).map(|e| e.path()).collect())
            .unwrap_or_default()
    };
    for ns in dirs(path.join("pods")) {
        for pod in dirs(ns) {
            found.extend(dirs(pod).into_iter().filter(|c| c.join(DIFF_JSON).is_file()));
        }
    }
    found.extend(dirs(path.join("containers")).into_iter().filter(|c| c.join(DIFF_JSON).is_file()));
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(AnalyzeError::NotFound(format!(
            "{}: no container directory with a {DIFF_JSON} (was the diff step captured?)",
            path.display()
        ))),
        _ => {
            let shown: Vec<String> = found.iter().map(|d| d.display().to_string()).collect();
            Err(AnalyzeError::NotFound(format!(
                "{} holds the diffs of {} containers: give one of their directories: {}",
                path.display(),
                found.len(),
                one_line(&shown.join(", "))
            )))
        }
    }
}

/// The diff entries of a container in a bundle, whatever the bundle's layout (`path`: the
/// bundle, or the container's directory in it; see [`container_dir`]).
pub fn read_diff(path: &Path) -> Result<BundleDiff, AnalyzeError> {
    let dir = container_dir(path)?;
    let file = dir.join(DIFF_JSON);
    let bytes = std::fs::read(&file).map_err(|source| AnalyzeError::Open { path: file.clone(), source })?;
    let d: DiffJson = serde_json::from_slice(&bytes)
        .map_err(|e| AnalyzeError::Read { file: file.display().to_string(), source: io::Error::new(io::ErrorKind::InvalidData, e) })?;
    let content = match d.content.as_deref() {
        Some("export") => Content::Export,
        None | Some("diff-tar") => Content::DiffTar,
        Some(other) => {
            return Err(AnalyzeError::NotFound(format!(
                "{}: content {:?} is not a layout this kforensic knows: use a matching version",
                file.display(),
                one_line(other)
            )));
        }
    };
    let escaped_names = match d.names.as_deref() {
        None => false,
        Some(name::ESCAPED) => true,
        Some(other) => {
            return Err(AnalyzeError::NotFound(format!(
                "{}: names {:?} is not an encoding this kforensic knows: use a matching version",
                file.display(),
                one_line(other)
            )));
        }
    };
    Ok(BundleDiff { dir, content, rows: d.changes, escaped_names })
}

/// What [`extract_diff`] wrote.
#[derive(Debug, Clone, Serialize)]
pub struct ExtractDiffReport {
    pub container_dir: PathBuf,
    pub content: Content,
    /// The bundle file the content came from.
    pub source: PathBuf,
    pub out: PathBuf,
    pub entries: u64,
    pub files: u64,
    pub file_bytes: u64,
    /// Whiteouts and opaque-directory markers written.
    pub deletions: u64,
    /// Regular files whose SHA-256 equals the one diff.json records.
    pub hashes_checked: u64,
    /// Empty entries the runtime made as mount points (not in the export, nothing lost).
    pub hidden_by_mount: Vec<String>,
    /// What does not hold up: a hash that differs, a row the content tar lacks (content hidden
    /// by a mount point included).
    pub problems: Vec<String>,
}

/// Rebuild the diff tar of a container from its bundle into `out` (a new file, never
/// overwritten), checking every regular file against diff.json's SHA-256.
pub fn extract_diff(path: &Path, out: &Path) -> Result<ExtractDiffReport, AnalyzeError> {
    let diff = read_diff(path)?;
    let source = diff.dir.join(match diff.content {
        Content::DiffTar => DIFF_TAR,
        Content::Export => ROOTFS,
    });
    let input = std::fs::File::open(&source).map_err(|source_err| AnalyzeError::Open { path: source.clone(), source: source_err })?;
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(out)
        .map_err(|source| AnalyzeError::Write { path: out.to_path_buf(), source })?;
    let mut report = ExtractDiffReport {
        container_dir: diff.dir.clone(),
        content: diff.content,
        source: source.clone(),
        out: out.to_path_buf(),
        entries: 0,
        files: 0,
        file_bytes: 0,
        deletions: 0,
        hashes_checked: 0,
        hidden_by_mount: vec![],
        problems: vec![],
    };
    let written = (|| -> Result<(), AnalyzeError> {
        let mut b = tar::Builder::new(BufWriter::with_capacity(1 << 20, file));
        // decompressed on a thread of its own while the entries are checked and written here
        let dec = zstd::Decoder::new(input).map_err(|e| read_err(&source, e))?;
        let dec = super::readahead::ReadAhead::new(dec, 512 << 10, 8).map_err(|e| read_err(&source, e))?;
        let mut a = tar::Archive::new(dec);
        let rows: HashMap<String, &DiffRow> = diff.rows.iter().map(|r| (r.path.trim_start_matches('/').to_string(), r)).collect();
        let mut wanted: HashSet<String> = HashSet::new();
        if diff.content == Content::Export {
            for r in diff.rows.iter().filter(|r| r.kind != "D") {
                if r.tar_offset.is_none() {
                    if r.hidden_by_mount && r.size == 0 {
                        // an empty mount point the runtime made (kubelet's /etc/hosts): nothing to lose
                        report.hidden_by_mount.push(r.path.clone());
                    } else if r.hidden_by_mount {
                        report.problems.push(format!(
                            "{}: {} bytes hidden by a mount point in the container: not in the export (sha256 {} in diff.json)",
                            one_line(&r.path),
                            r.size,
                            one_line(r.sha256.as_deref().unwrap_or("unknown"))
                        ));
                    } else {
                        report.problems.push(format!("{}: not in the export (see diff.json's notes)", one_line(&r.path)));
                    }
                    continue;
                }
                wanted.insert(r.path.trim_start_matches('/').to_string());
                // a hardlink needs its target in the same tar
                if r.entry_type == "hardlink"
                    && let Some(t) = &r.link_target
                {
                    wanted.insert(t.trim_start_matches('/').to_string());
                }
            }
        }
        let mut seen = HashSet::new();
        for e in a.entries().map_err(|e| read_err(&source, e))? {
            let mut e = e.map_err(|e| read_err(&source, e))?;
            let member = e.path_bytes();
            let name = diff.row_name(member.strip_suffix(b"/").unwrap_or(&member));
            let row = rows.get(&name).copied();
            if diff.content == Content::Export {
                if !wanted.contains(&name) {
                    continue;
                }
                if let Some(r) = row
                    && r.tar_offset.is_some_and(|o| o != e.raw_header_position())
                {
                    report.problems.push(format!(
                        "{}: diff.json places it at offset {}, the export has it at {}",
                        one_line(&r.path),
                        r.tar_offset.unwrap_or(0),
                        e.raw_header_position()
                    ));
                }
                seen.insert(name.clone());
            }
            copy_entry(&mut b, &mut e, row, &mut report).map_err(|e| write_err(out, e))?;
        }
        if diff.content == Content::Export {
            for name in wanted.difference(&seen) {
                report.problems.push(format!("/{}: listed in diff.json, not found in {ROOTFS}", one_line(name)));
            }
            for r in &diff.rows {
                let rel = r.path.trim_start_matches('/');
                let marker = if r.kind == "D" && r.entry_type == "whiteout" {
                    // the deletion, as an OCI layer records it
                    let (parent, base) = rel.rsplit_once('/').map(|(p, b)| (format!("{p}/"), b)).unwrap_or((String::new(), rel));
                    Some(format!("{parent}.wh.{base}"))
                } else if r.opaque {
                    Some(format!("{rel}/.wh..wh..opq"))
                } else {
                    None
                };
                if let Some(m) = marker {
                    let mut h = tar::Header::new_gnu();
                    h.set_entry_type(tar::EntryType::Regular);
                    h.set_mode(0o644);
                    h.set_size(0);
                    b.append_data(&mut h, diff.member_name(&m), io::empty()).map_err(|e| write_err(out, e))?;
                    report.entries += 1;
                    report.deletions += 1;
                }
            }
        }
        let mut w = b.into_inner().map_err(|e| write_err(out, e))?;
        w.flush().map_err(|e| write_err(out, e))
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(out);
        return Err(e);
    }
    Ok(report)
}

fn read_err(file: &Path, e: io::Error) -> AnalyzeError {
    AnalyzeError::Archive { archive: file.to_path_buf(), what: one_line(&e.to_string()) }
}

fn write_err(out: &Path, e: io::Error) -> AnalyzeError {
    AnalyzeError::Write { path: out.to_path_buf(), source: e }
}

/// Copy one member (its PAX records, links, data) into `b`, hashing a regular file's data and
/// comparing it with the row's SHA-256.
fn copy_entry<R: Read>(
    b: &mut tar::Builder<impl Write>,
    e: &mut tar::Entry<R>,
    row: Option<&DiffRow>,
    report: &mut ExtractDiffReport,
) -> io::Result<()> {
    let pax: Vec<(String, Vec<u8>)> = match e.pax_extensions()? {
        Some(x) => x.filter_map(|x| x.ok()).filter_map(|x| Some((x.key().ok()?.to_string(), x.value_bytes().to_vec()))).collect(),
        None => vec![],
    };
    let xattrs: Vec<(&str, &[u8])> =
        pax.iter().filter(|(k, _)| k.starts_with("SCHILY.xattr.")).map(|(k, v)| (k.as_str(), v.as_slice())).collect();
    if !xattrs.is_empty() {
        b.append_pax_extensions(xattrs)?;
    }
    let path = e.path()?.into_owned();
    let mut h = e.header().clone();
    let kind = h.entry_type();
    report.entries += 1;
    if kind.is_symlink() || kind.is_hard_link() {
        let target = e.link_name()?.map(|t| t.into_owned()).unwrap_or_default();
        return b.append_link(&mut h, &path, &target);
    }
    if !kind.is_file() {
        return b.append_data(&mut h, &path, io::empty());
    }
    if path.file_name().is_some_and(|n| n.as_encoded_bytes().starts_with(b".wh.")) {
        // a whiteout or an opaque marker of a diff tar (empty by definition)
        report.deletions += 1;
        h.set_size(0);
        return b.append_data(&mut h, &path, io::empty());
    }
    let mut hashing = HashRead { inner: e, hasher: Sha256::new(), bytes: 0 };
    b.append_data(&mut h, &path, &mut hashing)?;
    let (bytes, sha) = (hashing.bytes, hashing.hasher.finalize_hex());
    report.files += 1;
    report.file_bytes += bytes;
    if let Some(want) = row.and_then(|r| r.sha256.as_deref()) {
        if want.eq_ignore_ascii_case(&sha) {
            report.hashes_checked += 1;
        } else {
            report.problems.push(format!("{}: sha256 {sha}, diff.json records {}", one_line(&path.display().to_string()), one_line(want)));
        }
    }
    Ok(())
}

struct HashRead<'a, R: Read> {
    inner: &'a mut R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for HashRead<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::safefs;
    use crate::agent::steps::diff::{Change, export_members, locate_in_export};
    use crate::agent::steps::export::write_tar_zst;
    use crate::agent::steps::walk::{Entry, WalkConfig};

    fn row(kind: &'static str, path: &str, t: &'static str) -> Change {
        Change {
            kind,
            entry: Entry {
                path: path.into(),
                kind: t,
                size: 0,
                mode: "0644".into(),
                uid: 0,
                gid: 0,
                mtime: jiff::Timestamp::UNIX_EPOCH,
                sha256: None,
                link_target: None,
                opaque: false,
                tar_offset: None,
                hidden_by_mount: false,
            },
        }
    }

    /// The export layout end to end: the export locates the changed rows, the diff tar is
    /// rebuilt from it with every hash checked, and a row that lies is caught.
    #[test]
    fn the_diff_is_rebuilt_from_the_export_and_checked() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("root");
        let long = format!("srv/{}", "d".repeat(120));
        std::fs::create_dir_all(root.join(&long)).unwrap();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::write(root.join("etc/os-release"), "unchanged").unwrap();
        std::fs::write(root.join(format!("{long}/new.bin")), vec![9u8; 300_000]).unwrap();
        std::fs::write(root.join("etc/hosts"), "changed").unwrap();
        std::os::unix::fs::symlink("/etc/shadow", root.join("etc/evil")).unwrap();
        let mut changes = vec![
            row("C", "/etc", "dir"),
            row("D", "/etc/group", "whiteout"),
            row("C", "/etc/hosts", "file"),
            row("A", "/etc/evil", "symlink"),
            row("A", "/srv", "dir"),
            row("A", &format!("/{long}"), "dir"),
            row("A", &format!("/{long}/new.bin"), "file"),
        ];
        let fd = safefs::open_dir_path(&root).unwrap();
        let cfg = WalkConfig { track: export_members(&changes), ..Default::default() };
        let mut export = vec![];
        let (_, located, _) = write_tar_zst(&fd, &cfg, &mut export).unwrap();
        assert!(!located.iter().any(|e| e.path == "/etc/os-release"), "only the diff's rows are located");
        assert_eq!(locate_in_export(&mut changes, located, None), Vec::<String>::new());
        let new_bin = changes.iter().find(|c| c.entry.path.ends_with("new.bin")).unwrap();
        assert_eq!(new_bin.entry.size, 300_000);
        assert!(new_bin.entry.sha256.is_some() && new_bin.entry.tar_offset.is_some());

        let c = t.path().join("bundle/pods/ns/p/c");
        std::fs::create_dir_all(&c).unwrap();
        std::fs::write(c.join(ROOTFS), &export).unwrap();
        let write_json = |changes: &[Change]| {
            let j = serde_json::json!({"method": "overlay upperdir", "content": "export", "changes": changes});
            std::fs::write(c.join(DIFF_JSON), serde_json::to_vec(&j).unwrap()).unwrap();
        };
        write_json(&changes);
        // the bundle's root finds its only container
        let d = read_diff(&t.path().join("bundle")).unwrap();
        assert_eq!((d.content, d.rows.len()), (Content::Export, 7));
        let out = t.path().join("diff.tar");
        let r = extract_diff(&t.path().join("bundle"), &out).unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert_eq!((r.files, r.hashes_checked, r.deletions), (2, 2, 1));
        let mut a = tar::Archive::new(std::fs::File::open(&out).unwrap());
        let mut names = vec![];
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().trim_end_matches('/').to_string();
            if p.ends_with("new.bin") {
                let mut v = vec![];
                e.read_to_end(&mut v).unwrap();
                assert_eq!(v, vec![9u8; 300_000]);
            }
            names.push(p);
        }
        names.sort();
        let mut want = vec!["etc", "etc/.wh.group", "etc/evil", "etc/hosts", "srv", &long];
        let nb = format!("{long}/new.bin");
        want.push(&nb);
        want.sort();
        assert_eq!(names, want);
        // never overwrites
        assert!(matches!(extract_diff(&t.path().join("bundle"), &out), Err(AnalyzeError::Write { .. })));

        // a row whose hash is not what the export holds
        let hosts = changes.iter_mut().find(|c| c.entry.path == "/etc/hosts").unwrap();
        hosts.entry.sha256 = Some("00".repeat(32));
        write_json(&changes);
        let r = extract_diff(&c, &t.path().join("diff2.tar")).unwrap();
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert!(r.problems[0].starts_with("etc/hosts: sha256 "), "{:?}", r.problems);
    }
}
