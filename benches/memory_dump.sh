#!/usr/bin/env bash
# Benchmark (not a test): dump a process holding 1 GiB of resident anonymous memory with
# kforensic's /proc core writer (examples/memdump, frozen through its own cgroup freezer) and
# with gdb's `gcore`, same process, same run. Prints MB/s of each, the ratio (gcore time / ours,
# target >= 1.0), our peak RSS (target <= 64 MiB) and how long the process stayed frozen.
# Needs root (cgroup freezer, /proc/<pid>/mem), gcc, gdb (gcore), GNU time.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MIB=${SIZE_MIB:-1024}
WORK=$(mktemp -d -t kf-memdump-bench.XXXXXX)
CG=""
HOLDER=""
cleanup() {
  if [ -n "$CG" ] && [ -d "$CG" ]; then   # a frozen task never handles SIGKILL: thaw first
    [ -f "$CG/freezer.state" ] && echo THAWED > "$CG/freezer.state" 2>/dev/null || true
    [ -f "$CG/cgroup.freeze" ] && echo 0 > "$CG/cgroup.freeze" 2>/dev/null || true
  fi
  if [ -n "$HOLDER" ]; then kill -KILL "$HOLDER" 2>/dev/null || true; wait "$HOLDER" 2>/dev/null || true; fi
  if [ -n "$CG" ] && [ -d "$CG" ]; then
    for _ in 1 2 3 4 5 6 7 8 9 10; do rmdir "$CG" 2>/dev/null && break; sleep 0.2; done
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

cat > "$WORK/hold.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
    size_t n = (size_t)atol(argv[1]) << 20;
    unsigned char *p = malloc(n);
    if (!p) return 1;
    for (size_t i = 0; i < n; i += 8) *(unsigned long *)(p + i) = i * 0x9E3779B97F4A7C15ul; /* not zero pages */
    printf("ready\n"); fflush(stdout);
    for (;;) pause();
}
C
gcc -O2 -o "$WORK/hold" "$WORK/hold.c"
if [ -n "${KF_BENCH_MEMDUMP:-}" ]; then BIN=$KF_BENCH_MEMDUMP; else   # an already built examples/memdump
  cargo build --release --example memdump -q
  BIN=${CARGO_TARGET_DIR:-target}/release/examples/memdump
fi

mkfifo "$WORK/ready"
"$WORK/hold" "$SIZE_MIB" > "$WORK/ready" &
HOLDER=$!
read -r _ < "$WORK/ready"
RSS_KB=$(awk '/VmRSS/{print $2}' /proc/$HOLDER/status)

# put the holder in a cgroup of its own so the dump can freeze it
if [ -f /sys/fs/cgroup/freezer/cgroup.procs ]; then
  CG=/sys/fs/cgroup/freezer/kf-bench-$$
else
  CG=$(awk '$3=="cgroup2"{print $2; exit}' /proc/self/mounts)/kf-bench-$$
fi
mkdir "$CG"
echo "$HOLDER" > "$CG/cgroup.procs"

sync
/usr/bin/time -f '%e %M' -o "$WORK/ours.time" "$BIN" "$HOLDER" "$WORK/ours.core" --freeze > "$WORK/ours.json"
sync
# the collector's way: the core to the spool, hashed and shipped after the thaw; as in the
# collector, inside a memory cgroup of its limit (KF_BENCH_MEMCG_MIB, 256; 0: none), whose page
# cache is what the spool's writes fill. Twice: copied while the process runs and completed
# while frozen (the default), and written whole while frozen (--no-precopy).
MEMCG_MIB=${KF_BENCH_MEMCG_MIB:-256}
MEMCG=""
if [ "$MEMCG_MIB" -gt 0 ]; then
  if [ -d /sys/fs/cgroup/memory ]; then
    MEMCG=/sys/fs/cgroup/memory/kf-bench-mem-$$; mkdir "$MEMCG"; echo $((MEMCG_MIB << 20)) > "$MEMCG/memory.limit_in_bytes"
  else
    MEMCG=$(awk '$3=="cgroup2"{print $2; exit}' /proc/self/mounts)/kf-bench-mem-$$; mkdir "$MEMCG"; echo $((MEMCG_MIB << 20)) > "$MEMCG/memory.max"
  fi
fi
in_memcg() { if [ -n "$MEMCG" ]; then sh -c 'echo $$ > "$0/cgroup.procs"; shift; exec "$@"' "$MEMCG" _ "$@"; else "$@"; fi; }
mkdir "$WORK/spool"
for mode in precopy whole; do
  flag=""; [ "$mode" = whole ] && flag=--no-precopy
  sync
  in_memcg /usr/bin/time -f '%e %M' -o "$WORK/spooled-$mode.time" "$BIN" "$HOLDER" "$WORK/spooled" --spool "$WORK/spool" $flag > "$WORK/spooled-$mode.json"
  rm -rf "$WORK/spooled"
done
[ -n "$MEMCG" ] && rmdir "$MEMCG" 2>/dev/null || true
sync
/usr/bin/time -f '%e %M' -o "$WORK/gcore.time" gcore -o "$WORK/gcore" "$HOLDER" > /dev/null 2>&1
# gcore does not hash; the evidence needs a SHA-256: also time hashing its core afterwards
/usr/bin/time -f '%e' -o "$WORK/sha.time" sha256sum "$WORK/gcore.$HOLDER" > /dev/null

read -r OURS_S OURS_RSS_KB < "$WORK/ours.time"
read -r GCORE_S _ < "$WORK/gcore.time"
read -r SHA_S < "$WORK/sha.time"
OURS_B=$(stat -c %s "$WORK/ours.core")
GCORE_B=$(stat -c %s "$WORK/gcore.$HOLDER")
FROZEN_MS=$(sed -n 's/.*"frozen_ms":\([0-9]*\).*/\1/p' "$WORK/ours.json")
frozen_ms() { sed -n 's/.*"frozen_ms":\([0-9]*\).*/\1/p' "$1"; }
PRE_FROZEN_MS=$(frozen_ms "$WORK/spooled-precopy.json")
PRE_REWRITTEN=$(sed -n 's/.*"rewritten_bytes":\([0-9]*\).*/\1/p' "$WORK/spooled-precopy.json")
read -r PRE_S PRE_RSS_KB < "$WORK/spooled-precopy.time"
SPOOL_FROZEN_MS=$(frozen_ms "$WORK/spooled-whole.json")
read -r SPOOL_S SPOOL_RSS_KB < "$WORK/spooled-whole.time"

awk -v rss="$RSS_KB" -v ob="$OURS_B" -v os="$OURS_S" -v gb="$GCORE_B" -v gs="$GCORE_S" \
    -v orss="$OURS_RSS_KB" -v fz="$FROZEN_MS" -v ss="$SHA_S" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v sfz="$SPOOL_FROZEN_MS" -v sps="$SPOOL_S" -v srss="$SPOOL_RSS_KB" -v memcg="$MEMCG_MIB" \
    -v pfz="$PRE_FROZEN_MS" -v pps="$PRE_S" -v prss="$PRE_RSS_KB" -v prw="${PRE_REWRITTEN:-0}" 'BEGIN {
  if (os <= 0) os = 0.01; if (gs <= 0) gs = 0.01;
  printf "process resident: %.0f MiB\n", rss / 1024
  printf "kforensic memdump: %.0f MiB core in %.2f s = %.0f MB/s, peak RSS %.1f MiB, frozen %d ms\n", ob/1048576, os, ob/1e6/os, orss/1024, fz
  printf "frozen per GiB, core hashed while frozen: %.2f s\n", fz / 1000 / (ob / 1073741824)
  printf "spooled (memory cgroup of %d MiB, as the collector; 0: none):\n", memcg
  printf "  copied while running, completed frozen: frozen %d ms = %.2f s/GiB (target <= 0.5), %.0f MiB changed, %.2f s in all, peak RSS %.1f MiB\n", pfz, pfz / 1000 / (ob / 1073741824), prw/1048576, pps, prss/1024
  printf "  written whole while frozen:             frozen %d ms = %.2f s/GiB, %.2f s in all, peak RSS %.1f MiB\n", sfz, sfz / 1000 / (ob / 1073741824), sps, srss/1024
  printf "gcore (gdb):       %.0f MiB core in %.2f s = %.0f MB/s\n", gb/1048576, gs, gb/1e6/gs
  printf "gcore + sha256sum: %.2f s (the same evidence guarantee: a hashed core)\n", gs + ss
  printf "ratio vs gcore+sha256sum: %.2f\n", (gs + ss) / os
  printf "ratio (gcore time / kforensic time): %.2f (target >= 1.0; kforensic also hashes)\n", gs / os
  printf "load average during the run: %s\n", load
  printf "peak RSS: %.1f MiB (target <= 64 MiB)\n", orss/1024
}'
