//! CRIU image files: a magic header, then entries of `u32` little-endian length + protobuf
//! message. Every failure names the file and the byte offset; nothing here panics on input.
//!
//! Layout (CRIU `criu/image.c`, `criu/include/magic.h`, image format v1.1): `inventory.img`
//! starts with its own magic only; every other protobuf image starts with IMG_COMMON_MAGIC (or
//! IMG_SERVICE_MAGIC for `stats-*`) followed by the image type's magic. `pages-N.img` is raw.

use super::AnalyzeError;
use prost::Message;

pub const IMG_COMMON_MAGIC: u32 = 0x5456_4319;
pub const IMG_SERVICE_MAGIC: u32 = 0x5510_5940;

pub const INVENTORY_MAGIC: u32 = 0x5831_3116;
pub const PSTREE_MAGIC: u32 = 0x5027_3030;
pub const FDINFO_MAGIC: u32 = 0x5621_3732;
pub const PAGEMAP_MAGIC: u32 = 0x5608_4025;
pub const CORE_MAGIC: u32 = 0x5505_3847;
pub const IDS_MAGIC: u32 = 0x5443_2030;
pub const FS_MAGIC: u32 = 0x5140_3912;
pub const MM_MAGIC: u32 = 0x5749_2820;
pub const REMAP_FPATH_MAGIC: u32 = 0x5913_3954;
pub const FILES_MAGIC: u32 = 0x5630_3138;
pub const STATS_MAGIC: u32 = 0x5709_3306;
pub const GHOST_FILE_MAGIC: u32 = 0x5258_3605;

/// Largest single entry we accept (CRIU's own are far smaller; a hostile length must not make
/// us allocate gigabytes).
pub const MAX_ENTRY: usize = 64 << 20;

/// A parsed image: its entries' raw bytes, checked for framing, ready to decode.
#[derive(Debug)]
pub struct Image<'a> {
    pub name: String,
    data: &'a [u8],
    /// offset of the first entry (after the magic)
    start: usize,
}

impl<'a> Image<'a> {
    /// Check the magic of `data` (the whole file) for an image of type `magic`.
    pub fn new(name: &str, data: &'a [u8], magic: u32) -> Result<Self, AnalyzeError> {
        let bad = |offset: usize, what: String| AnalyzeError::Image { file: name.to_string(), offset: offset as u64, what };
        let first = read_u32(data, 0).ok_or_else(|| bad(0, format!("file too short for a magic ({} bytes)", data.len())))?;
        let start = if magic == INVENTORY_MAGIC {
            if first != INVENTORY_MAGIC {
                return Err(bad(0, format!("not an inventory image (magic {first:#010x})")));
            }
            4
        } else {
            let head = if magic == STATS_MAGIC { IMG_SERVICE_MAGIC } else { IMG_COMMON_MAGIC };
            if first != head {
                return Err(bad(0, format!("not a CRIU image (head magic {first:#010x}, expected {head:#010x})")));
            }
            let second = read_u32(data, 4).ok_or_else(|| bad(4, "file ends inside the magic".into()))?;
            if second != magic {
                return Err(bad(4, format!("wrong image type (magic {second:#010x}, expected {magic:#010x})")));
            }
            8
        };
        Ok(Image { name: name.to_string(), data, start })
    }

    /// The entries' payloads with their offsets, in order.
    pub fn entries(&self) -> Entries<'_> {
        Entries { name: &self.name, data: self.data, pos: self.start }
    }

    /// Decode every entry as `M`.
    pub fn decode_all<M: Message + Default>(&self) -> Result<Vec<M>, AnalyzeError> {
        self.entries().map(|e| e.and_then(|(off, b)| decode(&self.name, off, b))).collect()
    }

    /// Decode the first entry as `M` (images holding one object: core, mm, ids, fs, inventory).
    pub fn decode_one<M: Message + Default>(&self) -> Result<M, AnalyzeError> {
        match self.entries().next() {
            Some(e) => e.and_then(|(off, b)| decode(&self.name, off, b)),
            None => Err(AnalyzeError::Image { file: self.name.clone(), offset: self.start as u64, what: "image holds no entry".into() }),
        }
    }
}

pub fn decode<M: Message + Default>(file: &str, offset: u64, bytes: &[u8]) -> Result<M, AnalyzeError> {
    M::decode(bytes).map_err(|e| AnalyzeError::Image {
        file: file.to_string(),
        offset,
        what: format!("malformed {} entry: {e}", short_type_name::<M>()),
    })
}

fn short_type_name<M>() -> &'static str {
    let n = std::any::type_name::<M>();
    n.rsplit("::").next().unwrap_or(n)
}

pub struct Entries<'a> {
    name: &'a str,
    data: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Entries<'a> {
    /// (offset of the entry's length prefix, payload)
    type Item = Result<(u64, &'a [u8]), AnalyzeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.data.len() {
            return None;
        }
        let off = self.pos;
        let err = |what: String| AnalyzeError::Image { file: self.name.to_string(), offset: off as u64, what };
        let Some(len) = read_u32(self.data, off) else {
            self.pos = self.data.len();
            return Some(Err(err(format!("truncated entry header ({} bytes left)", self.data.len() - off))));
        };
        let len = len as usize;
        if len > MAX_ENTRY {
            self.pos = self.data.len();
            return Some(Err(err(format!("entry length {len} is implausible (limit {MAX_ENTRY})"))));
        }
        let body = off + 4;
        let Some(payload) = self.data.get(body..body.saturating_add(len)) else {
            self.pos = self.data.len();
            return Some(Err(err(format!("truncated entry: {len} bytes announced, {} left", self.data.len() - body))));
        };
        self.pos = body + len;
        Some(Ok((off as u64, payload)))
    }
}

fn read_u32(data: &[u8], off: usize) -> Option<u32> {
    let b = data.get(off..off.checked_add(4)?)?;
    Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::proto::PstreeEntry;

    fn image(magic: u32, entries: &[Vec<u8>]) -> Vec<u8> {
        let mut v = IMG_COMMON_MAGIC.to_le_bytes().to_vec();
        v.extend(magic.to_le_bytes());
        for e in entries {
            v.extend((e.len() as u32).to_le_bytes());
            v.extend(e);
        }
        v
    }

    #[test]
    fn entries_round_trip() {
        let a = PstreeEntry { pid: 1, ppid: 0, pgid: 1, sid: 1, threads: vec![1] };
        let b = PstreeEntry { pid: 7, ppid: 1, pgid: 1, sid: 1, threads: vec![7, 8] };
        let data = image(PSTREE_MAGIC, &[a.encode_to_vec(), b.encode_to_vec()]);
        let img = Image::new("pstree.img", &data, PSTREE_MAGIC).unwrap();
        assert_eq!(img.decode_all::<PstreeEntry>().unwrap(), vec![a, b]);
    }

    #[test]
    fn wrong_magic_and_truncation_name_file_and_offset() {
        let a = PstreeEntry { pid: 1, ppid: 0, pgid: 1, sid: 1, threads: vec![1] }.encode_to_vec();
        let data = image(PSTREE_MAGIC, &[a]);
        let e = Image::new("core-1.img", &data, CORE_MAGIC).unwrap_err().to_string();
        assert!(e.contains("core-1.img") && e.contains("offset 4"), "{e}");
        let cut = &data[..data.len() - 2];
        let img = Image::new("pstree.img", cut, PSTREE_MAGIC).unwrap();
        let e = img.decode_all::<PstreeEntry>().unwrap_err().to_string();
        assert!(e.contains("pstree.img") && e.contains("offset 8") && e.contains("truncated"), "{e}");
        let e = Image::new("x.img", &data[..3], PSTREE_MAGIC).unwrap_err().to_string();
        assert!(e.contains("too short"), "{e}");
    }

    #[test]
    fn huge_length_is_refused_without_allocating() {
        let mut data = image(PSTREE_MAGIC, &[]);
        data.extend(u32::MAX.to_le_bytes());
        let img = Image::new("pstree.img", &data, PSTREE_MAGIC).unwrap();
        let e = img.decode_all::<PstreeEntry>().unwrap_err().to_string();
        assert!(e.contains("implausible"), "{e}");
    }
}
