#!/bin/sh
# The issue's command: goheap-gc, go and boehm on binary-trees in one run,
# each validated; go is a "reference" in run.json and the report.
. "$(dirname "$0")/../harness/lib.sh"
expect_rc 0 "$HB" run --adapters goheap-gc,go,boehm --workloads heap/binary-trees --param max_depth=10 \
    --repetitions 2 --out "$T/r"
[ "$(jq -r '[.results[] | "\(.adapter)=\(.status)"] | join(",")' "$T/r/run.json")" = "goheap-gc=ok,go=ok,boehm=ok" ] ||
    fail "cells: $(jq -r '[.results[] | "\(.adapter)=\(.status)"] | join(",")' "$T/r/run.json")"
[ "$(jq -r '.adapters[] | select(.name == "go") | .kind' "$T/r/run.json")" = reference ] || fail "go is not a reference"
grep -q "go go1[.0-9]* (reference)" "$T/r/report.md" || fail "report.md does not name go as a reference"
grep -q "^| go · heap/binary-trees" "$T/r/report.md" || fail "report.md has no collector row for go"
grep -qF '> **reference:** `go` is a whole language runtime' "$T/r/report.md" || fail "report.md lacks the reference note"
# the pause split: Go tells the time to stop only from 1.22 on; before, n/a, never a number
gov=$(jq -r '.adapters[] | select(.name == "go") | .version' "$T/r/run.json")
gostop=$(jq -r '.results[] | select(.adapter == "go") | .counters.pause_stop_p99_ns' "$T/r/run.json")
case "$gov" in
go1.1[0-9]* | go1.2[01] | go1.2[01].*)
    [ "$gostop" = null ] || fail "$gov reports pause_stop_p99_ns ($gostop) without the metric"
    grep "^| go · heap/binary-trees" "$T/r/report.md" | grep -qF "n/a (Go < 1.22)" || fail "report.md lacks n/a (Go < 1.22)" ;;
*) [ "$gostop" != null ] || fail "$gov has /sched/pauses/stopping/gc but no pause_stop_p99_ns" ;;
esac
expect_rc 0 "$HB" list
grep -q "^go  *reference  *go1" "$T/out" || fail "list does not show go with its version"
echo "ok: goheap-gc, go and boehm in one run"
