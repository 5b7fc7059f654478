#!/bin/sh
# header_sync_catches.sh ROOT SCRATCH — header_sync.sh must fail on a copy
# that differs: in a scratch copy of include/ and examples/, change one
# line of each header's example in turn (and drop one end marker), and
# require exit 1 naming that header each time; the unchanged copy passes.
set -u
root=$1 scratch=$2
fail() { echo "FAIL: $*"; exit 1; }
fresh() {
    rm -rf "$scratch" && mkdir -p "$scratch/include" &&
        cp -r "$root/include/heapbench" "$scratch/include/" && cp -r "$root/examples" "$scratch/"
}
check=$root/examples/header_sync.sh
fresh && sh "$check" "$scratch" >/dev/null || fail "the unchanged scratch copy does not pass"
for h in adapter workload conform; do
    fresh
    hdr=$scratch/include/heapbench/$h.h
    # the first code line after the first ' * >>> ' marker gets one character more
    awk 'done != 1 && m && /^ \*     ./ { $0 = $0 "x"; done = 1 } /^ \* >>> / { m = 1 } { print }' \
        "$hdr" >"$hdr.new" && mv "$hdr.new" "$hdr"
    out=$(sh "$check" "$scratch") && fail "a changed line in $h.h was not caught"
    echo "$out" | grep -q "FAIL: include/heapbench/$h.h's example differs" || { echo "$out"; fail "no verdict naming $h.h"; }
    echo "ok: a changed line in $h.h is caught"
done
fresh
sed -i '/^\/\/ <<< include\/heapbench\/adapter.h$/d' "$scratch/examples/adapter.c"
out=$(sh "$check" "$scratch") && fail "a missing end marker in examples/adapter.c was not caught"
echo "$out" | grep -q "FAIL: examples/adapter.c has no complete" || { echo "$out"; fail "no verdict naming adapter.c"; }
echo "ok: a missing end marker is caught"
rm -rf "$scratch"
