//! The reading side of `kforensic analyze` compiled on its own, for fuzzing: the same source
//! files as the main crate (`src/analyze/*.rs`, whose `super::` is this crate's root here),
//! without the CLI, cluster and cloud dependencies, so a sanitizer build takes minutes instead
//! of rebuilding the whole binary's dependency tree.

#[path = "../../src/analyze/archive.rs"]
pub mod archive;
#[path = "../../src/analyze/core.rs"]
pub mod core;
#[path = "../../src/analyze/criu.rs"]
pub mod criu;
#[path = "../../src/analyze/deleted.rs"]
pub mod deleted;
#[path = "../../src/analyze/dump.rs"]
pub mod dump;
/// The crate's ELF core layout (a leaf module `dump` writes with).
#[path = "../../src/elf.rs"]
pub mod elf;
#[path = "../../src/analyze/error.rs"]
mod error;
#[path = "../../src/analyze/fuzzing.rs"]
pub mod fuzzing;
#[path = "../../src/analyze/ghost.rs"]
pub mod ghost;
#[path = "../../src/analyze/image.rs"]
pub mod image;
#[path = "../../src/analyze/memory.rs"]
pub mod memory;
#[path = "../../src/analyze/metadata.rs"]
pub mod metadata;
#[path = "../../src/analyze/network.rs"]
pub mod network;
#[path = "../../src/analyze/proto.rs"]
pub mod proto;
#[path = "../../src/analyze/rootfs.rs"]
pub mod rootfs;
#[path = "../../src/analyze/search.rs"]
pub mod search;
#[path = "../../src/analyze/views.rs"]
pub mod views;

pub use error::AnalyzeError;

/// The main crate's one SHA-256 path (`evidence::hash::Sha256`), here over `sha2`: the fuzzed
/// code only needs new / update / finalize_hex.
pub mod evidence {
    pub mod hash {
        use sha2::Digest;
        #[derive(Default)]
        pub struct Sha256(sha2::Sha256);
        impl Sha256 {
            pub fn new() -> Self {
                Self::default()
            }
            pub fn update(&mut self, data: &[u8]) {
                self.0.update(data);
            }
            pub fn finalize_hex(self) -> String {
                hex::encode(self.0.finalize())
            }
        }
    }
}
