# e2e_run_status.sh — `heapbench run` as a CI gate: exit 1 when a cell
# failed validation, crashed or timed out (a memory-corrupting allocator
# must not pass a job that checks only the exit code), 0 when cells are
# only unsupported, 2 for bad usage before any cell runs.
. "$(dirname "$0")/lib.sh"
# hb-corrupt flips a byte in one block in a thousand: heap/churn catches it.
expect_rc 1 "$HB" run --adapters corrupt --workloads heap/churn --repetitions 1 --min-time 0.01 --out "$T/bad"
expect_err "failed-validation"
expect_err "exit 1"
jq -e '.results[0].status == "failed-validation" and .meta.status == "complete"' "$T/bad/run.json" >/dev/null ||
    fail "run.json should record the failed cell and a complete run"
# A cell killed at its timeout fails the run too.
expect_rc 1 "$HB" run --adapters system --workloads heap/pairs --repetitions 1 --min-time 30 --timeout 1 --out "$T/slow"
expect_err "timeout"
jq -e '.results[0].status == "timeout"' "$T/slow/run.json" >/dev/null || fail "the cell should be a timeout"
# Unsupported is not a failure: system has no collector.
expect_rc 0 "$HB" run --adapters system --workloads concurrent/graph-mutators --out "$T/unsup"
jq -e '[.results[].status] == ["unsupported"]' "$T/unsup/run.json" >/dev/null || fail "expected one unsupported cell"
# Bad usage: exit 2, nothing created; --opt=value works.
expect_rc 2 "$HB" run --adapters=system --bogus --out "$T/usage"
expect_err "unknown option '--bogus'"
[ ! -e "$T/usage" ] || fail "bad usage created the output folder"
expect_rc 2 "$HB" run --adapters=system --repetitions=0
expect_err "--repetitions takes an integer 1..1000, not '0'"
expect_rc 0 "$HB" run --adapters=system --help
grep -q -- "--resume DIR" "$T/out" || fail "run --help lacks --resume"
echo ok
