//! How the libraries tell the command layer what they are doing, without printing: the command
//! layer passes an [`Observer`] in (progress bars on a terminal, nothing with `-q`), the
//! libraries call it. A leaf module: it knows no other part of the crate.

use std::sync::Arc;

pub trait Observer: Send + Sync {
    /// A line for the responder: a step starts, a decision was taken.
    fn note(&self, msg: &str);
    /// A decision the responder must see even without -v (a fallback taken): `note: …`.
    fn notice(&self, msg: &str) {
        self.note(msg);
    }
    /// Something went wrong, and the work goes on (the bundle says so too).
    fn warn(&self, msg: &str);
    /// Bytes of one item so far (an artifact streaming in); `done` at its end.
    fn bytes(&self, item: &str, bytes: u64, done: bool);
    /// A unit of work with a count (bytes or items) and, once known, a total.
    fn task(&self, label: &str, total: Option<u64>, unit: Unit) -> Box<dyn Task>;
    /// Clear live displays (before a final report is printed).
    fn clear(&self) {}
}

/// What a [`Task`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Items,
}

/// One unit of work an [`Observer`] shows.
pub trait Task: Send + Sync {
    fn inc(&self, n: u64);
    /// The total became known.
    fn total(&self, n: u64);
    fn message(&self, msg: &str);
    fn done(&self);
    fn failed(&self, msg: &str);
}

pub type SharedObserver = Arc<dyn Observer>;

impl std::fmt::Debug for dyn Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observer")
    }
}

/// Shows nothing; notes and warnings go to the log (`-v`).
pub struct Quiet;

impl Observer for Quiet {
    fn note(&self, msg: &str) {
        tracing::info!("{msg}");
    }
    fn warn(&self, msg: &str) {
        tracing::warn!("{msg}");
    }
    fn bytes(&self, _: &str, _: u64, _: bool) {}
    fn task(&self, _: &str, _: Option<u64>, _: Unit) -> Box<dyn Task> {
        Box::new(Quiet)
    }
}

impl Task for Quiet {
    fn inc(&self, _: u64) {}
    fn total(&self, _: u64) {}
    fn message(&self, _: &str) {}
    fn done(&self) {}
    fn failed(&self, _: &str) {}
}

/// An observer that shows nothing.
pub fn quiet() -> SharedObserver {
    Arc::new(Quiet)
}

/// A request to stop (a signal the command layer caught), with its reason. Cloned into every
/// task that must end early; the libraries clean up and say why in the bundle.
#[derive(Clone, Default)]
pub struct Stop {
    token: tokio_util::sync::CancellationToken,
    why: Arc<std::sync::Mutex<Option<String>>>,
}

impl Stop {
    pub fn new() -> Stop {
        Stop::default()
    }
    /// Ask every holder to stop, for `why` (the first reason wins).
    pub fn stop(&self, why: &str) {
        self.why.lock().unwrap_or_else(|e| e.into_inner()).get_or_insert_with(|| why.to_string());
        self.token.cancel();
    }
    pub fn is_stopped(&self) -> bool {
        self.token.is_cancelled()
    }
    /// Wait until stopped; the reason.
    pub async fn stopped(&self) -> String {
        self.token.cancelled().await;
        self.why.lock().unwrap_or_else(|e| e.into_inner()).clone().unwrap_or_else(|| "stopped".into())
    }
}

/// A task shared between the code that advances it and the code that finishes it.
pub type SharedTask = Arc<dyn Task>;

/// A task that shows nothing.
pub fn hidden_task() -> SharedTask {
    Arc::new(Quiet)
}
