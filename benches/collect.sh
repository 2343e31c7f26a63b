#!/usr/bin/env bash
# Benchmark: `kforensic collect -A` against `kubectl get pods,events,roles,rolebindings,
# clusterroles,clusterrolebindings -A -o json`, same server, same run.
#
# Seeds a dedicated namespace with 10,000 pods that never run (no scheduler picks them up),
# 50,000 events and 2,000 RBAC objects (1,000 of them cluster-scoped, labelled so they can be
# removed), measures both commands (median of RUNS alternating runs), prints both times, the
# ratio and kforensic's peak RSS, then removes everything it created.
#
#   KUBECONFIG=…  KF_KUBECTL=kubectl  KF_BIN=target/release/kforensic  benches/collect.sh
#
# Knobs: PODS, EVENTS, RBAC (total, split in four kinds), RUNS, PARALLEL (concurrent kubectl
# create processes while seeding), KEEP=1 (leave the seed in place).
set -euo pipefail

KUBECTL=${KF_KUBECTL:-kubectl}
BIN=${KF_BIN:-target/release/kforensic}
PODS=${PODS:-10000}
EVENTS=${EVENTS:-50000}
RBAC=${RBAC:-2000}
RUNS=${RUNS:-3}
PARALLEL=${PARALLEL:-8}
CHUNK=500
NS=kforensic-bench-$$
LABEL=kforensic.io/bench=collect-$$

[ -x "$BIN" ] || { echo "kforensic binary $BIN not found: cargo build --release (or set KF_BIN)" >&2; exit 2; }
command -v "$KUBECTL" >/dev/null || { echo "kubectl not found: set KF_KUBECTL" >&2; exit 2; }
K() { "$KUBECTL" ${KUBECONFIG:+--kubeconfig "$KUBECONFIG"} "$@"; }

WORK=$(mktemp -d)
cleanup() {
  if [ "${KEEP:-0}" != 1 ]; then
    echo "cleaning up" >&2
    K delete clusterrolebindings,clusterroles -l "$LABEL" --wait=false >/dev/null 2>&1 || true
    K delete namespace "$NS" --wait=false >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- seed -------------------------------------------------------------------------------
K create namespace "$NS" >/dev/null
for _ in $(seq 1 150); do K -n "$NS" get serviceaccount default >/dev/null 2>&1 && break; sleep 0.2; done

# one List of CHUNK objects per file; $1 = kind of object, $2 = count
gen() {
  awk -v kind="$1" -v n="$2" -v chunk=$CHUNK -v ns="$NS" -v dir="$WORK" -v label="$LABEL" -v pid=$$ '
  function head(f) { printf "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":[" > f }
  BEGIN {
    split(label, lv, "="); lk = lv[1]; lval = lv[2]
    for (i = 0; i < n; i++) {
      if (i % chunk == 0) {
        if (i > 0) { printf "]}\n" > f; close(f) }
        f = sprintf("%s/%s-%05d.json", dir, kind, i / chunk); head(f); sep = ""
      }
      if (kind == "pod")
        o = sprintf("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p-%d\",\"namespace\":\"%s\",\"labels\":{\"app\":\"bench\",\"n\":\"%d\"}},\"spec\":{\"schedulerName\":\"kforensic-bench-none\",\"automountServiceAccountToken\":false,\"containers\":[{\"name\":\"c\",\"image\":\"test.local/busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111\",\"command\":[\"sleep\",\"1000\"],\"securityContext\":{\"runAsUser\":1000,\"allowPrivilegeEscalation\":false}}]}}", i, ns, i)
      else if (kind == "event")
        o = sprintf("{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"e-%d\",\"namespace\":\"%s\"},\"involvedObject\":{\"kind\":\"Pod\",\"namespace\":\"%s\",\"name\":\"p-%d\",\"apiVersion\":\"v1\"},\"reason\":\"Bench\",\"message\":\"benchmark event number %d for collect\",\"type\":\"Normal\",\"source\":{\"component\":\"kforensic-bench\"},\"count\":1}", i, ns, ns, i % 10000, i)
      else if (kind == "role")
        o = sprintf("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"Role\",\"metadata\":{\"name\":\"r-%d\",\"namespace\":\"%s\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"configmaps\"],\"verbs\":[\"get\",\"list\"]}]}", i, ns)
      else if (kind == "rolebinding")
        o = sprintf("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"rb-%d\",\"namespace\":\"%s\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"r-%d\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"default\",\"namespace\":\"%s\"}]}", i, ns, i, ns)
      else if (kind == "clusterrole")
        o = sprintf("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"kforensic-bench-%s-%d\",\"labels\":{\"%s\":\"%s\"}},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]}", pid, i, lk, lval)
      else if (kind == "clusterrolebinding")
        o = sprintf("{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"kforensic-bench-%s-%d\",\"labels\":{\"%s\":\"%s\"}},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"kforensic-bench-%s-%d\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"default\",\"namespace\":\"%s\"}]}", pid, i, lk, lval, pid, i, ns)
      printf "%s%s", sep, o > f; sep = ","
    }
    if (n > 0) { printf "]}\n" > f; close(f) }
  }'
}

t0=$(date +%s)
R=$((RBAC / 4))
gen pod "$PODS"; gen event "$EVENTS"; gen role "$R"; gen rolebinding "$R"; gen clusterrole "$R"; gen clusterrolebinding "$R"
echo "seeding $PODS pods, $EVENTS events, $((R * 4)) RBAC objects into $NS ($PARALLEL kubectl at a time)…" >&2
# roles before bindings (a binding may name a role that does not exist yet, but keep it tidy)
ls "$WORK"/role-*.json "$WORK"/clusterrole-*.json 2>/dev/null | xargs -r -P "$PARALLEL" -n 1 "$KUBECTL" ${KUBECONFIG:+--kubeconfig "$KUBECONFIG"} create -o name -f >/dev/null
ls "$WORK"/pod-*.json "$WORK"/event-*.json "$WORK"/rolebinding-*.json "$WORK"/clusterrolebinding-*.json 2>/dev/null \
  | xargs -r -P "$PARALLEL" -n 1 "$KUBECTL" ${KUBECONFIG:+--kubeconfig "$KUBECONFIG"} create -o name -f >/dev/null
echo "seeded in $(( $(date +%s) - t0 )) s" >&2
rm -f "$WORK"/*.json

# --- measure ----------------------------------------------------------------------------
# prints "<seconds> <peak RSS KiB>"; exit status 3 (partial evidence) counts as a finished run
measure() {
  if [ -x /usr/bin/time ]; then
    local rc=0
    /usr/bin/time -f "%e %M" -o "$WORK/time" "$@" >/dev/null 2>"$WORK/err" || rc=$?
    if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then cat "$WORK/err" >&2; return 1; fi
    tail -n 1 "$WORK/time"
  else
    python3 - "$@" <<'EOF2'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
dt = time.monotonic() - t
if r.returncode not in (0, 3):
    sys.exit(r.returncode)
print(f"{dt:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}")
EOF2
  fi
}
cat > "$WORK/kubectl-get" <<EOF2
#!/bin/sh
exec "$KUBECTL" ${KUBECONFIG:+--kubeconfig "$KUBECONFIG"} get pods,events,roles,rolebindings,clusterroles,clusterrolebindings -A -o json > "$WORK/kubectl.json"
EOF2
chmod +x "$WORK/kubectl-get"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

KF_TIMES=(); KC_TIMES=(); RSS=0
for i in $(seq 1 "$RUNS"); do
  rm -rf "$WORK/ev"
  read -r t rss < <(measure "$BIN" ${KUBECONFIG:+--kubeconfig "$KUBECONFIG"} collect -A -q --dest "$WORK/ev" --case-id "bench-$i" -o json)
  [ -n "${t:-}" ] || { echo "kforensic collect failed" >&2; exit 1; }
  KF_TIMES+=("$t"); [ "$rss" -gt "$RSS" ] && RSS=$rss
  read -r t _ < <(measure "$WORK/kubectl-get")
  [ -n "${t:-}" ] || { echo "kubectl get failed" >&2; exit 1; }
  KC_TIMES+=("$t")
  echo "run $i: kforensic ${KF_TIMES[-1]} s, kubectl $t s" >&2
done
found=$(wc -l < "$WORK/ev/bench-$RUNS/triage/pods.ndjson")
events=$(wc -l < "$WORK/ev/bench-$RUNS/triage/events.ndjson")
findings=$(wc -l < "$WORK/ev/bench-$RUNS/triage/findings.ndjson")
kf=$(printf '%s\n' "${KF_TIMES[@]}" | median)
kc=$(printf '%s\n' "${KC_TIMES[@]}" | median)
echo "objects: pods $found, events $events; findings $findings"
echo "kforensic collect -A: ${kf} s (median of $RUNS; all sources, findings computed)"
echo "kubectl get pods,events,roles,rolebindings,clusterroles,clusterrolebindings -A -o json: ${kc} s"
awk -v a="$kf" -v b="$kc" 'BEGIN { printf "ratio (kforensic / kubectl): %.2f  (target <= 1.0)\n", a / b }'
echo "kforensic peak RSS: $((RSS / 1024)) MiB"
