//! Progress bars on stderr (bytes, rate, ETA); hidden with `-q` or when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

#[derive(Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// `enabled` is the caller's wish (false with -q); a non-terminal stderr hides it anyway.
    pub fn new(label: &str, total: u64, enabled: bool) -> Progress {
        let bar = if enabled && std::io::stderr().is_terminal() {
            let b = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let style = ProgressStyle::with_template(
                "{prefix:>9} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            b.set_style(style);
            b.set_prefix(label.to_string());
            b
        } else {
            ProgressBar::hidden()
        };
        Progress { bar }
    }

    pub fn hidden() -> Progress {
        Progress { bar: ProgressBar::hidden() }
    }

    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    pub fn message(&self, m: &str) {
        self.bar.set_message(m.to_string());
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
