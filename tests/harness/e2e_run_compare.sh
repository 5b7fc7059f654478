# e2e_run_compare.sh — a tiny run over every adapter built, then compare:
# a run against itself exits 0; against a copy whose times are all 30 %
# higher exits 1; a corrupt file exits 2 naming the file; with 2
# repetitions a side compare says "too few samples", not "no change".
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HB" run --workloads heap/pairs --repetitions 2 --min-time 0.01 --param live=16 --export bmf --out "$T/all"
n=$(cells "$T/all")
na=$("$HB" list --format json | jq '.adapters | length')
[ "$n" = "$na" ] || fail "$n cells for $na adapters"
for f in run.json results.csv report.md bmf.json; do [ -s "$T/all/$f" ] || fail "no $f"; done
jq -e '.results[] | select(.adapter == "system") | select(.status == "ok") | .peak_rss_bytes > 0' "$T/all/run.json" >/dev/null ||
    fail "system cell not ok or without peak RSS"
jq -e '.meta.cpu_model and .meta.kernel and .meta.git_commit and .meta.command_line' "$T/all/run.json" >/dev/null ||
    fail "environment not captured"
jq -e 'to_entries[0].value.latency.value > 0' "$T/all/bmf.json" >/dev/null || fail "bad BMF"
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
grep -q "geometric mean" "$T/cmp.md" || fail "markdown lacks the geometric mean"
expect_rc 0 "$HB" compare "$T/slow" "$T/base"    # faster: an improvement
expect_rc 0 "$HB" compare "$T/base" "$T/slow" --threshold 40%
printf '{"schema": "heapbench-run/1", "results": [' >"$T/corrupt.json"
expect_rc 2 "$HB" compare "$T/base" "$T/corrupt.json"
expect_err "$T/corrupt.json"
# Google Benchmark's own JSON is read too.
raw=$(jq -r '.results[0].raw' "$T/base/run.json")
expect_rc 0 "$HB" compare "$T/base/$raw" "$T/base/$raw"
echo ok
