//! The rules, one file per family. Each is a function of a [`Subject`] (no I/O but reading the
//! memory it holds), so each can be tested on a hand-made subject.

pub mod custom;
pub mod files;
pub mod memory;
pub mod network;
pub mod process;
pub mod secrets;
pub mod tree;

use super::finding::{Evidence, Finding};
use super::subject::{Process, Subject};

/// Every rule over one subject; memory is scanned only when `memory` is set.
pub fn run(s: &Subject, memory: bool) -> Result<Vec<Finding>, crate::analyze::AnalyzeError> {
    let mut out = Vec::new();
    out.extend(process::check(s));
    out.extend(tree::check(s));
    out.extend(files::check(s));
    out.extend(secrets::check_env(s));
    out.extend(network::check(s));
    if memory {
        out.extend(memory::check(s)?);
    }
    Ok(out)
}

/// The evidence path of a process of `s`.
pub fn at_process(s: &Subject, p: &Process) -> Evidence {
    Evidence {
        artifact: s.processes_from.clone(),
        container: Some(s.name.clone()),
        pid: Some(p.pid),
        path: p.exe.clone(),
        ..Default::default()
    }
}

/// A command line for a reason: secrets masked, at most 160 characters, printable.
pub fn shown(s: &str) -> String {
    let s = super::secrets::redact(s);
    let clean: String = s.chars().map(|c| if c.is_control() { '?' } else { c }).collect();
    if clean.chars().count() > 160 { format!("{}…", clean.chars().take(159).collect::<String>()) } else { clean }
}
