#!/bin/sh
# false_sharing.sh BUILD WORKLOAD GOOD... — the false-sharing factor bites.
#
# Over hb-packed (every thread's small blocks in one cache line) WORKLOAD's
# false_sharing_factor must be at least 2x, and at least 1.5 above, the
# factor over each GOOD adapter (per-thread memory), which must stay under
# 1.5. False sharing needs the two threads on two cores at the same time;
# on a shared machine they may not get them, so a miss is retried, and if
# every try misses while a probe shows the two threads did not run in
# parallel (two threads took > 1.6x one thread's time on private writes),
# the test is skipped (exit 77) — it fails only where the cores were free.
set -u
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

# real_time of hb-system's WORKLOAD with THREADS threads (the probe).
walltime() {
    "$B/hb-system" bench --workload "$WL" $ARGS --param "threads=$1" --benchmark_repetitions=3 \
        --benchmark_format=json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin)["benchmarks"]
t = sorted(b["real_time"] for b in d if b.get("run_type") == "iteration")
print(t[len(t) // 2])'
}

for try in 1 2 3 4 5; do
    bad=$(factor packed) || exit 1
    ok=1
    for g in "$@"; do
        good=$(factor "$g") || exit 1
        echo "try $try: $WL false_sharing_factor: packed $bad, $g $good"
        python3 -c "import sys; b, g = $bad, $good; sys.exit(0 if g < 1.5 else 1)" ||
            { echo "FAIL: $g shows false sharing ($good) where it has per-thread memory" >&2; exit 1; }
        python3 -c "import sys; b, g = $bad, $good; sys.exit(0 if b >= 2 * g and b >= g + 1.5 else 1)" || ok=0
    done
    [ $ok = 1 ] && { echo "ok: packed's factor far above the good adapters'"; exit 0; }
done
t1=$(walltime 1)
t2=$(walltime 2)
echo "probe: one thread $t1, two threads $t2 (same work per thread)"
if python3 -c "import sys; sys.exit(0 if $t2 > 1.6 * $t1 else 1)"; then
    echo "SKIP: the two threads did not run in parallel on this machine (loaded): false sharing cannot show"
    exit 77
fi
echo "FAIL: two free cores, yet hb-packed's false_sharing_factor ($bad) is not far above the good adapters'" >&2
exit 1
