# e2e_rss.sh — RSS over time is sampled by heapbench from /proc/PID/statm,
# not by a thread inside the measured child: a single-threaded workload's
# child holds exactly one thread (a second one would switch glibc malloc,
# the baseline, into multi-threaded mode), and run.json still carries the
# RSS timeline (counters.rss_timeline, rss_sampled_max_bytes), whose peak
# matches the child's own (wait4's ru_maxrss, which the kernel updates
# lazily, so within 10%) and not heapbench's.
. "$(dirname "$0")/lib.sh"
"$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 60 --out "$T/long" >"$T/log" 2>&1 &
pid=$!
i=0
child=""
while [ $i -lt 600 ]; do
    child=$(ps -o pid= --ppid $pid | tr -d ' ')
    [ -n "$child" ] && grep -q "hb-system" /proc/$child/cmdline 2>/dev/null &&
        grep -q "bench_main\|heap/pairs" /proc/$child/cmdline 2>/dev/null && break
    sleep 0.1; i=$((i + 1))
done
[ -n "$child" ] || { kill -TERM $pid; fail "no child appeared"; }
sleep 1 # past start-up: any sampler thread would be running by now
threads=$(awk '/^Threads:/ {print $2}' /proc/$child/status)
kill -TERM $pid; wait $pid
[ "$threads" = 1 ] || fail "the heap/pairs child runs $threads threads, wanted 1 (no sampler thread)"
expect_rc 0 "$HB" run --adapters system --workloads heap/churn --repetitions 2 --rss-sample-ms 5 --out "$T/short"
jq -e '.results[0] | (.counters.rss_timeline | length) >= 2 and .counters.rss_sampled_max_bytes > 0 and
       .counters.rss_sampled_max_bytes <= 1.1 * .peak_rss_bytes and
       .counters.rss_sampled_max_bytes >= 0.5 * .peak_rss_bytes and (.rss_samples | test("^raw/"))' "$T/short/run.json" \
    >/dev/null || fail "run.json lacks the parent-sampled RSS timeline"
# --rss-sample-ms 0: no timeline.
expect_rc 0 "$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 0.01 --rss-sample-ms 0 --out "$T/off"
jq -e '.results[0].counters.rss_timeline == null' "$T/off/run.json" >/dev/null || fail "a timeline with sampling off"
echo ok
