//! The node facts of /proc, parsed once for every reader: mountinfo, `stat`, maps, and the two
//! system constants their numbers are counted in (page size, clock ticks).
//!
//! Everything here is text a hostile process can shape (its name, its mount points, its mapped
//! file names): the parsers never trust it.

pub mod maps;
pub mod mountinfo;
pub mod pin;
pub mod process;
pub mod stat;

use nix::unistd::{SysconfVar, sysconf};

/// Bytes per memory page (4096 when the system does not say).
pub fn page_size() -> u64 {
    sysconf(SysconfVar::PAGE_SIZE).ok().flatten().filter(|v| *v > 0).map(|v| v as u64).unwrap_or(4096)
}

/// Clock ticks per second, the unit of `stat`'s times (100 when the system does not say).
pub fn clk_tck() -> u64 {
    sysconf(SysconfVar::CLK_TCK).ok().flatten().filter(|v| *v > 0).map(|v| v as u64).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    #[test]
    fn system_constants_are_sane() {
        assert!(super::page_size().is_power_of_two() && super::page_size() >= 4096);
        assert!(super::clk_tck() > 0);
    }
}
