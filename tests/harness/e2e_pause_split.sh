#!/bin/sh
# The pause split end to end: a goheap-gc cell carries the time to stop the
# world and the pause's own work (pause_stop_*, pause_work_*) in run.json,
# the two sums add up to pause_total_ns, and report.md's collector table
# shows them; a collector that cannot tell (boehm) gets "n/a", never a number.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HB" run --adapters goheap-gc,boehm --workloads heap/binary-trees --param max_depth=12 \
    --repetitions 2 --out "$T/r"
R="$T/r/run.json"
gc() { jq -r --arg a "$1" --arg k "$2" '.results[] | select(.adapter == $a) | .counters[$k] | if type == "array" then .[0] else . end' "$R"; }
for k in pause_stop_p50_ns pause_stop_p99_ns pause_stop_max_ns pause_work_p50_ns pause_work_p99_ns \
         pause_work_max_ns pause_stop_total_ns pause_work_total_ns; do
    v=$(gc goheap-gc $k)
    case "$v" in null | "") fail "goheap-gc has no counter $k: $(jq -c '.results[0].counters' "$R")" ;; esac
    [ "$(gc boehm $k)" = null ] || fail "boehm reports $k, which it cannot know"
done
jq -e '.results[] | select(.adapter == "goheap-gc") | .counters as $c
       | [$c.pause_stop_total_ns, $c.pause_work_total_ns, $c.pause_total_ns] | map(if type == "array" then . else [.] end)
       | transpose | all(.[0] + .[1] == .[2] and .[0] > 0 and .[1] > 0)' "$R" >/dev/null ||
    fail "stop + work != pause total: $(jq -c '.results[] | select(.adapter == "goheap-gc") | .counters' "$R")"
[ "$(gc goheap-gc pause_stop_max_ns)" != 0 ] || fail "goheap-gc stop max is 0"
grep -q "| stop p99 | stop max | work p99 | work max |" "$T/r/report.md" || fail "report.md has no split columns"
grep "^| goheap-gc · heap/binary-trees" "$T/r/report.md" | grep -q "n/a" && fail "goheap-gc row says n/a"
grep "^| boehm · heap/binary-trees" "$T/r/report.md" | grep -qF "| n/a | n/a | n/a | n/a |" ||
    fail "boehm row lacks n/a: $(grep '^| boehm' "$T/r/report.md")"
echo "ok: goheap-gc reports the pause split, boehm says n/a"
