//! Progress of byte-counted work (hashing, uploading): one task of the command layer's observer.

use crate::observe::{SharedObserver, Task, Unit};
use std::sync::Arc;

#[derive(Clone)]
pub struct Progress(Arc<dyn Task>);

impl Progress {
    pub fn new(label: &str, total: u64, obs: &SharedObserver) -> Progress {
        Progress(Arc::from(obs.task(label, Some(total), Unit::Bytes)))
    }

    pub fn hidden() -> Progress {
        Progress(Arc::new(crate::observe::Quiet))
    }

    pub fn inc(&self, n: u64) {
        self.0.inc(n);
    }

    pub fn message(&self, m: &str) {
        self.0.message(m);
    }

    pub fn finish(&self) {
        self.0.done();
    }
}
