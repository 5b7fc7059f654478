#!/bin/sh
# expect_fail.sh RC TEXT CMD... — pass only when CMD exits with RC and its
# stderr contains TEXT (a fixed string): a failure test that cannot pass on
# the wrong failure (a crash, a different error).
set -u
want=$1 text=$2
shift 2
err=$(mktemp /tmp/hb-expect-fail-XXXXXX)
trap 'rm -f "$err"' EXIT
"$@" >/dev/null 2>"$err"
rc=$?
[ "$rc" -eq "$want" ] || { cat "$err" >&2; echo "FAIL: exit status $rc, wanted $want: $*" >&2; exit 1; }
grep -qF -- "$text" "$err" || { cat "$err" >&2; echo "FAIL: stderr lacks '$text': $*" >&2; exit 1; }
echo "ok: exit $rc, stderr names '$text'"
