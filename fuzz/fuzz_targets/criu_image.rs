//! CRIU image parser: magic, entry framing, every protobuf message kforensic decodes.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic_analyze::fuzzing::criu_image(data);
});
