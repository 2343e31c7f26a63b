//! Find a container on this node from its id: its processes (through /proc/*/cgroup, which works
//! for every runtime), its init process and the runtime's shim, and the runtime's own records
//! (OCI bundle config.json and state, runc state.json, CRI-O bundle) read through the shim's
//! view of the host filesystem — no runtime path is guessed from the collector's own mounts.

use crate::agent::proc;
use crate::agent::proc::process as procfs;
use crate::agent::runtime::kube_identity::{ContainerRef, KubeIdentity, Runtime};
use crate::agent::safefs;
use serde_json::{Map, Value, json};
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};

/// The largest runtime JSON file read (config.json, state.json): they are small; a huge one is hostile.
const MAX_JSON_FILE: u64 = 16 << 20;

/// A container found on this node.
#[derive(Debug, Default)]
pub struct Located {
    /// Every process of the container (cgroup or PID namespace), sorted.
    pub pids: Vec<i32>,
    /// The container's first process (its parent is outside the container).
    pub init: Option<i32>,
    /// Start time (clock ticks since boot) of init when located: a PID reused later differs.
    pub init_start: Option<u64>,
    /// Init pinned by a pidfd when located: every later read of `/proc/<init>` is checked
    /// against it (`proc::pin`).
    pub pin: Option<proc::pin::Pinned>,
    /// The runtime process that started init (containerd shim, conmon): lives in the host's
    /// mount namespace, so `/proc/<shim>/root` is the host filesystem.
    pub shim: Option<i32>,
    /// The runtime's view, for inspect.json.
    pub runtime: Map<String, Value>,
    /// Pod identity found in the runtime's labels or annotations.
    pub identity: KubeIdentity,
    /// Upper layer named by the runtime (Docker's GraphDriver), when known.
    pub upperdir: Option<String>,
    /// What could not be read, for the error list.
    pub notes: Vec<String>,
    /// How the container's processes are told apart from the node's (listed again at each step).
    pub membership: Membership,
}

/// What makes a process one of the container's.
#[derive(Debug, Default, Clone)]
pub enum Membership {
    /// Its cgroup names the container id.
    Cgroup(String),
    /// It shares this PID namespace (for containers whose cgroup does not name them).
    PidNamespace(u64),
    /// Nothing to list by (the container was not found).
    #[default]
    Unknown,
}

impl Membership {
    /// The container's processes now, sorted; `None` when there is no way to list them.
    pub fn list(&self) -> Option<Vec<i32>> {
        match self {
            Membership::Cgroup(id) => Some(find_processes(id)),
            Membership::PidNamespace(ns) => {
                Some(procfs::all_pids().into_iter().filter(|p| procfs::namespaces(*p).get("pid") == Some(ns)).collect())
            }
            Membership::Unknown => None,
        }
    }
}

impl Located {
    /// Is init still the process that was located (not exited, PID not reused)? Its pidfd says.
    pub fn init_alive(&self) -> bool {
        self.pin.as_ref().is_some_and(proc::pin::Pinned::alive)
    }

    /// `/proc/<shim>/root` (the host filesystem seen by the runtime), else `/proc/1/root`, else `/`.
    pub fn host_root(&self) -> std::io::Result<OwnedFd> {
        let mut cands: Vec<String> = self.shim.iter().map(|p| format!("/proc/{p}/root")).collect();
        cands.push("/proc/1/root".into());
        cands.push("/".into());
        let mut last = None;
        for c in cands {
            match safefs::open_dir_path(std::path::Path::new(&c)) {
                Ok(fd) => return Ok(fd),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no host root")))
    }
}

/// Processes of the container, from their cgroups.
pub fn find_processes(id: &str) -> Vec<i32> {
    procfs::pids_in_cgroup(id)
}

/// The init process: the one whose parent is not in the set (earliest started if several).
pub fn init_of(pids: &[i32]) -> Option<i32> {
    let mut cands: Vec<(u64, i32)> = pids
        .iter()
        .filter_map(|p| proc::stat::read(*p).map(|s| (s, *p)))
        .filter(|(s, _)| !pids.contains(&s.ppid))
        .map(|(s, p)| (s.start_ticks, p))
        .collect();
    cands.sort_unstable();
    cands.first().map(|c| c.1)
}

/// Read a small JSON file at a host path through `root`.
pub fn read_json_in(root: &OwnedFd, path: &str) -> Result<Value, String> {
    let fd = safefs::open_in_root(root.as_raw_fd(), path, false).map_err(|e| format!("{path}: {e}"))?;
    let mut s = Vec::new();
    std::fs::File::from(fd).take(MAX_JSON_FILE).read_to_end(&mut s).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_slice(&s).map_err(|e| format!("{path}: not JSON: {e}"))
}

fn read_text_in(root: &OwnedFd, path: &str) -> Option<String> {
    let fd = safefs::open_in_root(root.as_raw_fd(), path, false).ok()?;
    let mut s = String::new();
    std::fs::File::from(fd).take(4096).read_to_string(&mut s).ok()?;
    Some(s.trim().to_string())
}

/// Value following `flag` in an argv (`-id X`, `--bundle X`, `--bundle=X`).
fn arg_value(argv: &[String], flags: &[&str]) -> Option<String> {
    argv.iter().enumerate().find_map(|(i, a)| {
        flags.iter().find_map(|f| if a == f { argv.get(i + 1).cloned() } else { a.strip_prefix(&format!("{f}=")).map(str::to_string) })
    })
}

/// Locate by processes; `init_hint` is a PID a runtime API reported (Docker's State.Pid).
pub fn locate(r: &ContainerRef, init_hint: Option<i32>, runc_roots: &[String]) -> Located {
    let mut l = Located::default();
    let mut pids = find_processes(&r.id);
    l.membership = Membership::Cgroup(r.id.clone());
    if pids.is_empty()
        && let Some(h) = init_hint.filter(|p| *p > 0 && proc::stat::read(*p).is_some())
    {
        l.membership = procfs::namespaces(h).get("pid").map_or(Membership::Unknown, |ns| Membership::PidNamespace(*ns));
        pids = l.membership.list().unwrap_or_else(|| vec![h]);
        l.notes.push(format!("no cgroup names {}: processes taken from the PID namespace of pid {h}", r.id));
    }
    l.pids = pids;
    l.init = init_hint.filter(|p| l.pids.contains(p)).or_else(|| init_of(&l.pids));
    l.init_start = l.init.and_then(proc::stat::read).map(|s| s.start_ticks);
    if let (Some(pid), Some(start)) = (l.init, l.init_start) {
        match proc::pin::Pinned::open(pid, start) {
            Ok(pin) => l.pin = Some(pin),
            Err(e) => l.notes.push(format!("cannot pin init (pid {pid}) with a pidfd: {e}: it is taken as exited")),
        }
    }
    l.shim = l.init.and_then(proc::stat::read).map(|s| s.ppid).filter(|p| *p > 1);
    let Some(shim) = l.shim else { return l };
    let argv = procfs::nul_list(shim, "cmdline").unwrap_or_default();
    l.runtime.insert("shim".into(), json!({"pid": shim, "cmdline": argv}));
    let root = match l.host_root() {
        Ok(r) => r,
        Err(e) => {
            l.notes.push(format!("cannot open the host filesystem through pid {shim}: {e}"));
            return l;
        }
    };
    let bundle = bundle_dir(shim, &r.id, &argv);
    let Some(bundle) = bundle else {
        if r.runtime != Runtime::Docker {
            l.notes.push(format!("no OCI bundle found for {} through its runtime process {shim}", r.id));
        }
        return l;
    };
    l.runtime.insert("bundle".into(), Value::String(bundle.clone()));
    match read_json_in(&root, &format!("{bundle}/config.json")) {
        Ok(cfg) => {
            if let Some(a) = cfg.get("annotations").and_then(Value::as_object) {
                l.identity = KubeIdentity::from_map(a);
            }
            l.runtime.insert("config".into(), cfg);
        }
        Err(e) => l.notes.push(format!("OCI config: {e}")),
    }
    for f in ["options.json", "state.json"] {
        if let Ok(v) = read_json_in(&root, &format!("{bundle}/{f}")) {
            l.runtime.insert(f.trim_end_matches(".json").into(), v);
        }
    }
    if let Some(p) = read_text_in(&root, &format!("{bundle}/init.pid")) {
        l.runtime.insert("init_pid".into(), Value::String(p));
    }
    // containerd's bundle sits at <state>/io.containerd.runtime.v2.task/<namespace>/<id>
    let ns = bundle.rsplit('/').nth(1).map(str::to_string).or_else(|| arg_value(&argv, &["-namespace"]));
    if let Some(ns) = &ns {
        l.runtime.insert("namespace".into(), Value::String(ns.clone()));
    }
    let mut roots: Vec<String> = runc_roots.to_vec();
    if let Some(root_opt) = l.runtime.get("options").and_then(|o| o.get("root").or_else(|| o.get("Root"))).and_then(Value::as_str) {
        roots.push(root_opt.to_string());
    }
    roots.extend(["/run/containerd/runc", "/run/docker/runtime-runc", "/run/runc", "/run/crun"].map(String::from));
    for root_dir in roots {
        let cands = match &ns {
            Some(ns) => vec![format!("{root_dir}/{ns}/{}/state.json", r.id), format!("{root_dir}/{}/state.json", r.id)],
            None => vec![format!("{root_dir}/{}/state.json", r.id)],
        };
        if let Some((p, v)) = cands.iter().find_map(|c| read_json_in(&root, c).ok().map(|v| (c.clone(), v))) {
            l.runtime.insert("runc_state_path".into(), Value::String(p));
            l.runtime.insert("runc_state".into(), v);
            break;
        }
    }
    l
}

/// The bundle directory: CRI-O's conmon names it (`--bundle`/`-b`); for containerd, the host
/// mount namespace holds the container's rootfs at `<bundle>/rootfs` (seen in the shim's
/// mountinfo); the shim's working directory is its own (sandbox's) bundle.
fn bundle_dir(shim: i32, id: &str, argv: &[String]) -> Option<String> {
    if let Some(b) = arg_value(argv, &["--bundle", "-b"]) {
        return Some(b.trim_end_matches('/').to_string());
    }
    if let Ok(mounts) = crate::agent::proc::mountinfo::read(shim) {
        let suffix = format!("/{id}/rootfs");
        if let Some(m) = mounts.iter().find(|m| m.mount_point.ends_with(&suffix)) {
            return Some(m.mount_point.trim_end_matches("/rootfs").to_string());
        }
    }
    let cwd = procfs::readlink(procfs::pid_dir(shim).join("cwd"))?;
    if cwd.rsplit('/').next() == Some(id) { Some(cwd) } else { None }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_values_are_found_in_both_spellings() {
        let a: Vec<String> = ["conmon", "-b", "/x/userdata", "--cid", "c"].map(String::from).to_vec();
        assert_eq!(arg_value(&a, &["--bundle", "-b"]).as_deref(), Some("/x/userdata"));
        let a: Vec<String> = ["shim", "--bundle=/y"].map(String::from).to_vec();
        assert_eq!(arg_value(&a, &["--bundle", "-b"]).as_deref(), Some("/y"));
        assert_eq!(arg_value(&a, &["-id"]), None);
    }

    #[test]
    fn init_is_the_process_whose_parent_is_outside() {
        // this test process and its children: the parent of the set is outside it
        let mut child = std::process::Command::new("sleep").arg("5").spawn().unwrap();
        let me = std::process::id() as i32;
        let set = vec![me, child.id() as i32];
        assert_eq!(init_of(&set), Some(me));
        child.kill().ok();
        child.wait().ok();
    }
}
