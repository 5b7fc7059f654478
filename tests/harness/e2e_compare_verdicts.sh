# e2e_compare_verdicts.sh — `heapbench compare` verdicts on hand-made runs
# (fixtures/compare_base.json: system and mimalloc × heap/pairs and
# heap/churn, 5 repetitions each, samples spread 4 %). Each variant is the
# fixture changed by one jq filter, so every check isolates one rule:
# issue 11 items 1-4 (each failed on the code before this test), the exit
# statuses 0/1/2 of each failure class, --metric rss/cpu, --format json,
# noisy cells, and the checker proven both ways (×1.3 caught, identical
# runs pass).
. "$(dirname "$0")/lib.sh"
FX="$(dirname "$0")/fixtures/compare_base.json"
B="$T/base"
mkdir "$B" && cp "$FX" "$B/run.json"
# mk NAME FILTER: $T/NAME/run.json = the fixture through the jq FILTER
mk() { mkdir -p "$T/$1" && jq "$2" "$FX" >"$T/$1/run.json" || fail "jq filter for $1"; }
has() { grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks '$1'"; }; }
hasnt() { ! grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout has '$1'"; }; }
slow='.results |= map(.real_time_ns.samples |= map(. * 1.3) | .real_time_ns.median *= 1.3)'

# ---- the checker both ways ----
expect_rc 0 "$HB" compare "$B" "$B"
has "verdict: no significant regression (exit 0)"
has "compared: 4 of 4 cell(s)"
hasnt REGRESSION
mk slow "$slow"
expect_rc 1 "$HB" compare "$B" "$T/slow"
has "REGRESSION (4): system · heap/pairs"
has "verdict: FAILED: 4 regression(s), 0 broken in NEW, 0 missing from NEW (exit 1)"
has "threshold 5%: a cell is a regression when NEW's median real time is more than 5% above BASE's"
expect_rc 0 "$HB" compare "$T/slow" "$B"           # faster: an improvement
has improvement
expect_rc 0 "$HB" compare "$B" "$T/slow" --threshold=40%
has "threshold 40%"
expect_rc 0 "$HB" compare "$B" "$T/slow" --metric cpu   # only real time changed
has "metric: CPU time"

# ---- item 1: cells match on the effective parameters, not only overrides ----
# Same preset, but NEW ran heap/churn with live=1000000 (e.g. the preset
# table changed) and is 100× slower: not comparable, never a regression.
mk bigger '.results |= map(if .workload == "heap/churn" then .params_effective.live = 1000000
  | .real_time_ns.samples |= map(. * 100) | .real_time_ns.median *= 100 else . end)'
expect_rc 0 "$HB" compare "$B" "$T/bigger"
has "not comparable (live 10000 → 1000000)"
has "not comparable: parameters differ (2): system · heap/churn (live 10000 → 1000000)"
hasnt REGRESSION
# The issue's case: a quick run against a full run, every cell different.
mk full '.meta.preset = "full" | .results |= map(.params_effective.live *= 100
  | .real_time_ns.samples |= map(. * 100) | .real_time_ns.median *= 100)'
expect_rc 2 "$HB" compare "$B" "$T/full" --allow-env-change
has "differs: preset"
has "NOTHING COMPARED"
has "not comparable (live 64 → 6400)"
hasnt REGRESSION
# Old run.json files without params_effective: preset + overrides, said so.
old='del(.results[].params_effective)'
mk old "$old"
mk oldfull "$old | .meta.preset = \"full\" | $slow"
expect_rc 2 "$HB" compare "$T/old" "$T/oldfull" --allow-env-change
has "not comparable (preset quick → full)"
hasnt REGRESSION
mk oldslow "$old | $slow"
expect_rc 1 "$HB" compare "$T/old" "$T/oldslow"
has "4 cell(s) matched on preset + --param overrides, not on effective parameters: BASE and NEW have no params_effective"
mk oldov "$old | .results[0].overrides = {\"live\": 16}"
expect_rc 0 "$HB" compare "$T/old" "$T/oldov"
has "not comparable (live (unset) → 16)"

# ---- item 2: no fallback to workload names for run.json files ----
mk others '.adapters = [{"name":"jemalloc","version":"5.3.0"},{"name":"boehm","version":"8.2.2"}]
  | .results |= map(.adapter = (if .adapter == "system" then "jemalloc" else "boehm" end))'
expect_rc 2 "$HB" compare "$B" "$T/others"
has "MISSING from NEW (4): system · heap/pairs; mimalloc · heap/pairs; system · heap/churn; mimalloc · heap/churn"
has "only in NEW (4): jemalloc · heap/pairs; boehm · heap/pairs"
has "NOTHING COMPARED"
hasnt "→ jemalloc"
hasnt REGRESSION

# ---- item 3: nothing compared, interrupted, missing, broken ----
mk empty '.meta.status = "interrupted" | .results = []'
expect_rc 2 "$HB" compare "$B" "$T/empty"
has "NEW run incomplete: its status is 'interrupted'"
has "MISSING from NEW (4)"
has "verdict: NOTHING COMPARED"
mk partial 'del(.results[3])'
expect_rc 1 "$HB" compare "$B" "$T/partial"
has "MISSING from NEW (1): mimalloc · heap/churn"
has "0 regression(s), 0 broken in NEW, 1 missing from NEW (exit 1)"
mk crashed '.results[1] |= (.status = "crashed" | .message = "killed by signal 11" | del(.real_time_ns, .cpu_time_ns))'
expect_rc 1 "$HB" compare "$B" "$T/crashed"
has "BROKEN: ok in BASE, not ok in NEW (1): mimalloc · heap/pairs (crashed in NEW)"
mk interrupted '.meta.status = "interrupted"'
expect_rc 1 "$HB" compare "$B" "$T/interrupted"
has "NEW run incomplete: its status is 'interrupted'"
has "NEW run incomplete (exit 1)"
expect_rc 0 "$HB" compare "$T/interrupted" "$B"     # an incomplete BASE is said, not a failure
has "note: BASE run is interrupted: the cells it lacks are not compared"
mk allcrashed '.results |= map(.status = "crashed" | del(.real_time_ns, .cpu_time_ns))'
expect_rc 2 "$HB" compare "$B" "$T/allcrashed"   # nothing compared, whatever else holds
has "BROKEN: ok in BASE, not ok in NEW (4)"
has "NOTHING COMPARED: no cell of BASE has a comparable, measured cell in NEW; also FAILED: 0 regression(s), 4 broken in NEW"
has "NOTHING COMPARED"

# ---- item 4: the environment difference comes first; it can block ----
mk otherhost '.meta.host = "box-b" | .meta.kernel = "Linux 6.9.0 x86_64"'
expect_rc 2 "$HB" compare "$B" "$T/otherhost"
has "differs: host               box-a → box-b  (blocks the verdict)"
has "differs: kernel             Linux 6.1.0 x86_64 → Linux 6.9.0 x86_64"
has "verdict: ENVIRONMENT CHANGED: 1 difference(s)"
env_line=$(grep -n "^environment:" "$T/out" | cut -d: -f1)
cell_line=$(grep -n "^cell " "$T/out" | cut -d: -f1)
[ "$env_line" -lt "$cell_line" ] || fail "the environment is not printed first"
expect_rc 0 "$HB" compare "$B" "$T/otherhost" --allow-env-change
has "(accepted: --allow-env-change)"
has "verdict: no significant regression (exit 0)"
mk newlib '.adapters[1].version = "2.1.2"'
expect_rc 2 "$HB" compare "$B" "$T/newlib"
has "differs: mimalloc version   2.0.9 → 2.1.2  (blocks the verdict)"
mk busy '.meta.warnings = ["the machine is busy (1-minute load average 3.10 on 2 cores): timings will be noisy"]'
expect_rc 0 "$HB" compare "$T/busy" "$T/busy"
has "warning in BASE: the machine is busy"
grep -A1 "^verdict:" "$T/out" | grep -qF "machine busy while BASE and NEW ran" || fail "busy warning not beside the verdict"
expect_rc 1 "$HB" compare "$B" "$T/slow" --format markdown
has "**verdict: FAILED"
hasnt "differs"

# ---- --metric rss: peak RSS growth is a regression ----
mk fat '.results |= map(.peak_rss_bytes *= 1.5)'
expect_rc 0 "$HB" compare "$B" "$T/fat"
expect_rc 1 "$HB" compare "$B" "$T/fat" --metric rss
has "REGRESSION (4)"
has "no significance test"
expect_rc 0 "$HB" compare "$B" "$T/fat" --metric=rss --threshold 60%

# ---- --format json: the same verdicts, for machines ----
expect_rc 1 "$HB" compare "$B" "$T/partial" --format json
jq -e '.schema == "heapbench-compare/1" and .exit_code == 1 and .outcome == "failed" and .counts.missing == 1 and .counts.compared == 3
  and ([.cells[] | select(.kind == "missing")] | .[0].cell == "mimalloc · heap/churn")' "$T/out" >/dev/null ||
    fail "json of a missing cell"
expect_rc 2 "$HB" compare "$B" "$T/otherhost" --format=json
jq -e '.exit_code == 2 and .outcome == "env-changed" and
  (.environment.differences[] | select(.field == "host") | .blocking)' "$T/out" >/dev/null ||
    fail "json lacks the blocking host difference"
expect_rc 2 "$HB" compare "$B" "$T/empty" --format json
jq -e '.outcome == "nothing-compared" and .counts.compared == 0 and .counts.new_incomplete' "$T/out" >/dev/null ||
    fail "json of an empty, interrupted NEW"
expect_rc 1 "$HB" compare "$B" "$T/slow" --format json --markdown "$T/cmp.md"
jq -e '.counts.regressions == 4 and all(.cells[]; .regression and .verdict == "REGRESSION")' "$T/out" >/dev/null ||
    fail "json regressions"
grep -q "Geometric mean" "$T/cmp.md" || fail "--markdown file lacks the geometric mean"

# ---- noisy cells: a verdict that rests on CV > 5 % says so ----
mk noisy '.results[0].real_time_ns.samples = [80, 100, 120, 90, 110]'
expect_rc 0 "$HB" compare "$B" "$T/noisy"
has "noisy: 1 verdict(s) rest on cells whose repetitions vary by more than 5% (CV): system · heap/pairs"
grep -A2 "^verdict:" "$T/out" | grep -qF "noisy: 1 of the 4 verdicts rest on cells" || fail "noisy not beside the verdict"
expect_rc 0 "$HB" compare "$B" "$T/noisy" --format json
jq -e '[.cells[] | select(.noisy)] | length == 1 and .[0].cv_new > 0.15' "$T/out" >/dev/null || fail "json noisy"

# ---- bad usage ----
expect_rc 2 "$HB" compare "$B"
expect_err "needs two runs"
expect_rc 2 "$HB" compare "$B" "$B" --metric wall
expect_err "--metric takes real, cpu or rss, not 'wall'"
expect_rc 2 "$HB" compare "$B" "$B" --format yaml
expect_err "--format takes text, markdown or json"
expect_rc 0 "$HB" compare --help
has "--allow-env-change"
echo ok
