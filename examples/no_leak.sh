#!/bin/sh
# no_leak.sh HEAPBENCH HB_SYSTEM — the examples stay in their test-only
# executables: a real adapter (hb-system) links no example/ workload nor
# property, and `heapbench list` (the default --adapters of run, conform
# and make bench) names neither hb-example nor hb-example-fault.
set -u
hb=$1 sys=$2
fail() { echo "FAIL: $*"; exit 1; }
info=$("$sys" info) || fail "$sys info exited $?"
echo "$info" | jq -e '.workloads | length > 0' >/dev/null || fail "$sys info lists no workloads"
echo "$info" | jq -e 'all(.workloads[]; .name | startswith("example/") | not)' >/dev/null ||
    fail "$sys links an example/ workload"
props=$("$sys" conform --list) || fail "$sys conform --list exited $?"
[ -n "$props" ] || fail "$sys conform --list is empty"
echo "$props" | grep -q '"name":"example/' && fail "$sys links an example/ property"
list=$("$hb" list --format json) || fail "heapbench list exited $?"
echo "$list" | jq -e '[.. | objects | select(has("name")) | .name] | any(. == "system")' >/dev/null ||
    fail "heapbench list names no adapter 'system' (format changed?)"
echo "$list" | jq -e '[.. | objects | select(has("name")) | .name] | any(startswith("example")) | not' >/dev/null ||
    fail "heapbench list names an example adapter or workload"
echo "ok: no example in hb-system, its properties, or heapbench list"
