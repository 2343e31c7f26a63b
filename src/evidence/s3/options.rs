//! How objects are written to S3: encryption, Object Lock, part sizes and concurrency; the
//! constants and helpers the request builders (`object`) and the file uploads (`upload`) share.

use base64::Engine;

pub const MIB: u64 = 1 << 20;
/// S3's smallest part (except the last).
pub const MIN_PART_SIZE: u64 = 5 * MIB;
pub const MAX_PART_SIZE: u64 = 5 * 1024 * MIB;
pub const MAX_PARTS: u64 = 10_000;
/// Default part size and parts in flight, chosen by measurement (`upload` of a 400 MiB bundle to
/// the test S3 server, peak RSS of a debug build with the fixed allocator threshold): 16 MiB × 4
/// 104 MiB, 8 MiB × 4 82 MiB, 8 MiB × 3 74 MiB, 5 MiB × 4 70 MiB, at the same speed (±10 %);
/// the node's upload holds one part more (the one being filled). The rest of the peak is the
/// process itself (runtime, SDK, binary): see README, `benches/checkpoint.sh`.
pub const DEFAULT_PART_SIZE: u64 = 5 * MIB;
pub const DEFAULT_CONCURRENCY: usize = 4;
/// User metadata key holding the whole object's SHA-256 (sent as `x-amz-meta-sha256`).
pub const META_SHA256: &str = "sha256";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Sse {
    Aes256,
    Kms,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum LockMode {
    Governance,
    Compliance,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct UploadOptions {
    pub sse: Option<Sse>,
    pub sse_kms_key_id: Option<String>,
    /// Object Lock retention for every object: mode and retain-until time.
    pub lock: Option<(LockMode, jiff::Timestamp)>,
    pub part_size: u64,
    /// Parts (and small objects) in flight at once.
    pub concurrency: usize,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions { sse: None, sse_kms_key_id: None, lock: None, part_size: DEFAULT_PART_SIZE, concurrency: DEFAULT_CONCURRENCY }
    }
}

pub(crate) fn b64(d: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(d)
}
