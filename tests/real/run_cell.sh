#!/bin/sh
# tests/real/run_cell.sh — run one real/ cell and require it to be "ok":
# exit status 0, no Google Benchmark error (a skip for a missing program or
# a refused preload also exits 0, so the JSON is checked), and the
# program's peak RSS reported.
# Usage: run_cell.sh HB_EXE WORKLOAD [--param NAME=VALUE ...]
set -u
exe=$1 wl=$2
shift 2
out=$("$exe" bench --workload "$wl" --benchmark_repetitions=1 --benchmark_format=json "$@" 2>&1)
rc=$?
echo "$out"
[ "$rc" -eq 0 ] || { echo "FAIL: $exe bench $wl exited $rc, expected 0" >&2; exit 1; }
echo "$out" | grep -q '"error_occurred": true' && { echo "FAIL: $wl reported an error" >&2; exit 1; }
echo "$out" | grep -Eq '"program_peak_rss_bytes": [1-9]' ||
    { echo "FAIL: $wl reported no program_peak_rss_bytes" >&2; exit 1; }
echo "$out" | grep -q "\"name\": \"$wl/" || { echo "FAIL: $wl did not run" >&2; exit 1; }
exit 0
