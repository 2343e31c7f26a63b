//! What goes into the image of one binary: the binary at [`BIN`], and when it is dynamically
//! linked, its interpreter (`PT_INTERP`) and every shared library it loads (`DT_NEEDED`, followed
//! through each library), each found as the loader finds it without a cache (the object's own
//! run path, then the architecture's library directories) and placed at the path it was found
//! at, which the loader inside the image searches too.

use super::ImageError;
use crate::elf;
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

/// Where the binary lives in the image (the collector pod runs it there).
pub const BIN: &str = "usr/local/bin/kforensic";

/// An image's architecture, as OCI platforms and Debian multiarch name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Arch {
    Amd64,
    Arm64,
}

impl Arch {
    pub fn from_machine(machine: u16) -> Option<Arch> {
        match machine {
            elf::EM_X86_64 => Some(Arch::Amd64),
            elf::EM_AARCH64 => Some(Arch::Arm64),
            _ => None,
        }
    }
    /// `architecture` of an OCI platform.
    pub fn oci(self) -> &'static str {
        match self {
            Arch::Amd64 => "amd64",
            Arch::Arm64 => "arm64",
        }
    }
    /// Where the loader looks for libraries when nothing else says (no cache in the image).
    pub fn library_dirs(self) -> [&'static str; 6] {
        let (lib, usr) = match self {
            Arch::Amd64 => ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"),
            Arch::Arm64 => ("/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu"),
        };
        [lib, usr, "/lib64", "/usr/lib64", "/lib", "/usr/lib"]
    }
}

/// One regular file of the image: its path inside (relative), content and mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub data: Vec<u8>,
    pub mode: u32,
}

/// The files of one binary's image.
#[derive(Debug, Clone)]
pub struct Contents {
    pub arch: Arch,
    /// Statically linked (nothing but the binary).
    pub is_static: bool,
    /// Sorted by path.
    pub files: Vec<File>,
}

fn read(path: &Path) -> Result<Vec<u8>, ImageError> {
    std::fs::read(path).map_err(|source| ImageError::Read { path: path.to_path_buf(), source })
}

fn parse(path: &Path, data: &[u8]) -> Result<elf::Dynamic, ImageError> {
    elf::dynamic(data).map_err(|why| ImageError::NotExecutable { path: path.to_path_buf(), why })
}

/// The files for the binary at `bin` (`/proc/self/exe` for the running one).
pub fn collect(bin: &Path) -> Result<Contents, ImageError> {
    collect_in(bin, Path::new("/"))
}

/// [`collect`] with libraries looked up under `root` instead of `/` (a sysroot, and tests).
pub fn collect_in(bin: &Path, root: &Path) -> Result<Contents, ImageError> {
    let data = read(bin)?;
    let d = parse(bin, &data)?;
    let arch = Arch::from_machine(d.machine).ok_or(ImageError::UnsupportedArch { path: bin.to_path_buf(), machine: d.machine })?;
    let is_static = d.interpreter.is_none() && d.needed.is_empty();
    let mut files: BTreeMap<String, File> = BTreeMap::new();
    let origin = bin.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut queue: VecDeque<(String, String, Option<String>, PathBuf)> =
        d.needed.iter().map(|n| (n.clone(), BIN.to_string(), d.runpath.clone(), origin.clone())).collect();
    files.insert(BIN.into(), File { path: BIN.into(), data, mode: 0o755 });
    if let Some(interp) = &d.interpreter {
        let inside = interp.trim_start_matches('/').to_string();
        let data = read(&under(root, interp))?;
        files.insert(inside.clone(), File { path: inside, data, mode: 0o755 });
    }
    let mut done: Vec<String> = Vec::new();
    while let Some((name, needed_by, runpath, origin)) = queue.pop_front() {
        if done.contains(&name) {
            continue;
        }
        done.push(name.clone());
        let found = find_library(root, arch, &name, runpath.as_deref(), &origin).ok_or_else(|| {
            let mut dirs = runpath_dirs(runpath.as_deref(), &origin);
            dirs.extend(arch.library_dirs().iter().map(PathBuf::from));
            ImageError::LibraryNotFound {
                name: name.clone(),
                needed_by: needed_by.clone(),
                searched: dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "),
            }
        })?;
        let data = read(&under(root, &found))?;
        let ld = parse(&found, &data)?;
        if ld.machine != d.machine {
            return Err(ImageError::NotExecutable { path: found, why: format!("built for ELF machine {}, not {}", ld.machine, d.machine) });
        }
        let lib_origin = found.parent().map(Path::to_path_buf).unwrap_or_default();
        for n in &ld.needed {
            queue.push_back((n.clone(), found.display().to_string(), ld.runpath.clone(), lib_origin.clone()));
        }
        let inside = found.to_string_lossy().trim_start_matches('/').to_string();
        files.entry(inside.clone()).or_insert(File { path: inside, data, mode: 0o755 });
    }
    Ok(Contents { arch, is_static, files: files.into_values().collect() })
}

fn under(root: &Path, abs: impl AsRef<Path>) -> PathBuf {
    root.join(abs.as_ref().strip_prefix("/").unwrap_or(abs.as_ref()))
}

fn runpath_dirs(runpath: Option<&str>, origin: &Path) -> Vec<PathBuf> {
    runpath
        .unwrap_or_default()
        .split(':')
        .filter(|d| !d.is_empty())
        .map(|d| PathBuf::from(d.replace("${ORIGIN}", &origin.to_string_lossy()).replace("$ORIGIN", &origin.to_string_lossy())))
        .collect()
}

/// The absolute path (as the image will hold it) of library `name`, as the loader finds it.
fn find_library(root: &Path, arch: Arch, name: &str, runpath: Option<&str>, origin: &Path) -> Option<PathBuf> {
    if name.contains('/') {
        let p = PathBuf::from(name);
        return under(root, &p).is_file().then_some(p);
    }
    let mut dirs = runpath_dirs(runpath, origin);
    dirs.extend(arch.library_dirs().iter().map(PathBuf::from));
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_absolute() && under(root, p).is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dynamic_build_brings_the_libraries_ldd_names() {
        let me = std::path::Path::new("/proc/self/exe");
        let c = collect(me).unwrap();
        assert_eq!(c.arch, if cfg!(target_arch = "x86_64") { Arch::Amd64 } else { Arch::Arm64 });
        assert_eq!(c.files.iter().filter(|f| f.path == BIN).count(), 1);
        let paths: Vec<&str> = c.files.iter().map(|f| f.path.as_str()).collect();
        assert!(paths.windows(2).all(|w| w[0] < w[1]), "sorted, once each: {paths:?}");
        // every library ldd resolves is in the image, under a directory the loader searches
        if let Ok(out) = std::process::Command::new("ldd").arg(std::env::current_exe().unwrap()).output() {
            for line in String::from_utf8_lossy(&out.stdout).lines() {
                let Some((name, rest)) = line.trim().split_once(" => ") else { continue };
                let Some(path) = rest.split_whitespace().next().filter(|p| p.starts_with('/')) else { continue };
                let base = Path::new(path).file_name().unwrap().to_string_lossy().to_string();
                assert!(
                    paths.iter().any(|p| p.ends_with(&format!("/{name}")) || p.ends_with(&format!("/{base}"))),
                    "{name} => {path} missing from {paths:?}"
                );
            }
        }
        assert!(c.is_static || paths.iter().any(|p| p.contains("ld-linux")), "{paths:?}");
    }

    #[test]
    fn a_missing_library_is_named_with_where_it_was_looked_for() {
        // a root with the interpreter but no libraries
        let dir = tempfile::tempdir().unwrap();
        let me = std::fs::read("/proc/self/exe").unwrap();
        let d = elf::dynamic(&me).unwrap();
        let Some(interp) = d.interpreter else { return };
        let p = under(dir.path(), &interp);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, b"").unwrap();
        let e = collect_in(Path::new("/proc/self/exe"), dir.path()).unwrap_err().to_string();
        assert!(e.contains(&d.needed[0]) && e.contains("needed by usr/local/bin/kforensic") && e.contains("static"), "{e}");
    }

    #[test]
    fn a_static_aarch64_binary_is_alone_and_a_script_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = elf::file_header(elf::EM_AARCH64, 0);
        b[16] = 2;
        let bin = dir.path().join("kf");
        std::fs::write(&bin, &b).unwrap();
        let c = collect(&bin).unwrap();
        assert_eq!((c.arch, c.is_static, c.files.len()), (Arch::Arm64, true, 1));
        assert_eq!(c.files[0].data, b);
        std::fs::write(&bin, b"#!/bin/sh\n").unwrap();
        assert!(collect(&bin).unwrap_err().to_string().contains("not a usable executable"));
        let mut riscv = elf::file_header(243, 0);
        riscv[16] = 2;
        std::fs::write(&bin, &riscv).unwrap();
        assert!(collect(&bin).unwrap_err().to_string().contains("x86_64 and aarch64"));
    }
}
