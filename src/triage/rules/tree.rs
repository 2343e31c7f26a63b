//! The process tree: every process of a container descends from its entrypoint, unless it was
//! started from outside (`kubectl exec`, `docker exec`, a runtime's shim, an injected process).

use super::{at_process, shown};
use crate::triage::finding::{Finding, Severity};
use crate::triage::subject::Subject;
use std::collections::HashSet;

pub fn check(s: &Subject) -> Vec<Finding> {
    let pids: HashSet<u32> = s.processes.iter().map(|p| p.pid).collect();
    let Some(entry) = s.entry_pid.filter(|e| pids.contains(e)) else { return vec![] };
    // roots: processes whose parent is not in the container
    s.processes
        .iter()
        .filter(|p| p.pid != entry && (!pids.contains(&p.ppid) || p.ppid == p.pid))
        .map(|p| {
            let n = descendants(s, p.pid);
            Finding::new(
                "KF-PROC-009",
                Severity::Medium,
                format!(
                    "pid {} ({}) and {n} descendant(s) do not descend from the entrypoint (pid {entry}): started from outside the container (exec?)",
                    p.pid,
                    shown(&p.command())
                ),
                at_process(s, p),
            )
        })
        .collect()
}

fn descendants(s: &Subject, root: u32) -> usize {
    let mut seen = HashSet::from([root]);
    let mut stack = vec![root];
    while let Some(p) = stack.pop() {
        for c in s.processes.iter().filter(|c| c.ppid == p && seen.insert(c.pid)) {
            stack.push(c.pid);
        }
    }
    seen.len() - 1
}
