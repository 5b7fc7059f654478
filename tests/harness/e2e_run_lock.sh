# e2e_run_lock.sh — a run's folder belongs to one heapbench at a time: a
# second run into it and `--resume` of it while its run is going are
# refused (exit 2, naming the folder); two runs started together with
# default folders get one folder each.
. "$(dirname "$0")/lib.sh"
D="$T/busy"
"$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 60 --timeout 200 --out "$D" \
    >"$T/a.out" 2>&1 &
pid=$!
i=0
while [ $i -lt 600 ] && [ ! -f "$D/run.json" ]; do sleep 0.1; i=$((i + 1)); done
[ -f "$D/run.json" ] || { kill -TERM $pid; fail "the first run never wrote run.json"; }
sum=$(cksum <"$D/run.json")
expect_rc 2 "$HB" run --adapters system --workloads heap/pairs --out "$D"
expect_err "$D is in use by another heapbench run"
expect_rc 2 "$HB" run --resume "$D"
expect_err "$D is in use by another heapbench run"
[ "$(cksum <"$D/run.json")" = "$sum" ] || fail "a refused run changed run.json"
kill -TERM $pid; wait $pid
jq -e '.meta.status == "interrupted"' "$D/run.json" >/dev/null || fail "the first run should end interrupted"
# Default folders: two runs at once, two folders, both complete.
"$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 0.01 2>"$T/r1" & p1=$!
"$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 0.01 2>"$T/r2" & p2=$!
wait $p1 || { cat "$T/r1"; fail "first default-folder run failed"; }
wait $p2 || { cat "$T/r2"; fail "second default-folder run failed"; }
runs=$(find "$HB_RESULTS_DIR" -mindepth 2 -maxdepth 2 -name run.json ! -path '*/latest/*')
n=$(echo "$runs" | grep -c .)
[ "$n" = 2 ] || { ls -la "$HB_RESULTS_DIR"/*; fail "two runs wrote $n run folders"; }
for f in $runs; do
    jq -e '.meta.status == "complete" and (.results | length) == 1' "$f" >/dev/null || fail "$f is not a complete run"
done
echo ok
