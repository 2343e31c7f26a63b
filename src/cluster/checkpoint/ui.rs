//! What the responder sees while a checkpoint runs: progress bars, and the signals that stop it.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::time::Duration;

/// One line per container and artifact with bytes and rate (hidden when quiet or not a terminal).
#[derive(Clone)]
pub(crate) struct Bars {
    multi: MultiProgress,
    bars: std::sync::Arc<std::sync::Mutex<HashMap<String, ProgressBar>>>,
}

impl Bars {
    pub(crate) fn new(show: bool) -> Bars {
        let target = if show { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Bars { multi: MultiProgress::with_draw_target(target), bars: Default::default() }
    }
    pub(crate) fn note(&self, msg: &str) {
        let msg = crate::cli::output::terminal_safe(msg);
        if self.multi.is_hidden() {
            tracing::info!("{msg}");
        } else {
            let _ = self.multi.println(msg.as_ref());
        }
    }
    pub(crate) fn artifact(&self, container: &str, name: &str, bytes: u64, done: bool) {
        // names a container chose (its home directories) may hold escape sequences
        let key = crate::cli::output::terminal_safe(&format!("{container}/{name}")).into_owned();
        let mut map = self.bars.lock().unwrap_or_else(|e| e.into_inner());
        let bar = map.entry(key.clone()).or_insert_with(|| {
            let b = self.multi.add(ProgressBar::new_spinner());
            b.set_style(
                ProgressStyle::with_template("{spinner} {prefix:<40} {bytes:>10} {bytes_per_sec:>12} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.set_prefix(key);
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        bar.set_position(bytes);
        if done {
            bar.finish();
        }
    }
    pub(crate) fn clear(&self) {
        let _ = self.multi.clear();
    }
}

/// SIGINT and SIGTERM, caught from the moment they are installed.
pub(crate) struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

impl Signals {
    pub(crate) fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals { int: signal(SignalKind::interrupt())?, term: signal(SignalKind::terminate())? })
    }
    pub(crate) async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

