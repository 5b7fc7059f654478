#!/bin/sh
# heap/spike-release's RSS counters, the same for the C workload (goheap-gc)
# and its Go port (go): measured against the process's first pre-spike RSS,
# so a later repetition, which starts with the previous one's freed memory
# still resident, does not read 0 (the median over 3 repetitions did); and
# rss_release_ms, the time after the release to RSS within 2x the live
# bytes (-1: not within the window).
. "$(dirname "$0")/../harness/lib.sh"
run() { # KEEP ADAPTERS REPETITIONS
    expect_rc 0 "$HB" run --adapters "$2" --workloads heap/spike-release --repetitions "$3" \
        --param objects=200000 --param keep_permille="$1" --param observe_ms=50 --out "$T/k$1"
}
c() { jq -r --arg a "$1" --arg c "$2" '.results[] | select(.adapter == $a) | .counters[$c]' "$3/run.json"; }
run 50 goheap-gc,go 3
for a in goheap-gc go; do
    peak=$(c $a rss_peak_bytes "$T/k50") live=$(c $a live_bytes "$T/k50") rel=$(c $a rss_release_ms "$T/k50")
    # 200k objects of 16-128 bytes: more than 5 MB of growth at the spike
    [ "$(echo "$peak > 5000000" | bc)" = 1 ] || fail "$a: rss_peak_bytes $peak (relative to the wrong base?)"
    [ "$(echo "$live > 0" | bc)" = 1 ] || fail "$a: live_bytes $live"
    [ "$rel" != null ] || fail "$a: no rss_release_ms"
done
# everything survives, one repetition: RSS growth (the objects, rounded up
# to their size classes) is below 2x the live bytes at the first sample
# (goheap-gc is left out: Google Benchmark's warm-up runs the spike before
# the repetition, so its heap sits at the GOGC=100 goal, 2x marked)
run 1000 system,go 1
for a in system go; do
    rel=$(c $a rss_release_ms "$T/k1000")
    [ "$(echo "$rel >= 0 && $rel < 50" | bc)" = 1 ] || fail "$a: rss_release_ms $rel with every object alive"
done
echo "ok: spike-release's RSS counters in both adapters"
