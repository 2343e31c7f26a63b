//! A bundle whose manifest.json and custody.log are each larger than 256 MiB (the cap they once
//! had): it verifies with the real binary, in bounded time and memory, from a directory and
//! from S3 (with `KF_TEST_LARGE_S3=1`: that part takes minutes).

use crate::support::{self, evidence::*, run::Kf};
use std::io::Read;
use std::time::{Duration, Instant};

const ERRORS: usize = 280_000;
const MIB: u64 = 1 << 20;

/// What a run of the binary gave: exit code, stdout, stderr, peak RSS (bytes), time.
struct Measured {
    code: i32,
    stdout: String,
    stderr: String,
    max_rss: u64,
    took: Duration,
}

/// Run to the end and measure the child's own peak RSS (wait4's rusage: this child only).
#[allow(clippy::zombie_processes)] // reaped by wait4, which also gives its rusage
fn measured(kf: Kf) -> Measured {
    let started = Instant::now();
    let mut child = kf.spawn();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        out.read_to_string(&mut s).map(|_| s).unwrap_or_default()
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        err.read_to_string(&mut s).map(|_| s).unwrap_or_default()
    });
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, writing into the two locals
    let pid = unsafe { libc::wait4(child.id() as i32, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as i32, "wait4: {}", std::io::Error::last_os_error());
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    Measured {
        code,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        max_rss: usage.ru_maxrss as u64 * 1024,
        took: started.elapsed(),
    }
}

/// The JSON report of a verify run that found the bundle honest but incomplete.
fn check_incomplete(m: &Measured, what: &str) -> serde_json::Value {
    assert_eq!(m.code, 1, "{what}: {}{}", m.stdout, m.stderr);
    let v: serde_json::Value = serde_json::from_str(&m.stdout).unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", m.stderr));
    let problems = v["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{what}: {problems:?}");
    assert_eq!(problems[0]["kind"], "incomplete");
    let msg = problems[0]["message"].as_str().unwrap();
    assert!(msg.starts_with(&format!("incomplete: the manifest says complete: false ({ERRORS} error(s): 000000 ")), "{what}: {msg}");
    assert_eq!((v["artifacts"].as_u64(), v["artifacts_ok"].as_u64()), (Some(1), Some(1)), "{what}");
    v
}

#[test]
fn a_manifest_and_custody_log_over_256_mib_verify_in_bounded_time_and_memory() {
    let d = tempfile::tempdir().unwrap();
    let mut b = kforensic::evidence::DirBundle::create(d.path(), "case-huge", Default::default()).unwrap();
    use kforensic::evidence::{ArtifactSink, ArtifactSpec};
    b.put(&ArtifactSpec::new("cluster/pod.json", "application/json", "test"), &mut |w| w.write_all(b"{\"kind\":\"Pod\"}")).unwrap();
    // a workload with a huge history: one error of about 1 KiB for each file that could not be read
    let filler = "h".repeat(1000);
    for i in 0..ERRORS {
        b.error(Some(&format!("pods/ns/p/c/history/{i}")), &format!("{i:06} {filler}")).unwrap();
    }
    let dir = b.dir().to_path_buf();
    let manifest = b.finalize().unwrap();
    assert!(!manifest.complete);
    drop(manifest);
    let size = |n: &str| std::fs::metadata(dir.join(n)).unwrap().len();
    let (msize, csize) = (size("manifest.json"), size("custody.log"));
    assert!(msize > 256 * MIB && csize > 256 * MIB, "manifest {msize}, custody.log {csize} bytes");
    let dir_s = dir.to_str().unwrap();

    let local = measured(support::run::kf().args(["verify", "--no-record", "-o", "json", dir_s]));
    let v = check_incomplete(&local, "directory");
    assert_eq!(v["custody_lines"].as_u64(), Some(ERRORS as u64 + 4), "bundle_created, artifact started/finished, the errors, finalized");
    eprintln!(
        "verify of a {} MiB manifest and a {} MiB custody log: {:.1} s, peak RSS {} MiB",
        msize / MIB,
        csize / MIB,
        local.took.as_secs_f64(),
        local.max_rss / MIB
    );
    // memory: the parsed records (about the manifest's size), not the files on top of them
    assert!(local.max_rss < msize * 2, "peak RSS {} MiB for a {} MiB manifest", local.max_rss / MIB, msize / MIB);
    // time: linear in the size (a debug build on a busy machine takes a minute or two; no
    // quadratic step, which would take hours here)
    assert!(local.took < Duration::from_secs(300), "took {:?}", local.took);

    // the same bundle through S3 (upload, then verify from the bucket) takes several minutes of
    // a debug build on a busy machine: only when asked
    let s3 = std::env::var_os("KF_TEST_LARGE_S3").is_some();
    if let Some(env) =
        s3.then(|| support::require("a_manifest_and_custody_log_over_256_mib_verify_in_bounded_time_and_memory/s3", &["s3"])).flatten()
    {
        let aws = Aws {
            endpoint: env.var("KF_S3_ENDPOINT").to_string(),
            access_key: env.var("KF_S3_ACCESS_KEY").to_string(),
            secret_key: env.var("KF_S3_SECRET_KEY").to_string(),
        };
        let bucket = Bucket::create(&aws, "huge");
        let dest = format!("s3://{}/incidents", bucket.name);
        let up = measured(support::run::kf().aws(&aws).args(["upload", dir_s, &dest, "--endpoint-url", &aws.endpoint, "-o", "json"]));
        // an incomplete bundle uploads with the partial exit code
        assert_eq!(up.code, 3, "upload: {}{}", up.stdout, up.stderr);
        let url = format!("{dest}/case-huge");
        let remote = measured(support::run::kf().aws(&aws).args(["verify", &url, "--endpoint-url", &aws.endpoint, "-o", "json"]));
        check_incomplete(&remote, "s3");
        eprintln!(
            "upload: {:.1} s; verify from S3: {:.1} s, peak RSS {} MiB",
            up.took.as_secs_f64(),
            remote.took.as_secs_f64(),
            remote.max_rss / MIB
        );
        assert!(remote.max_rss < msize * 2, "peak RSS {} MiB from S3", remote.max_rss / MIB);
    }
}
