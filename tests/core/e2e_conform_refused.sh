#!/bin/sh
# e2e_conform_refused.sh HEAPBENCH — issue 12 item 5: when hb-system refuses
# to start (its selfcheck fails because jemalloc is preloaded), `heapbench
# conform` reports the properties that do not apply to a malloc-family
# adapter as n/a with the reason, those that apply as selfcheck-failed
# ("not checked"), never crashed nor rule violations, and exits 1.
. "$(dirname "$0")/../harness/lib.sh"
B=$(dirname "$HB")
pre=$("$B/hb-jemalloc" info | jq -r .preload)
[ -n "$pre" ] && [ "$pre" != null ] || fail "hb-jemalloc info gives no preload library"
props='gc/roots-keep-alive,gc/pool-get-put,malloc/sized-free,malloc/free-null,malloc/no-overlap'
expect_rc 1 env LD_PRELOAD="$pre" "$HB" conform --adapters system --properties "$props" --out "$T/cf"
J="$T/cf/conformance.json"
status() { jq -r --arg p "$1" '.matrix[] | select(.property == $p) | .status' "$J"; }
detail() { jq -r --arg p "$1" '.matrix[] | select(.property == $p) | .detail' "$J"; }
for p in gc/roots-keep-alive gc/pool-get-put; do
    [ "$(status $p)" = n/a ] || fail "$p: '$(status $p)', wanted n/a"
    detail $p | grep -q "collectors only" || fail "$p: n/a without its reason: $(detail $p)"
done
[ "$(status malloc/sized-free)" = n/a ] || fail "malloc/sized-free (a capability system lacks): '$(status malloc/sized-free)'"
detail malloc/sized-free | grep -q "capability" || fail "malloc/sized-free: no reason: $(detail malloc/sized-free)"
for p in malloc/free-null malloc/no-overlap; do
    [ "$(status $p)" = selfcheck-failed ] || fail "$p: '$(status $p)', wanted selfcheck-failed"
    detail $p | grep -q "selfcheck failed" || fail "$p: detail lacks the selfcheck message: $(detail $p)"
done
jq -e '[.matrix[] | select(.status == "crashed" or .status == "fail")] | length == 0' "$J" >/dev/null ||
    fail "a refused cell was reported crashed or failed"
grep -qF "0 rule violations, 2 cells not checked (adapter refused to start)" "$T/out" ||
    { cat "$T/out" >&2; fail "the summary does not separate unchecked cells from violations"; }
grep -q "^## Not checked" "$T/cf/conformance.md" || fail "conformance.md lacks its 'Not checked' section"
sed -n '/^## Rule violations/,/^## Not checked/p' "$T/cf/conformance.md" | grep -qx "None." ||
    fail "conformance.md lists a rule violation"
# Without the preload the same cells run and pass: exit 0.
expect_rc 0 "$HB" conform --adapters system --properties "$props" --out "$T/cf2"
jq -e '[.matrix[] | select(.property | startswith("malloc/free-null", "malloc/no-overlap")) | .status] == ["pass", "pass"]' \
    "$T/cf2/conformance.json" >/dev/null || fail "without the preload the applicable cells do not pass"
echo ok
