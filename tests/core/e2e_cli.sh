#!/bin/sh
# e2e_cli.sh HEAPBENCH — the `heapbench` command line itself (issue 11, "The
# CLI, rebuilt"): --version, --help built from the subcommands' option
# tables, `help CMD`, and for each table-driven subcommand (list, conform,
# plot, history, export): --help on stdout with exit 0, `--opt=value` and
# `--opt value` alike, and unknown option / missing value / bad value /
# value given to a flag / ambiguous prefix each named on stderr with exit 2.
. "$(dirname "$0")/../harness/lib.sh"
# expect_out TEXT: the last command's stdout mentions TEXT
expect_out() { grep -qF -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout lacks '$1'"; }; }
# quiet_err: the last command wrote nothing to stderr
quiet_err() { [ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "unexpected stderr"; }; }
# quiet_out: the last command wrote nothing to stdout (errors go to stderr)
quiet_out() { [ ! -s "$T/out" ] || { cat "$T/out" >&2; fail "unexpected stdout"; }; }

# --version: version, commit, build type
expect_rc 0 "$HB" --version
quiet_err
grep -qE '^heapbench [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" || { cat "$T/out" >&2; fail "--version lacks 'heapbench X.Y.Z'"; }
grep -qE '^commit ([0-9a-f]{40}|unknown)' "$T/out" || fail "--version lacks the commit"
grep -qE '^build [A-Za-z]+' "$T/out" || fail "--version lacks the build type"

# --help lists each table-driven subcommand with its spec's summary
expect_rc 0 "$HB" --help
quiet_err
cp "$T/out" "$T/top"
for c in list conform plot history export; do
    expect_rc 0 "$HB" help "$c"
    quiet_err
    expect_out "usage: heapbench $c "
    expect_out "-h, --help"
    summary=$(sed -n 3p "$T/out")
    [ -n "$summary" ] || fail "help $c has no summary line"
    grep -qF -- "$summary" "$T/top" || fail "heapbench --help lacks $c's summary '$summary'"
    # the same help from `CMD --help` and `CMD -h`, after other options too
    cp "$T/out" "$T/help"
    expect_rc 0 "$HB" "$c" --help
    cmp -s "$T/out" "$T/help" || fail "'$c --help' differs from 'help $c'"
    expect_rc 0 "$HB" "$c" -h
    cmp -s "$T/out" "$T/help" || fail "'$c -h' differs from 'help $c'"
    # unknown option: named, on stderr, exit 2
    expect_rc 2 "$HB" "$c" --no-such-option=1
    quiet_out
    expect_err "heapbench $c: unknown option '--no-such-option'"
    expect_err "heapbench help $c"
    expect_rc 2 "$HB" "$c" -Q
    expect_err "heapbench $c: unknown option '-Q'"
done
expect_rc 0 "$HB" list --adapters=system --help
expect_out "usage: heapbench list"
expect_rc 2 "$HB" help no-such-command
expect_err "unknown command 'no-such-command'"
expect_rc 2 "$HB" no-such-command
expect_err "unknown command 'no-such-command'"
expect_rc 2 "$HB"
expect_err "usage: heapbench <command>"

# missing values, bad values, values for flags, ambiguous prefixes
expect_rc 2 "$HB" list --format
expect_err "heapbench list: missing value for option '--format'"
expect_rc 2 "$HB" list --format=yaml
expect_err "heapbench list: --format takes one of text, json, not 'yaml'"
expect_rc 2 "$HB" list stray
expect_err "unexpected argument 'stray'"
expect_rc 2 "$HB" conform --timeout
expect_err "missing value for option '--timeout'"
expect_rc 2 "$HB" conform --timeout=-3
expect_err "--timeout takes a number > 0, not '-3'"
expect_rc 2 "$HB" conform --faults=yes
expect_err "no value allowed for option '--faults'"
expect_rc 2 "$HB" conform --f
expect_err "ambiguous option '--f'"
expect_rc 2 "$HB" conform --format xml
expect_err "--format takes one of table, json, not 'xml'"
expect_rc 2 "$HB" conform --adapters no-such-adapter
expect_err "no executable"
expect_rc 2 "$HB" history --limit
expect_err "missing value for option '--limit'"
expect_rc 2 "$HB" history --limit=0
expect_err "--limit takes an integer from 1 to"
expect_rc 2 "$HB" history --trend system
expect_err "WORKLOAD missing"
expect_rc 2 "$HB" history --plot t.png
expect_err "--plot goes with --trend"
expect_rc 2 "$HB" history --trend system heap/pairs --plot t.gif
expect_err "--plot takes a file name ending in .png or .svg"
expect_rc 2 "$HB" export
expect_err "RUN missing"
expect_rc 2 "$HB" export --format=csv x
expect_err "--format takes one of bmf, not 'csv'"
expect_rc 2 "$HB" export --format bmf a b
expect_err "one run at a time ('b' is extra)"
expect_rc 2 "$HB" plot
expect_err "RUN missing"
expect_rc 2 "$HB" plot --format=png a b
expect_err "one run folder at a time ('b' is extra)"
expect_rc 2 "$HB" plot --baseline
expect_err "missing value for option '--baseline'"

# --opt=value and --opt value both work (and carry the value)
expect_rc 0 "$HB" list --adapters=system --format=json
jq -e '[.adapters[].name] == ["system"] and (.workloads | length) >= 16' "$T/out" >/dev/null ||
    fail "list --adapters=system --format=json: wrong content"
expect_rc 0 "$HB" list --adapters system --format json
jq -e '.adapters[0].name == "system" and (.adapters[0].version | length) > 0' "$T/out" >/dev/null ||
    fail "list --adapters system --format json: wrong content"
jq -e '.workloads[] | select(.name == "heap/pairs") | .params[] | select(.name == "size")' "$T/out" >/dev/null ||
    fail "list: heap/pairs without its size parameter"
expect_rc 2 "$HB" list --adapters=no-such-adapter
expect_err "adapter 'no-such-adapter'"
echo ok
