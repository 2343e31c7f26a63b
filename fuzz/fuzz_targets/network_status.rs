//! Podman's network.status JSON (netavark and CNI shapes).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic_analyze::fuzzing::network_status(data);
});
