#!/usr/bin/env bash
# benches/checkpoint.sh — where does the time of `kforensic checkpoint pod` go?
# On the local test cluster (scripts/testenv), a pod holding a 500 MiB file is checkpointed; prints
# the time from command start to the first artifact byte, the total time, the per-step breakdown
# kforensic reports, and the export throughput; then the same capture to S3 (the test S3 server),
# uploaded by this machine (--upload-from client) and from the node (--upload-from node), with
# their total times and ratio. Not a test: numbers, no pass/fail.
#   benches/checkpoint.sh [SIZE_MIB]       (default 500; needs root; builds a release binary unless KF_BENCH_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-500}
if [ -n "${KF_BENCH_BIN:-}" ]; then BIN=$KF_BENCH_BIN; else   # KF_BENCH_BIN: an already built binary
  cargo build --release --locked -q; BIN=${CARGO_TARGET_DIR:-target}/release/kforensic; fi
scripts/testenv up >/dev/null
eval "$(scripts/testenv env)"
scripts/testenv image "$BIN"
K="$KF_KUBECTL --kubeconfig $KF_KUBECONFIG_ADMIN"
NS=kft-bench-ckpt
$K create namespace $NS >/dev/null 2>&1 || true
$K -n $NS delete pod big --ignore-not-found --grace-period=1 >/dev/null
$K apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Pod
metadata: {name: big, namespace: $NS}
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: test.local/busybox:1
    command: ["sh", "-c", "head -c $((SIZE * 1048576)) /dev/urandom > /tmp/payload; echo ready; exec sleep 100000"]
YAML
until $K -n $NS logs big 2>/dev/null | grep -q ready; do sleep 0.5; done
OUT=$(mktemp -d)
CASE=kf-bench-$(date +%H%M%S)
start=$(date +%s.%N)
"$BIN" --kubeconfig "$KF_KUBECONFIG_ADMIN" -n $NS --case-id "$CASE" -q -o json checkpoint pod big \
  --image "$KF_IMAGE" --pull-policy never --dest "$OUT" > "$OUT/report.json"
end=$(date +%s.%N)
python3 - "$OUT/report.json" "$start" "$end" "$SIZE" <<'PY'
import json, sys, datetime
r = json.load(open(sys.argv[1])); start, end, size = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
ts = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
arts = r["manifest"]["artifacts"]
first = min(ts(a["started_at"]) for a in arts)
node = [a for a in arts if a["source"] == "agent"]
first_node = min(ts(a["started_at"]) for a in node)
export = next(a for a in arts if a["path"].endswith("rootfs.tar.zst"))
ex_s = ts(export["finished_at"]) - ts(export["started_at"])
print(f"container payload         : {size} MiB (random, incompressible)")
print(f"first artifact byte       : {first - start:.2f} s after start (API side)")
print(f"first node artifact byte  : {first_node - start:.2f} s after start (collector pod up, agent streaming)")
print(f"total                     : {end - start:.2f} s, complete={r['complete']}")
for s in r["steps"]:
    print(f"  step {s['step']:<14}: {s['seconds']:.2f} s")
print(f"export rootfs.tar.zst     : {export['bytes'] / 1e6:.0f} MB in {ex_s:.2f} s = {export['bytes'] / 1e6 / max(ex_s, 1e-9):.0f} MB/s through exec")
PY

# the same capture into S3: uploaded by this machine once finished, or by the agent on the node
BUCKET=kf-bench-$(date +%H%M%S)
mkdir -p "$KF_TESTENV/s3data/$BUCKET"   # s3s-fs: a bucket is a directory
$K create namespace kforensic >/dev/null 2>&1 || true
$K -n kforensic delete secret kf-bench-s3 --ignore-not-found >/dev/null
$K -n kforensic create secret generic kf-bench-s3 --from-literal=AWS_ACCESS_KEY_ID="$KF_S3_ACCESS_KEY" \
  --from-literal=AWS_SECRET_ACCESS_KEY="$KF_S3_SECRET_KEY" --from-literal=AWS_REGION=us-east-1 \
  --from-literal=AWS_EC2_METADATA_DISABLED=true >/dev/null
s3run() { # MODE: seconds of a checkpoint to s3:// uploaded from MODE
  local mode=$1 extra=() s e
  [ "$mode" = node ] && extra=(--node-credentials-secret kf-bench-s3)
  s=$(date +%s.%N)
  (cd "$OUT" && AWS_ACCESS_KEY_ID=$KF_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$KF_S3_SECRET_KEY AWS_REGION=us-east-1 \
    "$BIN" --kubeconfig "$KF_KUBECONFIG_ADMIN" -n $NS --case-id "$CASE-$mode" -q -o json checkpoint pod big \
    --image "$KF_IMAGE" --pull-policy never --dest "s3://$BUCKET/cases" --endpoint-url "$KF_S3_ENDPOINT" \
    --upload-from "$mode" "${extra[@]}" > "$OUT/report-$mode.json")
  e=$(date +%s.%N)
  python3 -c "print(f'{$e - $s:.2f}')"
}
client=$(s3run client)
node=$(s3run node)
echo "to S3, uploaded by this machine : total $client s (capture through exec, then upload)"
echo "to S3, uploaded from the node   : total $node s (agent streams to S3 while capturing)"
python3 -c "print(f'node / client time ratio         : {$node / $client:.2f} (below 1.0: uploading from the node is faster)')"
$K -n kforensic delete secret kf-bench-s3 >/dev/null
rm -rf "${KF_TESTENV:?}/s3data/$BUCKET"
$K delete namespace $NS --wait=false >/dev/null
rm -rf "$OUT"
