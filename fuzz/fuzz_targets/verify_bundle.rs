//! A bundle (a tar of one, as `--archive` writes) given to `verify`, as the tar and unpacked.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic::evidence::fuzzing::bundle(data);
});
