#!/usr/bin/env bash
# benches/encrypt.sh — what does `--encrypt-to` cost? On the local test cluster (scripts/testenv), a
# pod holding a 500 MiB file is checkpointed plain, then encrypted (--encrypt-to an age X25519
# recipient); then stock `age` encrypts the plain bundle's artifacts (the same bytes) to the same
# recipient. Prints both capture times, the encryption overhead, age's own throughput, and the
# ratio of throughputs kforensic-encrypted / (plain capture, then age): >= 1.0 means encrypting
# while capturing is at least as fast as encrypting afterwards with the age CLI. Not a test.
#   benches/encrypt.sh [SIZE_MIB]   (default 500; needs root, age, age-keygen; builds a release
#                                    binary unless KF_BENCH_BIN names one)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-500}
for t in age age-keygen python3; do command -v $t >/dev/null || { echo "benchmark needs $t" >&2; exit 1; }; done
if [ -n "${KF_BENCH_BIN:-}" ]; then BIN=$KF_BENCH_BIN; else
  cargo build --release --locked -q; BIN=${CARGO_TARGET_DIR:-target}/release/kforensic; fi
scripts/testenv up >/dev/null
eval "$(scripts/testenv env)"
IMAGE=${KF_TEST_IMAGE:-$KF_IMAGE}
scripts/testenv image "$BIN" "$IMAGE"
K="$KF_KUBECTL --kubeconfig $KF_KUBECONFIG_ADMIN"
NS=kft-bench-enc
. benches/pod.sh
busybox_pod $NS big "head -c $((SIZE * 1048576)) /dev/urandom > /tmp/payload; echo ready; exec sleep 100000"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"; $K delete namespace $NS --wait=false >/dev/null 2>&1 || true' EXIT
age-keygen -o "$OUT/key.txt" 2>/dev/null
RECIPIENT=$(age-keygen -y "$OUT/key.txt")

capture() { # NAME [ARGS…]: seconds of one checkpoint into $OUT/NAME
  local name=$1 s e; shift
  s=$(date +%s.%N)
  "$BIN" --kubeconfig "$KF_KUBECONFIG_ADMIN" -n $NS --case-id "kf-bench-enc-$name" -q -o json checkpoint pod big \
    --image "$IMAGE" --pull-policy never --dest "$OUT/$name" "$@" > "$OUT/$name.json"
  e=$(date +%s.%N)
  python3 -c "print(f'{$e - $s:.2f}')"
}
plain=$(capture plain)
enc=$(capture enc --encrypt-to "$RECIPIENT")
# the same bytes through the age CLI: every artifact of the plain bundle, one age file each
BYTES=$(python3 -c "import json; print(sum(a['bytes'] for a in json.load(open('$OUT/plain.json'))['manifest']['artifacts']))")
s=$(date +%s.%N)
(cd "$OUT/plain/kf-bench-enc-plain" && find . -type f ! -name manifest.json ! -name custody.log -print0 |
  xargs -0 -I{} age -r "$RECIPIENT" -o "{}.age" "{}")
e=$(date +%s.%N)
agesecs=$(python3 -c "print(f'{$e - $s:.2f}')")
python3 - "$plain" "$enc" "$agesecs" "$BYTES" "$SIZE" <<'PY'
import sys
plain, enc, age, b, size = (float(x) for x in sys.argv[1:])
mb = b / 1e6
print(f"container payload              : {int(size)} MiB (random, incompressible); artifacts {mb:.0f} MB")
print(f"plain capture                  : {plain:.2f} s")
print(f"encrypted capture (--encrypt-to): {enc:.2f} s  (+{(enc - plain) / plain * 100:.1f} %)")
print(f"age CLI on the same artifacts  : {age:.2f} s = {mb / age:.0f} MB/s")
print(f"throughput kforensic encrypted : {mb / enc:.0f} MB/s; plain capture then age: {mb / (plain + age):.0f} MB/s")
print(f"ratio kforensic/age throughput : {(plain + age) / enc:.2f}  (>= 1.0: encrypting while capturing beats capture + age)")
PY
