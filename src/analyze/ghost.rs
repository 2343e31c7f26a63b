//! CRIU ghost-file images (`ghost-file-<hex id>.img`): the content CRIU saved of a file that was
//! deleted while a process still held it (as its executable, an open descriptor or a mapping).
//!
//! Layout (CRIU `criu/files-reg.c`, `images/ghost-file.proto`): IMG_COMMON_MAGIC, GHOST_FILE_MAGIC,
//! one `ghost_file_entry` (u32 little-endian length + protobuf), then either the file's bytes up to
//! the end of the image, or — when `chunks` is set (a sparse file) — pairs of one
//! `ghost_chunk_entry {len, off}` and `len` bytes, up to `size`. Directories and other non-regular
//! files carry no content.
//!
//! The parser reads a stream and keeps only where each piece of content is (offsets into the
//! image), so a large ghost never sits in memory; every length is checked against the image's
//! size, and pieces must lie inside `size`, in order, without overlap.

use super::AnalyzeError;
use super::image::{GHOST_FILE_MAGIC, IMG_COMMON_MAGIC, decode};
use super::proto::{GhostChunkEntry, GhostFileEntry};
use std::io::{self, Read};

/// Largest protobuf entry accepted in a ghost image (CRIU's are tens of bytes).
const MAX_ENTRY: u32 = 64 << 10;

/// `len` bytes of the file at `file_offset` are at `image_offset` of the image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Piece {
    pub file_offset: u64,
    pub image_offset: u64,
    pub len: u64,
}

/// A decoded ghost image: the file's attributes and where its content is.
#[derive(Debug, Clone)]
pub struct Ghost {
    pub entry: GhostFileEntry,
    /// the file's size (holes between pieces and after the last one read as zeros)
    pub size: u64,
    pub pieces: Vec<Piece>,
}

impl Ghost {
    /// A regular file (the only kind with content).
    pub fn is_regular(&self) -> bool {
        self.entry.mode & libc::S_IFMT == libc::S_IFREG
    }
    pub fn sparse(&self) -> bool {
        self.entry.chunks == Some(true)
    }
}

/// Parse a ghost image of `image_size` bytes read from `r`; `name` is used in errors. A logical
/// size above `max_size` is refused (a hostile `size` must not make us hash or write terabytes).
pub fn parse(name: &str, r: impl Read, image_size: u64, max_size: u64) -> Result<Ghost, AnalyzeError> {
    let mut r = Counting { inner: r, pos: 0 };
    let bad = |offset: u64, what: String| AnalyzeError::Image { file: name.to_string(), offset, what };
    let io_bad = |offset: u64, e: io::Error| bad(offset, format!("cannot read: {e}"));
    let m0 = read_u32(&mut r).map_err(|e| io_bad(0, e))?;
    let m1 = read_u32(&mut r).map_err(|e| io_bad(4, e))?;
    if m0 != IMG_COMMON_MAGIC || m1 != GHOST_FILE_MAGIC {
        return Err(bad(0, format!("not a CRIU ghost-file image (magic {m0:#010x} {m1:#010x})")));
    }
    let entry: GhostFileEntry = read_entry(name, &mut r, image_size)?;
    let mut g = Ghost { size: 0, pieces: Vec::new(), entry };
    if !g.is_regular() {
        return Ok(g);
    }
    if !g.sparse() {
        let start = r.pos;
        let len = image_size.saturating_sub(start);
        if len > max_size {
            return Err(bad(start, format!("content of {len} bytes is more than the {max_size} allowed (cap)")));
        }
        if let Some(want) = g.entry.size.filter(|&w| w != len) {
            return Err(bad(start, format!("the file had {want} bytes but the image holds {len} (truncated?)")));
        }
        g.size = len;
        if len > 0 {
            g.pieces.push(Piece { file_offset: 0, image_offset: start, len });
        }
        return Ok(g);
    }
    let size = g.entry.size.ok_or_else(|| bad(r.pos, "a sparse ghost file without a size".into()))?;
    if size > max_size {
        return Err(bad(r.pos, format!("file size {size} is more than the {max_size} allowed (cap)")));
    }
    g.size = size;
    let mut next = 0u64;
    while r.pos < image_size {
        let at = r.pos;
        let c: GhostChunkEntry = read_entry(name, &mut r, image_size)?;
        let end = c.off.checked_add(c.len).filter(|&e| e <= size);
        let Some(end) = end else {
            return Err(bad(at, format!("chunk of {} bytes at {} lies outside the file's {size} bytes", c.len, c.off)));
        };
        if c.off < next {
            return Err(bad(at, format!("chunk at {} overlaps the previous one (ends at {next})", c.off)));
        }
        if c.len > image_size - r.pos {
            return Err(bad(at, format!("chunk of {} bytes, but the image has only {} left (truncated?)", c.len, image_size - r.pos)));
        }
        if c.len > 0 {
            g.pieces.push(Piece { file_offset: c.off, image_offset: r.pos, len: c.len });
        }
        let skipped = io::copy(&mut (&mut r).take(c.len), &mut io::sink()).map_err(|e| io_bad(at, e))?;
        if skipped != c.len {
            return Err(bad(at, "the image ends inside a chunk (truncated)".into()));
        }
        next = end;
    }
    Ok(g)
}

fn read_entry<M: prost::Message + Default>(name: &str, r: &mut Counting<impl Read>, image_size: u64) -> Result<M, AnalyzeError> {
    let at = r.pos;
    let bad = |what: String| AnalyzeError::Image { file: name.to_string(), offset: at, what };
    let len = read_u32(r).map_err(|e| bad(format!("cannot read an entry's length: {e}")))?;
    if len > MAX_ENTRY || u64::from(len) > image_size.saturating_sub(r.pos) {
        return Err(bad(format!("entry length {len} is implausible (the image has {} bytes left)", image_size.saturating_sub(r.pos))));
    }
    let mut buf = vec![0u8; len as usize];
    r.read_exact(&mut buf).map_err(|e| bad(format!("the image ends inside an entry: {e}")))?;
    decode(name, at, &buf)
}

fn read_u32(r: &mut impl Read) -> io::Result<u32> {
    let mut b = [0u8; 4];
    r.read_exact(&mut b)?;
    Ok(u32::from_le_bytes(b))
}

/// A reader that knows how far it is.
struct Counting<R> {
    inner: R,
    pos: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// The ghost id a `ghost-file-<hex>.img` name carries.
pub fn id_from_name(file: &str) -> Option<u32> {
    let hex = file.strip_prefix("ghost-file-")?.strip_suffix(".img")?;
    u32::from_str_radix(hex, 16).ok()
}

/// The image name of ghost `id` (CRIU prints it in hex).
pub fn image_name(id: u32) -> String {
    format!("ghost-file-{id:x}.img")
}

#[cfg(test)]
mod tests {
    use super::*;
    use prost::Message;

    fn entry(m: &impl Message) -> Vec<u8> {
        let b = m.encode_to_vec();
        let mut v = (b.len() as u32).to_le_bytes().to_vec();
        v.extend(b);
        v
    }

    fn head(e: &GhostFileEntry) -> Vec<u8> {
        let mut v = IMG_COMMON_MAGIC.to_le_bytes().to_vec();
        v.extend(GHOST_FILE_MAGIC.to_le_bytes());
        v.extend(entry(e));
        v
    }

    fn reg(chunks: bool, size: Option<u64>) -> GhostFileEntry {
        GhostFileEntry { uid: 0, gid: 0, mode: 0o100755, chunks: Some(chunks), size, ..Default::default() }
    }

    #[test]
    fn raw_content_runs_to_the_end_of_the_image() {
        let mut img = head(&reg(false, None));
        let at = img.len() as u64;
        img.extend(b"#!/bin/sh\n");
        let g = parse("g", &img[..], img.len() as u64, 1 << 20).unwrap();
        assert_eq!(g.size, 10);
        assert_eq!(g.pieces, vec![Piece { file_offset: 0, image_offset: at, len: 10 }]);
    }

    #[test]
    fn chunks_make_a_sparse_file_and_bad_ones_are_refused() {
        let mut img = head(&reg(true, Some(10000)));
        img.extend(entry(&GhostChunkEntry { len: 3, off: 0 }));
        img.extend(b"abc");
        img.extend(entry(&GhostChunkEntry { len: 2, off: 8192 }));
        img.extend(b"yz");
        let g = parse("g", &img[..], img.len() as u64, 1 << 20).unwrap();
        assert_eq!(g.size, 10000);
        assert_eq!(g.pieces.iter().map(|p| (p.file_offset, p.len)).collect::<Vec<_>>(), vec![(0, 3), (8192, 2)]);

        // a chunk past the size, an overlapping one, a truncated one, a size above the cap
        let mut past = head(&reg(true, Some(4)));
        past.extend(entry(&GhostChunkEntry { len: 3, off: 2 }));
        past.extend(b"abc");
        assert!(parse("g", &past[..], past.len() as u64, 1 << 20).unwrap_err().to_string().contains("outside"));
        let mut over = head(&reg(true, Some(100)));
        over.extend(entry(&GhostChunkEntry { len: 3, off: 10 }));
        over.extend(b"abc");
        over.extend(entry(&GhostChunkEntry { len: 1, off: 11 }));
        over.extend(b"d");
        assert!(parse("g", &over[..], over.len() as u64, 1 << 20).unwrap_err().to_string().contains("overlaps"));
        let mut cut = head(&reg(true, Some(100)));
        cut.extend(entry(&GhostChunkEntry { len: 50, off: 0 }));
        cut.extend(b"abc");
        assert!(parse("g", &cut[..], cut.len() as u64, 1 << 20).unwrap_err().to_string().contains("truncated"));
        let big = head(&reg(true, Some(1 << 40)));
        assert!(parse("g", &big[..], big.len() as u64, 1 << 20).unwrap_err().to_string().contains("cap"));
        assert!(parse("g", &b"\x19CVT\0\0\0\0"[..], 8, 1 << 20).unwrap_err().to_string().contains("not a CRIU ghost"));
    }

    #[test]
    fn names_are_hex() {
        assert_eq!(id_from_name("ghost-file-1a.img"), Some(26));
        assert_eq!(image_name(26), "ghost-file-1a.img");
        assert_eq!(id_from_name("ghost-file-.img"), None);
    }
}
