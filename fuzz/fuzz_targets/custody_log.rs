//! `custody.log`: the chain check, then an appended line that must chain.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic::evidence::fuzzing::custody(data);
});
