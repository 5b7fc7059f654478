# e2e_bad_input.sh — bad input gets a clear message naming what and where,
# exit 2, and nothing already on disk is damaged.
. "$(dirname "$0")/lib.sh"
expect_rc 2 "$HB" run --adapters system,nosuch --workloads heap/pairs --out "$T/x"
expect_err "unknown adapter 'nosuch'"
[ ! -e "$T/x" ] || fail "a failed start created its output folder"
expect_rc 2 "$HB" run --adapters system --workloads heap/nosuch --out "$T/x"
expect_err "unknown workload 'heap/nosuch'"
expect_rc 2 "$HB" run --adapters system --workloads heap/pairs --param nosuch=1 --out "$T/x"
expect_err "nosuch"
expect_rc 2 "$HB" run --preset medium
expect_err "--preset"
expect_rc 2 "$HB" run --repetitions zero
expect_err "--repetitions"
mkdir -p "$T/ro" && chmod 555 "$T/ro"
if [ "$(id -u)" != 0 ]; then
    expect_rc 2 "$HB" run --adapters system --workloads heap/pairs --out "$T/ro/run"
    expect_err "$T/ro/run"
fi
expect_rc 2 "$HB" run --adapters system --workloads heap/pairs --out /proc/heapbench-cannot
expect_err "/proc/heapbench-cannot"
# A finished run is never overwritten, and a corrupt one is not resumed.
expect_rc 0 "$HB" run --adapters system --workloads heap/pairs --repetitions 2 --min-time 0.01 --out "$T/done"
sum=$(cat "$T/done/run.json" "$T/done/results.csv" | cksum)
expect_rc 2 "$HB" run --adapters system --workloads heap/pairs --out "$T/done"
expect_err "already holds a run"
[ "$(cat "$T/done/run.json" "$T/done/results.csv" | cksum)" = "$sum" ] || fail "an existing run was changed"
cp -r "$T/done" "$T/corrupt" && printf '{"schema": "heapbench-run/1", "meta": {' >"$T/corrupt/run.json"
sum=$(cksum <"$T/corrupt/run.json")
expect_rc 2 "$HB" run --resume "$T/corrupt"
expect_err "$T/corrupt/run.json"
[ "$(cksum <"$T/corrupt/run.json")" = "$sum" ] || fail "the corrupt run.json was rewritten"
expect_rc 2 "$HB" compare "$T/done" "$T/nothing-here"
expect_err "$T/nothing-here"
expect_rc 2 "$HB" plot "$T/nothing-here"
expect_err "$T/nothing-here"
echo ok
