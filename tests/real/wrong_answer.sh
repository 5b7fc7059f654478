#!/bin/sh
# tests/real/wrong_answer.sh — a real program that prints a wrong answer, or
# exits non-zero, makes its cell failed-validation (hb exit status 3), never
# a time. The programs are made wrong honestly: a copy of the shipped inputs
# (HB_REAL_DIR points the cells at it) in which the Python script adds 1 to
# one of its results and the Lua script exits with status 2 after printing.
# Usage: wrong_answer.sh HB_EXE REPO_INPUTS_DIR WORK_DIR
set -u
exe=$1 inputs=$2 work=$3
rm -rf "$work" && mkdir -p "$work" && cp -R "$inputs"/. "$work"/ || exit 1
sed -i 's/return "records %d %d" % (len(table), total)/return "records %d %d" % (len(table), total + 1)/' \
    "$work/python/alloc.py"
grep -q 'total + 1)' "$work/python/alloc.py" || { echo "FAIL: could not alter alloc.py" >&2; exit 1; }
echo 'os.exit(2)' >> "$work/lua/alloc.lua"
fail=0
check() { # WORKLOAD PARAMS... : expect exit 3 and a validation message
    wl=$1
    shift
    out=$(HB_REAL_DIR=$work "$exe" bench --workload "$wl" --benchmark_repetitions=1 "$@" 2>&1)
    rc=$?
    echo "$out"
    if [ "$rc" -ne 3 ]; then echo "FAIL: $wl exited $rc, expected 3 (failed validation)" >&2; fail=1; fi
    echo "$out" | grep -q "validation failed: $wl" || { echo "FAIL: $wl: no validation message" >&2; fail=1; }
}
check real/python --param scale=2000 --param depth=6
check real/lua --param scale=2000 --param depth=6
# The unaltered inputs still pass: the failure above is the programs', not the check's.
HB_REAL_DIR=$inputs "$exe" bench --workload real/python --param scale=2000 --param depth=6 >/dev/null 2>&1 ||
    { echo "FAIL: real/python with the shipped inputs did not pass" >&2; fail=1; }
rm -rf "$work"
exit $fail
