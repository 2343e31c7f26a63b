//! A reader that reads ahead on a thread of its own: the source (a decompressor) produces the
//! next chunks while the consumer (tar parsing, hashing, writing) works on the ones it has.

use std::io::{self, Read};
use std::sync::mpsc;

/// Reads `source` in chunks on a thread, at most `depth` chunks ahead. A read error reaches the
/// consumer in order, after the bytes before it. Dropping it stops the thread after its current
/// read.
pub struct ReadAhead {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    cur: Vec<u8>,
    pos: usize,
    ended: bool,
}

impl ReadAhead {
    pub fn new<R: Read + Send + 'static>(mut source: R, chunk: usize, depth: usize) -> io::Result<ReadAhead> {
        let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(depth.max(1));
        let chunk = chunk.max(4096);
        std::thread::Builder::new().name("read-ahead".into()).spawn(move || {
            loop {
                let mut buf = vec![0u8; chunk];
                let mut filled = 0;
                let result = loop {
                    match source.read(&mut buf[filled..]) {
                        Ok(0) => break Ok(()),
                        Ok(n) => {
                            filled += n;
                            if filled == buf.len() {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                buf.truncate(filled);
                let end = filled < chunk || result.is_err();
                if filled > 0 && tx.send(Ok(buf)).is_err() {
                    return;
                }
                if let Err(e) = result {
                    let _ = tx.send(Err(e));
                }
                if end {
                    return;
                }
            }
        })?;
        Ok(ReadAhead { rx, cur: Vec::new(), pos: 0, ended: false })
    }
}

impl Read for ReadAhead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        while self.pos == self.cur.len() {
            if self.ended {
                return Ok(0);
            }
            match self.rx.recv() {
                Ok(Ok(next)) => {
                    self.cur = next;
                    self.pos = 0;
                }
                Ok(Err(e)) => {
                    self.ended = true;
                    return Err(e);
                }
                // the source ended (the thread is gone)
                Err(_) => {
                    self.ended = true;
                    return Ok(0);
                }
            }
        }
        let n = out.len().min(self.cur.len() - self.pos);
        out[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Gives its bytes a few at a time, then fails.
    struct Trickle {
        data: Vec<u8>,
        at: usize,
        fail: bool,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.at == self.data.len() {
                return if self.fail { Err(io::Error::other("disk gone")) } else { Ok(0) };
            }
            let n = buf.len().min(7).min(self.data.len() - self.at);
            buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    #[test]
    fn every_byte_arrives_in_order_and_an_error_after_them() {
        let data: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        for (chunk, depth) in [(4096, 1), (10_000, 3), (1 << 20, 2)] {
            let mut r = ReadAhead::new(Trickle { data: data.clone(), at: 0, fail: false }, chunk, depth).unwrap();
            let mut got = Vec::new();
            r.read_to_end(&mut got).unwrap();
            assert!(got == data, "chunk {chunk}, depth {depth}");
        }
        let mut r = ReadAhead::new(Trickle { data: data.clone(), at: 0, fail: true }, 4096, 2).unwrap();
        let mut got = vec![0u8; data.len()];
        r.read_exact(&mut got).unwrap();
        assert!(got == data);
        let e = r.read(&mut [0u8; 10]).unwrap_err();
        assert_eq!(e.to_string(), "disk gone");
    }
}
