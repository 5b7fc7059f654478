#!/bin/sh
# trace_roundtrip.sh BUILD_DIR — record a real program's allocations with
# libhb_trace.so under LD_PRELOAD, check the trace's shape, and replay it
# with heap/replay on hb-system (and hb-boehm when built).
set -eu
build=$1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# A real program: ls (a binary, not a wrapper script that would consume
# HB_TRACE_OUT before exec'ing the program).
HB_TRACE_OUT="$out/ls.trace" LD_PRELOAD="$build/libhb_trace.so" /bin/ls -la /usr/bin >/dev/null
head -1 "$out/ls.trace" | grep -q '^# heapbench trace v1'
allocs=$(grep -c '^[ac] ' "$out/ls.trace")
frees=$(grep -c '^f ' "$out/ls.trace")
echo "recorded $allocs allocations, $frees frees"
[ "$allocs" -gt 50 ] && [ "$frees" -gt 10 ]
# Every line: OP ID SIZE THREAD.
if grep -v '^#' "$out/ls.trace" | grep -qv '^[acrf] [0-9][0-9]* [0-9][0-9]* [0-9][0-9]*$'; then
  echo "malformed trace line" >&2
  exit 1
fi
for a in system boehm; do
  [ -x "$build/hb-$a" ] || continue
  HB_TRACE="$out/ls.trace" "$build/hb-$a" bench --workload heap/replay --param loops=20 \
    --benchmark_repetitions=1
done
