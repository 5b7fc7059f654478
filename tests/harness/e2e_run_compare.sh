# e2e_run_compare.sh — a tiny run over every adapter built, then compare:
# a run against itself exits 0; against a copy whose times are all 30 %
# higher exits 1; a corrupt file exits 2 naming the file; with 2
# repetitions a side compare says "too few samples", not "no change".
# Each cell records the parameters its child ran with (params_effective)
# and the CV of its repetitions (run.json, results.csv); runs with other
# parameters are not comparable. (Verdict rules on hand-made runs:
# e2e_compare_verdicts.sh.)
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HB" run --workloads heap/pairs --repetitions 2 --min-time 0.01 --param live=16 --export bmf --out "$T/all"
n=$(cells "$T/all")
na=$("$HB" list --format json | jq '.adapters | length')
[ "$n" = "$na" ] || fail "$n cells for $na adapters"
for f in run.json results.csv report.md bmf.json; do [ -s "$T/all/$f" ] || fail "no $f"; done
jq -e '.results[] | select(.adapter == "system") | select(.status == "ok") | .peak_rss_bytes > 0' "$T/all/run.json" >/dev/null ||
    fail "system cell not ok or without peak RSS"
jq -e '.meta.cpu_model and .meta.kernel and .meta.os and .meta.git_commit and .meta.command_line' "$T/all/run.json" >/dev/null ||
    fail "environment not captured"
jq -e 'to_entries[0].value.latency.value > 0' "$T/all/bmf.json" >/dev/null || fail "bad BMF"
jq -e '[.results[] | select(.status == "ok")] | length > 0 and
    all(.params_effective == .params and .params_effective.live == 16)' "$T/all/run.json" >/dev/null ||
    fail "ok cells lack the params_effective their child ran with"
jq -e '[.results[] | select(.status == "ok")] | all(.real_time_ns.cv >= 0 and .cpu_time_ns.cv >= 0)' \
    "$T/all/run.json" >/dev/null || fail "ok cells lack the CV of their repetitions"
head -1 "$T/all/results.csv" | grep -q ',real_time_cv,cpu_time_cv$' || fail "results.csv lacks the CV columns"
expect_rc 0 "$HB" compare "$T/all" "$T/all"
grep -q "too few samples" "$T/out" || fail "2 vs 2 repetitions should say too few samples"

# Deterministic samples: 100..104 ns, then the same 30 % higher.
expect_rc 0 "$HB" run --adapters system,mimalloc --workloads heap/pairs --repetitions 5 --min-time 0.01 --out "$T/base"
jq '.results |= map(.real_time_ns.samples = [100,101,102,103,104] | .real_time_ns.median = 102)' \
    "$T/base/run.json" >"$T/b.json" && mv "$T/b.json" "$T/base/run.json"
mkdir "$T/slow"
jq '.results |= map(.real_time_ns.samples |= map(. * 1.3) | .real_time_ns.median *= 1.3)' "$T/base/run.json" >"$T/slow/run.json"
expect_rc 0 "$HB" compare "$T/base" "$T/base"
expect_rc 1 "$HB" compare "$T/base" "$T/slow" --markdown "$T/cmp.md"
grep -q REGRESSION "$T/out" || fail "no REGRESSION line"
grep -q "Geometric mean of new/base" "$T/cmp.md" || fail "markdown lacks the geometric mean"
expect_rc 0 "$HB" compare "$T/slow" "$T/base"    # faster: an improvement
expect_rc 0 "$HB" compare "$T/base" "$T/slow" --threshold 40%
printf '{"schema": "heapbench-run/1", "results": [' >"$T/corrupt.json"
expect_rc 2 "$HB" compare "$T/base" "$T/corrupt.json"
expect_err "$T/corrupt.json"
# Cells run with other parameters (live=16 against the preset's) are not
# comparable: nothing compared, exit 2, never a regression.
expect_rc 2 "$HB" compare "$T/base" "$T/all"
grep -q "not comparable (live .* → 16)" "$T/out" || fail "live=16 cells not called not comparable"
grep -q "NOTHING COMPARED" "$T/out" || fail "no 'nothing compared' verdict"
! grep -q REGRESSION "$T/out" || fail "a REGRESSION across different parameters"
# Google Benchmark's own JSON is read too; two single-adapter files of
# different adapters are matched by workload, and compare says so.
raw=$(jq -r '.results[0].raw' "$T/base/run.json")
expect_rc 0 "$HB" compare "$T/base/$raw" "$T/base/$raw"
raw2=$(jq -r '.results[1].raw' "$T/base/run.json")
expect_rc 0 "$HB" compare "$T/base/$raw" "$T/base/$raw2" --threshold 1000%
grep -q "matched by workload name alone: two single-adapter Google Benchmark files" "$T/out" ||
    fail "workload-name matching not announced"
echo ok
