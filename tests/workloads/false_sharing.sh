#!/bin/sh
# false_sharing.sh BUILD WORKLOAD GOOD... — the false-sharing factor bites.
#
# Over hb-packed (every thread's small blocks in one cache line) WORKLOAD's
# false_sharing_factor must be at least 1.5x, and at least 0.5 above, the
# factor over each GOOD adapter (per-thread memory), which must stay under
# 1.3. (On a quiet 16-core Xeon the same measurement gave about 2.0 for the
# packed placement and 1.00-1.03 for malloc's with two threads, 4.4-4.9
# with eight: docs/validity.md.)
#
# False sharing needs the two threads on two cores with private caches at
# the same time, which a shared machine may not give them (and two virtual
# CPUs that are one core's hyperthreads never do). So each try is
# bracketed by hb-fs-probe (two threads storing to and loading from one
# line vs two lines, no allocator): a try counts only if both probes saw a
# slowdown of at least 1.8x. Any counted or uncounted try that passes
# passes; three counted tries that all miss fail; otherwise (the machine
# could not show false sharing) the test is skipped, exit 77.
set -u
# Two threads, each on its own core, beside the test's own process: fewer
# than 4 CPUs cannot give that reliably (a loaded 2-core box read 1.3-1.5
# for per-thread memory), so the test does not claim a verdict there.
if [ "$(nproc)" -lt 4 ]; then
    echo "SKIP: $(nproc) CPUs; false sharing needs two otherwise idle cores (>= 4 CPUs)"
    exit 77
fi
B=${1:?usage: $0 BUILD WORKLOAD GOOD...}
WL=${2:?}
shift 2
ARGS="--param threads=2 --param objects=1500 --param writes=4000 --param size=8"

# factor ADAPTER: the median false_sharing_factor over 3 repetitions.
factor() {
    "$B/hb-$1" bench --workload "$WL" $ARGS --benchmark_repetitions=3 \
        --benchmark_format=json 2>"$B/fs-$1.err" | python3 -c '
import json, sys
d = json.load(sys.stdin)["benchmarks"]
f = sorted(b["false_sharing_factor"] for b in d if b.get("run_type") == "iteration")
assert f, "no false_sharing_factor counter"
print(f[len(f) // 2])' || { cat "$B/fs-$1.err" >&2; echo "FAIL: no factor from hb-$1" >&2; exit 1; }
}

# probe: hb-fs-probe's slowdown, and whether it is at least 1.8.
probe_ok() {
    p=$("$B/hb-fs-probe") || { echo "FAIL: hb-fs-probe failed" >&2; exit 1; }
    echo "probe: two threads on one line vs two lines, no allocator: ${p}x"
    python3 -c "import sys; sys.exit(0 if $p >= 1.8 else 1)"
}

counted=0
for try in 1 2 3 4 5 6; do
    before=0
    probe_ok && before=1
    bad=$(factor packed) || exit 1
    ok=1
    for g in "$@"; do
        good=$(factor "$g") || exit 1
        echo "try $try: $WL false_sharing_factor: packed $bad, $g $good"
        python3 -c "import sys; b, g = $bad, $good; sys.exit(0 if g < 1.3 else 1)" ||
            { ok=0; echo "try $try: $g shows a factor of $good where it has per-thread memory"; }
        python3 -c "import sys; b, g = $bad, $good; sys.exit(0 if b >= 1.5 * g and b >= g + 0.5 else 1)" || ok=0
    done
    [ $ok = 1 ] && { echo "ok: packed's factor far above the good adapters'"; exit 0; }
    if [ $before = 1 ] && probe_ok; then
        counted=$((counted + 1))
        if [ $counted -ge 3 ]; then
            echo "FAIL: the machine showed false sharing around $counted tries, yet hb-packed's false_sharing_factor ($bad) was never far above the good adapters'" >&2
            exit 1
        fi
    fi
done
echo "SKIP: false sharing did not show on this machine around the tries (loaded, or CPUs sharing a cache)"
exit 77
