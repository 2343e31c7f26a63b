#!/usr/bin/env bash
# benches/fleet.sh — a compromised Deployment of N replicas captured with one
# `kforensic checkpoint deploy/NAME` against the peer a responder writes today: a shell loop of N
# `kforensic checkpoint pod NAME` calls. Prints both wall times and their ratio (goal <= 0.5), and
# checks that both produced N complete bundles. On the local test cluster (scripts/testenv).
# Not a test: numbers, no pass/fail.
#   benches/fleet.sh [N]       (default 20; builds a release binary unless KF_BENCH_BIN)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-20}
if [ -n "${KF_BENCH_BIN:-}" ]; then BIN=$KF_BENCH_BIN; else   # KF_BENCH_BIN: an already built binary
  cargo build --release --locked -q; BIN=${CARGO_TARGET_DIR:-target}/release/kforensic; fi
scripts/testenv up >/dev/null
eval "$(scripts/testenv env)"
IMAGE=${KF_TEST_IMAGE:-$KF_IMAGE}
scripts/testenv image "$BIN" "$IMAGE" >/dev/null
K="$KF_KUBECTL --kubeconfig $KF_KUBECONFIG_ADMIN"
NS=kft-bench-fleet
$K create namespace $NS >/dev/null 2>&1 || true
$K apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: $NS}
spec:
  replicas: $N
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: test.local/busybox:1
        command: ["sh", "-c", "echo planted > /tmp/planted.txt; exec sleep 100000"]
YAML
$K -n $NS rollout status deploy/web --timeout=300s >/dev/null
PODS=$($K -n $NS get pods -l app=web -o jsonpath='{.items[*].metadata.name}')
OUT=$(mktemp -d)
KF=("$BIN" --kubeconfig "$KF_KUBECONFIG_ADMIN" -n $NS -q -o json)
FLAGS=(--image "$IMAGE" --pull-policy never --dest "$OUT")
now() { date +%s.%N; }

# the peer: one command per pod, one after another (each starts and deletes its own collector)
CASE=kf-bench-loop-$(date +%H%M%S)
s=$(now)
for p in $PODS; do
  "${KF[@]}" --case-id "$CASE-$p" checkpoint pod "$p" "${FLAGS[@]}" > "$OUT/loop-$p.json"
done
e=$(now)
loop=$(python3 -c "print(f'{$e - $s:.2f}')")
loop_ok=$(cat "$OUT"/loop-*.json | python3 -c 'import json,sys; d=sys.stdin.read().replace("}\n{","}\x00{").split("\x00"); print(sum(json.loads(x)["complete"] for x in d))')

# one command for the whole Deployment
CASE=kf-bench-fleet-$(date +%H%M%S)
s=$(now)
"${KF[@]}" --case-id "$CASE" checkpoint deploy/web "${FLAGS[@]}" > "$OUT/fleet.json"
e=$(now)
fleet=$(python3 -c "print(f'{$e - $s:.2f}')")
fleet_ok=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(sum(p["complete"] for p in r["pods"]))' "$OUT/fleet.json")
"$BIN" verify --no-record -q "$OUT/$CASE" >/dev/null && verified=yes || verified=NO

printf '%-36s: %s\n' "pods" "$N (one node)" \
  "shell loop of $N 'checkpoint pod'" "$loop s, $loop_ok/$N bundles complete" \
  "one 'checkpoint deploy/web'" "$fleet s, $fleet_ok/$N sub-bundles complete, case verifies: $verified" \
  "ratio deploy/web / loop" "$(python3 -c "print(f'{$fleet / $loop:.2f}')") (goal <= 0.5)"
$K delete namespace $NS --wait=false >/dev/null
rm -rf "$OUT"
