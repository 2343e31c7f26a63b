use std::path::PathBuf;
use thiserror::Error;

/// Errors of the memory capture (`agent::memory`). One line each, naming what failed and where.
#[derive(Debug, Error)]
pub enum MemoryError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write the core of pid {pid}: {source}")]
    Write {
        pid: i32,
        #[source]
        source: std::io::Error,
    },
    #[error("unexpected content in {path}: {what}")]
    Parse { path: PathBuf, what: String },
    #[error("process {0} is gone (it exited before or during the capture)")]
    ProcessGone(i32),
    #[error("process {0} exited while its core was read: the core's last part is missing")]
    ExitedDuringDump(i32),
    #[error("memory capture is not supported on this architecture ({0}); supported: x86_64, aarch64")]
    UnsupportedArch(&'static str),
    #[error("no freezer for pid {pid}: {why}")]
    NoFreezer { pid: i32, why: String },
    #[error("cannot {action} cgroup {path}: {source}")]
    Cgroup {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cgroup {path} did not reach {state} within {waited_ms} ms; it was thawed again")]
    FreezeTimeout { path: PathBuf, state: &'static str, waited_ms: u128 },
    #[error("executable of pid {pid} changed while it was copied (sha256 {first} then {second}); copy discarded")]
    ExecutableChanged { pid: i32, first: String, second: String },
    #[error("{0}")]
    NoSpace(String),
    #[error("cannot store artifact {path}: {message}")]
    Sink { path: String, message: String },
}

impl MemoryError {
    pub(crate) fn read(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        MemoryError::Read { path: path.into(), source }
    }
}
