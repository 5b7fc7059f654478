#!/bin/sh
# run_classic.sh HEAPBENCH — `heapbench run --preset classic --workloads
# 'concurrent/*'` selects the classic workloads: each classic-derived one
# runs (ok) with the preset's values recorded as its parameters (threads =
# nproc, ...; shrunk here with --param so that the test is short), and the
# concurrent workloads without a classic preset are unsupported cells.
. "$(dirname "$0")/../harness/lib.sh"
N=$(nproc)
"$HB" run --adapters system --preset classic --workloads 'concurrent/*' --repetitions 1 \
    --param rounds=2 --param ops=5000 --param objects=20 --param writes=2000 --param scale=2000 \
    --param queue=4096 --out "$T/r" >"$T/out" 2>"$T/err"
rc=$?
if [ $rc != 0 ] && grep -q "preset takes quick or full" "$T/err"; then
    echo "SKIP: this heapbench run does not take --preset classic yet (harness/cli/cmd_run.c)"
    exit 77
fi
[ $rc = 0 ] || { cat "$T/err" >&2; fail "run --preset classic exited $rc"; }
st() { jq -r --arg w "$1" '.results[] | select(.workload == $w) | .status' "$T/r/run.json"; }
par() { jq -r --arg w "$1" --arg p "$2" '.results[] | select(.workload == $w) | .params[$p]' "$T/r/run.json"; }
for w in larson xmalloc mstress scaling cache-scratch cache-thrash; do
    [ "$(st concurrent/$w)" = ok ] || fail "concurrent/$w: status $(st concurrent/$w), want ok"
done
[ "$(par concurrent/larson threads)" = "$N" ] || fail "larson threads $(par concurrent/larson threads), want nproc $N"
[ "$(par concurrent/larson slots)" = 5000 ] || fail "larson slots not the classic 5000"
[ "$(par concurrent/larson ops)" = 5000 ] || fail "larson ops: the --param override lost"
[ "$(par concurrent/xmalloc threads)" = $((2 * N)) ] || fail "xmalloc threads not 2*nproc"
[ "$(par concurrent/cache-thrash size)" = 1 ] || fail "cache-thrash size not the classic 1"
[ "$(par concurrent/scaling max_size)" = 32768 ] || fail "scaling max_size not the classic 32768"
for w in thread-exit graph-mutators; do
    [ "$(st concurrent/$w)" = unsupported ] || fail "concurrent/$w: status $(st concurrent/$w), want unsupported"
done
echo ok
