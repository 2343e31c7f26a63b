//! One progress bar per source on stderr (none with -q or when stderr is not a terminal).

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;

pub struct Progress {
    mp: Option<MultiProgress>,
}

impl Progress {
    pub fn new(enabled: bool) -> Progress {
        let on = enabled && std::io::stderr().is_terminal();
        Progress { mp: on.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())) }
    }

    pub fn bar(&self, name: &str) -> Bar {
        let Some(mp) = &self.mp else { return Bar(ProgressBar::hidden()) };
        let pb = mp.add(ProgressBar::new_spinner());
        pb.set_style(ProgressStyle::with_template("{spinner} {prefix:<20} {human_pos} {msg}").unwrap_or_else(|_| ProgressStyle::default_spinner()));
        pb.set_prefix(name.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar(pb)
    }
}

#[derive(Clone)]
pub struct Bar(ProgressBar);

impl Bar {
    pub fn hidden() -> Bar {
        Bar(ProgressBar::hidden())
    }
    /// The total became known (from the list's `remainingItemCount`).
    pub fn total(&self, n: u64) {
        if self.0.length().is_none() && n > 0 {
            self.0.set_length(n);
            if let Ok(st) = ProgressStyle::with_template("{spinner} {prefix:<20} [{bar:30}] {human_pos}/{human_len} {msg}") {
                self.0.set_style(st.progress_chars("=> "));
            }
        }
    }
    pub fn inc(&self, n: u64) {
        self.0.inc(n);
    }
    pub fn done(&self) {
        if let Some(len) = self.0.length() {
            self.0.set_length(len.max(self.0.position()));
        }
        self.0.finish_with_message("done");
    }
    pub fn failed(&self, msg: &str) {
        self.0.abandon_with_message(format!("FAILED: {msg}"));
    }
}
