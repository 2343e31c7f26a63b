//! Archive reader (tar / tar.gz / tar.zst) and every view built on it.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic_analyze::fuzzing::archive(data);
});
