//! The capture steps the agent runs for a container.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Inspect,
    Diff,
    Export,
    Volatile,
    Logs,
    History,
    /// Process memory as ELF cores + suspicious executables (not in the default set).
    Memory,
}

impl Step {
    /// The default set: everything but memory.
    pub const ALL: [Step; 6] = [Step::Inspect, Step::Diff, Step::Export, Step::Volatile, Step::Logs, Step::History];
    /// Every step there is, memory included.
    pub const EVERY: [Step; 7] = [Step::Inspect, Step::Diff, Step::Export, Step::Volatile, Step::Logs, Step::History, Step::Memory];

    pub fn name(self) -> &'static str {
        match self {
            Step::Inspect => "inspect",
            Step::Diff => "diff",
            Step::Export => "export",
            Step::Volatile => "volatile",
            Step::Logs => "logs",
            Step::History => "history",
            Step::Memory => "memory",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Step {
    type Err = String;
    fn from_str(s: &str) -> Result<Step, String> {
        Step::EVERY.into_iter().find(|st| st.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Step::EVERY.iter().map(|s| s.name()).collect();
            format!("unknown step '{s}' (steps: {})", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip_by_name() {
        for s in Step::EVERY {
            assert_eq!(s.name().parse::<Step>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert!("rootfs".parse::<Step>().unwrap_err().contains("inspect, diff"));
    }
}
