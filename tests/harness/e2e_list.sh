# e2e_list.sh — `heapbench list --format json`: every adapter built answers
# with a non-empty version, the six external ones included, and workloads
# come with their parameters.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HB" list --format json
for a in system mimalloc tcmalloc jemalloc tbbmalloc boehm; do
    v=$(jq -r --arg a "$a" '.adapters[] | select(.name == $a) | .version' "$T/out")
    [ -n "$v" ] && [ "$v" != null ] || fail "adapter $a missing or without a version"
done
[ "$(jq '.workloads | length' "$T/out")" -ge 1 ] || fail "no workloads"
jq -e '.workloads[] | select(.name == "heap/pairs") | .params[] | select(.name == "size")' "$T/out" >/dev/null ||
    fail "heap/pairs without its size param"
expect_rc 0 "$HB" list
grep -q '^system' "$T/out" || fail "text table lacks system"
expect_rc 2 "$HB" list --format yaml
expect_err "--format"
echo ok
