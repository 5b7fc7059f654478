#!/bin/sh
# hb-go speaks the child protocol: info (name, kind reference, Go version,
# the nine ports supported and their parameters exactly the C workloads'),
# selfcheck, --help, conform --list, and the exit statuses of exitcodes.h.
. "$(dirname "$0")/../harness/lib.sh"
D=$(dirname "$HB"); GO="$D/hb-go"; SYS="$D/hb-system"
PORTS='["concurrent/graph-mutators","heap/binary-trees","heap/churn","heap/pairs","heap/spike-release","heap/steady-growth","pooled/buffers-syncpool","pooled/objects-syncpool","stack/tasks"]'

expect_rc 0 "$GO" info
cp "$T/out" "$T/go.json"
[ "$(jq -r .name "$T/go.json")" = go ] || fail "info: name is not go"
[ "$(jq -r .kind "$T/go.json")" = reference ] || fail "info: kind is not reference"
v=$(go version | awk '{print $3}')
[ "$(jq -r .version "$T/go.json")" = "$v" ] || fail "info: version is not $v (go version)"
[ "$(jq -c '[.workloads[] | select(.supported) | .name]' "$T/go.json")" = "$PORTS" ] ||
    fail "info: supported workloads are $(jq -c '[.workloads[] | select(.supported) | .name]' "$T/go.json")"
jq -e '[.workloads[] | select(.supported | not) | .unsupported_reason | test("not ported")] | all' "$T/go.json" >/dev/null ||
    fail "info: an unsupported workload lacks its reason"
"$SYS" info > "$T/c.json"
for w in $(echo "$PORTS" | jq -r '.[]'); do
    a=$(jq -c --arg w "$w" '.workloads[] | select(.name == $w) | [.params, .presets, .preset_params]' "$T/go.json")
    b=$(jq -c --arg w "$w" '.workloads[] | select(.name == $w) | [.params, .presets, .preset_params]' "$T/c.json")
    [ -n "$a" ] && [ "$a" = "$b" ] || fail "info: $w parameters differ from the C workload's: $a vs $b"
done
[ "$(jq '.workloads | length' "$T/go.json")" = "$(jq '.workloads | length' "$T/c.json")" ] ||
    fail "info: not every C workload is listed"

expect_rc 0 "$GO" selfcheck
grep -q "selfcheck ok: the Go runtime's collector ran cycle" "$T/out" || fail "selfcheck: no proof in '$(cat "$T/out")'"

expect_rc 0 "$GO" --help
grep -q "^usage: hb-go MODE" "$T/out" || fail "--help: no usage on stdout"
expect_rc 2 "$GO"
expect_err "usage: hb-go MODE"
expect_rc 2 "$GO" frobnicate
expect_err "unknown mode 'frobnicate'"

expect_rc 2 "$GO" bench --workload heap/churn --param bogus=1
expect_err "no selected workload has a parameter 'bogus'"
expect_rc 2 "$GO" bench --workload heap/churn --param ops
expect_err "--param takes NAME=INTEGER, not 'ops'"
expect_rc 2 "$GO" bench --workload heap/churn --param live=0
expect_err "--param live=0 is out of range for heap/churn: live takes 1.."
expect_rc 2 "$GO" bench --workload heap/churn --preset nosuch
expect_err "not 'nosuch'"
expect_rc 2 "$GO" bench --workload no/such
expect_err "no workload matches 'no/such'"
expect_rc 2 "$GO" bench --workload
expect_err "missing value for option '--workload'"
expect_rc 2 "$GO" bench --benchmark_frob=1
expect_err "unknown option '--benchmark_frob'"
expect_rc 4 "$GO" bench --workload heap/large
expect_err "heap/large unsupported: not ported to Go"

expect_rc 0 "$GO" conform --list
n=$(wc -l < "$T/out"); c=$("$SYS" conform --list | wc -l)
[ "$n" -gt 0 ] && [ "$n" = "$c" ] || fail "conform --list: $n properties, hb-system has $c"
jq -se 'map(.applicable == false and (.why | test("Go runtime"))) | all' "$T/out" >/dev/null ||
    fail "conform --list: a property is not marked not applicable"
echo "ok: hb-go protocol"
