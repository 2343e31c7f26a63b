//! The one way the tests run the real `kforensic` binary: [`kf`].
//!
//! Every run is isolated from the AWS setup of the machine running the tests: no credentials,
//! profile, endpoint or role from its environment, no config or credentials file, no instance
//! metadata service. A run has AWS credentials only when the test gives them ([`Kf::aws`]).

use super::evidence::Aws;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// AWS settings a run never takes from the environment of the test process.
const AMBIENT_AWS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_MAX_ATTEMPTS",
];

/// The kforensic binary cargo built for this test run.
pub fn kforensic_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kforensic"))
}

/// A run of the real binary, built up with [`kf`].
pub struct Kf {
    kubeconfig: Option<OsString>,
    args: Vec<OsString>,
    aws: Option<Aws>,
    dir: Option<PathBuf>,
    stdin: Option<Stdio>,
    env: Vec<(OsString, OsString)>,
}

/// A run of the real binary: no arguments yet, isolated from the machine's AWS setup.
pub fn kf() -> Kf {
    Kf { kubeconfig: None, args: Vec::new(), aws: None, dir: None, stdin: None, env: Vec::new() }
}

impl Kf {
    /// `--kubeconfig PATH`, placed before every other argument.
    pub fn kubeconfig(mut self, path: impl AsRef<OsStr>) -> Self {
        self.kubeconfig = Some(path.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args.extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// The only AWS credentials the run has.
    pub fn aws(mut self, aws: &Aws) -> Self {
        self.aws = Some(aws.clone());
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = Some(dir.as_ref().to_path_buf());
        self
    }

    /// One more environment variable for the run.
    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Self {
        self.env.push((k.as_ref().to_owned(), v.as_ref().to_owned()));
        self
    }

    /// The child's stdin (default: none, reading it gives end of file).
    pub fn stdin(mut self, stdin: Stdio) -> Self {
        self.stdin = Some(stdin);
        self
    }

    fn command(self) -> Command {
        let mut c = Command::new(kforensic_bin());
        for k in AMBIENT_AWS {
            c.env_remove(k);
        }
        c.env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", "/nonexistent/kforensic-test/config")
            .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/kforensic-test/credentials")
            .env("AWS_REGION", "us-east-1")
            // fail fast when a test kills its server (2 attempts, short backoff)
            .env("AWS_MAX_ATTEMPTS", "2");
        if let Some(a) = &self.aws {
            c.env("AWS_ACCESS_KEY_ID", &a.access_key).env("AWS_SECRET_ACCESS_KEY", &a.secret_key);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        if let Some(k) = &self.kubeconfig {
            c.arg("--kubeconfig").arg(k);
        }
        c.args(&self.args);
        if let Some(d) = &self.dir {
            c.current_dir(d);
        }
        c.stdin(self.stdin.unwrap_or_else(Stdio::null)).stdout(Stdio::piped()).stderr(Stdio::piped());
        c
    }

    /// Started, with stdout and stderr piped.
    pub fn spawn(self) -> Child {
        let mut c = self.command();
        c.spawn().unwrap_or_else(|e| panic!("cannot run {c:?}: {e}"))
    }

    /// Run to the end; stdout and stderr captured.
    pub fn run(self) -> Output {
        self.spawn().wait_with_output().unwrap()
    }
}
