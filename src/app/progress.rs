//! What the responder sees while work runs: progress bars on stderr (hidden with -q or when
//! stderr is not a terminal), notes and warnings; and the signals that stop the work. The one
//! place that knows indicatif: the libraries report through [`Observer`].

use crate::app::output::terminal_safe;
use crate::observe::{Observer, SharedObserver, Stop, Task, Unit};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One line per item (container/artifact) with bytes and rate, bars for tasks with a total.
#[derive(Clone)]
pub struct Bars {
    multi: MultiProgress,
    bars: Arc<Mutex<HashMap<String, ProgressBar>>>,
}

impl Bars {
    /// `show` is the caller's wish (false with -q); a non-terminal stderr hides the bars anyway.
    pub fn new(show: bool) -> Bars {
        let target = if show && std::io::stderr().is_terminal() { ProgressDrawTarget::stderr() } else { ProgressDrawTarget::hidden() };
        Bars { multi: MultiProgress::with_draw_target(target), bars: Default::default() }
    }

    /// A line on stderr that the bars do not overwrite.
    fn line(&self, line: String) {
        if self.multi.is_hidden() {
            eprintln!("{line}");
        } else {
            self.multi.suspend(|| eprintln!("{line}"));
        }
    }

    /// As a shared observer for the libraries.
    pub fn shared(show: bool) -> SharedObserver {
        Arc::new(Bars::new(show))
    }
}

impl Observer for Bars {
    fn note(&self, msg: &str) {
        let msg = terminal_safe(msg);
        if self.multi.is_hidden() {
            tracing::info!("{msg}");
        } else {
            let _ = self.multi.println(msg.as_ref());
        }
    }

    fn notice(&self, msg: &str) {
        self.line(format!("note: {}", terminal_safe(msg)));
    }

    fn warn(&self, msg: &str) {
        self.line(format!("warning: {}", terminal_safe(msg)));
    }

    fn bytes(&self, item: &str, bytes: u64, done: bool) {
        // names a container chose (its home directories) may hold escape sequences
        let key = terminal_safe(item).into_owned();
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

    fn task(&self, label: &str, total: Option<u64>, unit: Unit) -> Box<dyn Task> {
        if self.multi.is_hidden() {
            return Box::new(Bar { bar: ProgressBar::hidden(), unit });
        }
        let b = self.multi.add(ProgressBar::new_spinner());
        b.set_prefix(terminal_safe(label).into_owned());
        let bar = Bar { bar: b, unit };
        bar.bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix:<20} {human_pos} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.bar.enable_steady_tick(Duration::from_millis(120));
        if let Some(n) = total {
            bar.total(n);
        }
        Box::new(bar)
    }

    fn clear(&self) {
        let _ = self.multi.clear();
    }
}

/// One indicatif bar.
struct Bar {
    bar: ProgressBar,
    unit: Unit,
}

impl Task for Bar {
    fn inc(&self, n: u64) {
        self.bar.inc(n);
    }
    fn total(&self, n: u64) {
        if self.bar.length().is_some() || n == 0 {
            return;
        }
        self.bar.disable_steady_tick();
        self.bar.set_length(n);
        let template = match self.unit {
            Unit::Bytes => "{prefix:>9} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
            Unit::Items => "{spinner} {prefix:<20} [{bar:30}] {human_pos}/{human_len} {msg}",
        };
        if let Ok(st) = ProgressStyle::with_template(template) {
            self.bar.set_style(st.progress_chars("=> "));
        }
    }
    fn message(&self, msg: &str) {
        self.bar.set_message(terminal_safe(msg).into_owned());
    }
    fn done(&self) {
        match self.unit {
            Unit::Bytes => self.bar.finish_and_clear(),
            Unit::Items => {
                if let Some(len) = self.bar.length() {
                    self.bar.set_length(len.max(self.bar.position()));
                }
                self.bar.finish_with_message("done");
            }
        }
    }
    fn failed(&self, msg: &str) {
        self.bar.abandon_with_message(format!("FAILED: {}", terminal_safe(msg)));
    }
}

/// SIGINT, SIGTERM and SIGHUP (a dropped SSH session), caught from the moment they are installed.
pub struct Signals {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

impl Signals {
    pub fn install() -> std::io::Result<Signals> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Signals { int: signal(SignalKind::interrupt())?, term: signal(SignalKind::terminate())?, hup: signal(SignalKind::hangup())? })
    }

    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT",
            _ = self.term.recv() => "SIGTERM",
            _ = self.hup.recv() => "SIGHUP",
        }
    }

    /// A [`Stop`] that the next signal triggers ("interrupted by SIGINT"), for the libraries.
    pub fn stop_on_signal(mut self) -> Stop {
        let stop = Stop::new();
        let s = stop.clone();
        tokio::spawn(async move {
            loop {
                let sig = self.recv().await;
                s.stop(&format!("interrupted by {sig}"));
            }
        });
        stop
    }
}
