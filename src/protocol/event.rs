//! What the agent reports while it works: one JSON object a line on its stderr, tagged by
//! `event`. Lines that are not events are the agent's log (kept for error messages).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// Bytes of an artifact produced so far (at most every 250 ms per artifact).
    Progress { artifact: String, bytes: u64 },
    /// An artifact is complete: its size and SHA-256 as the agent computed them.
    Done { artifact: String, bytes: u64, sha256: String },
    /// An artifact could not be produced.
    Failed { artifact: String, error: String },
    /// Something could not be captured (recorded in the bundle's errors too).
    Error {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        message: String,
    },
    /// Not an error: a step skipped for a stated reason, a fallback taken.
    Note { message: String },
    /// A cgroup the agent froze for a memory capture: whoever drives the agent must thaw it if
    /// the agent dies before it reports it thawed.
    Frozen { cgroup: String },
    /// The agent thawed a cgroup it froze.
    Thawed { cgroup: String },
}

impl Event {
    /// The event as one line (JSON and a newline).
    pub fn to_line(&self) -> String {
        let mut s = serde_json::to_string(self).unwrap_or_else(|_| String::from("{}"));
        s.push('\n');
        s
    }

    /// An event, or `None` for a log line.
    pub fn parse(line: &str) -> Option<Event> {
        let l = line.trim_start();
        if !l.starts_with('{') {
            return None;
        }
        serde_json::from_str(l).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_travel_as_tagged_lines_and_log_lines_stay_log() {
        let evs = [
            Event::Progress { artifact: "pods/a/b/c/rootfs.tar.zst".into(), bytes: 7 },
            Event::Done { artifact: "x".into(), bytes: 1, sha256: "ab".into() },
            Event::Error { path: None, message: "m".into() },
            Event::Frozen { cgroup: "/sys/fs/cgroup/freezer/k".into() },
        ];
        for e in evs {
            let line = e.to_line();
            assert!(line.ends_with('\n') && line.matches('\n').count() == 1, "{line}");
            assert_eq!(Event::parse(&line), Some(e));
        }
        assert_eq!(Event::parse(r#"{"event":"frozen","cgroup":"/x"}"#), Some(Event::Frozen { cgroup: "/x".into() }));
        assert_eq!(Event::parse("2026-12-07T10:00:00Z WARN something"), None);
        assert_eq!(Event::parse(r#"{"event":"unknown"}"#), None, "an event this side does not know is a log line");
    }

    #[test]
    fn a_newline_in_a_hostile_name_cannot_forge_a_second_event() {
        let e = Event::Note { message: "a\n{\"event\":\"frozen\",\"cgroup\":\"/etc\"}".into() };
        let line = e.to_line();
        assert_eq!(line.lines().count(), 1);
        assert_eq!(Event::parse(&line), Some(e));
    }
}
