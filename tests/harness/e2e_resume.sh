# e2e_resume.sh — a run killed with SIGKILL half-way keeps the cells it
# finished (run.json is rewritten atomically after each), and --resume
# runs only the rest.
. "$(dirname "$0")/lib.sh"
D="$T/run"
"$HB" run --adapters system,mimalloc --workloads 'heap/*' --repetitions 2 --min-time 0.05 --out "$D" 2>"$T/log" &
pid=$!
i=0
while [ $i -lt 600 ]; do
    [ -f "$D/run.json" ] && [ "$(cells "$D" 2>/dev/null || echo 0)" -ge 2 ] && break
    sleep 0.1; i=$((i + 1))
done
kill -KILL $pid; wait $pid 2>/dev/null
planned=$(jq '.meta.cells_planned' "$D/run.json")
kept=$(cells "$D")
[ "$kept" -ge 2 ] || fail "only $kept cells kept"
[ "$kept" -lt "$planned" ] || fail "the run finished before it was killed ($kept of $planned); nothing to resume"
jq -e '.meta.status == "running"' "$D/run.json" >/dev/null || fail "status should still say running"
first=$(jq -c '.results[0]' "$D/run.json")
expect_rc 0 "$HB" run --resume "$D"
[ "$(cells "$D")" = "$planned" ] || fail "after --resume: $(cells "$D") of $planned cells"
[ "$(jq -c '.results[0]' "$D/run.json")" = "$first" ] || fail "a finished cell was rerun or changed"
[ "$(jq '[.results[].id] | unique | length' "$D/run.json")" = "$planned" ] || fail "duplicate cells"
jq -e '.meta.status == "complete" and (.meta.resumed | length) == 1' "$D/run.json" >/dev/null || fail "meta not updated"
echo ok
