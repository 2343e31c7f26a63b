//! Entry points for fuzzing: the cargo-fuzz targets under `fuzz/` and the smoke test in
//! `tests/it/analyze_fuzz_smoke.rs` call these. Any input must give `Ok` or `Err`, never a panic,
//! an abort or unbounded allocation.

use super::archive::{Archive, Limits, TempDir};
use super::image::{self, Image};
use super::proto::*;
use super::{criu, metadata, rootfs, search};
use std::io::Write;

/// Decode `data` as the CRIU image type its file name says (`core-1.img`, `pstree.img`, …).
pub fn criu_image_named(name: &str, data: &[u8]) {
    let base = name.rsplit('/').next().unwrap_or(name);
    let kind = base.split(['-', '.']).next().unwrap_or("");
    let _ = decode_as(kind, base, data);
}

/// Decode `data` as every image type we read (the first byte picks the magic we accept, so
/// a fuzzer gets past the magic check quickly).
pub fn criu_image(data: &[u8]) {
    const KINDS: [&str; 10] = ["inventory", "pstree", "core", "ids", "fs", "mm", "pagemap", "fdinfo", "files", "remap"];
    let Some((&sel, rest)) = data.split_first() else { return };
    let kind = KINDS[sel as usize % KINDS.len()];
    let _ = decode_as(kind, kind, rest);
    // and the same bytes behind a correct header
    let magic = magic_of(kind);
    let mut framed = Vec::with_capacity(rest.len() + 8);
    if kind != "inventory" {
        framed.extend(image::IMG_COMMON_MAGIC.to_le_bytes());
    }
    framed.extend(magic.to_le_bytes());
    framed.extend_from_slice(rest);
    let _ = decode_as(kind, kind, &framed);
}

fn magic_of(kind: &str) -> u32 {
    match kind {
        "inventory" => image::INVENTORY_MAGIC,
        "pstree" => image::PSTREE_MAGIC,
        "core" => image::CORE_MAGIC,
        "ids" => image::IDS_MAGIC,
        "fs" => image::FS_MAGIC,
        "mm" => image::MM_MAGIC,
        "pagemap" => image::PAGEMAP_MAGIC,
        "fdinfo" => image::FDINFO_MAGIC,
        "files" => image::FILES_MAGIC,
        "remap" => image::REMAP_FPATH_MAGIC,
        "stats" => image::STATS_MAGIC,
        _ => 0,
    }
}

fn decode_as(kind: &str, name: &str, data: &[u8]) -> Result<(), super::AnalyzeError> {
    let img = Image::new(name, data, magic_of(kind))?;
    match kind {
        "inventory" => {
            let _ = img.decode_one::<InventoryEntry>()?;
        }
        "pstree" => {
            let _ = img.decode_all::<PstreeEntry>()?;
        }
        "core" => {
            let _ = img.decode_all::<CoreEntry>()?;
        }
        "ids" => {
            let _ = img.decode_one::<TaskKobjIdsEntry>()?;
        }
        "fs" => {
            let _ = img.decode_one::<FsEntry>()?;
        }
        "mm" => {
            let mm = img.decode_one::<MmEntry>()?;
            let _ = super::memory::regions_from_vmas(&mm.vmas, |_| None);
        }
        "pagemap" => {
            for e in img.entries().skip(1) {
                let (off, b) = e?;
                let pe: PagemapEntry = image::decode(name, off, b)?;
                let _ = pe.effective_flags();
            }
        }
        "fdinfo" => {
            let _ = img.decode_all::<FdinfoEntry>()?;
        }
        "files" => {
            let _ = img.decode_all::<FileEntry>()?;
        }
        "remap" => {
            let _ = img.decode_all::<RemapFilePathEntry>()?;
        }
        "stats" => {
            let _ = img.decode_one::<StatsEntry>()?;
        }
        _ => {}
    }
    Ok(())
}

/// Treat `data` as a checkpoint archive file (tar, tar.gz, tar.zst) and run every view on it,
/// with small caps so a fuzzer's bombs stay cheap.
pub fn archive(data: &[u8]) {
    let Ok(dir) = TempDir::new() else { return };
    let p = dir.path.join("in.tar");
    if std::fs::write(&p, data).is_err() {
        return;
    }
    let limits = Limits { max_entries: 2000, max_extract_bytes: 64 << 20, max_small_file: 16 << 20 };
    let Ok(ar) = Archive::open(&p, limits) else { return };
    exercise(&ar, &dir);
}

/// Every view of an opened archive.
pub fn exercise(ar: &Archive, scratch: &TempDir) {
    let _ = rootfs::list(ar);
    let out = scratch.path.join("out");
    if std::fs::create_dir(&out).is_ok() {
        let _ = rootfs::extract(ar, "/tmp/evil.txt", &out);
    }
    let meta = metadata::Metadata::load(ar, "checkpoint");
    if let Ok(m) = &meta {
        let _ = (m.pod(), m.image(), m.mounts());
    }
    let Ok(d) = criu::Dump::load(ar) else { return };
    let _ = super::views::processes(&d, true, true);
    let _ = super::views::files(&d);
    let _ = super::views::sockets(&d);
    let procs: Vec<_> = d.tasks.iter().map(|t| (&t.memory, t.comm.as_str())).collect();
    let opts = search::Options { context: 16, max_hits: 10 };
    let _ = search::search(&procs, &search::Pattern::fixed(b"KF-"), &opts);
    if let Some(t) = d.tasks.first() {
        let _ = super::dump::write(&t.memory, 62, &scratch.path.join("core"));
    }
}

/// A CRIU ghost-file image (`ghost-file-N.img`): header, entry, raw or chunked content; then the
/// content hashed and written, as `--extract-deleted` does (bounded by a small size cap).
pub fn ghost_image(data: &[u8]) {
    let Ok(g) = super::ghost::parse("ghost-file-1.img", data, data.len() as u64, 1 << 20) else { return };
    let Ok(dir) = TempDir::new() else { return };
    let src = dir.path.join("img");
    if std::fs::write(&src, data).is_err() {
        return;
    }
    let content = super::deleted::Content {
        size: g.size,
        pieces: g
            .pieces
            .iter()
            .map(|p| super::deleted::Piece { file_offset: p.file_offset, src: src.clone(), src_offset: p.image_offset, len: p.len })
            .collect(),
        writable: Vec::new(),
    };
    let _ = content.sha256();
    let _ = content.missing();
    let _ = content.write(&dir.path.join("out"));
}

/// Podman's `network.status` (JSON, two shapes).
pub fn network_status(data: &[u8]) {
    let _ = super::network::parse("network.status", data);
}

/// CRIU's `stats-dump` (service magic + stats entry).
pub fn stats_dump(data: &[u8]) {
    if let Ok(img) = Image::new("stats-dump", data, image::STATS_MAGIC) {
        let _ = img.decode_one::<StatsEntry>();
    }
}

/// `rootfs-diff.tar` alone: plain, gzip or zstd (told by content), every entry and whiteout.
pub fn rootfs_diff(data: &[u8]) {
    let limits = Limits { max_entries: 2000, max_extract_bytes: 64 << 20, max_small_file: 16 << 20 };
    let _ = rootfs::list_from(data, &limits);
}

/// An ELF core file (`memory/<pid>.core`): headers, notes, segments, the process list and a
/// deleted executable's reassembly.
pub fn elf_core(data: &[u8]) {
    let Ok(dir) = TempDir::new() else { return };
    let p = dir.path.join("x.core");
    let Ok(mut f) = std::fs::File::create(&p) else { return };
    if f.write_all(data).is_err() {
        return;
    }
    drop(f);
    if let Ok(c) = super::core::load(&p) {
        let _ = (c.exe(), c.location());
        let _ = super::deleted::from_cores(std::slice::from_ref(&c), 1 << 20);
    }
}
