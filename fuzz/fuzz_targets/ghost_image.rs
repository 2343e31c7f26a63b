//! CRIU ghost-file images: header, raw or chunked content, hashing and writing it back.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic_analyze::fuzzing::ghost_image(data);
});
