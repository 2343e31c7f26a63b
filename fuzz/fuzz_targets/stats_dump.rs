//! CRIU stats-dump (service magic + stats entry).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic_analyze::fuzzing::stats_dump(data);
});
