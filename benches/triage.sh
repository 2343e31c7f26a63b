#!/usr/bin/env bash
# benches/triage.sh [MiB] — `kforensic triage --yara` over a real CRIU dump's memory against
# `yara -s` (Debian's yara, the C engine) over the same pages files, measured in the same run.
#
# A small C program fills MiB (default 1024) of heap with pseudo-random bytes, plants a needle
# 16 times, and sleeps; `criu dump` (CRIU 4.1.1: $KF_CRIU or `criu` on PATH) writes its
# pages-N.img + pagemap. One rule file matches the needle. kforensic triages the dump directory
# (every rule: built-in YARA set + the rule file, secrets and pool URLs in memory, processes,
# files), attributing matches to pid and mapping; yara scans the raw pages files. Both read from
# the page cache (one warm-up run each, then the best of 3); kforensic must report the match.
#
# Prints: bytes, seconds and GB/s of each, and ratio = yara time / kforensic time (> 1: faster).
# Needs root (CRIU) and a release build (made here unless KF_BENCH_BIN names one).
set -euo pipefail

MIB=${1:-1024}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CRIU=${KF_CRIU:-$(command -v criu || true)}
[ -x "$CRIU" ] || { echo "triage bench: need CRIU 4.1.1 (set KF_CRIU)" >&2; exit 1; }
command -v yara >/dev/null || { echo "triage bench: need yara (apt-get install yara)" >&2; exit 1; }
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
    unsigned char *p = aligned_alloc(4096, n);
    uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i += 8) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; memcpy(p + i, &x, 8); }
    const char *needle = "$NEEDLE";
    for (int k = 0; k < 16; k++) memcpy(p + (n / 16) * k + 8192, needle, strlen(needle));
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
printf 'rule bench_needle { strings: $a = "%s" condition: $a }\n' "$NEEDLE" > "$W/bench.yar"

if [ -n "${KF_BENCH_BIN:-}" ]; then KF=$KF_BENCH_BIN; else
  (cd "$HERE" && cargo build --release --quiet)
  KF="${CARGO_TARGET_DIR:-$HERE/target}/release/kforensic"
fi

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

"$KF" -o json triage "$W/img" --yara "$W/bench.yar" >"$W/found.json" || true
grep -q '"user:bench_needle' "$W/found.json" || grep -q 'user:bench_needle' "$W/found.json" || { echo "triage bench: kforensic did not report the needle" >&2; exit 1; }
yara -s "$W/bench.yar" "${PAGES[@]}" | grep -q "$NEEDLE" || { echo "triage bench: yara did not find the needle" >&2; exit 1; }
T_KF=$(best "$KF" triage "$W/img" --yara "$W/bench.yar")
T_YARA=$(best yara -s "$W/bench.yar" "${PAGES[@]}")
awk -v by="$BYTES" -v k="$T_KF" -v y="$T_YARA" 'BEGIN {
  printf "pages: %d bytes\n", by
  printf "kforensic triage --yara: %.3f s (%.2f GB/s), every rule, matches attributed to pid + mapping\n", k, by / k / 1e9
  printf "yara -s:                 %.3f s (%.2f GB/s), raw pages files\n", y, by / y / 1e9
  printf "ratio (yara / kforensic): %.2f\n", y / k
}'
