//! Dump one process's memory as an ELF core: `memdump <pid> <out.core> [--freeze] [--file-mappings]`,
//! or the way the collector does (the core copied to a spool while the process runs, completed
//! while frozen, shipped after the thaw): `memdump <pid> <out-dir> --spool <dir> [--no-precopy]`
//! (`--no-precopy`: the whole core written to the spool while frozen). Prints the summary (bytes, seconds, frozen time) as one
//! JSON line. Used by benches/memory_dump.sh.

use kforensic::agent::memory::{CoreOptions, MemoryCaptureOptions, capture_container_memory, dump_core, freeze};
use kforensic::evidence::HashingWriter;
use std::io::BufWriter;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        return Err("usage: memdump <pid> <out.core> [--freeze] [--file-mappings]".into());
    }
    let pid: i32 = args[1].parse()?;
    if let Some(i) = args.iter().position(|a| a == "--spool") {
        let precopy = !args.iter().any(|a| a == "--no-precopy");
        return spooled(pid, &args[2], args.get(i + 1).ok_or("--spool needs a directory")?, precopy);
    }
    let opts = CoreOptions { include_file_mappings: args.iter().any(|a| a == "--file-mappings"), ..Default::default() };
    let guard = if args.iter().any(|a| a == "--freeze") {
        Some(freeze::Freezer::for_pid(pid)?.freeze(std::time::Duration::from_secs(10))?)
    } else {
        None
    };
    let t = std::time::Instant::now();
    let mut w = HashingWriter::new(BufWriter::with_capacity(1 << 16, std::fs::File::create(&args[2])?));
    let summary = dump_core(pid, &opts, None, &mut w)?;
    let (_, bytes, sha) = w.finish();
    let secs = t.elapsed().as_secs_f64();
    let frozen = guard.map(|g| g.thaw()).transpose()?;
    println!(
        "{}",
        serde_json::json!({"pid": pid, "bytes": bytes, "sha256": sha, "seconds": secs,
            "regions_dumped": summary.regions_dumped, "regions_skipped": summary.regions_skipped,
            "frozen_ms": frozen.map(|f| f.frozen_for.as_millis() as u64)})
    );
    Ok(())
}

/// The collector's way: freeze, each core to the spool, thaw, then each core hashed into `out`.
fn spooled(pid: i32, out: &str, spool: &str, precopy: bool) -> Result<(), Box<dyn std::error::Error>> {
    let opts = MemoryCaptureOptions { spool: Some(spool.into()), executables: false, pids: vec![pid], precopy, ..Default::default() };
    let mut sink = kforensic::agent::sinks::DirSink::new(std::path::Path::new(out))?;
    let t = std::time::Instant::now();
    let r = capture_container_memory(pid, "m", None, &opts, &mut sink, &mut |_| {})?;
    let secs = t.elapsed().as_secs_f64();
    sink.finish()?;
    println!(
        "{}",
        serde_json::json!({"pid": pid, "bytes": r.cores.iter().map(|c| c.summary.bytes).sum::<u64>(), "seconds": secs,
            "spooled": r.spool.as_ref().map(|s| s.cores),
            "precopied": r.spool.as_ref().map(|s| s.precopied), "rewritten_bytes": r.spool.as_ref().map(|s| s.rewritten_bytes), "errors": r.errors,
            "frozen_ms": r.freeze.as_ref().map(|f| f.frozen_for.as_millis() as u64), "frozen_s_per_gib": r.frozen_s_per_gib})
    );
    Ok(())
}
