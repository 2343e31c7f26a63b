//! rootfs-diff.tar on its own: plain, gzip or zstd, entries and whiteouts.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic_analyze::fuzzing::rootfs_diff(data);
});
