# e2e_orphans.sh — SIGKILL of heapbench mid-run leaves no process of it
# alive 2 s later: the running hb-<adapter> child (PR_SET_PDEATHSIG) and,
# for a real program cell, the server it started.
. "$(dirname "$0")/lib.sh"
# descendants PID: every process below PID
descendants() {
    for c in $(ps -o pid= --ppid "$1"); do echo "$c"; descendants "$c"; done
}
# killed_leaves_nothing MIN_PROCS RUN-ARGS...: starts a run, waits until it
# has MIN_PROCS processes below it, SIGKILLs it, checks they are all gone.
killed_leaves_nothing() {
    want=$1; shift
    "$HB" run --adapters system --repetitions 1 --timeout 600 "$@" >"$T/log" 2>&1 &
    pid=$!
    i=0
    while [ $i -lt 600 ]; do
        kids=$(descendants $pid)
        [ "$(echo "$kids" | grep -c .)" -ge "$want" ] && break
        sleep 0.1; i=$((i + 1))
    done
    [ "$(echo "$kids" | grep -c .)" -ge "$want" ] || { kill -KILL $pid; cat "$T/log"; fail "the run never started $want processes"; }
    kids=$(descendants $pid) # the full tree at the moment of the kill
    kill -KILL $pid; wait $pid 2>/dev/null
    sleep 2
    left=""
    for k in $kids; do
        [ -r /proc/$k/cmdline ] && grep -q . /proc/$k/status 2>/dev/null &&
            ! grep -q '^State:.*Z' /proc/$k/status && left="$left $k:$(tr '\0' ' ' </proc/$k/cmdline)"
    done
    [ -z "$left" ] || { for k in $kids; do kill -KILL "$k" 2>/dev/null; done; fail "alive 2 s after heapbench was killed:$left"; }
}
# A cell that runs for minutes (60 s per repetition, after a warm-up).
killed_leaves_nothing 1 --workloads heap/pairs --min-time 60 --out "$T/pairs"
# A real program: hb-system, redis-server and redis-benchmark.
if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
    killed_leaves_nothing 2 --workloads real/redis --param scale=100000000 --out "$T/redis"
fi
# A child whose parent cannot act (stopped) still ends: its own alarm,
# CLI_CHILD_BACKSTOP_S (10 s) past the 1 s timeout; the cell is a timeout.
"$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 60 --timeout 1 --out "$T/stop" \
    >"$T/log" 2>&1 &
pid=$!
i=0
child=""
while [ $i -lt 300 ] && [ -z "$child" ]; do child=$(ps -o pid= --ppid $pid | tr -d ' '); sleep 0.1; i=$((i + 1)); done
kill -STOP $pid
sleep 14
state=$(awk '/^State:/ {print $2}' /proc/$child/status 2>/dev/null)
kill -CONT $pid; wait $pid
[ -z "$state" ] || [ "$state" = Z ] || { kill -KILL "$child"; fail "the child ran on past its backstop (state $state)"; }
jq -e '.results[0].status == "timeout"' "$T/stop/run.json" >/dev/null || fail "the backstopped cell is not a timeout"
echo ok
