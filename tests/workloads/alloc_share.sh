#!/bin/sh
# alloc_share.sh BUILD — every allocating cell reports alloc_share in (0, 1],
# over a manual and a collected adapter, single- and multi-threaded; with
# HB_ALLOC_SHARE=0 it is absent; a workload that is all allocator calls
# (heap/churn) shows a larger share than one that is all writes
# (concurrent/cache-thrash).
set -u
B=${1:?usage: $0 BUILD}
fail() { echo "FAIL: $*" >&2; exit 1; }
# share ADAPTER WORKLOAD ARGS...: the first repetition's alloc_share, or "none".
share() {
    a=$1
    shift
    "$B/hb-$a" bench --benchmark_repetitions=1 --benchmark_format=json --workload "$@" 2>/dev/null |
        python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(b.get("alloc_share", "none"))'
}
in_range() { python3 -c "import sys; v=$1; sys.exit(0 if 0 < v <= 1 else 1)"; }
for a in system boehm; do
    churn=$(share $a heap/churn --param ops=200000) || fail "$a heap/churn did not run"
    larson=$(share $a concurrent/larson --param rounds=2 --param ops=20000) || fail "$a larson did not run"
    thrash=$(share $a concurrent/cache-thrash --param objects=300 --param writes=4000) || fail "$a thrash did not run"
    echo "$a: heap/churn $churn, concurrent/larson $larson, concurrent/cache-thrash $thrash"
    for v in "$churn" "$larson" "$thrash"; do
        [ "$v" != none ] || fail "$a: a cell without alloc_share"
        in_range "$v" || fail "$a: alloc_share $v outside (0, 1]"
    done
    python3 -c "import sys; sys.exit(0 if $churn > $thrash else 1)" ||
        fail "$a: heap/churn's share ($churn) not above cache-thrash's ($thrash)"
done
off=$(HB_ALLOC_SHARE=0 share system heap/churn --param ops=100000)
[ "$off" = none ] || fail "HB_ALLOC_SHARE=0 still reports alloc_share ($off)"
echo ok
