#!/bin/sh
# rerun.sh BUILD — a rerunnable whole program (HB_ITERATIONS_RERUNNABLE,
# the concurrent workloads) under the quick preset runs several times per
# repetition, and what it reports stays per run of the program:
#  - `info`: quick gives the rerunnable programs 5 repetitions, the others 7
#    (workloads/presets.c, the policy table)
#  - quick: concurrent/larson (made short with --param) runs more than once
#    per repetition, its repetition lasts the policy's 0.25 s, its items per
#    run are threads x rounds x ops, and its remote_frees (deterministic: the
#    threads' seeds are fixed) equal those of a single run under `full`
#    with the same values
#  - full and classic run it once per repetition
#  - --benchmark_min_time on the command line replaces the policy's time
#    (the policy's shows in the benchmark's name as min_time:0.250)
#  - a whole program that is not rerunnable (heap/churn) still runs once
set -u
B=${1:?usage: $0 BUILD}
T=$(mktemp -d /tmp/hb-rerun-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# bench NAME ARGS...: one repetition of hb-system's JSON into $T/NAME.json.
# The policy's quick values for rerunnable programs (workloads/presets.c).
QUICK_PROGRAM_MIN_TIME=0.25
"$B/hb-system" info >"$T/info.json" || fail "info failed"
bench() {
    name=$1
    shift
    "$B/hb-system" bench --benchmark_repetitions=1 --benchmark_format=json "$@" >"$T/$name.json" 2>"$T/err" ||
        fail "$name: hb-system bench $* exited $?: $(cat "$T/err")"
}
SMALL="--workload concurrent/larson --param threads=2 --param rounds=2 --param ops=3000"
bench quick $SMALL
bench full $SMALL --preset full
bench classic $SMALL --param slots=1000 --param min_size=16 --param max_size=512 --preset classic
bench mintime $SMALL --benchmark_min_time=0.4
bench churn --workload heap/churn

python3 - "$T" "$QUICK_PROGRAM_MIN_TIME" <<'PY'
import json, sys
d, min_time = sys.argv[1], float(sys.argv[2])
def first(name):
    return json.load(open(f"{d}/{name}.json"))["benchmarks"][0]
def check(ok, msg):
    if not ok:
        print("FAIL:", msg, file=sys.stderr)
        sys.exit(1)
reps = {w["name"]: w["preset_repetitions"] for w in json.load(open(f"{d}/info.json"))["workloads"]}
check(reps["concurrent/larson"]["quick"] == 5 and reps["concurrent/larson"]["classic"] == 5,
      f"info: larson's repetitions {reps['concurrent/larson']}, want quick 5, classic 5")
check(reps["heap/churn"]["quick"] == 7, f"info: heap/churn's repetitions {reps['heap/churn']}, want quick 7")
q, f, c, m, ch = (first(n) for n in ("quick", "full", "classic", "mintime", "churn"))
check(q["iterations"] > 1, f"quick larson ran {q['iterations']} time(s) per repetition, want several")
check(q["iterations"] * q["real_time"] >= min_time * 1e9,
      f"quick larson's repetition lasted {q['iterations'] * q['real_time'] / 1e9:.3f} s, want >= {min_time} s")
items = q["items_per_second"] * q["real_time"] / 1e9
check(round(items) == 2 * 2 * 3000, f"quick larson: {items:.0f} items per run, want 2 x 2 x 3000")
check(f["iterations"] == 1 and c["iterations"] == 1,
      f"full/classic ran larson {f['iterations']}/{c['iterations']} times per repetition, want 1/1")
check(f["remote_frees"] > 0, "full larson reported no remote frees")
check(q["remote_frees"] == f["remote_frees"] == c["remote_frees"],
      f"remote_frees per run: quick {q['remote_frees']} ({q['iterations']} runs), full {f['remote_frees']}, "
      f"classic {c['remote_frees']}: want equal")
# not "more runs than quick": two timed runs on a loaded machine can come
# out either way (ctest -j2 failed it once beside the sanitizer builds)
check(m["iterations"] * m["real_time"] >= 0.4e9 and "min_time:" not in m["name"]
      and f"min_time:{min_time:.3f}" in q["name"],
      f"--benchmark_min_time=0.4: {m['iterations']} runs of {m['real_time'] / 1e6:.1f} ms as {m['name']} "
      f"(quick: {q['name']}), want >= 0.4 s and the policy's min_time replaced")
check(ch["iterations"] == 1, f"heap/churn (not rerunnable) ran {ch['iterations']} times per repetition, want 1")
print(f"ok: quick larson {q['iterations']} runs per repetition, remote_frees {q['remote_frees']:.0f} per run")
PY
