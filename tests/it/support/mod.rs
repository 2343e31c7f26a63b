//! Test helper: the real test environment (scripts/testenv), brought up once per `cargo test`
//! run (or reused when already up), and the real `kforensic` binary (run by [`kf`]: always
//! isolated from this machine's AWS setup).
//!
//! A component that is not up makes the tests that need it skip loudly
//! (`SKIP <test>: <component> not up: <reason>`); with `CI=true` it fails them instead.

pub mod agent;
pub mod analyze_fixture;
pub mod evidence;
pub mod mutate;
pub mod pod;
pub mod run;

pub use run::{kf, kforensic_bin};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

pub struct TestEnv {
    pub dir: PathBuf,
    vars: HashMap<String, String>,
    status: HashMap<String, String>,
}

static ENV: OnceLock<Result<TestEnv, String>> = OnceLock::new();

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn env_dir() -> PathBuf {
    std::env::var_os("KF_TESTENV").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp/kforensic-testenv"))
}

fn in_ci() -> bool {
    std::env::var("CI").map(|v| v == "true").unwrap_or(false)
}

fn bring_up() -> Result<TestEnv, String> {
    let dir = env_dir();
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if !dir.join("env").exists() {
        // one `up` at a time across concurrent test runs
        let script = repo_root().join("scripts/testenv");
        let lock = dir.join(".up.lock");
        let st = Command::new("flock")
            .arg(&lock)
            .arg(&script)
            .arg("up")
            .stdout(Stdio::inherit())
            .stderr(Stdio::inherit())
            .status()
            .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
        if !st.success() {
            return Err(format!("scripts/testenv up failed ({st})"));
        }
    }
    let text = std::fs::read_to_string(dir.join("env")).map_err(|e| format!("test environment not up: {e}"))?;
    let vars = text
        .lines()
        .filter_map(|l| l.strip_prefix("export "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut status = HashMap::new();
    if let Ok(rd) = std::fs::read_dir(dir.join("status")) {
        for e in rd.flatten() {
            let v = std::fs::read_to_string(e.path()).unwrap_or_default();
            status.insert(e.file_name().to_string_lossy().into_owned(), v.trim().to_string());
        }
    }
    Ok(TestEnv { dir, vars, status })
}

/// The environment, if every named component is up. Otherwise: SKIP loudly (None), or panic in CI.
pub fn require(test: &str, components: &[&str]) -> Option<&'static TestEnv> {
    let env = ENV.get_or_init(bring_up);
    let problem = match env {
        Err(e) => Some(format!("test environment: {e}")),
        Ok(env) => components.iter().find_map(|c| match env.status.get(*c).map(String::as_str) {
            Some("up") => None,
            Some(s) => Some(format!("{c} not up: {s}")),
            None => Some(format!("{c} not up: never started")),
        }),
    };
    match problem {
        None => env.as_ref().ok(),
        Some(p) if in_ci() => panic!("{test}: {p} (CI=true: required)"),
        Some(p) => {
            eprintln!("SKIP {test}: {p}");
            None
        }
    }
}

/// Components of the Kubernetes test cluster.
pub const CLUSTER: &[&str] = &["containerd", "etcd", "apiserver", "controller-manager", "scheduler", "kubelet"];

static IMAGE: OnceLock<Result<String, String>> = OnceLock::new();
static PUSHED: OnceLock<Result<String, String>> = OnceLock::new();

impl TestEnv {
    /// The collector image holding the kforensic binary of this test run (built and imported once).
    /// `KF_TEST_IMAGE` names another tag, so that two checkouts can test against one environment.
    pub fn kforensic_image(&self) -> &'static str {
        let r = IMAGE.get_or_init(|| {
            let name = std::env::var("KF_TEST_IMAGE").unwrap_or_else(|_| self.var("KF_IMAGE").to_string());
            let out = Command::new("flock")
                .arg(self.dir.join(".image.lock"))
                .arg(repo_root().join("scripts/testenv"))
                .arg("image")
                .arg(kforensic_bin())
                .arg(&name)
                .output()
                .map_err(|e| e.to_string())?;
            if out.status.success() { Ok(name) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) }
        });
        match r {
            Ok(s) => s.as_str(),
            Err(e) => panic!("cannot build the kforensic image: {e}"),
        }
    }

    /// The kforensic binary of this test run, pushed by `kforensic image push` to the test
    /// registry (once per run): its pinned reference, `127.0.0.1:5000/kforensic@sha256:…`, which
    /// the cluster's containerd pulls as a user's cluster pulls the published image. The tag is
    /// `KF_TEST_IMAGE`'s (so two checkouts do not move each other's tag).
    pub fn pushed_image(&self) -> &'static str {
        let r = PUSHED.get_or_init(|| {
            let tag = std::env::var("KF_TEST_IMAGE").ok().and_then(|s| s.rsplit_once(':').map(|(_, t)| t.to_string()));
            let reference = format!("{}/kforensic:{}", self.var("KF_REGISTRY"), tag.as_deref().unwrap_or("test"));
            let home = tempfile::tempdir().map_err(|e| e.to_string())?;
            // no Docker credentials of this machine: the test registry is open
            let out = kf().env("DOCKER_CONFIG", home.path()).args(["image", "push", &reference, "--plain-http"]).run();
            let pinned = String::from_utf8_lossy(&out.stdout).trim().to_string();
            if out.status.success() && pinned.contains("@sha256:") {
                Ok(pinned)
            } else {
                Err(String::from_utf8_lossy(&out.stderr).into_owned())
            }
        });
        match r {
            Ok(s) => s.as_str(),
            Err(e) => panic!("cannot push the kforensic image to the test registry: {e}"),
        }
    }

    /// The collector image and pull-policy arguments for a capture: the pushed image with the
    /// default pull policy (the node pulls it) when the registry is up, else the imported one.
    pub fn collector_image(&self) -> (&'static str, &'static [&'static str]) {
        if self.status.get("registry").map(String::as_str) == Some("up") {
            (self.pushed_image(), &[])
        } else {
            (self.kforensic_image(), &["--pull-policy", "never"])
        }
    }

    pub fn var(&self, k: &str) -> &str {
        self.vars.get(k).map(String::as_str).unwrap_or_else(|| panic!("test env has no {k}"))
    }
    pub fn admin_kubeconfig(&self) -> &str {
        self.var("KF_KUBECONFIG_ADMIN")
    }
    pub fn view_kubeconfig(&self) -> &str {
        self.var("KF_KUBECONFIG_VIEW")
    }

    /// kubectl (the cluster's own version) as admin; panics with its stderr on failure.
    pub fn kubectl(&self, args: &[&str]) -> String {
        let out = self.kubectl_raw(args, None);
        assert!(out.status.success(), "kubectl {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
    pub fn kubectl_raw(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut c = Command::new(self.var("KF_KUBECTL"));
        c.arg("--kubeconfig").arg(self.admin_kubeconfig()).args(args);
        run_with_stdin(c, stdin)
    }
    /// `kubectl apply -f -` of a YAML document.
    pub fn apply(&self, yaml: &str) {
        let out = self.kubectl_raw(&["apply", "-f", "-"], Some(yaml));
        assert!(out.status.success(), "kubectl apply failed: {}\n{yaml}", String::from_utf8_lossy(&out.stderr));
    }

    /// A fresh namespace for one test (`kft-<name>-<random>`), deleted when the guard drops.
    pub fn namespace(&'static self, name: &str) -> Namespace {
        let ns = format!("kft-{}-{:04x}", name.replace('_', "-"), fastrand_u16());
        self.kubectl(&["create", "namespace", &ns]);
        // pods need the default service account (created by the controller-manager)
        for _ in 0..150 {
            if self.kubectl_raw(&["-n", &ns, "get", "serviceaccount", "default"], None).status.success() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
        Namespace { env: self, name: ns }
    }

    /// Wait until `pod` in `ns` is Running (panics after `secs`).
    pub fn wait_running(&self, ns: &str, pod: &str, secs: u64) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let out = self.kubectl_raw(&["-n", ns, "get", "pod", pod, "-o", "jsonpath={.status.phase}"], None);
            let phase = String::from_utf8_lossy(&out.stdout).into_owned();
            if phase == "Running" {
                return;
            }
            if std::time::Instant::now() > deadline {
                let desc = self.kubectl_raw(&["-n", ns, "describe", "pod", pod], None);
                panic!("pod {ns}/{pod} not Running after {secs}s (phase {phase:?}):\n{}", String::from_utf8_lossy(&desc.stdout));
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }

    /// [`kf`] with this environment's admin kubeconfig.
    pub fn kforensic(&self, args: &[&str]) -> Output {
        self.kforensic_as(self.admin_kubeconfig(), args)
    }
    pub fn kforensic_as(&self, kubeconfig: &str, args: &[&str]) -> Output {
        kf().kubeconfig(kubeconfig).args(args).run()
    }
}

pub struct Namespace {
    env: &'static TestEnv,
    pub name: String,
}

impl Drop for Namespace {
    fn drop(&mut self) {
        if std::env::var_os("KF_KEEP_NAMESPACES").is_none() {
            let _ = self.env.kubectl_raw(&["delete", "namespace", &self.name, "--wait=false", "--grace-period=1"], None);
        }
    }
}

fn run_with_stdin(mut c: Command, stdin: Option<&str>) -> Output {
    use std::io::Write;
    c.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() }).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = c.spawn().unwrap_or_else(|e| panic!("cannot run {c:?}: {e}"));
    if let Some(s) = stdin {
        child.stdin.take().unwrap().write_all(s.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// `kf().args(args).run()`: kforensic without any cluster (offline commands, argument errors).
pub fn kforensic(args: &[&str]) -> Output {
    kf().args(args).run()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fastrand_u16() -> u16 {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    (n ^ (std::process::id() << 7)) as u16
}

/// Fault-injection rules for one of the fault proxies, cleared on drop. Tests that set faults
/// hold a process-wide lock per proxy so they don't see each other's rules.
pub struct Faults {
    path: String,
    _guard: std::sync::MutexGuard<'static, ()>,
}

static FAULT_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
static S3_FAULT_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl Faults {
    /// Rules for the proxy in front of the API server (`faultproxy`).
    pub fn set(env: &TestEnv, rules_json: &str) -> Faults {
        Faults::set_in(env, &FAULT_LOCK, "KF_FAULT_RULES", rules_json)
    }
    /// Rules for the proxy in front of the S3 server (`s3faultproxy`, `KF_S3_FAULT_ENDPOINT`).
    pub fn s3(env: &TestEnv, rules: &serde_json::Value) -> Faults {
        Faults::set_in(env, &S3_FAULT_LOCK, "KF_S3_FAULT_RULES", &rules.to_string())
    }
    fn set_in(env: &TestEnv, lock: &'static std::sync::Mutex<()>, var: &str, rules_json: &str) -> Faults {
        let guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let path = env.var(var).to_string();
        std::fs::write(&path, rules_json).unwrap();
        Faults { path, _guard: guard }
    }
    /// Other rules (the lock is still held; the proxy's counters start again).
    pub fn replace(&self, rules: &serde_json::Value) {
        std::fs::write(&self.path, rules.to_string()).unwrap();
    }
    /// No more faults.
    pub fn clear(&self) {
        self.replace(&serde_json::json!([]));
    }
}

impl Drop for Faults {
    fn drop(&mut self) {
        let _ = std::fs::write(&self.path, "[]");
    }
}

/// The lines of a fault proxy's log (`component`: `faultproxy`, `s3faultproxy`) that name a
/// fault applied to a request under `path_part`.
pub fn faults_applied(env: &TestEnv, component: &str, path_part: &str) -> Vec<String> {
    let log = std::fs::read_to_string(env.dir.join(format!("log/{component}.log"))).unwrap_or_default();
    log.lines().filter(|l| l.contains("fault ") && l.contains(path_part)).map(str::to_string).collect()
}

/// `kforensic verify DIR` passes.
pub fn verify_ok(bundle: &Path) -> bool {
    let v = kforensic(&["verify", bundle.to_str().unwrap()]);
    if !v.status.success() {
        eprintln!("verify failed:\n{}{}", stdout(&v), stderr(&v));
    }
    v.status.success()
}
