# lib.sh — helpers for the end-to-end scripts: a scratch folder removed on
# exit, a private history database, and checks that fail loudly.
set -u
HB=${1:?usage: $0 path/to/heapbench}
T=$(mktemp -d /tmp/hb-e2e-XXXXXX)
trap 'rm -rf "$T"' EXIT
export HB_HISTORY_DB="$T/history.db" HB_RESULTS_DIR="$T/results"
fail() { echo "FAIL: $*" >&2; exit 1; }
# expect_rc RC CMD...: runs CMD, stderr to $T/err, fails unless it exits RC
expect_rc() {
    want=$1; shift
    "$@" >"$T/out" 2>"$T/err"; got=$?
    [ "$got" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "'$*' exited $got, wanted $want"; }
}
# expect_err TEXT: the last command's stderr mentions TEXT
expect_err() { grep -qF -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr lacks '$1'"; }; }
cells() { jq '.results | length' "$1/run.json"; }
