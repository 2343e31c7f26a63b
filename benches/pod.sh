# Sourced by the benches: busybox_pod NS NAME SCRIPT runs SCRIPT in a new busybox pod NAME of
# namespace NS (replacing one of that name) and returns once the script has printed "ready".
# Needs $K (kubectl with the test cluster's admin kubeconfig).
busybox_pod() {
  local ns=$1 name=$2 script=$3
  $K create namespace "$ns" >/dev/null 2>&1 || true
  $K -n "$ns" delete pod "$name" --ignore-not-found --grace-period=1 >/dev/null
  python3 -c 'import json, sys; print(json.dumps({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": sys.argv[1], "namespace": sys.argv[2]},
    "spec": {"terminationGracePeriodSeconds": 1, "containers": [{"name": "main",
      "image": "test.local/busybox:1", "command": ["sh", "-c", sys.argv[3]]}]}}))' "$name" "$ns" "$script" |
    $K apply -f - >/dev/null
  until $K -n "$ns" logs "$name" 2>/dev/null | grep -q ready; do sleep 0.5; done
}
