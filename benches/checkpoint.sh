#!/usr/bin/env bash
# benches/checkpoint.sh — `kforensic checkpoint pod` at the speed of the node?
# On the local test cluster (scripts/testenv), one run measures:
#   1. a pod with SIZE MiB in its writable layer (half random, half compressible text) captured end
#      to end by `checkpoint pod` (collector start included), against the work itself on the node:
#      `tar --one-file-system -C /proc/<pid>/root -cf - . | zstd -T0 | sha256sum` — warm caches,
#      then cold (`echo 3 > /proc/sys/vm/drop_caches` before each of the two); ratio and each
#      export stage's share (from the agent's `timings` note); bundle size against one
#      compressed copy. Goals: ratio <= 1.5 warm, <= 2.0 cold; bundle ~ one copy.
#   2. peak RSS (VmHWM) of the agent during the export, of `upload` (client path) and of the
#      agent uploading from the node (goal <= 64 MiB each).
#   3. the memory dump (benches/memory_dump.sh: frozen s/GiB, speed against gcore on the same process).
# Not a test: numbers, no pass/fail.
#   benches/checkpoint.sh [SIZE_MIB]   (default 500; root; builds a release binary unless KF_BENCH_BIN;
#   KF_BENCH_NODE_CONCURRENCY: parts in flight of the node upload, 4; KF_BENCH_SKIP_MEMORY=1: no memory part)
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE=${1:-500}
NODE_CONCURRENCY=${KF_BENCH_NODE_CONCURRENCY:-4}   # --concurrency of the node upload
if [ -n "${KF_BENCH_BIN:-}" ]; then BIN=$KF_BENCH_BIN; else   # KF_BENCH_BIN: an already built binary
  cargo build --release --locked -q; BIN=${CARGO_TARGET_DIR:-target}/release/kforensic; fi
scripts/testenv up >/dev/null
eval "$(scripts/testenv env)"
IMAGE=${KF_TEST_IMAGE:-$KF_IMAGE}
scripts/testenv image "$BIN" "$IMAGE" >/dev/null
K="$KF_KUBECTL --kubeconfig $KF_KUBECONFIG_ADMIN"
NS=kft-bench-ckpt
HALF=$((SIZE / 2))
. benches/pod.sh
busybox_pod $NS big "mkdir -p /data; head -c $((HALF * 1048576)) /dev/urandom > /data/random.bin; seq 100000000 | head -c $((HALF * 1048576)) > /data/counter.txt; echo ready; exec sleep 100000"
CID=$($K -n $NS get pod big -o jsonpath='{.status.containerStatuses[0].containerID}'); CID=${CID#*://}
PID=$(grep -l "$CID" /proc/[0-9]*/cgroup 2>/dev/null | head -1 | cut -d/ -f3)
[ -n "$PID" ] || { echo "cannot find the container's process on this node" >&2; exit 1; }
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
now() { date +%s.%N; }

# the agent's peak RSS while it runs (the collector runs on this node): VmHWM of `kforensic agent run`
watch_agent() {   # also the largest anonymous and file-backed (the binary's code) parts seen
  local max=0 anon=0 file=0 p h a f
  while [ ! -e "$OUT/stop-watch" ]; do
    for p in $(pgrep -f "kforensic agent run" || true); do
      read -r h a f < <(awk '/VmHWM/{h=$2} /RssAnon/{a=$2} /RssFile/{f=$2} END{print h+0, a+0, f+0}' "/proc/$p/status" 2>/dev/null || echo 0 0 0)
      [ "${h:-0}" -gt "$max" ] && max=$h
      [ "${a:-0}" -gt "$anon" ] && anon=$a
      [ "${f:-0}" -gt "$file" ] && file=$f
    done
    echo "$max" > "$OUT/agent-hwm"
    echo "$((anon / 1024)) MiB anonymous, $((file / 1024)) MiB file-backed at most" > "$OUT/agent-parts"
    sleep 0.05
  done
}

baseline() { # seconds of tar | zstd -T0 | sha256sum of the container's root, compressed bytes to $OUT/base.bytes
  local s e
  s=$(now)
  tar --one-file-system -C "/proc/$PID/root" -cf - . 2>/dev/null | zstd -3 -T0 -q -c | tee >(wc -c > "$OUT/base.bytes") | sha256sum >/dev/null
  e=$(now)
  python3 -c "print(f'{$e - $s:.2f}')"
}

capture() { # TAG: seconds of checkpoint pod into $OUT/TAG, report in $OUT/TAG.json, agent peak in $OUT/TAG.hwm
  local tag=$1 s e
  rm -f "$OUT/stop-watch"; watch_agent & local w=$!
  s=$(now)
  "$BIN" --kubeconfig "$KF_KUBECONFIG_ADMIN" -n $NS --case-id "kf-bench-$tag" -q -o json checkpoint pod big \
    --image "$IMAGE" --pull-policy never --dest "$OUT/$tag" > "$OUT/$tag.json"
  e=$(now)
  touch "$OUT/stop-watch"; wait $w; cp "$OUT/agent-hwm" "$OUT/$tag.hwm"
  python3 -c "print(f'{$e - $s:.2f}')"
}

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }

baseline >/dev/null                      # warm the page cache for both alike
base_warm=$(baseline)
ours_warm=$(capture warm)
drop; base_cold=$(baseline)
drop; ours_cold=$(capture cold)

python3 - "$OUT" "$SIZE" "$base_warm" "$ours_warm" "$base_cold" "$ours_cold" <<'PY'
import json, os, re, sys
out, size = sys.argv[1], int(sys.argv[2])
bw, ow, bc, oc = map(float, sys.argv[3:7])
base_bytes = int(open(f"{out}/base.bytes").read())
def bundle(tag):
    r = json.load(open(f"{out}/{tag}.json"))
    d = r["bundle"]
    total = sum(os.path.getsize(os.path.join(p, f)) for p, _, fs in os.walk(d) for f in fs)
    agent = sum(a["bytes"] for a in r["manifest"]["artifacts"] if a["source"] == "agent")
    stages = None
    for a in r["manifest"]["artifacts"]:
        if a["path"].endswith("rootfs.json"):
            stages = json.load(open(os.path.join(d, a["path"])))["stages"]
    steps = {s["step"]: s["seconds"] for s in r["steps"]}
    return r, total, agent, stages, steps
print(f"container writable layer  : {size} MiB (half random, half compressible text)")
for tag, base, ours in (("warm", bw, ow), ("cold", bc, oc)):
    r, total, agent, st, steps = bundle(tag)
    goal = 1.5 if tag == "warm" else 2.0
    print(f"[{tag}] node tar|zstd -T0|sha256sum : {base:.2f} s")
    print(f"[{tag}] kforensic checkpoint pod    : {ours:.2f} s end to end, complete={r['complete']}  "
          f"ratio {ours / max(base, 1e-3):.2f} (goal <= {goal})")
    print(f"[{tag}]   steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items()))
    if st:
        wall = max(st["wall_s"], 1e-3)
        parts = [("read", st["read_s"]), ("tar waiting for zstd", st["walk_wait_s"]), ("compress", st["compress_s"]),
                 ("zstd waiting for the sink", st["compress_wait_s"]), ("sink", st["sink_s"])]
        if "hash_s" in st:
            parts += [("  of it hash", st["hash_s"]), ("  of it send", st["send_s"])]
        print(f"[{tag}]   export {st['wall_s']:.2f} s ({st['zstd_workers']} zstd workers); each stage's busy share of it:")
        for name, v in parts:
            print(f"[{tag}]     {name:<26}: {v:6.2f} s  {100 * v / wall:5.1f} %")
    print(f"[{tag}]   bundle {total / 1e6:.0f} MB (agent artifacts {agent / 1e6:.0f} MB); one compressed copy (zstd -3 -T0) {base_bytes / 1e6:.0f} MB: "
          f"{total / max(base_bytes, 1):.2f} copies")
    print(f"[{tag}]   agent peak RSS during the capture: {int(open(f'{out}/{tag}.hwm').read()) / 1024:.0f} MiB (goal <= 64)")
PY

# uploads: the client path (`upload` of the bundle just made) and the node path (agent streams to S3)
BUCKET=kf-bench-$(date +%H%M%S)
mkdir -p "$KF_TESTENV/s3data/$BUCKET"   # s3s-fs: a bucket is a directory
export AWS_ACCESS_KEY_ID=$KF_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$KF_S3_SECRET_KEY AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
/usr/bin/time -f '%e %M' -o "$OUT/upload.time" "$BIN" -q upload "$OUT/warm/kf-bench-warm" "s3://$BUCKET/client" \
  --endpoint-url "$KF_S3_ENDPOINT" >/dev/null
read -r up_s up_kb < "$OUT/upload.time"
$K create namespace kforensic >/dev/null 2>&1 || true
$K -n kforensic delete secret kf-bench-s3 --ignore-not-found >/dev/null
$K -n kforensic create secret generic kf-bench-s3 --from-literal=AWS_ACCESS_KEY_ID="$KF_S3_ACCESS_KEY" \
  --from-literal=AWS_SECRET_ACCESS_KEY="$KF_S3_SECRET_KEY" --from-literal=AWS_REGION=us-east-1 \
  --from-literal=AWS_EC2_METADATA_DISABLED=true >/dev/null
rm -f "$OUT/stop-watch"; watch_agent & W=$!
s=$(now)
(cd "$OUT" && "$BIN" --kubeconfig "$KF_KUBECONFIG_ADMIN" -n $NS --case-id kf-bench-node -q -o json checkpoint pod big \
  --image "$IMAGE" --pull-policy never --dest "s3://$BUCKET/node" --endpoint-url "$KF_S3_ENDPOINT" \
  --upload-from node --node-credentials-secret kf-bench-s3 --concurrency "$NODE_CONCURRENCY" > "$OUT/node.json")
e=$(now)
touch "$OUT/stop-watch"; wait $W
node_kb=$(cat "$OUT/agent-hwm")
echo "upload (client path)      : $up_s s, peak RSS $((up_kb / 1024)) MiB (goal <= 64)"
python3 -c "print(f'checkpoint --upload-from node ($NODE_CONCURRENCY parts in flight): {$e - $s:.2f} s end to end, agent peak RSS {$node_kb // 1024} MiB (goal <= 64); of it: $(cat "$OUT/agent-parts")')"
$K -n kforensic delete secret kf-bench-s3 >/dev/null
rm -rf "${KF_TESTENV:?}/s3data/$BUCKET"

# the memory dump: frozen time per GiB and speed against gcore, same process, same run
[ -n "${KF_BENCH_SKIP_MEMORY:-}" ] && { $K delete namespace $NS --wait=false >/dev/null; exit 0; }
# through the collector: a process holding 1 GiB (dd's buffer), `checkpoint pod --memory=proc`;
# the cores go to the collector's spool while frozen and through the exec stream after the thaw
busybox_pod $NS mem "(dd if=/dev/urandom bs=1024M count=1 | sleep 100000) & sleep 6; echo ready; exec sleep 100000"
s=$(now)
"$BIN" --kubeconfig "$KF_KUBECONFIG_ADMIN" -n $NS --case-id kf-bench-mem -q -o json checkpoint pod mem --memory=proc \
  --image "$IMAGE" --pull-policy never --dest "$OUT/mem" > "$OUT/mem.json" || true
e=$(now)
python3 - "$OUT/mem/kf-bench-mem/pods/$NS/mem/main/memory.json" "$(python3 -c "print($e - $s)")" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
gib = sum(c["bytes"] for c in m["cores"]) / 2**30
secs = (m.get("freeze") or {}).get("frozen_for", 0) / 1000   # milliseconds
sp = m.get("spool") or {}
print(f"checkpoint --memory=proc: {gib:.2f} GiB of cores in {float(sys.argv[2]):.2f} s end to end; frozen {secs:.2f} s "
      f"= {m.get('frozen_s_per_gib')} s/GiB (goal <= 0.5); {sp.get('cores', 0)} cores spooled, {len(sp.get('streamed', []))} streamed while frozen, "
      f"{sp.get('precopied', 0)} copied while running ({sp.get('rewritten_bytes', 0) / 2**20:.0f} MiB changed by the freeze)")
PY
$K delete namespace $NS --wait=false >/dev/null
echo "memory dump (benches/memory_dump.sh):"
benches/memory_dump.sh
