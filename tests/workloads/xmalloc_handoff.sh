#!/bin/sh
# xmalloc_handoff.sh BUILD — concurrent/xmalloc hands blocks over in
# batches through a bounded queue, as xmalloc-test does:
#  - the queue holds at most `queue` blocks in whole batches: the reported
#    peak_queued_blocks is a multiple of `batch`, above 0, at most `queue`
#    (4 batches here), and exactly one batch when `queue` < `batch`
#  - a last, partial batch is handed over and checked too: the run
#    validates (a consumer that took a whole batch crashed), items = ops
#  - the hand-off counters are there (waits >= 0, same_cpu_share in [0, 1])
#  - classic keeps xmalloc-test's hand-off: batches of 4096, at most 100 of
#    them (queue = 409600), 64-byte blocks, 2 x nproc threads
set -u
B=${1:?usage: $0 BUILD}
T=$(mktemp -d /tmp/hb-xmalloc-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# one NAME ARGS...: one repetition's JSON record of hb-system into $T/NAME.json
one() {
    name=$1
    shift
    "$B/hb-system" bench --workload concurrent/xmalloc --benchmark_repetitions=1 --benchmark_format=json "$@" \
        >"$T/$name.json" 2>"$T/err" || fail "$name: hb-system bench $* exited $?: $(cat "$T/err")"
    jq '.benchmarks[0]' "$T/$name.json" >"$T/$name" || fail "$name: no JSON record"
}
# holds NAME FILTER MESSAGE: jq FILTER is true of NAME's record
holds() { jq -e "$2" "$T/$1" >/dev/null || fail "$1: $3: $(jq -c '{items_per_second, real_time, peak_queued_blocks, producer_waits, consumer_waits, same_cpu_share}' "$T/$1")"; }

one bound --param ops=200000 --param batch=1000 --param queue=4500
holds bound '.peak_queued_blocks > 0 and .peak_queued_blocks <= 4000 and .peak_queued_blocks % 1000 == 0' \
    "peak_queued_blocks not whole batches of 1000 within queue 4500 (4 batches)"
holds bound '.producer_waits >= 0 and .consumer_waits >= 0 and .same_cpu_share >= 0 and .same_cpu_share <= 1' \
    "hand-off counters missing or out of range"
holds bound '(.items_per_second * .real_time / 1e9 | round) == 200000' "items per run not ops (200000)"

one small --param ops=20000 --param batch=1000 --param queue=10
holds small '.peak_queued_blocks == 1000' "queue < batch: peak_queued_blocks not one batch (1000)"

one partial --param ops=2500 --param batch=1000
holds partial '(.items_per_second * .real_time / 1e9 | round) == 2500' "a partial last batch: items not 2500"

"$B/hb-system" info >"$T/info.json" || fail "info failed"
N=$(nproc)
jq -e --argjson n "$N" '.workloads[] | select(.name == "concurrent/xmalloc") | .preset_params.classic |
    .batch == 4096 and .queue == 409600 and .min_size == 64 and .max_size == 64 and .threads == 2 * $n' \
    "$T/info.json" >/dev/null || fail "classic is not xmalloc-test's hand-off: $(jq -c '.workloads[] |
    select(.name == "concurrent/xmalloc") | .preset_params.classic' "$T/info.json")"
echo ok
