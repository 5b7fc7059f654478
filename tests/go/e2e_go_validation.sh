#!/bin/sh
# The Go ports validate: HB_GO_CORRUPT=1 damages one node or block (tests
# only) and the cell must fail its validation (exit 3), by hand and through
# heapbench run (exit 1: cells failed); without it the same cells pass.
. "$(dirname "$0")/../harness/lib.sh"
GO="$(dirname "$HB")/hb-go"
expect_rc 3 env HB_GO_CORRUPT=1 "$GO" bench --workload heap/binary-trees --param max_depth=6 --benchmark_out="$T/bt.json"
expect_err "binary-trees: "
expect_err "trees or nodes wrong"
jq -e '.benchmarks[0].error_occurred == true' "$T/bt.json" >/dev/null || fail "no error_occurred in the JSON"
expect_rc 0 "$GO" bench --workload heap/binary-trees --param max_depth=6
expect_rc 3 env HB_GO_CORRUPT=1 "$GO" bench --workload heap/churn --param ops=5000
expect_err "churn: 1 blocks lost their stamp"
expect_rc 1 env HB_GO_CORRUPT=1 "$HB" run --adapters go --workloads heap/binary-trees,heap/churn --repetitions 1 \
    --param max_depth=6 --param ops=5000 --out "$T/r"
[ "$(jq -r '[.results[].status] | join(",")' "$T/r/run.json")" = "failed-validation,failed-validation" ] ||
    fail "statuses: $(jq -r '[.results[].status] | join(",")' "$T/r/run.json")"
echo "ok: Go ports fail validation when corrupted"
