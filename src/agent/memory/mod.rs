//! Memory evidence from the node, without CRIU: ELF cores of a container's processes read from
//! `/proc/<pid>/mem`, a consistent cut by freezing the container's cgroup, copies of suspicious
//! executables (deleted, memfd, outside the image), and a free-space check for node-side spools.
//!
//! Everything streams into a caller's `Write` (the evidence sink hashes it); memory use stays
//! flat at about one read buffer whatever the process size.

pub mod core;
pub mod freeze;
mod elf;
mod error;
pub mod maps;
pub mod procinfo;

pub use core::{ByteBudget, CoreOptions, CorePlan, CoreSummary, RegionRecord, RegionStatus, dump_core};
pub use error::MemoryError;
pub use maps::{Mapping, read_maps};
