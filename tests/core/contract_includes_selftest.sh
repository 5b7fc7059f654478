#!/bin/sh
# contract_includes_selftest.sh CHECK — proves contract_includes.sh can fail:
# over a small made-up tree it must pass while the tree keeps the contract
# (real/ naming the adapter, a fault including an adapter's header, a header
# included through an include path) and fail, naming each file and line,
# once a workload calls hb_rt.ad, a property includes an adapter's header
# and a harness file includes "../".
set -u
check=$1
tree=$(mktemp -d /tmp/hb-contract-tree-XXXXXX)
trap 'rm -rf "$tree"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

mkdir -p "$tree/workloads/heap" "$tree/workloads/real" "$tree/adapters" "$tree/conformance/faults" \
    "$tree/harness/cli" "$tree/goheap/tests"
printf '#include "heapbench/object.h"\nvoid f(void) { hb_drop(hb_new(8, 0), 8); }\n' >"$tree/workloads/heap/ok.c"
printf 'const void *g(void) { return hb_rt.ad->preload; }\n' >"$tree/workloads/real/r.c"
printf '/* table */\n' >"$tree/adapters/table.h"
printf '#include "table.h"\n' >"$tree/conformance/faults/fault.c"
printf '#include "intarg.h"\n' >"$tree/harness/cli/plan.h"
printf '#include "../tools/gen.c"\n' >"$tree/goheap/tests/t.c"

out=$(sh "$check" "$tree" 2>&1) || fail "a tree that keeps the contract was refused: $out"
echo "ok: clean tree passes"

printf 'void *h(void *p) { return hb_rt.ad->realloc(p, 64); }\n' >"$tree/workloads/heap/bad.c"
printf '#include <stdio.h>\n#include "../adapters/table.h"\n' >"$tree/conformance/prop.c"
printf '#include "../intarg.h"\n' >"$tree/harness/cli/plan.h"
out=$(sh "$check" "$tree" 2>&1)
rc=$?
[ "$rc" -eq 1 ] || fail "exit $rc over a broken tree, wanted 1: $out"
for want in "workloads/heap/bad.c:1: calls the adapter" "conformance/prop.c:2: includes an adapter's header" \
    "harness/cli/plan.h:1: includes through ../" "4 violation(s)"; do
    case $out in *"$want"*) ;; *) fail "output lacks '$want': $out" ;; esac
done
echo "ok: broken tree refused (exit 1), each violation named"
out=$(sh "$check" /nonexistent 2>&1)
[ $? -eq 2 ] || fail "a bad SRC did not exit 2: $out"
echo "ok: bad usage exits 2"
