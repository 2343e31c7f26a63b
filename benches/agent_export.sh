#!/usr/bin/env bash
# Benchmark: the agent's rootfs export (tar + SHA-256, and tar + zstd + SHA-256) against GNU tar
# piped into sha256sum / zstd -T0 on the same synthetic tree, in the same run.
#
#   benches/agent_export.sh            # ~2 GiB in ~20k files (half random, half compressible)
#   KF_BENCH_MIB=256 KF_BENCH_FILES=2000 benches/agent_export.sh   # quick run
#
# Prints MB/s of each, the ratio (baseline time / kforensic time: >= 1.0 means at least as fast)
# and kforensic's peak RSS. Targets: ratio >= 1.0, peak RSS <= 64 MiB.
set -euo pipefail

MIB=${KF_BENCH_MIB:-2048}
FILES=${KF_BENCH_FILES:-20000}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kf-bench-export.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

for t in tar zstd sha256sum python3 /usr/bin/time; do
  command -v "$t" >/dev/null || { echo "benchmark needs $t" >&2; exit 1; }
done

(cd "$ROOT" && cargo build --release --quiet)
KF="$ROOT/target/release/kforensic"

echo "generating $MIB MiB in $FILES files under $WORK/tree ..."
python3 - "$WORK/tree" "$MIB" "$FILES" <<'EOF'
import os, random, sys
root, mib, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = random.Random(42)
total = mib << 20
avg = total // files
# compressible pool: log-like lines with varying numbers
words = [b"GET", b"POST", b"/api/v1/items", b"user=", b"status=200", b"latency_ms=", b"INFO", b"WARN", b"id="]
pool = bytearray()
while len(pool) < (8 << 20):
    pool += b" ".join(rnd.choice(words) + str(rnd.randint(0, 99999)).encode() for _ in range(12)) + b"\n"
written = 0
for i in range(files):
    d = os.path.join(root, f"d{i % 97:02d}", f"s{i % 13:02d}")
    os.makedirs(d, exist_ok=True)
    size = max(1, int(rnd.expovariate(1 / avg)))
    size = min(size, total - written) if i == files - 1 else size
    if i == files - 1:
        size = max(1, total - written)
    with open(os.path.join(d, f"f{i:05d}"), "wb") as f:
        if i % 2:
            f.write(os.urandom(size))
        else:
            off = rnd.randrange(0, len(pool) - 1)
            left = size
            while left > 0:
                chunk = pool[off:off + left]
                f.write(chunk)
                left -= len(chunk)
                off = 0
    written += size
EOF
BYTES=$(du -sb "$WORK/tree" | cut -f1)
echo "tree: $BYTES bytes, $(find "$WORK/tree" -type f | wc -l) files"
tar -cf - -C "$WORK" tree >/dev/null   # warm the page cache for every contender alike

# run NAME CMD...: wall seconds and peak RSS (KiB) of the whole pipeline's biggest process
run() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/$name.time" bash -c "$*" >"$WORK/$name.out" 2>"$WORK/$name.err" ||
    { echo "$name failed:"; cat "$WORK/$name.err"; exit 1; }
  read -r secs rss <"$WORK/$name.time"
  echo "$secs $rss"
}

mbps() { python3 -c "print(f'{$BYTES / 1e6 / max($1, 1e-3):.0f}')"; }

report() {
  local label=$1 ours=$2 base=$3
  read -r s_ours rss_ours <<<"$ours"
  read -r s_base _ <<<"$base"
  local ratio
  ratio=$(python3 -c "print(f'{$s_base / max($s_ours, 1e-3):.2f}')")
  echo "$label: kforensic $(mbps "$s_ours") MB/s (${s_ours}s), baseline $(mbps "$s_base") MB/s (${s_base}s), ratio $ratio (target >= 1.0), kforensic peak RSS $((rss_ours / 1024)) MiB (target <= 64)"
}

# kforensic computes the SHA-256 in-process and prints it; the output itself goes to /dev/null
ours_tar=$(run ours_tar "'$KF' agent export-dir '$WORK/tree' --out /dev/null")
base_tar=$(run base_tar "tar -cf - -C '$WORK' tree | sha256sum")
ours_zst=$(run ours_zst "'$KF' agent export-dir '$WORK/tree' --out '$WORK/ours.tar.zst' --zstd")
base_zst=$(run base_zst "tar -cf - -C '$WORK' tree | zstd -3 -T0 -q -c | tee '$WORK/base.tar.zst' | sha256sum")

# sanity: the archive is complete and its hash is the file's
python3 - "$WORK/ours_zst.out" "$WORK/ours.tar.zst" <<'EOF'
import hashlib, json, sys
r = json.load(open(sys.argv[1]))
h = hashlib.sha256(open(sys.argv[2], "rb").read()).hexdigest()
assert r["sha256"] == h, ("sha256 mismatch", r["sha256"], h)
EOF
echo "compressed sizes: kforensic $(stat -c %s "$WORK/ours.tar.zst") bytes, zstd -T0 $(stat -c %s "$WORK/base.tar.zst") bytes"
report "tar+sha256      " "$ours_tar" "$base_tar"
report "tar+zstd+sha256 " "$ours_zst" "$base_zst"
