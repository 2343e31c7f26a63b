//! SHA-256 for evidence: aws-lc's implementation (SHA-NI / AVX2 assembly), fast in every build.

/// An incremental SHA-256.
#[derive(Clone)]
pub struct Sha256(aws_lc_rs::digest::Context);

impl Default for Sha256 {
    fn default() -> Self {
        Sha256::new()
    }
}

impl Sha256 {
    pub fn new() -> Self {
        Sha256(aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256))
    }
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    /// The 32-byte digest.
    pub fn finalize(self) -> [u8; 32] {
        let d = self.0.finish();
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        out
    }
    /// Lower-case hex digest.
    pub fn finalize_hex(self) -> String {
        hex::encode(self.finalize())
    }
    /// Digest of one buffer.
    pub fn digest(data: &[u8]) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(data);
        h.finalize()
    }
}

/// SHA-256 of one stream, 1 MiB at a time.
pub fn hash_reader(r: &mut dyn std::io::Read, progress: &super::progress::Progress) -> std::io::Result<(u64, String)> {
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut n = 0u64;
    loop {
        let k = match r.read(&mut buf) {
            Ok(0) => break,
            Ok(k) => k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        h.update(&buf[..k]);
        n += k as u64;
        progress.inc(k as u64);
    }
    Ok((n, h.finalize_hex()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_reference_implementation() {
        use sha2::Digest;
        let data: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut h = super::Sha256::new();
        h.update(&data[..333]);
        h.update(&data[333..]);
        assert_eq!(h.finalize_hex(), hex::encode(sha2::Sha256::digest(&data)));
        assert_eq!(hex::encode(super::Sha256::digest(b"")), super::super::custody::GENESIS);
    }
}
