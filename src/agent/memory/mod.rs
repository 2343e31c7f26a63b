//! Memory evidence from the node, without CRIU: ELF cores of a container's processes read from
//! `/proc/<pid>/mem`, a consistent cut by freezing the container's cgroup, copies of suspicious
//! executables (deleted, memfd, outside the image), and a free-space check for node-side spools.
//!
//! Everything streams into a caller's `Write` (the evidence sink hashes it); memory use stays
//! flat at a few read buffers (3 × 1 MiB by default) whatever the process size.

pub mod capture;
pub mod core;
mod error;
pub mod executables;
pub mod freeze;
pub mod ledger;
pub mod maps;
mod notes;
pub mod pod_freeze;
pub mod precopy;
pub mod procinfo;
pub mod space;

pub use capture::{MemoryCaptureOptions, MemoryCaptureReport, capture_container_memory};
pub use core::{ByteBudget, CoreOptions, CorePlan, CoreSummary, RegionRecord, RegionStatus, dump_core};
pub use error::MemoryError;
pub use executables::{ExecutableRecord, ImageLayers, capture_executables};
pub use freeze::{FreezeGuard, FreezeReport, FreezeState, Freezer, thaw_by_pid, thaw_cgroup};
pub use maps::{Mapping, read_maps};
pub use space::{Margin, SpaceCheck, check_free_space};
