#!/bin/sh
# presets.sh BUILD — the `classic` preset, resolved in the child.
#  - `info` lists "presets" per workload; each classic-derived concurrent
#    workload has classic, with nproc resolved to this machine's count;
#    a workload without it lists only quick and full
#  - bench --preset classic runs a classic workload with the preset's values
#    (seen in the items processed, which count threads x ops), --param still
#    overrides them; a workload without classic exits 4 (unsupported) and
#    says so; an unknown preset exits 2 and says what is accepted
set -u
B=${1:?usage: $0 BUILD}
T=$(mktemp -d /tmp/hb-presets-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
N=$(nproc)

"$B/hb-system" info >"$T/info.json" || fail "info failed"
python3 - "$T/info.json" "$N" <<'PY' || fail "info's presets are wrong"
import json, sys
info, n = json.load(open(sys.argv[1])), int(sys.argv[2])
w = {x["name"]: x for x in info["workloads"]}
want = {"concurrent/larson": {"threads": n, "ops": 500000, "slots": 5000, "min_size": 8, "max_size": 1000},
        "concurrent/xmalloc": {"threads": 2 * n, "min_size": 64, "max_size": 64},
        "concurrent/mstress": {"threads": n, "rounds": 25, "transfer": 1000},
        "concurrent/scaling": {"threads": n, "live": 1024, "min_size": 4, "max_size": 32768, "dist": 1},
        "concurrent/cache-scratch": {"threads": n, "objects": 1000, "writes": 2000000, "size": 1},
        "concurrent/cache-thrash": {"threads": n, "objects": 1000, "writes": 2000000, "size": 1}}
for name, vals in want.items():
    got = w[name]["preset_params"].get("classic")
    assert "classic" in w[name]["presets"], name
    assert got and all(got[k] == v for k, v in vals.items()), (name, got, vals)
assert w["heap/churn"]["presets"] == ["quick", "full"], w["heap/churn"]["presets"]
assert "classic" not in w["concurrent/thread-exit"]["presets"]
print("info: classic listed and resolved for", len(want), "workloads")
PY

# items ARGS...: the items the first repetition processed (items/s x time).
items() {
    "$B/hb-system" bench --benchmark_repetitions=1 --benchmark_format=json "$@" 2>"$T/err" |
        python3 -c 'import json,sys; b=json.load(sys.stdin)["benchmarks"][0]; print(round(b["items_per_second"] * b["real_time"] / 1e9))'
}
# larson: items = threads x rounds x ops; classic's threads is nproc.
got=$(items --workload concurrent/larson --preset classic --param rounds=2 --param ops=3000) ||
    fail "larson classic did not run: $(cat "$T/err")"
[ "$got" = $((N * 2 * 3000)) ] || fail "larson classic: items $got, want nproc*2*3000 = $((N * 6000))"
# xmalloc: items = pairs x ops; classic's 2*nproc threads are nproc pairs (one pair below 4 threads).
pairs=$((N >= 2 ? N : 1))
got=$(items --workload concurrent/xmalloc --preset classic --param ops=20000 --param queue=4096) ||
    fail "xmalloc classic did not run: $(cat "$T/err")"
[ "$got" = $((pairs * 20000)) ] || fail "xmalloc classic: items $got, want $pairs pairs x 20000"
# cache-thrash: items = threads x objects x writes.
got=$(items --workload concurrent/cache-thrash --preset classic --param objects=10 --param writes=1000) ||
    fail "cache-thrash classic did not run: $(cat "$T/err")"
[ "$got" = $((N * 10 * 1000)) ] || fail "cache-thrash classic: items $got, want nproc*10*1000"

"$B/hb-system" bench --workload heap/churn --preset classic --benchmark_repetitions=1 >/dev/null 2>"$T/err"
rc=$?
[ $rc = 4 ] || fail "heap/churn under classic exited $rc, want 4 (unsupported)"
grep -q "heap/churn has no 'classic' preset" "$T/err" || fail "unsupported without the reason: $(cat "$T/err")"

"$B/hb-system" bench --workload concurrent/larson --preset clasic >/dev/null 2>"$T/err"
rc=$?
[ $rc = 2 ] || fail "an unknown preset exited $rc, want 2"
grep -q "not 'clasic'" "$T/err" || fail "unknown preset not named: $(cat "$T/err")"
echo ok
