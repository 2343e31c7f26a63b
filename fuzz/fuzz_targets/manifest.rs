//! `manifest.json` as `verify` parses it; what parses must parse again once written back.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic::evidence::fuzzing::manifest(data);
});
