//! A streaming tar writer (GNU long names, PAX xattrs) with one reusable buffer: flat memory
//! whatever the file sizes, and a file that changes size while it is read cannot corrupt the archive.

use crate::evidence::hash::Sha256;
use std::io::{self, Read, Write};
use tar::{EntryType, Header};

const BLOCK: usize = 512;
const BUF: usize = 256 << 10;

pub struct TarWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
    /// Bytes written so far (offsets of the entries in the uncompressed archive).
    pos: u64,
    /// Time spent reading files' data.
    pub read_time: std::time::Duration,
}

/// What happened while copying a file's data.
#[derive(Debug, Default)]
pub struct DataOutcome {
    /// SHA-256 of the bytes stored (when asked for).
    pub sha256: Option<String>,
    /// The file ended before its recorded size; the rest was padded with zeros.
    pub short: bool,
    /// Offset of the entry's own header in the archive (after any PAX or long-name header).
    pub header_offset: u64,
}

/// Metadata of one tar entry.
pub struct Meta {
    pub kind: EntryType,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: u64,
    pub size: u64,
    pub dev: Option<(u32, u32)>,
}

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        Self { out, buf: vec![0u8; BUF], pos: 0, read_time: std::time::Duration::ZERO }
    }

    fn put(&mut self, b: &[u8]) -> io::Result<()> {
        self.out.write_all(b)?;
        self.pos += b.len() as u64;
        Ok(())
    }

    fn pad(&mut self, n: u64) -> io::Result<()> {
        let rem = (n % BLOCK as u64) as usize;
        if rem != 0 {
            self.put(&[0u8; BLOCK][..BLOCK - rem])?;
        }
        Ok(())
    }

    fn raw(&mut self, hdr: &mut Header) -> io::Result<()> {
        hdr.set_cksum();
        self.put(hdr.as_bytes())
    }

    /// GNU `././@LongLink` entry carrying a name longer than the 100-byte header field.
    fn long(&mut self, kind: EntryType, name: &[u8]) -> io::Result<()> {
        let mut h = Header::new_gnu();
        h.as_old_mut().name[..13].copy_from_slice(b"././@LongLink");
        h.set_entry_type(kind);
        h.set_mode(0o644);
        h.set_size(name.len() as u64 + 1);
        self.raw(&mut h)?;
        self.put(name)?;
        self.put(&[0])?;
        self.pad(name.len() as u64 + 1)
    }

    /// PAX extended header with `SCHILY.xattr.<name>` records.
    fn pax(&mut self, xattrs: &[(String, Vec<u8>)]) -> io::Result<()> {
        let mut data = Vec::new();
        for (k, v) in xattrs {
            let body_len = 1 + "SCHILY.xattr.".len() + k.len() + 1 + v.len() + 1; // ' ' key '=' value '\n'
            let mut len = body_len + 1;
            while len.to_string().len() + body_len != len {
                len = len.to_string().len() + body_len;
            }
            data.extend_from_slice(format!("{len} SCHILY.xattr.{k}=").as_bytes());
            data.extend_from_slice(v);
            data.push(b'\n');
        }
        let mut h = Header::new_ustar();
        h.as_old_mut().name[..14].copy_from_slice(b"././@PaxHeader");
        h.set_entry_type(EntryType::XHeader);
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        self.raw(&mut h)?;
        self.put(&data)?;
        self.pad(data.len() as u64)
    }

    /// Write one entry. `data` is read up to `meta.size` bytes for regular files.
    pub fn entry(
        &mut self,
        path: &[u8],
        meta: &Meta,
        link: Option<&[u8]>,
        xattrs: &[(String, Vec<u8>)],
        data: Option<&mut dyn Read>,
        hash: bool,
    ) -> io::Result<DataOutcome> {
        if !xattrs.is_empty() {
            self.pax(xattrs)?;
        }
        if path.len() > 100 {
            self.long(EntryType::GNULongName, path)?;
        }
        if let Some(l) = link
            && l.len() > 100
        {
            self.long(EntryType::GNULongLink, l)?;
        }
        let mut h = Header::new_gnu();
        let n = path.len().min(100);
        h.as_old_mut().name[..n].copy_from_slice(&path[..n]);
        if let Some(l) = link {
            let n = l.len().min(100);
            h.as_old_mut().linkname[..n].copy_from_slice(&l[..n]);
        }
        h.set_entry_type(meta.kind);
        h.set_mode(meta.mode & 0o7777);
        h.set_uid(meta.uid);
        h.set_gid(meta.gid);
        h.set_mtime(meta.mtime);
        let size = if meta.kind == EntryType::Regular { meta.size } else { 0 };
        h.set_size(size);
        if let Some((maj, min)) = meta.dev {
            h.set_device_major(maj)?;
            h.set_device_minor(min)?;
        }
        let mut outcome = DataOutcome { header_offset: self.pos, ..Default::default() };
        self.raw(&mut h)?;
        if size > 0 || (hash && meta.kind == EntryType::Regular) {
            let mut hasher = hash.then(Sha256::new);
            let mut left = size;
            if let Some(r) = data {
                while left > 0 {
                    let want = (left as usize).min(self.buf.len());
                    let t = std::time::Instant::now();
                    let read = r.read(&mut self.buf[..want]);
                    self.read_time += t.elapsed();
                    let got = match read {
                        Ok(0) => break,
                        Ok(n) => n,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) => {
                            // keep the archive well-formed: pad what is missing, report it
                            tracing::debug!("read error after {} of {size} bytes: {e}", size - left);
                            break;
                        }
                    };
                    if let Some(h) = hasher.as_mut() {
                        h.update(&self.buf[..got]);
                    }
                    self.out.write_all(&self.buf[..got])?;
                    self.pos += got as u64;
                    left -= got as u64;
                }
            }
            if left > 0 {
                outcome.short = true;
                self.buf[..BUF.min(left as usize)].fill(0);
                while left > 0 {
                    let n = (left as usize).min(BUF);
                    self.out.write_all(&self.buf[..n])?;
                    self.pos += n as u64;
                    left -= n as u64;
                }
            }
            self.pad(size)?;
            outcome.sha256 = hasher.map(|h| hex::encode(h.finalize()));
        }
        Ok(outcome)
    }

    /// The end-of-archive marker; gives the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; BLOCK * 2])?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    // an independent implementation checks ours
    use sha2::{Digest, Sha256};

    fn meta(kind: EntryType, size: u64) -> Meta {
        Meta { kind, mode: 0o640, uid: 1000, gid: 2000, mtime: 1_700_000_000, size, dev: None }
    }

    #[test]
    fn written_archives_read_back_with_long_names_links_and_xattrs() {
        let long = format!("d/{}/file.txt", "x".repeat(150));
        let mut w = TarWriter::new(Vec::new());
        let o = w
            .entry(
                long.as_bytes(),
                &meta(EntryType::Regular, 5),
                None,
                &[("user.k".into(), b"v1".to_vec())],
                Some(&mut &b"hello"[..]),
                true,
            )
            .unwrap();
        assert_eq!(o.sha256.unwrap(), hex::encode(Sha256::digest(b"hello")));
        let target = format!("/{}", "t".repeat(120));
        w.entry(b"lnk", &meta(EntryType::Symlink, 0), Some(target.as_bytes()), &[], None, false).unwrap();
        // a file that shrank: padded, flagged, archive still valid
        let o = w.entry(b"short", &meta(EntryType::Regular, 10), None, &[], Some(&mut &b"abc"[..]), false).unwrap();
        assert!(o.short);
        let bytes = w.finish().unwrap();
        let mut a = tar::Archive::new(&bytes[..]);
        let mut seen = vec![];
        for e in a.entries().unwrap() {
            let mut e = e.unwrap();
            let p = e.path().unwrap().to_string_lossy().into_owned();
            if p == long {
                let x: Vec<_> = e.pax_extensions().unwrap().unwrap().map(|x| x.unwrap().key().unwrap().to_string()).collect();
                assert_eq!(x, vec!["SCHILY.xattr.user.k"]);
                assert_eq!(e.header().uid().unwrap(), 1000);
                assert_eq!(e.header().mode().unwrap(), 0o640);
                let mut s = String::new();
                e.read_to_string(&mut s).unwrap();
                assert_eq!(s, "hello");
            }
            if p == "lnk" {
                assert_eq!(e.link_name().unwrap().unwrap().to_string_lossy(), target);
            }
            seen.push(p);
        }
        assert_eq!(seen, vec![long.clone(), "lnk".into(), "short".into()]);
    }
}
