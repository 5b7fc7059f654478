#!/bin/sh
# hardening.sh BUILD_DIR [ADAPTER...] — the hardening matrix: run
# `hb-<adapter> conform --property 'hardening/*'` for each adapter (default:
# every built-in one) and print the markdown table of docs/conformance.md
# ("Hardening"): one row per adapter, one column per probe, each cell the
# verdict (the first word of the property's detail).
#
# hardening.sh --check BUILD_DIR — the ctest: the verdicts that tell the
# libraries apart must hold (a probe that can say "detected" and one that
# can say "not detected", both proven on real libraries):
#   glibc (system) aborts on a double free and on a header overflow;
#   Scudo aborts on a double free, an interior free and a header overflow,
#   and shuffles its blocks; mimalloc and jemalloc detect none of these and
#   hand out blocks in address order.
set -u
check=0
if [ "${1:-}" = --check ]; then check=1; shift; fi
B=${1:?usage: $0 [--check] BUILD_DIR [ADAPTER...]}
shift
ADAPTERS=${*:-system mimalloc tcmalloc jemalloc tbbmalloc goheap scudo boehm goheap-gc}
PROBES="double-free invalid-free-interior invalid-free-foreign write-after-free overflow-header randomized"
fail() { echo "FAIL: $*" >&2; exit 1; }

# verdict ADAPTER PROBE: the first word of the detail ("n/a" when not applicable).
verdict() {
    "$B/hb-$1" conform --property "hardening/$2" 2>/dev/null |
        jq -r 'if .status == "n/a" then "n/a" else (.detail | split(":")[0]) end'
}

if [ $check = 1 ]; then
    want() {
        got=$(verdict "$1" "$2")
        [ "$got" = "$3" ] || fail "hardening/$2 over $1: '$got', expected '$3'"
        echo "ok: $1 hardening/$2: $got"
    }
    want system double-free detected
    want system overflow-header detected
    want system randomized predictable
    want scudo double-free detected
    want scudo invalid-free-interior detected
    want scudo overflow-header detected
    want scudo randomized randomized
    want jemalloc double-free "not detected"
    want jemalloc overflow-header "not detected"
    want jemalloc randomized predictable
    want mimalloc overflow-header "not detected"
    want mimalloc randomized predictable
    [ "$(verdict mimalloc double-free)" != detected ] || fail "mimalloc now detects double frees: update docs/conformance.md"
    exit 0
fi

printf '| adapter |'
for p in $PROBES; do printf ' %s |' "$p"; done
printf '\n|---|'
for p in $PROBES; do printf -- '---|'; done
printf '\n'
for a in $ADAPTERS; do
    printf '| `%s` |' "$a"
    for p in $PROBES; do printf ' %s |' "$(verdict "$a" "$p")"; done
    printf '\n'
done
