#!/bin/sh
# contract_includes.sh SRC — the object API's contract, kept (issue 20):
#
#   1. no workload calls the adapter: no file under workloads/ mentions
#      hb_rt.ad (the active adapter; heapbench/object.h's inline paths are
#      the only callers), except workloads/real/, which names the adapter's
#      preload library for its child program;
#   2. an adapter's header (adapters/*.h) is included only by adapters/ and
#      conformance/faults/ (the deliberately broken adapters);
#   3. no source reaches into another folder with #include "../...": a
#      header shared between folders comes from an include path both sides
#      get (goheap/tests, goheap's own, may include its generator).
#
# Prints each violation as FILE:LINE: what, and exits 1 if there is any,
# 0 if none, 2 on bad usage. SRC is a source tree (the repository root).
set -u
[ $# -eq 1 ] && [ -d "$1/workloads" ] && [ -d "$1/adapters" ] ||
    { echo "usage: contract_includes.sh SRC (a heapbench source tree)" >&2; exit 2; }
src=$1
found=$(mktemp /tmp/hb-contract-XXXXXX)
trap 'rm -f "$found"' EXIT

# The C/C++ sources of the tree, relative to SRC, without build output.
sources() {
    (cd "$src" && find . \( -name '.git' -o -name 'build*' -o -name results \) -prune -o \
        -type f \( -name '*.c' -o -name '*.h' -o -name '*.cc' \) -print) | sed 's|^\./||' | sort
}

# 1. hb_rt.ad in a workload.
sources | grep '^workloads/' | grep -v '^workloads/real/' | while read -r f; do
    grep -n 'hb_rt\.ad\b' "$src/$f" | sed "s|^\([0-9]*\):.*|$f:\1: calls the adapter (hb_rt.ad): use the object API|"
done >>"$found"

# 2. An adapter's header outside adapters/ and conformance/faults/.
headers=$(cd "$src/adapters" && ls *.h 2>/dev/null | sed 's/\./\\./g' | paste -sd'|' -)
if [ -n "$headers" ]; then
    sources | grep -v -e '^adapters/' -e '^conformance/faults/' | while read -r f; do
        grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"<]([^\">]*/)?($headers)[\">]" "$src/$f" |
            sed "s|^\([0-9]*\):.*|$f:\1: includes an adapter's header|"
    done >>"$found"
fi

# 3. #include "../..." (goheap/tests excepted).
sources | grep -v '^goheap/tests/' | while read -r f; do
    grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' "$src/$f" |
        sed "s|^\([0-9]*\):.*|$f:\1: includes through ../ (use an include path)|"
done >>"$found"

if [ -s "$found" ]; then
    cat "$found" >&2
    echo "contract_includes: $(wc -l <"$found") violation(s) of the object-API contract" >&2
    exit 1
fi
echo "contract_includes: workloads use only the object API; adapter headers stay in adapters/ and conformance/faults/"
