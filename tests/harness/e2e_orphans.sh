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
echo ok
