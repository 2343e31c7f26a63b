//! The evidence stream decoder (the agent's stdout), received into a real bundle that must then verify.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic::evidence::fuzzing::stream(data);
});
