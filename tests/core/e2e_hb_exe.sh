#!/bin/sh
# e2e_hb_exe.sh BUILD_DIR ADAPTER — an hb-<adapter> executable's command
# line and exit statuses (heapbench/exitcodes.h): --help / -h / help print
# the real usage on stdout with exit 0; bad usage exits 2 naming what is
# wrong; a selfcheck that fails (glibc's hb-system with another malloc
# preloaded) exits 5, and so does `conform` for a property that applies,
# while a property that does not apply stays n/a (exit 0).
set -u
B=${1:?usage: $0 BUILD_DIR ADAPTER} A=${2:?usage: $0 BUILD_DIR ADAPTER}
X="$B/hb-$A"
T=$(mktemp -d /tmp/hb-exe-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    [ "$got" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "'$*' exited $got, wanted $want"; }
}
expect_out() { grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks '$1'"; }; }
expect_err() { grep -qF -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }; }

for h in --help -h help; do
    expect_rc 0 "$X" $h
    expect_out "usage: hb-$A MODE"
    expect_out "--workload NAME|GLOB"
    expect_out "5 selfcheck failed"
    [ ! -s "$T/err" ] || fail "$h wrote to stderr"
done
expect_rc 0 "$X" bench --help
expect_out "usage: hb-$A MODE"
expect_rc 0 "$X" conform --help
expect_out "usage: hb-<adapter> conform"
expect_rc 2 "$X"
expect_err "usage: hb-$A MODE"
expect_rc 2 "$X" no-such-mode
expect_err "unknown mode 'no-such-mode'"
expect_rc 2 "$X" bench --no-such-flag
expect_err "hb-$A bench: unknown option '--no-such-flag'"
expect_rc 2 "$X" bench --workload
expect_err "missing value for option '--workload'"
expect_rc 2 "$X" bench --preset medium
expect_err "--preset"
expect_rc 2 "$X" conform --property
expect_err "missing value for '--property'"
expect_rc 2 "$X" conform --property no/such-property
expect_err "no property matches"

[ "$A" = system ] || { echo ok; exit 0; }
# The selfcheck protocol: another malloc preloaded into glibc's executable.
pre=$("$B/hb-jemalloc" info | jq -r .preload)
[ -n "$pre" ] && [ "$pre" != null ] || fail "hb-jemalloc info gives no preload library"
expect_rc 0 "$X" selfcheck
expect_rc 5 env LD_PRELOAD="$pre" "$X" selfcheck
expect_err "selfcheck failed"
expect_rc 5 env LD_PRELOAD="$pre" "$X" bench --workload heap/pairs --benchmark_min_time=0.01
expect_err "refusing to run: selfcheck failed"
expect_rc 5 env LD_PRELOAD="$pre" "$X" conform --property malloc/free-null
expect_err "refusing to run: selfcheck failed"
expect_rc 0 env LD_PRELOAD="$pre" "$X" conform --property gc/roots-keep-alive
jq -e '.property == "gc/roots-keep-alive" and .status == "n/a" and (.detail | test("collectors only"))' "$T/out" \
    >/dev/null || { cat "$T/out" >&2; fail "an inapplicable property is not n/a when the selfcheck fails"; }
echo ok
