#!/bin/sh
# expect.sh RC TEXT CMD... — pass only when CMD exits with RC and its output
# (stdout and stderr together) contains TEXT, a fixed string: a test of the
# examples that cannot pass on the wrong success or the wrong failure.
set -u
want=$1 text=$2
shift 2
out=$("$@" 2>&1)
rc=$?
[ "$rc" -eq "$want" ] || { echo "$out"; echo "FAIL: exit status $rc, wanted $want: $*"; exit 1; }
case $out in
*"$text"*) echo "ok: exit $rc, output names '$text'" ;;
*) echo "$out"; echo "FAIL: output lacks '$text': $*"; exit 1 ;;
esac
