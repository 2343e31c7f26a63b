#!/usr/bin/env bash
# benches/analyze_search.sh [MiB] — memory search throughput of `kforensic analyze --search`
# against `grep -c -a -F` over the same raw pages files, measured in the same run.
#
# The pages come from a REAL CRIU dump: a small C program fills MiB (default 1024) of heap with
# pseudo-random bytes (so no page is zero or deduplicated), plants a needle 64 times at known
# places (some straddling a page boundary), and sleeps; `criu dump` (CRIU 4.1.1: $KF_CRIU or
# `criu` on PATH) writes its pages-N.img + pagemap. Both tools then read the same files from the
# page cache (one warm-up run each, then the best of 3). kforensic must also find all 64 needles.
#
# Prints: bytes, seconds and GB/s of each, and ratio = grep time / kforensic time (> 1: faster).
# Targets: ratio >= 1.0 and kforensic >= 1 GB/s. Needs root (CRIU) and a release build.
set -euo pipefail

MIB=${1:-1024}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CRIU=${KF_CRIU:-$(command -v criu || true)}
[ -x "$CRIU" ] || { echo "analyze_search: need CRIU 4.1.1 (set KF_CRIU)" >&2; exit 1; }
W=$(mktemp -d)
PID=""
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$W"; }
trap cleanup EXIT
NEEDLE="kforensic-bench-needle-$RANDOM$RANDOM"

cat > "$W/hold.c" <<EOF
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
int main(void) {
    size_t n = (size_t)$MIB << 20;
    unsigned char *p = aligned_alloc(4096, n);  /* page-aligned, so "across a page boundary" is exact */
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i += 8) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memcpy(p + i, &x, 8); }
    const char *needle = "$NEEDLE";
    size_t len = strlen(needle);
    for (int k = 0; k < 64; k++) {
        size_t at = (n / 64) * k + 4096 * 3 - (k % 2 ? len / 2 : 0) + 4096;  /* odd k: across a page boundary */
        memcpy(p + at, needle, len);
    }
    write(1, "ready\n", 6);
    for (;;) pause();
}
EOF
cc -O2 -o "$W/hold" "$W/hold.c"
setsid "$W/hold" > "$W/hold.out" 2>/dev/null < /dev/null &
PID=$!
for _ in $(seq 600); do grep -q ready "$W/hold.out" 2>/dev/null && break; sleep 0.1; done
mkdir -p "$W/img"
"$CRIU" dump -t "$PID" -D "$W/img" --shell-job -o dump.log >/dev/null 2>&1 || { tail -5 "$W/img/dump.log" >&2; exit 1; }
PID=""
PAGES=("$W"/img/pages-*.img)
BYTES=$(cat "${PAGES[@]}" | wc -c)

(cd "$HERE" && cargo build --release --quiet)
KF="$HERE/target/release/kforensic"

# output goes to a file, not /dev/null: GNU grep stops at the first match when its output is
# /dev/null (it then only needs the exit status), which would not be a full scan
best() { # best wall time of 3 runs of "$@" (after one warm-up), in seconds
  "$@" >"$W/out" 2>&1 || true
  local b=999999 t s e
  for _ in 1 2 3; do
    s=$(date +%s.%N); "$@" >"$W/out" 2>&1 || true; e=$(date +%s.%N)
    t=$(awk -v a="$s" -v b="$e" 'BEGIN{print b-a}')
    b=$(awk -v a="$b" -v t="$t" 'BEGIN{print (t<a)?t:a}')
  done
  echo "$b"
}

# correctness first: every planted needle (and any copy the program itself left in memory, e.g.
# in a dirty data page) must be found; grep -o counts every occurrence in the raw files
FOUND=$("$KF" -o json analyze "$W/img" --search "$NEEDLE" --max-matches 10000 | grep -c '"address"')
WANT=$(grep -o -a -F "$NEEDLE" "${PAGES[@]}" | wc -l)
[ "$FOUND" -ge 64 ] && [ "$FOUND" -eq "$WANT" ] || { echo "analyze_search: kforensic found $FOUND needles, grep -o $WANT, planted 64" >&2; exit 1; }
T_KF=$(best "$KF" analyze "$W/img" --search "$NEEDLE" --max-matches 1000)
T_GREP=$(best grep -c -a -F "$NEEDLE" "${PAGES[@]}")
GREP_LINES=$(grep -c -a -F "$NEEDLE" "${PAGES[@]}" | awk -F: '{s+=$NF} END {print s}')
echo "matches: kforensic $FOUND, grep -o $WANT (64 planted); grep -c: $GREP_LINES lines"

awk -v n="$BYTES" -v k="$T_KF" -v g="$T_GREP" 'BEGIN {
  printf "pages: %d bytes (%.2f GiB) from a real CRIU dump\n", n, n / 1073741824
  printf "kforensic analyze --search: %.3f s  %.2f GB/s\n", k, n / k / 1e9
  printf "grep -c -a -F (baseline):   %.3f s  %.2f GB/s\n", g, n / g / 1e9
  printf "ratio %.2f (grep time / kforensic time; target >= 1.0, and >= 1 GB/s)\n", g / k
}'
