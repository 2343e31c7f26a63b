//! ELF core files: headers, notes, segments, a deleted executable's reassembly.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    kforensic_analyze::fuzzing::elf_core(data);
});
