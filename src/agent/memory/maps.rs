//! `/proc/<pid>/maps` and `smaps` of a process, read (the parsing is [`crate::agent::proc::maps`]'s).

use super::MemoryError;
use crate::agent::proc::maps;
pub use crate::agent::proc::maps::Mapping;
use std::path::PathBuf;

/// Parse the text of a maps file (`origin` names it in errors).
pub fn parse_maps(text: &str, origin: &str) -> Result<Vec<Mapping>, MemoryError> {
    maps::parse(text).map_err(|what| MemoryError::Parse { path: origin.into(), what })
}

/// Read and parse `/proc/<pid>/maps`.
pub fn read_maps(pid: i32) -> Result<Vec<Mapping>, MemoryError> {
    let path = PathBuf::from(format!("/proc/{pid}/maps"));
    let text = std::fs::read_to_string(&path).map_err(|e| gone_or(pid, &path, e))?;
    parse_maps(&text, &path.to_string_lossy())
}

/// Bytes present (resident + swapped) per mapping start, from `/proc/<pid>/smaps`; `None` when
/// smaps cannot be read (then nothing is skipped on its account).
pub fn read_present_bytes(pid: i32) -> Option<std::collections::HashMap<u64, u64>> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/smaps")).ok()?;
    Some(maps::parse_present_bytes(&text))
}

pub(crate) fn gone_or(pid: i32, path: &std::path::Path, e: std::io::Error) -> MemoryError {
    if e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ESRCH) {
        MemoryError::ProcessGone(pid)
    } else {
        MemoryError::read(path, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_the_file() {
        let e = parse_maps("zz-10 rw-p 0 0 0", "/proc/1/maps").unwrap_err();
        assert!(
            matches!(&e, MemoryError::Parse { path, what } if path.to_str() == Some("/proc/1/maps") && what.contains("zz-10")),
            "{e:?}"
        );
        assert_eq!(parse_maps("10-20 rw-p 0 00:00 0\n", "t").unwrap().len(), 1);
    }
}
