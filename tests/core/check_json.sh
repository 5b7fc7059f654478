#!/bin/sh
# check_json.sh RC FILTER CMD... — run CMD and pass only when it exits with
# RC and its stdout is one JSON document on which `jq -e FILTER` holds
# (true, non-null; an empty stdout fails).
# On failure prints which of the two failed, CMD's stderr and the output's
# head, so a test built on it cannot pass on an error message or an empty
# result (issue 11 item 11).
set -u
want=$1 filter=$2
shift 2
out=$(mktemp /tmp/hb-check-json-XXXXXX) err=$(mktemp /tmp/hb-check-json-XXXXXX)
trap 'rm -f "$out" "$err"' EXIT
"$@" >"$out" 2>"$err"
rc=$?
show() { echo "--- stderr:" >&2; tail -n 20 "$err" >&2; echo "--- stdout:" >&2; head -c 2000 "$out" >&2; echo >&2; }
if [ "$rc" -ne "$want" ]; then
    echo "FAIL: exit status $rc, wanted $want: $*" >&2; show; exit 1
fi
# Slurped: an empty stdout is [] and fails, as do several documents.
if ! jq -e -s "length == 1 and (.[0] | $filter)" "$out" >/dev/null 2>"$err.jq"; then
    echo "FAIL: stdout does not satisfy jq '$filter': $*" >&2; cat "$err.jq" >&2; rm -f "$err.jq"; show; exit 1
fi
rm -f "$err.jq"
echo "ok: exit $rc, jq '$filter' holds"
