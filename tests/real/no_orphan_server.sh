#!/bin/sh
# tests/real/no_orphan_server.sh — a real/redis cell that is killed while
# its server runs leaves no redis-server (or redis-benchmark) behind:
#   group:  the harness's timeout kills the cell's whole process group, and
#           the children stay in the hb process's group;
#   single: only the hb process is killed (as `timeout -s KILL` does), and
#           PR_SET_PDEATHSIG takes its children with it.
# Each cell runs in its own session, so only its own processes are looked at.
# Usage: no_orphan_server.sh HB_EXE WORK_DIR
set -u
exe=$1 work=$2
mkdir -p "$work"
# Live (not zombie) processes of session $1 whose command is redis-*.
live() { ps -e -o sess=,stat=,comm= | awk -v s="$1" '$1 == s && $2 !~ /^Z/ && $3 ~ /^redis-/'; }
fail=0
for mode in group single; do
    pidfile=$work/hb.$mode.pid
    rm -f "$pidfile"
    # A request count far beyond what the test waits for: the cell is still
    # running when it is killed.
    setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' sh "$pidfile" \
        "$exe" bench --workload real/redis --param scale=100000000 >/dev/null 2>&1 &
    sid=""
    i=0
    while [ $i -lt 200 ]; do # up to 20 s for the server and the load to be up
        [ -z "$sid" ] && [ -s "$pidfile" ] && sid=$(cat "$pidfile")
        [ -n "$sid" ] && [ "$(live "$sid" | grep -c redis-)" -ge 2 ] && break
        sleep 0.1
        i=$((i + 1))
    done
    if [ -z "$sid" ] || [ "$(live "$sid" | grep -c redis-)" -lt 2 ]; then
        echo "FAIL ($mode): redis-server and redis-benchmark never both ran" >&2
        [ -n "$sid" ] && kill -KILL "-$sid" 2>/dev/null
        fail=1
        continue
    fi
    echo "$mode: running in session $sid:"
    live "$sid"
    if [ "$mode" = group ]; then kill -KILL "-$sid"; else kill -KILL "$sid"; fi
    i=0
    while [ $i -lt 100 ] && [ -n "$(live "$sid")" ]; do sleep 0.1; i=$((i + 1)); done
    if [ -n "$(live "$sid")" ]; then
        echo "FAIL ($mode): left running after the cell was killed:" >&2
        live "$sid" >&2
        kill -KILL "-$sid" 2>/dev/null
        fail=1
    else
        echo "$mode: nothing left running"
    fi
    wait 2>/dev/null
done
exit $fail
