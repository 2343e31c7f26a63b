//! Many sources fetched at once, one `ArtifactSink` written one artifact at a time.
//!
//! Each artifact gets a small bounded queue of chunks (a chunk = the NDJSON lines of one page).
//! A source announces its artifact as ready when it has finished or when its queue is full; a
//! single blocking writer thread streams ready artifacts into the sink in that order. Sources
//! that wait for the writer wait on their own full queue: memory stays bounded by
//! `queue × page size × concurrency`, whatever the size of the cluster.

use crate::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec};
use tokio::sync::mpsc;

type Chunk = Result<Vec<u8>, String>;

/// The producing end of one artifact.
pub struct Out {
    idx: usize,
    tx: Option<mpsc::Sender<Chunk>>,
    ready: mpsc::UnboundedSender<usize>,
    sent: usize,
    cap: usize,
    notified: bool,
}

/// The writer is gone (the sink failed): stop producing.
#[derive(Debug)]
pub struct WriterGone;

impl Out {
    fn notify(&mut self) {
        if !self.notified {
            self.notified = true;
            let _ = self.ready.send(self.idx);
        }
    }

    pub async fn send(&mut self, chunk: Vec<u8>) -> Result<(), WriterGone> {
        if chunk.is_empty() {
            return Ok(());
        }
        let tx = self.tx.as_ref().ok_or(WriterGone)?;
        tx.send(Ok(chunk)).await.map_err(|_| WriterGone)?;
        self.sent += 1;
        // the queue is full: the next send waits for the writer, so tell it we are ready
        if self.sent >= self.cap {
            self.notify();
        }
        Ok(())
    }

    /// The source failed: what was sent stays, the artifact is recorded as failed with `msg`.
    pub async fn fail(mut self, msg: String) {
        self.notify();
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Err(msg)).await;
        }
    }
}

impl Drop for Out {
    fn drop(&mut self) {
        self.tx = None;
        self.notify();
    }
}

/// How one artifact ended.
#[derive(Debug, Clone)]
pub enum Outcome {
    Written(ArtifactRecord),
    Failed(String),
}

pub struct Mux {
    specs: Vec<ArtifactSpec>,
    rxs: Vec<Option<mpsc::Receiver<Chunk>>>,
    ready_tx: Option<mpsc::UnboundedSender<usize>>,
    ready_rx: mpsc::UnboundedReceiver<usize>,
    cap: usize,
}

impl Mux {
    pub fn new(queue: usize) -> Mux {
        let (ready_tx, ready_rx) = mpsc::unbounded_channel();
        Mux { specs: Vec::new(), rxs: Vec::new(), ready_tx: Some(ready_tx), ready_rx, cap: queue.max(1) }
    }

    pub fn artifact(&mut self, spec: ArtifactSpec) -> Out {
        let (tx, rx) = mpsc::channel(self.cap);
        let idx = self.specs.len();
        self.specs.push(spec);
        self.rxs.push(Some(rx));
        let ready = self.ready_tx.clone().expect("artifacts are declared before the writer starts");
        Out { idx, tx: Some(tx), ready, sent: 0, cap: self.cap, notified: false }
    }

    /// The artifacts' paths, in declaration order (the order of [`Mux::write_all`]'s outcomes).
    pub fn paths(&self) -> Vec<String> {
        self.specs.iter().map(|s| s.path.clone()).collect()
    }

    /// Stream every artifact into `sink` (call from a blocking thread). Returns when every `Out`
    /// has been dropped, with one outcome per artifact in declaration order.
    pub fn write_all<S: ArtifactSink + ?Sized>(mut self, sink: &mut S) -> Vec<Outcome> {
        self.ready_tx = None;
        let mut outcomes: Vec<Option<Outcome>> = vec![None; self.specs.len()];
        while let Some(idx) = self.ready_rx.blocking_recv() {
            let Some(mut rx) = self.rxs.get_mut(idx).and_then(Option::take) else { continue };
            let spec = &self.specs[idx];
            let outcome = match rx.blocking_recv() {
                Some(Err(msg)) => {
                    let _ = sink.error(Some(&spec.path), &msg);
                    Outcome::Failed(msg)
                }
                first => {
                    let mut pending = first;
                    let mut source_error = None;
                    let res = sink.put(spec, &mut |w| {
                        while let Some(chunk) = pending.take() {
                            match chunk {
                                Ok(bytes) => w.write_all(&bytes)?,
                                Err(msg) => {
                                    source_error = Some(msg.clone());
                                    return Err(std::io::Error::other(msg));
                                }
                            }
                            pending = rx.blocking_recv();
                        }
                        Ok(())
                    });
                    match (res, source_error) {
                        (Ok(rec), _) => Outcome::Written(rec),
                        (Err(_), Some(msg)) => Outcome::Failed(msg),
                        (Err(e), None) => Outcome::Failed(format!("cannot write {}: {e}", spec.path)),
                    }
                }
            };
            // a failed sink closes the queue: its producer stops at its next send
            drop(rx);
            outcomes[idx] = Some(outcome);
        }
        outcomes.into_iter().map(|o| o.unwrap_or_else(|| Outcome::Failed("never written".into()))).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{EvidenceError, HashingWriter};
    use std::collections::BTreeMap;

    #[derive(Default)]
    struct MemSink {
        files: BTreeMap<String, Vec<u8>>,
        errors: Vec<String>,
    }
    impl ArtifactSink for MemSink {
        fn put(
            &mut self,
            spec: &ArtifactSpec,
            write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
        ) -> Result<ArtifactRecord, EvidenceError> {
            let started_at = jiff::Timestamp::now();
            let mut w = HashingWriter::new(Vec::new());
            let r = write(&mut w);
            let (buf, bytes, sha256) = w.finish();
            self.files.insert(spec.path.clone(), buf);
            r?;
            Ok(ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption: None })
        }
        fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
            self.errors.push(format!("{path:?}: {message}"));
            Ok(())
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_sources_each_land_whole_in_their_own_artifact() {
        let mut mux = Mux::new(2);
        let mut tasks = Vec::new();
        for n in 0..6u8 {
            let mut out = mux.artifact(ArtifactSpec::new(format!("triage/s{n}.ndjson"), "application/x-ndjson", "triage"));
            tasks.push(tokio::spawn(async move {
                for i in 0..(n as usize * 7) {
                    out.send(format!("{{\"s\":{n},\"i\":{i}}}\n").into_bytes()).await.unwrap();
                    if i % 3 == 0 {
                        tokio::task::yield_now().await;
                    }
                }
                if n == 5 {
                    out.fail("boom".into()).await;
                }
            }));
        }
        let writer = tokio::task::spawn_blocking(move || {
            let mut sink = MemSink::default();
            let outcomes = mux.write_all(&mut sink);
            (sink, outcomes)
        });
        for t in tasks {
            t.await.unwrap();
        }
        let (sink, outcomes) = writer.await.unwrap();
        for n in 0..5u8 {
            let text = String::from_utf8(sink.files[&format!("triage/s{n}.ndjson")].clone()).unwrap();
            let want: String = (0..(n as usize * 7)).map(|i| format!("{{\"s\":{n},\"i\":{i}}}\n")).collect();
            assert_eq!(text, want);
            assert!(matches!(outcomes[n as usize], Outcome::Written(ref r) if r.bytes == want.len() as u64));
        }
        assert!(matches!(&outcomes[5], Outcome::Failed(m) if m == "boom"));
    }
}
