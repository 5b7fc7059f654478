#!/bin/sh
# e2e_help_run.sh HEAPBENCH — `heapbench help run` prints run's generated
# help (its cmd_run_spec, harness/cli/cmd_run.c) on stdout and exits 0, the
# same text as `heapbench run --adapters=system --help`.
. "$(dirname "$0")/../harness/lib.sh"
expect_rc 0 "$HB" help run
grep -qF "usage: heapbench run" "$T/out" || { cat "$T/out" "$T/err" >&2; fail "help run lacks 'usage: heapbench run'"; }
cp "$T/out" "$T/help"
expect_rc 0 "$HB" run --adapters=system --help
cmp -s "$T/out" "$T/help" || fail "'run --adapters=system --help' differs from 'help run'"
echo ok
