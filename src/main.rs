use kforensic::Exit;
use kforensic::app::output::terminal_safe;

/// Buffers of this size and more (S3 parts, the export's 1 MiB pipeline chunks, memory pieces)
/// are mapped on their own and returned to the system when freed. glibc's default threshold
/// grows with what is freed, after which such buffers stay in per-thread arenas: measured,
/// `upload` held 150 MiB with 64 MiB of parts in flight, 104 MiB with a fixed threshold; the
/// node upload of `benches/checkpoint.sh` peaked at 71–78 MiB with a 2 MiB threshold (the
/// pipeline chunks kept in arenas), 63.5–68 MiB with this one.
#[cfg(target_env = "gnu")]
const MMAP_THRESHOLD: libc::c_int = 1 << 20;
/// At most this many malloc arenas: the agent's threads (zstd workers, the walk, hashing, the
/// runtime) each get one by default, and what one frees is kept for it alone.
#[cfg(target_env = "gnu")]
const ARENAS: libc::c_int = 2;

fn main() {
    // SAFETY: mallopt only sets an allocator parameter; called first, before any thread exists.
    // (musl, the release builds' libc, returns large blocks by itself and has no mallopt.)
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
    let cli = kforensic::app::parse_command_line();
    init_tracing(cli.global.verbose, cli.global.quiet);
    let verbose = cli.global.verbose;
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            std::process::exit(Exit::Failure.code());
        }
    };
    let code = match rt.block_on(kforensic::app::run(cli)) {
        Ok(exit) => exit.code(),
        // the reader of our output went away (`-o json | head -1`): nothing to say, and the
        // exit code of a pipeline's reader is the one that counts
        Err(kforensic::Error::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok.code(),
        Err(e) => {
            eprintln!("error: {}", terminal_safe(&e.to_string()));
            if verbose > 0 {
                let mut src = std::error::Error::source(&e);
                while let Some(s) = src {
                    eprintln!("  caused by: {}", terminal_safe(&s.to_string()));
                    src = s.source();
                }
            }
            e.exit().code()
        }
    };
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    std::process::exit(code);
}

fn init_tracing(verbose: u8, quiet: bool) {
    let level = match (quiet, verbose) {
        (true, _) => "error",
        (_, 0) => "warn",
        (_, 1) => "info",
        (_, 2) => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KFORENSIC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("kforensic={level}")));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(kforensic::app::output::stderr_color())
        .with_target(false)
        .init();
}
