#!/usr/bin/env bash
# Evidence benchmarks (not a test; run by hand: `bash benches/evidence.sh`).
#
#  upload: `kforensic upload` of a ~1 GiB bundle vs `aws s3 cp --recursive` of the same directory
#          (awscli from PyPI, in a venv under a temp dir), both against the same private s3s-fs on
#          127.0.0.1, same run. Prints MB/s for each and `ratio` = kforensic / awscli (target >= 1.0).
#          kforensic's time includes what it does on top: verifying the bundle before sending,
#          SHA-256 per part, and the manifest-last ordering.
#  hash:   `kforensic verify` of a bundle holding one large file vs `sha256sum` of that file.
#          Prints MB/s for each and `ratio` = kforensic / sha256sum (target >= 0.95).
#
# Needs python3, cargo, and s3s-fs 0.14.1 (KF_S3S_BIN, or `s3s-fs` on PATH, or the test
# environment's env file; install: cargo install s3s-fs@0.14.1 --locked --features binary).
# Knobs: KF_BENCH_MIB (bundle size, default 1024), KF_BENCH_VENV (reuse a venv that has awscli),
# KF_BENCH_BIN (an already built kforensic instead of `cargo build --release`),
# KF_BENCH_RUNS (runs per tool, best kept, default 2).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MIB=${KF_BENCH_MIB:-1024}
RUNS=${KF_BENCH_RUNS:-2}
P=$(mktemp -d "${TMPDIR:-/tmp}/kf-bench-evidence.XXXXXX")
S3PID=""
cleanup() {
  if [ -n "$S3PID" ]; then kill "$S3PID" 2>/dev/null || true; wait "$S3PID" 2>/dev/null || true; fi
  rm -rf "$P"
}
trap cleanup EXIT
say() { printf '%s\n' "$*" >&2; }

# --- s3s-fs ---------------------------------------------------------------------------------
S3S=${KF_S3S_BIN:-}
if [ -z "$S3S" ] && command -v s3s-fs >/dev/null; then S3S=$(command -v s3s-fs); fi
if [ -z "$S3S" ] && [ -f "${KF_TESTENV:-/tmp/kforensic-testenv}/env" ]; then
  # shellcheck disable=SC1090,SC1091
  S3S=$(. "${KF_TESTENV:-/tmp/kforensic-testenv}/env"; echo "${KF_S3S_BIN:-}")
fi
[ -x "$S3S" ] || { say "s3s-fs not found: set KF_S3S_BIN or cargo install s3s-fs@0.14.1 --locked --features binary"; exit 1; }

# --- binaries -------------------------------------------------------------------------------
if [ -n "${KF_BENCH_BIN:-}" ]; then
  KF=$KF_BENCH_BIN
else
  say "building kforensic (release)"
  (cd "$ROOT" && cargo build --release --quiet)
  KF="$ROOT/target/release/kforensic"
fi
if [ -n "${KF_BENCH_VENV:-}" ] && [ -x "$KF_BENCH_VENV/bin/aws" ]; then
  VENV=$KF_BENCH_VENV
else
  say "installing awscli from PyPI into $P/venv"
  VENV=$P/venv
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check awscli
fi
AWS="$VENV/bin/aws"

# --- a private server -------------------------------------------------------------------------
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$P/s3data"
"$S3S" --host 127.0.0.1 --port "$PORT" --access-key AKIABENCHKEY --secret-key bench-secret "$P/s3data" >"$P/s3s.log" 2>&1 &
S3PID=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.05; done
EP="http://127.0.0.1:$PORT"
printf '[default]\ns3 =\n  addressing_style = path\n' >"$P/aws-config"
export AWS_ACCESS_KEY_ID=AKIABENCHKEY AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 \
  AWS_DEFAULT_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE="$P/aws-config" \
  AWS_SHARED_CREDENTIALS_FILE="$P/no-credentials"
"$AWS" s3 mb s3://bench --endpoint-url "$EP" >/dev/null

# --- bundles ----------------------------------------------------------------------------------
say "making a ${MIB} MiB bundle"
python3 "$ROOT/benches/evidence_make_bundle.py" "$P" "$MIB"
BUNDLE=$P/bundles/bench-case
BYTES=$(du -sb "$BUNDLE" | cut -f1)
"$KF" verify --no-record -q "$BUNDLE" >/dev/null || { say "generated bundle does not verify"; exit 1; }

secs() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.3f}')" "$1" "$2"; }
mbps() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6 / float(sys.argv[2]):.1f}')" "$1" "$2"; }
best=""
best_of() { # best_of NAME CMD... -> prints best seconds over $RUNS runs; clears the server between runs
  local b=""
  for _ in $(seq "$RUNS"); do
    rm -rf "$P/s3data/bench/"*
    local t0 t1 s; t0=$(date +%s.%N); "$@" >/dev/null; t1=$(date +%s.%N); s=$(secs "$t0" "$t1")
    if [ -z "$b" ] || python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$s" "$b"; then b=$s; fi
  done
  echo "$b"
}

say "upload: aws s3 cp --recursive vs kforensic upload, $RUNS run(s) each"
T_AWS=$(best_of "$AWS" s3 cp --recursive --only-show-errors "$BUNDLE" s3://bench/aws/bench-case --endpoint-url "$EP")
# shellcheck disable=SC2086
T_KF=$(best_of "$KF" -q upload "$BUNDLE" s3://bench/kf --endpoint-url "$EP" ${KF_BENCH_KF_ARGS:-})
RSS=$( { /usr/bin/time -f '%M' "$KF" -q upload "$BUNDLE" s3://bench/kf2 --endpoint-url "$EP" ${KF_BENCH_KF_ARGS:-} >/dev/null; } 2>&1 | tail -1 )
"$KF" -q verify s3://bench/kf2/bench-case --endpoint-url "$EP" >/dev/null || { say "uploaded bundle does not verify"; exit 1; }

say "hash: kforensic verify vs sha256sum on the same file"
HB=$P/hash/hash-case
HBYTES=$(stat -c %s "$HB/big.bin")
cat "$HB/big.bin" >/dev/null   # both read from the page cache
T_SUM=$(RUNS=$((RUNS + 1)) best_of sha256sum "$HB/big.bin")
T_VER=$(RUNS=$((RUNS + 1)) best_of "$KF" -q verify --no-record "$HB")

echo "bundle: $BYTES bytes (${MIB} MiB of artifacts in 18 files), s3s-fs on 127.0.0.1, $(nproc) cores"
echo "upload kforensic:        $(mbps "$BYTES" "$T_KF") MB/s ($T_KF s; max RSS $((RSS / 1024)) MiB; default 16 MiB parts x 4)"
echo "upload aws s3 cp:        $(mbps "$BYTES" "$T_AWS") MB/s ($T_AWS s; awscli $("$AWS" --version 2>&1 | cut -d' ' -f1 | cut -d/ -f2))"
echo "upload ratio (kforensic / aws s3 cp): $(python3 -c "print(f'{$T_AWS / $T_KF:.2f}')")  target >= 1.0"
echo "hash kforensic verify:   $(mbps "$HBYTES" "$T_VER") MB/s ($T_VER s)"
echo "hash sha256sum:          $(mbps "$HBYTES" "$T_SUM") MB/s ($T_SUM s)"
echo "hash ratio (kforensic / sha256sum): $(python3 -c "print(f'{$T_SUM / $T_VER:.2f}')")  target >= 0.95"
