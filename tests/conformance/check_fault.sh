#!/bin/sh
# check_fault.sh HEAPBENCH FAULT — the fault must be caught by the property
# its source names: run `heapbench conform --faults` on it, limited to that
# property, and require exit 0 (caught) and the word "caught" in the output.
set -eu
hb=$1 fault=$2
dir=$(dirname "$hb")
expect=$("$dir/hb-$fault" conform --expect)
out=$("$hb" conform --faults --adapters "$fault" --properties "$expect" --out "${TMPDIR:-/tmp}/hb-cf-$fault.$$") || {
    echo "$out"; echo "FAIL: $fault was not caught by $expect"; exit 1; }
rm -rf "${TMPDIR:-/tmp}/hb-cf-$fault.$$"
echo "$out"
echo "$out" | grep -q "caught  *by $expect" || { echo "FAIL: no verdict for $fault"; exit 1; }
