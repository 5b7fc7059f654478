#!/bin/sh
# One cell per Go port through `heapbench run` (small parameters): every
# cell ok, with the collector counters, its effective parameters, the RSS
# samples and the pause event file.
. "$(dirname "$0")/../harness/lib.sh"
W=concurrent/graph-mutators,heap/binary-trees,heap/churn,heap/pairs,heap/spike-release,heap/steady-growth,pooled/buffers-syncpool,pooled/objects-syncpool,stack/tasks
expect_rc 0 "$HB" run --adapters go --workloads "$W" --repetitions 2 --min-time 0.01 --out "$T/r" \
    --param max_depth=8 --param ops=20000 --param live=500 --param objects=20000 --param observe_ms=20 \
    --param entries=1000 --param tasks=300 --param steps=3000 --param nodes=1000
R="$T/r/run.json"
[ "$(cells "$T/r")" = 9 ] || fail "run: $(cells "$T/r") cells, wanted 9"
bad=$(jq -r '.results[] | select(.status != "ok") | "\(.workload) \(.status) \(.message)"' "$R")
[ -z "$bad" ] || fail "cells not ok: $bad"
jq -e '[.results[] | .counters | has("gc_cycles") and has("pause_p99_ns") and has("heap_goal_bytes")] | all' "$R" >/dev/null ||
    fail "a cell lacks the collector counters"
[ "$(jq -r '.results[] | select(.workload == "heap/churn") | .params_effective.ops' "$R")" = 20000 ] ||
    fail "heap/churn did not run with ops=20000"
[ "$(jq -r '.results[] | select(.workload == "heap/binary-trees") | .counters.nodes' "$R")" = 24751 ] ||
    fail "heap/binary-trees max_depth=8: nodes is not 24751 (the C workload's count)"
[ "$(jq -r '.adapters[0].kind' "$R")" = reference ] || fail "run.json: go's kind is not reference"
ev="$T/r/$(jq -r '.results[] | select(.workload == "heap/churn") | .gc_events' "$R")"
grep -q '^R [0-9]* [0-9]*$' "$ev" || fail "no run lines in $ev"
grep -q '^E 0 [0-9]* [0-9]*$' "$ev" || fail "no pause events in $ev"
rs="$T/r/$(jq -r '.results[] | select(.workload == "heap/churn") | .rss_samples' "$R")"
[ -s "$rs" ] || fail "no RSS samples"
echo "ok: every Go port runs and validates"
