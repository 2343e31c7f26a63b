//! The CRIU images of a checkpoint, decoded into processes, open files and memory.

use super::AnalyzeError;
use super::archive::Archive;
use super::image::{self, Image};
use super::memory::{self, ProcessMemory};
use super::proto::*;
use std::collections::BTreeMap;

#[derive(Debug, Clone)]
pub struct Task {
    pub pid: u32,
    pub ppid: u32,
    pub pgid: u32,
    pub sid: u32,
    pub threads: Vec<u32>,
    pub comm: String,
    pub state: &'static str,
    /// CRIU's machine type (1 = x86_64, 3 = aarch64, …)
    pub mtype: i32,
    pub creds: Option<CredsEntry>,
    pub ids: Option<TaskKobjIdsEntry>,
    pub mm: Option<MmEntry>,
    pub fs: Option<FsEntry>,
    pub fds: Vec<FdinfoEntry>,
    pub memory: ProcessMemory,
}

#[derive(Debug, Default)]
pub struct Dump {
    /// Directory of the CRIU images inside the archive ("checkpoint", or "" for a bare dump).
    pub dir: String,
    pub inventory: Option<InventoryEntry>,
    pub tasks: Vec<Task>,
    /// files.img, by file id
    pub files: BTreeMap<u32, FileEntry>,
    /// remap-fpath.img, by original file id
    pub remaps: BTreeMap<u32, RemapFilePathEntry>,
    /// total bytes of pages-*.img
    pub pages_bytes: u64,
}

fn task_state(s: u32) -> &'static str {
    match s {
        1 => "alive",
        2 => "dead",
        3 => "stopped",
        6 => "zombie",
        _ => "unknown",
    }
}

/// Find the CRIU images: `checkpoint/` (kubelet, CRI-O, containerd, Podman layouts) or the top.
pub fn images_dir(ar: &Archive) -> Option<&'static str> {
    ["checkpoint", ""].into_iter().find(|d| ar.get(&join(d, "inventory.img")).is_some() || ar.get(&join(d, "pstree.img")).is_some())
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") }
}

/// Decode a required image.
fn load(ar: &Archive, dir: &str, name: &str, buf: &mut Vec<u8>) -> Result<Option<String>, AnalyzeError> {
    let full = join(dir, name);
    match ar.read(&full)? {
        Some(b) => {
            *buf = b;
            Ok(Some(full))
        }
        None => Ok(None),
    }
}

impl Dump {
    pub fn load(ar: &Archive) -> Result<Dump, AnalyzeError> {
        let dir = images_dir(ar).ok_or_else(|| {
            AnalyzeError::NotACheckpoint(format!(
                "{}: no CRIU images found (neither checkpoint/pstree.img nor pstree.img); is this a checkpoint archive?",
                ar.source.display()
            ))
        })?;
        let mut d = Dump { dir: dir.to_string(), ..Default::default() };
        let mut buf = Vec::new();

        if let Some(name) = load(ar, dir, "inventory.img", &mut buf)? {
            d.inventory = Some(Image::new(&name, &buf, image::INVENTORY_MAGIC)?.decode_one()?);
        }
        let Some(name) = load(ar, dir, "pstree.img", &mut buf)? else {
            return Err(AnalyzeError::NotACheckpoint(format!("{}: {dir}/pstree.img is missing", ar.source.display())));
        };
        let pstree: Vec<PstreeEntry> = Image::new(&name, &buf, image::PSTREE_MAGIC)?.decode_all()?;

        if let Some(name) = load(ar, dir, "files.img", &mut buf)? {
            for f in Image::new(&name, &buf, image::FILES_MAGIC)?.decode_all::<FileEntry>()? {
                d.files.insert(f.id, f);
            }
        }
        if let Some(name) = load(ar, dir, "remap-fpath.img", &mut buf)? {
            for r in Image::new(&name, &buf, image::REMAP_FPATH_MAGIC)?.decode_all::<RemapFilePathEntry>()? {
                d.remaps.insert(r.orig_id, r);
            }
        }
        d.pages_bytes = ar.children(dir).filter(|(n, _)| n.starts_with("pages-") && n.ends_with(".img")).map(|(_, m)| m.size).sum();

        for p in pstree {
            let t = d.load_task(ar, dir, p, &mut buf)?;
            d.tasks.push(t);
        }
        Ok(d)
    }

    fn load_task(&self, ar: &Archive, dir: &str, p: PstreeEntry, buf: &mut Vec<u8>) -> Result<Task, AnalyzeError> {
        let pid = p.pid;
        let mut t = Task {
            pid,
            ppid: p.ppid,
            pgid: p.pgid,
            sid: p.sid,
            threads: p.threads,
            comm: String::new(),
            state: "unknown",
            mtype: 0,
            creds: None,
            ids: None,
            mm: None,
            fs: None,
            fds: Vec::new(),
            memory: ProcessMemory { pid, ..Default::default() },
        };
        if let Some(name) = load(ar, dir, &format!("core-{pid}.img"), buf)? {
            let core: CoreEntry = Image::new(&name, buf, image::CORE_MAGIC)?.decode_one()?;
            if let Some(tc) = &core.tc {
                t.comm = tc.comm.clone();
                t.state = task_state(tc.task_state);
            }
            t.mtype = core.mtype;
            t.creds = core.thread_core.as_ref().and_then(|c| c.creds.clone());
            t.ids = core.ids;
        }
        if let Some(name) = load(ar, dir, &format!("ids-{pid}.img"), buf)? {
            t.ids = Some(Image::new(&name, buf, image::IDS_MAGIC)?.decode_one()?);
        }
        if let Some(name) = load(ar, dir, &format!("fs-{pid}.img"), buf)? {
            t.fs = Some(Image::new(&name, buf, image::FS_MAGIC)?.decode_one()?);
        }
        // fdinfo-<files_id>.img (fdinfo_per_id, every CRIU since 2.x); older: fdinfo-<pid>.img
        let fd_name = match &t.ids {
            Some(ids) if self.inventory.as_ref().and_then(|i| i.fdinfo_per_id).unwrap_or(true) => format!("fdinfo-{}.img", ids.files_id),
            _ => format!("fdinfo-{pid}.img"),
        };
        if let Some(name) = load(ar, dir, &fd_name, buf)? {
            t.fds = Image::new(&name, buf, image::FDINFO_MAGIC)?.decode_all()?;
        }
        if let Some(name) = load(ar, dir, &format!("mm-{pid}.img"), buf)? {
            let mm: MmEntry = Image::new(&name, buf, image::MM_MAGIC)?.decode_one()?;
            t.memory.regions = memory::regions_from_vmas(&mm.vmas, |id| self.file_path(id));
            t.mm = Some(mm);
        }
        if let Some(name) = load(ar, dir, &format!("pagemap-{pid}.img"), buf)? {
            let img = Image::new(&name, buf, image::PAGEMAP_MAGIC)?;
            let mut it = img.entries();
            let head: PagemapHead = match it.next() {
                Some(e) => e.and_then(|(off, b)| image::decode(&name, off, b))?,
                None => return Err(AnalyzeError::Image { file: name, offset: 8, what: "pagemap has no head entry".into() }),
            };
            let entries = it
                .map(|e| e.and_then(|(off, b)| Ok((off, image::decode::<PagemapEntry>(&name, off, b)?))))
                .collect::<Result<Vec<_>, _>>()?;
            let pages_name = join(dir, &format!("pages-{}.img", head.pages_id));
            let needs_pages = entries.iter().any(|(_, e)| e.effective_flags() & PE_PRESENT != 0 && e.nr_pages > 0);
            match ar.get(&pages_name) {
                Some(pages) => t.memory.segments = memory::from_pagemap(&name, &entries, &pages_name, pages)?,
                None if needs_pages => {
                    return Err(AnalyzeError::NotACheckpoint(format!("{name} refers to {pages_name}, which the archive lacks")));
                }
                None => {}
            }
        }
        Ok(t)
    }

    /// The path of a regular file object, marked when CRIU found it deleted.
    pub fn file_path(&self, id: u32) -> Option<String> {
        let f = self.files.get(&id)?;
        let reg = f.reg.as_ref()?;
        Some(if self.is_deleted(id) && !reg.name.ends_with(" (deleted)") { format!("{} (deleted)", reg.name) } else { reg.name.clone() })
    }

    /// CRIU saved the file's content itself (ghost file): it was deleted at dump time.
    pub fn is_deleted(&self, id: u32) -> bool {
        self.remaps.get(&id).is_some_and(|r| super::deleted::ghost_id(r).is_some())
            || self.files.get(&id).and_then(|f| f.reg.as_ref()).is_some_and(|r| r.name.ends_with(" (deleted)"))
    }

    pub fn task(&self, pid: u32) -> Option<&Task> {
        self.tasks.iter().find(|t| t.pid == pid)
    }
}

/// NUL-separated strings of `[start, end)` of a process's memory (cmdline, environment).
pub fn read_strings(t: &Task, start: u64, end: u64) -> Option<Vec<String>> {
    const MAX: u64 = 1 << 20;
    if end <= start || end - start > MAX {
        return None;
    }
    let (bytes, stored) = t.memory.read(start, (end - start) as usize).ok()?;
    if stored == 0 {
        return None;
    }
    let v: Vec<String> = bytes.split(|&b| b == 0).filter(|s| !s.is_empty()).map(|s| String::from_utf8_lossy(s).into_owned()).collect();
    Some(v)
}

impl Task {
    pub fn cmdline(&self) -> Option<Vec<String>> {
        let mm = self.mm.as_ref()?;
        read_strings(self, mm.mm_arg_start, mm.mm_arg_end)
    }
    pub fn environ(&self) -> Option<Vec<String>> {
        let mm = self.mm.as_ref()?;
        read_strings(self, mm.mm_env_start, mm.mm_env_end)
    }
}
