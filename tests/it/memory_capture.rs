//! Memory capture against real containers (containerd + runc, cgroup freezer): ELF cores read
//! by readelf, a run-time secret found at the right address, the deleted executable copied with
//! its original SHA-256, and the container always thawed (success, error + panic, SIGKILL of
//! the process that froze it). Plus the free-space refusal on a real small tmpfs.

use crate::support;
use kforensic::agent::memory::freeze::{FreezeState, Freezer};
use kforensic::agent::memory::{
    self, ByteBudget, CoreOptions, Margin, MemoryCaptureOptions, RegionStatus, check_free_space, dump_core, executables::Reason,
    thaw_cgroup,
};
use kforensic::evidence::{ArtifactRecord, ArtifactSink, ArtifactSpec, EvidenceError, HashingWriter};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const SECRET: &str = "kf-secret-42";

// ---------- a real container running a deleted 2 MiB executable ----------

struct Suspect {
    ctr: Vec<String>,
    name: String,
    pid: i32,
    /// SHA-256 of the padded executable, computed inside the container before it deleted it.
    exe_sha256: String,
}

fn ctr(env: &support::TestEnv) -> Vec<String> {
    vec!["ctr".into(), "--address".into(), env.var("KF_CONTAINERD_SOCK").into(), "-n".into(), "k8s.io".into()]
}

fn run(argv: &[String]) -> std::process::Output {
    Command::new(&argv[0]).args(&argv[1..]).output().expect("run ctr")
}

impl Suspect {
    fn start(env: &support::TestEnv, tag: &str) -> Suspect {
        let name = format!("kft-mem-{tag}-{:04x}", fastrand::u16(..));
        // copy busybox, pad it past 2 MiB (an ELF runs with trailing bytes), hash it, run it as
        // `sh`, delete it; the secret is assembled at run time, never present as one string
        let inner =
            r#"busybox rm /tmp/sh; S="kf-sec"; S="${S}ret-$((6*7))"; i=0; while true; do i=$((i+1)); echo $i > /tmp/tick; sleep 0.1; done"#;
        let script = format!(
            "busybox cp /bin/busybox /tmp/sh && busybox dd if=/dev/zero bs=1024 count=2048 >> /tmp/sh 2>/dev/null && \
             busybox chmod 755 /tmp/sh && busybox sha256sum /tmp/sh > /tmp/sh.sha256 && exec /tmp/sh -c '{inner}'"
        );
        let mut argv = ctr(env);
        argv.extend(["run", "-d", env.var("KF_BUSYBOX_IMAGE"), &name, "sh", "-c", &script].map(String::from));
        let out = run(&argv);
        assert!(out.status.success(), "ctr run: {}", String::from_utf8_lossy(&out.stderr));
        let mut s = Suspect { ctr: ctr(env), name, pid: 0, exe_sha256: String::new() };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            assert!(Instant::now() < deadline, "container {} did not reach its loop", s.name);
            std::thread::sleep(Duration::from_millis(100));
            let mut argv = s.ctr.clone();
            argv.extend(["task", "ls"].map(String::from));
            let ls = String::from_utf8_lossy(&run(&argv).stdout).into_owned();
            let Some(pid) = ls.lines().find_map(|l| {
                let f: Vec<&str> = l.split_whitespace().collect();
                (f.first() == Some(&s.name.as_str())).then(|| f.get(1)?.parse::<i32>().ok()).flatten()
            }) else {
                continue;
            };
            s.pid = pid;
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap_or_default();
            if exe.to_string_lossy().ends_with(" (deleted)") && s.ticks() > 0 {
                break;
            }
        }
        let sha = std::fs::read_to_string(format!("/proc/{}/root/tmp/sh.sha256", s.pid)).unwrap();
        s.exe_sha256 = sha.split_whitespace().next().unwrap().to_string();
        s
    }

    /// The loop counter the container writes 10 times a second.
    fn ticks(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/root/tmp/tick", self.pid)).ok().and_then(|t| t.trim().parse().ok()).unwrap_or(0)
    }

    fn freezer(&self) -> Freezer {
        Freezer::for_pid(self.pid).unwrap()
    }

    /// Not frozen and still making progress.
    fn assert_running(&self, when: &str) {
        let f = self.freezer();
        assert_eq!(f.state().unwrap(), FreezeState::Thawed, "{when}: container still frozen");
        let before = self.ticks();
        let deadline = Instant::now() + Duration::from_secs(5);
        while self.ticks() <= before {
            assert!(Instant::now() < deadline, "{when}: container makes no progress (tick stays {before})");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn assert_stalled(&self) {
        let before = self.ticks();
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(self.ticks(), before, "frozen container still ticks");
    }
}

impl Drop for Suspect {
    fn drop(&mut self) {
        if self.pid > 0 {
            // a frozen task never handles SIGKILL: thaw first (best effort)
            if let Ok(f) = Freezer::for_pid(self.pid) {
                let _ = thaw_cgroup(&f.path);
            }
        }
        for args in [&["task", "kill", "-s", "KILL"][..], &["task", "rm", "-f"], &["container", "rm"]] {
            let mut argv = self.ctr.clone();
            argv.extend(args.iter().map(|s| s.to_string()));
            argv.push(self.name.clone());
            let _ = run(&argv);
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

// ---------- a directory sink (the bundle directory, as the CLI writes it) ----------

struct DirSink {
    root: PathBuf,
    records: Vec<ArtifactRecord>,
    errors: Vec<String>,
}

impl ArtifactSink for DirSink {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        kforensic::evidence::artifact::check_relative_path(&spec.path)?;
        let path = self.root.join(&spec.path);
        std::fs::create_dir_all(path.parent().unwrap())?;
        let started_at = jiff::Timestamp::now();
        let mut w = HashingWriter::new(std::io::BufWriter::new(std::fs::File::create(&path)?));
        write(&mut w)?;
        w.flush()?;
        let (_, bytes, sha256) = w.finish();
        let rec = ArtifactRecord { spec: spec.clone(), bytes, sha256, started_at, finished_at: jiff::Timestamp::now(), encryption: None };
        self.records.push(rec.clone());
        Ok(rec)
    }
    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.errors.push(format!("{path:?}: {message}"));
        Ok(())
    }
}

// ---------- reading our cores back ----------

struct Load {
    offset: u64,
    vaddr: u64,
    filesz: u64,
    memsz: u64,
    flags: u32,
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes(b[o..o + 2].try_into().unwrap())
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

fn loads(core: &[u8]) -> Vec<Load> {
    assert_eq!(&core[..4], b"\x7fELF");
    assert_eq!(u16_at(core, 16), 4, "ET_CORE");
    let (phoff, phnum) = (u64_at(core, 32) as usize, u16_at(core, 56) as usize);
    (0..phnum)
        .map(|i| phoff + i * 56)
        .filter(|&o| u32_at(core, o) == 1)
        .map(|o| Load {
            flags: u32_at(core, o + 4),
            offset: u64_at(core, o + 8),
            vaddr: u64_at(core, o + 16),
            filesz: u64_at(core, o + 32),
            memsz: u64_at(core, o + 40),
        })
        .collect()
}

/// (pr_pid, pr_reg) of every NT_PRSTATUS note (x86_64 layout: 27 registers at offset 112).
fn prstatus_notes(core: &[u8]) -> Vec<(i32, Vec<u64>)> {
    let (phoff, phnum) = (u64_at(core, 32) as usize, u16_at(core, 56) as usize);
    let mut out = Vec::new();
    for o in (0..phnum).map(|i| phoff + i * 56).filter(|&o| u32_at(core, o) == 4) {
        let (mut at, end) = (u64_at(core, o + 8) as usize, (u64_at(core, o + 8) + u64_at(core, o + 32)) as usize);
        while at + 12 <= end {
            let (namesz, descsz, kind) = (u32_at(core, at) as usize, u32_at(core, at + 4) as usize, u32_at(core, at + 8));
            let desc = at + 12 + namesz.next_multiple_of(4);
            if kind == 1 {
                let d = &core[desc..desc + descsz];
                out.push((u32_at(d, 32) as i32, (0..27).map(|i| u64_at(d, 112 + i * 8)).collect()));
            }
            at = desc + descsz.next_multiple_of(4);
        }
    }
    out
}

/// Every virtual address where `needle` sits in the core's PT_LOAD data.
fn find_in_core(core: &[u8], needle: &[u8]) -> Vec<u64> {
    let mut hits = Vec::new();
    for l in loads(core) {
        let data = &core[l.offset as usize..(l.offset + l.filesz) as usize];
        hits.extend(memchr::memmem::find_iter(data, needle).map(|i| l.vaddr + i as u64));
    }
    hits
}

fn readelf(path: &Path) -> String {
    let out = Command::new("readelf").args(["-l", "-n", "-W"]).arg(path).output().expect("readelf");
    assert!(out.status.success(), "readelf refused {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A 1 MiB tmpfs mounted on `dir` until dropped (`None`, said, where mounting is not allowed).
fn small_tmpfs(test: &str, dir: &Path) -> Option<Umount> {
    let st = Command::new("mount").args(["-t", "tmpfs", "-o", "size=1m", "kft-mem-tmpfs"]).arg(dir).status().unwrap();
    if !st.success() {
        let msg = format!("{test}: cannot mount a tmpfs (needs root)");
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("{msg}");
        }
        eprintln!("SKIP {msg}");
        return None;
    }
    Some(Umount(dir.to_path_buf()))
}

struct Umount(PathBuf);
impl Drop for Umount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// A [`DirSink`] that notes the container's freezer state as each artifact begins.
struct StateSink {
    inner: DirSink,
    freezer: std::sync::Arc<std::sync::Mutex<Option<Freezer>>>,
    states: Vec<(String, Option<FreezeState>)>,
}

impl ArtifactSink for StateSink {
    fn put(
        &mut self,
        spec: &ArtifactSpec,
        write: &mut dyn FnMut(&mut dyn Write) -> std::io::Result<()>,
    ) -> Result<ArtifactRecord, EvidenceError> {
        let state = self.freezer.lock().unwrap().as_ref().and_then(|f| f.state().ok());
        self.states.push((spec.path.clone(), state));
        self.inner.put(spec, write)
    }
    fn error(&mut self, path: Option<&str>, message: &str) -> Result<(), EvidenceError> {
        self.inner.error(path, message)
    }
}

// ---------- tests ----------

#[test]
fn memory_spooled_while_frozen_is_shipped_after_the_thaw_and_leaves_nothing() {
    let test = "memory_spooled_while_frozen_is_shipped_after_the_thaw_and_leaves_nothing";
    let Some(env) = support::require(test, &["containerd"]) else { return };
    let s = Suspect::start(env, "spool");
    let capture = |spool: &Path| {
        let out = tempfile::tempdir().unwrap();
        let freezer = std::sync::Arc::new(std::sync::Mutex::new(None::<Freezer>));
        let mut sink = StateSink {
            inner: DirSink { root: out.path().to_path_buf(), records: vec![], errors: vec![] },
            freezer: freezer.clone(),
            states: vec![],
        };
        let opts = MemoryCaptureOptions { spool: Some(spool.to_path_buf()), ..Default::default() };
        let report = memory::capture_container_memory(s.pid, "pods/n/p/c", Some("c"), &opts, &mut sink, &mut |f| {
            *freezer.lock().unwrap() = Some(f.clone());
        })
        .unwrap();
        (out, sink, report)
    };

    // room in the spool: every core written there while frozen, sent once thawed
    let spool = tempfile::tempdir().unwrap();
    let (out, sink, report) = capture(spool.path());
    assert!(report.complete(), "{:?} / {:?}", report.errors, sink.inner.errors);
    let sp = report.spool.as_ref().expect("the spool is reported");
    assert!(sp.cores >= 1 && sp.cores == report.cores.len() && sp.streamed.is_empty(), "{sp:?}");
    // copied while the container ran (its loop kept writing), completed while frozen; the
    // loop's `sleep` children come and go, so one started after the copies is dumped whole
    assert!(sp.precopied >= 1 && sp.recopied.is_empty(), "{sp:?}");
    for c in &report.cores {
        let state = sink.states.iter().find(|(p, _)| *p == c.artifact).map(|(_, st)| *st);
        assert_eq!(state, Some(Some(FreezeState::Thawed)), "{} was sent before the thaw", c.artifact);
    }
    let core = report.cores.iter().find(|c| c.summary.pid == s.pid).expect("core of the init process");
    let bytes = std::fs::read(out.path().join(&core.artifact)).unwrap();
    assert_eq!(bytes.len() as u64, core.summary.bytes);
    let rec = sink.inner.records.iter().find(|r| r.spec.path == core.artifact).unwrap();
    assert_eq!(rec.sha256, hex::encode(Sha256::digest(&bytes)), "the record hashes the bytes shipped");
    assert!(readelf(&out.path().join(&core.artifact)).contains("Elf file type is CORE"));
    assert!(!find_in_core(&bytes, SECRET.as_bytes()).is_empty(), "the run-time secret is in the spooled core");
    assert!(report.freeze.as_ref().is_some_and(|f| !f.already_frozen) && report.frozen_s_per_gib.is_some());
    assert_eq!(std::fs::read_dir(spool.path()).unwrap().count(), 0, "the spool is left empty");
    s.assert_running("after a spooled capture");

    // no room in the spool: the core goes to the sink while frozen, and the report says why
    let small = tempfile::tempdir().unwrap();
    let Some(_u) = small_tmpfs(test, small.path()) else { return };
    let (_out, sink, report) = capture(small.path());
    assert!(report.complete(), "{:?} / {:?}", report.errors, sink.inner.errors);
    let sp = report.spool.as_ref().expect("the spool is reported");
    assert_eq!(sp.cores, 0, "{sp:?}");
    assert!(sp.streamed.iter().any(|w| w.contains(&format!("pid {}", s.pid)) && w.contains("not enough free space")), "{sp:?}");
    let core = report.cores.iter().find(|c| c.summary.pid == s.pid).expect("core of the init process");
    let state = sink.states.iter().find(|(p, _)| *p == core.artifact).map(|(_, st)| *st);
    assert_eq!(state, Some(Some(FreezeState::Frozen)), "streamed while frozen");
    assert_eq!(std::fs::read_dir(small.path()).unwrap().count(), 0);
    s.assert_running("after a streamed capture");
}

#[test]
fn memory_capture_finds_secret_and_deleted_executable_and_thaws() {
    let Some(env) = support::require("memory_capture_finds_secret_and_deleted_executable_and_thaws", &["containerd"]) else {
        return;
    };
    let s = Suspect::start(env, "cap");
    // the secret must not be in the binary nor in the command line: only assembled in memory
    let exe = std::fs::read(format!("/proc/{}/exe", s.pid)).unwrap();
    assert!(exe.len() >= 2 << 20, "executable is only {} bytes", exe.len());
    assert!(memchr::memmem::find(&exe, SECRET.as_bytes()).is_none());
    let cmdline = std::fs::read(format!("/proc/{}/cmdline", s.pid)).unwrap();
    assert!(memchr::memmem::find(&cmdline, SECRET.as_bytes()).is_none());

    let dir = tempfile::tempdir().unwrap();
    let mut sink = DirSink { root: dir.path().to_path_buf(), records: vec![], errors: vec![] };
    let mut frozen_seen = None;
    let report =
        memory::capture_container_memory(s.pid, "pods/ns1/pod1/app", Some("app"), &MemoryCaptureOptions::default(), &mut sink, &mut |f| {
            // called while frozen: the state says so and the loop stands still
            frozen_seen = Some((f.path.clone(), f.state().unwrap()));
            s.assert_stalled();
        })
        .unwrap();
    let (cg, state) = frozen_seen.expect("on_frozen was not called");
    assert_eq!(state, FreezeState::Frozen);
    assert!(cg.ends_with(&s.name), "froze {} for container {}", cg.display(), s.name);
    let fr = report.freeze.as_ref().expect("freeze report");
    assert!(!fr.already_frozen);
    assert!(fr.frozen_for >= Duration::from_millis(400), "frozen_for {:?}", fr.frozen_for);
    assert!(report.errors.is_empty(), "errors: {:?} / sink {:?}", report.errors, sink.errors);
    assert!(report.complete());

    // the container runs again
    s.assert_running("after capture");

    // core of the suspect process: readelf accepts it, one PT_LOAD per mapping, the notes
    let core = report.cores.iter().find(|c| c.summary.pid == s.pid).expect("core of the init process");
    let core_path = dir.path().join(format!("pods/ns1/pod1/app/memory/{}.core", s.pid));
    assert_eq!(core.artifact, format!("pods/ns1/pod1/app/memory/{}.core", s.pid));
    let text = readelf(&core_path);
    assert!(text.contains("Elf file type is CORE"), "{text}");
    for n in ["NT_PRSTATUS", "NT_PRPSINFO", "NT_FILE"] {
        assert!(text.contains(n), "{n} missing:\n{text}");
    }
    let load_lines = text.lines().filter(|l| l.trim_start().starts_with("LOAD")).count();
    assert_eq!(load_lines, core.summary.regions.len(), "one PT_LOAD per mapping");
    let bytes = std::fs::read(&core_path).unwrap();
    let l = loads(&bytes);
    assert_eq!(l.iter().filter(|l| l.filesz > 0).count(), core.summary.regions_dumped);
    assert_eq!(bytes.len() as u64, core.summary.bytes);
    let rec = sink.records.iter().find(|r| r.spec.path == core.artifact).unwrap();
    assert_eq!(rec.bytes, bytes.len() as u64);
    // [vvar] is recorded as skipped, not fatal
    let vvar = core.summary.regions.iter().find(|r| r.mapping.path.as_deref() == Some("[vvar]")).unwrap();
    assert!(matches!(vvar.status, RegionStatus::Skipped { .. }), "{:?}", vvar.status);
    // NT_PRPSINFO: pid and the command line
    assert!(memchr::memmem::find(&bytes, b"sh\0").is_some());
    // NT_PRSTATUS: the frozen shell is placed — its program counter in executable memory of
    // its own, its stack pointer inside a writable mapping — so a debugger can unwind it
    if cfg!(target_arch = "x86_64") {
        let notes = prstatus_notes(&bytes);
        let (_, regs) = notes.iter().find(|(pid, _)| *pid == s.pid).expect("NT_PRSTATUS of the main thread");
        let (rip, rsp) = (regs[16], regs[19]);
        let inside = |a: u64, flag: u32| l.iter().any(|m| m.flags & flag != 0 && (m.vaddr..m.vaddr + m.memsz).contains(&a));
        assert!(inside(rip, 1), "rip {rip:#x} is not in an executable mapping");
        assert!(inside(rsp, 2), "rsp {rsp:#x} is not in a writable mapping");
    }

    // the secret sits in the core at an address inside a writable mapping of that process,
    // and the live process holds it there too
    let hits = find_in_core(&bytes, SECRET.as_bytes());
    assert!(!hits.is_empty(), "secret not found in the core");
    let maps = memory::read_maps(s.pid).unwrap();
    let mem = std::fs::File::open(format!("/proc/{}/mem", s.pid)).unwrap();
    let mut confirmed = 0;
    for &addr in &hits {
        let m = maps.iter().find(|m| m.start <= addr && addr < m.end).expect("hit outside every mapping");
        assert!(m.writable() && !m.file_backed(), "secret in {m:?}");
        let mut buf = vec![0u8; SECRET.len()];
        use std::os::unix::fs::FileExt;
        if mem.read_at(&mut buf, addr).is_ok() && buf == SECRET.as_bytes() {
            confirmed += 1;
        }
    }
    assert!(confirmed > 0, "no hit confirmed in the live process at {hits:x?}");

    // the deleted executable: copied once, original SHA-256
    let x = report.executables.iter().find(|x| x.pid == s.pid).expect("deleted executable reported");
    assert_eq!(x.reason, Reason::Deleted);
    assert_eq!(x.exe, "/tmp/sh (deleted)");
    assert_eq!(x.sha256, s.exe_sha256);
    assert_eq!(x.size, exe.len() as u64);
    let copy = std::fs::read(dir.path().join(format!("executables/{}", s.exe_sha256))).unwrap();
    assert_eq!(hex::encode(Sha256::digest(&copy)), s.exe_sha256);
    // a child forked from it (before its exec) runs the same deleted file: one copy for all
    for e in report.executables.iter().filter(|e| e.reason == Reason::Deleted) {
        assert_eq!(e.sha256, s.exe_sha256, "{e:?}");
    }
    let stored: Vec<_> = sink.records.iter().filter(|r| r.spec.path.starts_with("executables/")).collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(stored[0].sha256, s.exe_sha256);
}

#[test]
fn memory_freeze_thaws_on_error_and_panic_and_respects_foreign_freeze() {
    let Some(env) = support::require("memory_freeze_thaws_on_error_and_panic_and_respects_foreign_freeze", &["containerd"]) else {
        return;
    };
    let s = Suspect::start(env, "guard");
    let f = s.freezer();

    // a dump that fails midway (the writer breaks after 64 KiB), then a panic: the guard thaws
    struct Breaks(usize);
    impl Write for Breaks {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            if self.0 < b.len() {
                return Err(std::io::Error::other("disk gone"));
            }
            self.0 -= b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let pid = s.pid;
    let fc = f.clone();
    let res = std::panic::catch_unwind(move || {
        let _guard = fc.freeze(Duration::from_secs(10)).unwrap();
        assert_eq!(fc.state().unwrap(), FreezeState::Frozen);
        // /proc/<pid>/mem of a frozen process reads fine
        let mut ok = Vec::new();
        let sum = dump_core(pid, &CoreOptions::default(), None, &mut ok).unwrap();
        assert!(sum.bytes > 0 && !find_in_core(&ok, SECRET.as_bytes()).is_empty());
        let err = dump_core(pid, &CoreOptions::default(), None, &mut Breaks(64 << 10)).unwrap_err();
        panic!("dump failed midway: {err}");
    });
    let msg = res.unwrap_err();
    assert!(msg.downcast_ref::<String>().is_some_and(|m| m.contains("disk gone")), "unexpected panic");
    s.assert_running("after error + panic");

    // frozen by someone else: not frozen again, not thawed by us
    std::fs::write(f.path.join("freezer.state"), "FROZEN").unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while f.state().unwrap() != FreezeState::Frozen {
        assert!(Instant::now() < deadline, "foreign freeze did not complete");
        std::thread::sleep(Duration::from_millis(10));
    }
    let g = f.freeze(Duration::from_secs(10)).unwrap();
    assert!(!g.froze_it());
    let rep = g.thaw().unwrap();
    assert!(rep.already_frozen);
    assert_eq!(f.state().unwrap(), FreezeState::Frozen, "we thawed a freeze that was not ours");
    std::fs::write(f.path.join("freezer.state"), "THAWED").unwrap();
    s.assert_running("after a foreign freeze");

    // byte cap without freeze: a clear note, cores cut to the cap, still readable
    let dir = tempfile::tempdir().unwrap();
    let mut sink = DirSink { root: dir.path().to_path_buf(), records: vec![], errors: vec![] };
    let opts = MemoryCaptureOptions { freeze: false, byte_cap: Some(64 << 10), executables: false, ..Default::default() };
    let report =
        memory::capture_container_memory(s.pid, "pods/n/p/c", None, &opts, &mut sink, &mut |_| panic!("froze with freeze: false")).unwrap();
    assert!(report.freeze.is_none());
    let note = report.cap_note.as_deref().expect("cap note");
    assert!(note.contains("byte cap of 65536 bytes reached"), "{note}");
    assert!(sink.errors.iter().any(|e| e.contains("byte cap")), "{:?}", sink.errors);
    let data: u64 = report.cores.iter().flat_map(|c| &c.summary.regions).map(|r| r.bytes).sum();
    assert!(data <= 64 << 10, "{data} bytes of memory past a 64 KiB cap");
    for c in &report.cores {
        readelf(&dir.path().join(&c.artifact));
    }
    let mut b = ByteBudget::new(0);
    let sum = dump_core(s.pid, &CoreOptions::default(), Some(&mut b), &mut std::io::sink()).unwrap();
    assert_eq!(sum.regions_dumped, 0);
    assert!(b.hit);
}

/// Run only as a child of the next test (`KF_MEM_FREEZE_PID` set): freeze, say where, wait to be killed.
#[test]
#[ignore = "helper process of memory_sigkilled_freezer_is_thawed_by_cleanup"]
fn memory_freeze_helper_process() {
    let pid: i32 = std::env::var("KF_MEM_FREEZE_PID").expect("helper only").parse().unwrap();
    let f = Freezer::for_pid(pid).unwrap();
    let g = f.freeze(Duration::from_secs(10)).unwrap();
    println!("FROZEN {}", f.path.display());
    std::io::stdout().flush().unwrap();
    std::thread::sleep(Duration::from_secs(60));
    drop(g);
}

#[test]
fn memory_sigkilled_freezer_is_thawed_by_cleanup() {
    let Some(env) = support::require("memory_sigkilled_freezer_is_thawed_by_cleanup", &["containerd"]) else {
        return;
    };
    let s = Suspect::start(env, "kill");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "memory_capture::memory_freeze_helper_process", "--ignored", "--nocapture", "--test-threads=1"])
        .env("KF_MEM_FREEZE_PID", s.pid.to_string())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let path = loop {
        let mut line = String::new();
        use std::io::BufRead;
        assert!(out.read_line(&mut line).unwrap() > 0, "helper exited before freezing");
        // the harness may print "test … ... " on the same line first
        if let Some(i) = line.find("FROZEN ") {
            break PathBuf::from(line[i + 7..].trim());
        }
    };
    assert_eq!(s.freezer().state().unwrap(), FreezeState::Frozen);
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(child.id() as i32), nix::sys::signal::Signal::SIGKILL).unwrap();
    child.wait().unwrap();
    // the process that froze it is gone without thawing: still frozen
    assert_eq!(s.freezer().state().unwrap(), FreezeState::Frozen);
    s.assert_stalled();
    // the cleanup path knows only the cgroup directory
    let out = thaw_cgroup(&path).unwrap();
    assert!(out.was_frozen);
    s.assert_running("after cleanup thaw");
}

#[test]
fn memory_partially_readable_region_is_zero_filled_and_recorded() {
    // a shared file mapping of 3 pages whose file is then cut to 1 page: pages 2–3 fault (EIO)
    let page = 4096usize;
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::OpenOptions::new().read(true).write(true).create(true).truncate(true).open(dir.path().join("m")).unwrap();
    file.set_len(3 * page as u64).unwrap();
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            3 * page,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            std::os::fd::AsRawFd::as_raw_fd(&file),
            0,
        )
    };
    assert_ne!(ptr, libc::MAP_FAILED);
    unsafe { std::ptr::copy_nonoverlapping(b"first-page".as_ptr(), ptr as *mut u8, 10) };
    file.set_len(page as u64).unwrap();
    // and a large private anonymous reservation never touched, next to one with a touched page
    let big = 64 << 20;
    // different protections keep the kernel from merging the two into one mapping
    let anon = |touch: bool| unsafe {
        let prot = if touch { libc::PROT_READ | libc::PROT_WRITE } else { libc::PROT_READ };
        let p = libc::mmap(std::ptr::null_mut(), big, prot, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE, -1, 0);
        assert_ne!(p, libc::MAP_FAILED);
        if touch {
            *(p as *mut u8).add(big / 2) = 0x5a;
        }
        p
    };
    let (untouched, touched) = (anon(false), anon(true));
    let mut core = Vec::new();
    let sum = dump_core(std::process::id() as i32, &CoreOptions::default(), None, &mut core).unwrap();
    unsafe { libc::munmap(ptr, 3 * page) };
    unsafe { libc::munmap(untouched, big) };
    unsafe { libc::munmap(touched, big) };
    let holding = |a: u64| sum.regions.iter().find(|r| r.mapping.start <= a && a < r.mapping.end).expect("address listed");
    let u = holding(untouched as u64);
    assert!(matches!(&u.status, RegionStatus::Skipped { reason } if reason.contains("never touched")), "{:?}", u.status);
    assert_eq!(u.bytes, 0);
    let at = touched as u64 + (big / 2) as u64;
    let t = holding(at);
    assert_eq!((t.bytes, &t.status), (t.mapping.size(), &RegionStatus::Dumped));
    let tl = loads(&core).into_iter().find(|l| l.vaddr <= at && at < l.vaddr + l.filesz).unwrap();
    assert_eq!(core[(tl.offset + at - tl.vaddr) as usize], 0x5a);
    let r = sum.regions.iter().find(|r| r.mapping.start == ptr as u64).expect("mapping in the summary");
    match &r.status {
        RegionStatus::Partial { zero_filled, .. } => assert_eq!(*zero_filled, 2 * page as u64),
        other => panic!("expected a partial region, got {other:?}"),
    }
    assert_eq!(r.bytes, 3 * page as u64);
    let l = loads(&core).into_iter().find(|l| l.vaddr == ptr as u64).unwrap();
    assert_eq!((l.filesz, l.memsz), (3 * page as u64, 3 * page as u64));
    let data = &core[l.offset as usize..(l.offset + l.filesz) as usize];
    assert_eq!(&data[..10], b"first-page");
    assert!(data[page..].iter().all(|&b| b == 0));
    assert_eq!(core.len() as u64, sum.bytes);
}

#[test]
fn memory_free_space_refusal_on_small_tmpfs() {
    let dir = tempfile::tempdir().unwrap();
    let Some(_u) = small_tmpfs("memory_free_space_refusal_on_small_tmpfs", dir.path()) else { return };
    std::fs::create_dir(dir.path().join("checkpoints")).unwrap();
    // reached the way the agent reaches a host path: through /proc/<pid>/root
    let target =
        PathBuf::from(format!("/proc/{}/root", std::process::id())).join(dir.path().join("checkpoints").strip_prefix("/").unwrap());
    let none = Margin { bytes: 0, percent: 0 };
    let err = check_free_space(&target, 2 << 20, none).unwrap_err().to_string();
    assert!(err.starts_with("not enough free space in "), "{err}");
    assert!(err.contains("2.0 MiB needed"), "{err}");
    assert!(!err.contains('\n'));
    let ok = check_free_space(&target, 256 << 10, none).unwrap();
    assert!(ok.available <= 1 << 20 && ok.available >= 256 << 10, "{ok:?}");
    // the margin counts: 256 KiB fits, 256 KiB + 1 MiB of margin does not
    assert!(check_free_space(&target, 256 << 10, Margin { bytes: 1 << 20, percent: 0 }).is_err());
}
