//! `--freeze-pod`: one consistent cut across a pod. The pod's cgroup (the parent of its
//! containers' cgroups) is frozen once, before any container is captured, and held by this
//! process while the API side captures the containers one by one; it is thawed when the API
//! side says so, when this process's stdin ends (the API side or its connection is gone), at the
//! freeze deadline, and by `agent hold` from the ledger should this process die. The same guards
//! as a container's own freeze: recorded before it is requested, never thawing a freeze of
//! someone else's.

use super::MemoryError;
use super::capture::{MemoryCaptureOptions, freeze_recorded};
use super::freeze::{Freezer, FreezerKind};
use crate::protocol::{FreezePodRequest, PodFreezeReport, THAW_LINE};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// The pod cgroup above a container's cgroup: its parent directory, whose name must carry the
/// pod's UID (`pod<uid>` with the cgroupfs driver, `…-pod<uid_with_underscores>.slice` with
/// systemd's). Anything else (a runtime without pod cgroups, a container outside its pod) is
/// refused rather than freezing something bigger than the pod.
pub fn pod_freezer(container: &Freezer, pod_uid: &str) -> Result<Freezer, MemoryError> {
    let refuse = |why: String| MemoryError::Parse { path: container.path.clone(), what: why };
    if pod_uid.len() < 8 || !pod_uid.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(refuse(format!("{pod_uid:?} is not a pod UID")));
    }
    let parent = container.path.parent().ok_or_else(|| refuse("the container's cgroup has no parent".into()))?;
    let name = parent.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let underscored = pod_uid.replace('-', "_");
    if !(name.contains(&format!("pod{pod_uid}")) || name.contains(&format!("pod{underscored}"))) {
        return Err(refuse(format!(
            "its parent cgroup {} is not the cgroup of pod {pod_uid}: refusing to freeze it (capture without --freeze-pod)",
            parent.display()
        )));
    }
    Freezer::at(parent)
}

/// How the held freeze ended.
enum End {
    Asked,
    StdinClosed,
    Deadline,
}

/// Freeze the pod of the container whose cgroup is `container` and hold it until `input` says
/// [`THAW_LINE`] or ends, or `req.max_seconds` pass. `on_frozen` / `on_thawed` announce the
/// cgroup (the API side thaws it should this process die). Returns the reply for the API side.
pub fn hold(
    container: &Freezer,
    req: &FreezePodRequest,
    opts: &MemoryCaptureOptions,
    input: Box<dyn std::io::BufRead + Send>,
    on_frozen: &mut dyn FnMut(&Path),
    on_thawed: &mut dyn FnMut(&Path),
) -> Result<PodFreezeReport, MemoryError> {
    let pod = pod_freezer(container, &req.pod_uid)?;
    let (guard, entry) = freeze_recorded(&pod, opts)?;
    if !guard.froze_it() {
        return Err(MemoryError::Parse {
            path: pod.path.clone(),
            what: "the pod is already frozen by someone else: refusing to hold (and later thaw) a freeze that is not ours".into(),
        });
    }
    on_frozen(&pod.path);
    let end = wait_for_thaw(input, Duration::from_secs(req.max_seconds.max(1)));
    let report = guard.thaw();
    if let (Some(l), Some(e)) = (&opts.ledger, entry)
        && report.is_ok()
    {
        let _ = l.remove(e);
    }
    let report = report?;
    on_thawed(&pod.path);
    Ok(PodFreezeReport {
        cgroup: pod.path.display().to_string(),
        kind: match pod.kind {
            FreezerKind::V1 => "v1",
            FreezerKind::V2 => "v2",
        }
        .into(),
        frozen_ms: report.frozen_for.as_millis() as u64,
        ended_by: match end {
            End::Asked => "thaw",
            End::StdinClosed => "stdin closed",
            End::Deadline => "deadline",
        }
        .into(),
    })
}

/// Block until the thaw line, the end of `input`, or `limit`. The reader runs on a thread of its
/// own (a blocked read cannot be timed out); it is left behind when the deadline comes first.
fn wait_for_thaw(mut input: Box<dyn std::io::BufRead + Send>, limit: Duration) -> End {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        loop {
            line.clear();
            match input.read_line(&mut line) {
                Ok(0) | Err(_) => {
                    let _ = tx.send(End::StdinClosed);
                    return;
                }
                Ok(_) if line.trim() == THAW_LINE => {
                    let _ = tx.send(End::Asked);
                    return;
                }
                Ok(_) => {}
            }
        }
    });
    rx.recv_timeout(limit).unwrap_or(End::Deadline)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::memory::freeze::FreezeState;
    use crate::agent::memory::ledger::Ledger;

    const UID: &str = "0b7c3c52-9f1e-4c3a-8d3e-1a2b3c4d5e6f";

    fn cgroup(dir: &Path, state: &str) -> Freezer {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("freezer.state"), state).unwrap();
        Freezer::at(dir).unwrap()
    }

    #[test]
    fn the_pod_cgroup_is_the_parent_named_for_the_pod_and_nothing_else() {
        let t = tempfile::tempdir().unwrap();
        let pod = t.path().join(format!("kubepods/besteffort/pod{UID}"));
        cgroup(&pod, "THAWED\n");
        let c = cgroup(&pod.join("abc123"), "THAWED\n");
        assert_eq!(pod_freezer(&c, UID).unwrap().path, pod);
        // systemd's driver spells the UID with underscores
        let slice = t.path().join(format!("kubepods-besteffort-pod{}.slice", UID.replace('-', "_")));
        cgroup(&slice, "THAWED\n");
        let c2 = cgroup(&slice.join("cri-containerd-abc.scope"), "THAWED\n");
        assert_eq!(pod_freezer(&c2, UID).unwrap().path, slice);
        // another pod's cgroup, a bare runtime cgroup, a bogus UID: refused
        assert!(pod_freezer(&c, "11111111-2222-3333-4444-555555555555").is_err());
        let bare = cgroup(&t.path().join("k8s.io/abc"), "THAWED\n");
        let e = pod_freezer(&bare, UID).unwrap_err().to_string();
        assert!(e.contains("not the cgroup of pod") && e.contains("--freeze-pod"), "{e}");
        assert!(pod_freezer(&c, "../..").is_err());
    }

    #[test]
    fn the_freeze_is_held_until_asked_or_stdin_ends_or_the_deadline_and_always_thawed() {
        let t = tempfile::tempdir().unwrap();
        let ledger = Ledger::new(t.path().join("ledger"));
        std::fs::create_dir(ledger.dir()).unwrap();
        let opts = MemoryCaptureOptions { ledger: Some(ledger.clone()), freeze_timeout: Duration::from_millis(200), ..Default::default() };
        let pod = t.path().join(format!("kubepods/pod{UID}"));
        let pf = cgroup(&pod, "THAWED\n");
        let c = cgroup(&pod.join("c1"), "THAWED\n");
        let req = FreezePodRequest { container: "containerd://c1".into(), pod_uid: UID.into(), max_seconds: 1 };
        for (input, ended_by) in [("noise\nthaw\n", "thaw"), ("", "stdin closed")] {
            let (mut frozen, mut thawed) = (vec![], vec![]);
            let input: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(input.as_bytes().to_vec()));
            let r = hold(&c, &req, &opts, input, &mut |p| frozen.push(p.to_path_buf()), &mut |p| thawed.push(p.to_path_buf())).unwrap();
            assert_eq!(r.ended_by, ended_by);
            assert_eq!((frozen, thawed), (vec![pod.clone()], vec![pod.clone()]));
            assert_eq!(pf.state().unwrap(), FreezeState::Thawed);
            assert!(ledger.records().is_empty(), "record left after the thaw");
        }
        // nobody says anything and stdin stays open: the deadline thaws
        let (_keep, rx) = std::os::unix::net::UnixStream::pair().unwrap();
        let r = hold(&c, &req, &opts, Box::new(std::io::BufReader::new(rx)), &mut |_| {}, &mut |_| {}).unwrap();
        assert_eq!(r.ended_by, "deadline");
        assert_eq!(pf.state().unwrap(), FreezeState::Thawed);
        // a pod someone else froze is not held by us
        std::fs::write(pod.join("freezer.state"), "FROZEN\n").unwrap();
        let input: Box<dyn std::io::BufRead + Send> = Box::new(std::io::Cursor::new(Vec::new()));
        assert!(hold(&c, &req, &opts, input, &mut |_| {}, &mut |_| {}).is_err());
        assert_eq!(pf.state().unwrap(), FreezeState::Frozen, "someone else's freeze was thawed");
    }
}
