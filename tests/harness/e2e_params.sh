# e2e_params.sh — every workload parameter declares a valid range that
# holds its presets, and an out-of-range --param/--threads exits 2 naming
# the parameter, the range and the workload before any cell runs (in
# `heapbench run` and in the child's own `bench --param`).
. "$(dirname "$0")/lib.sh"
HBS="$(dirname "$HB")/hb-system"
"$HBS" info >"$T/info.json" || fail "hb-system info failed"
jq -e '[.workloads[].params[]] | length > 40' "$T/info.json" >/dev/null || fail "too few parameters listed"
jq -r '.workloads[] | .name as $w | .params[] |
       select((.min | type) != "number" or (.max | type) != "number" or
              .min > .quick or .quick > .max or .min > .full or .full > .max) | "\($w) \(.name)"' \
    "$T/info.json" >"$T/badranges"
[ ! -s "$T/badranges" ] || { cat "$T/badranges" >&2; fail "parameters without a range holding their presets"; }
range() { jq -r --arg w "$1" --arg p "$2" '.workloads[] | select(.name == $w) | .params[] | select(.name == $p) |
          "\(.min)..\(.max)"' "$T/info.json"; }
# check WORKLOAD PARAM VALUE OPTION...: exit 2 with parameter, range, workload
check() {
    w=$1 p=$2 v=$3; shift 3
    expect_rc 2 "$HB" run --adapters system --workloads "$w" --out "$T/x" "$@"
    expect_err "$p=$v is out of range for workload $w: $p takes $(range "$w" "$p")"
    [ ! -e "$T/x" ] || fail "a refused run created its output folder"
}
check heap/pairs size -1 --param size=-1
check heap/pairs live 0 --param live=0
check heap/churn live 9000000000 --param live=9000000000
check concurrent/larson threads 0 --threads 0
check concurrent/larson threads 100000 --threads 2,100000
# In range: accepted.
expect_rc 0 "$HB" run --adapters system --workloads heap/pairs --param live=1 --repetitions 1 --min-time 0.01 --out "$T/ok"
# The child checks too (exit 2, HB_CHILD_USAGE).
expect_rc 2 "$HBS" bench --workload heap/pairs --param live=0
expect_err "live=0 is out of range for heap/pairs: live takes $(range heap/pairs live)"
# A preset neither quick, full nor listed by a selected workload.
expect_rc 2 "$HB" run --adapters system --workloads heap/pairs --preset nosuchpreset
expect_err "--preset 'nosuchpreset'"
echo ok
