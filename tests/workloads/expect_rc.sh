#!/bin/sh
# expect_rc.sh RC CMD... — run CMD and succeed only when it exits with RC
# (0 ok, 3 failed validation, 4 unsupported: see harness/bench_main.c).
want=$1
shift
"$@"
rc=$?
if [ "$rc" -ne "$want" ]; then
  echo "expected exit $want, got $rc: $*" >&2
  exit 1
fi
