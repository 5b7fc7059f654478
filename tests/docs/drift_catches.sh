#!/bin/sh
# drift_catches.sh — proves `scripts/gen-docs --check` can fail: on a copy
# of the docs it passes untouched, exits 1 naming the workload when one
# value of a parameter table changes, exits 1 with a clear message when a
# region lost its end marker or a workload lost its region, exits 2 without
# a build; it gives the same answer on one CPU (nothing machine-dependent
# is generated); and the rewrite restores the copy and is idempotent.
# usage: drift_catches.sh PYTHON3 GEN_DOCS BUILD_DIR DOCS_DIR
set -u
PY=$1 GEN=$2 BUILD=$3 DOCS=$4
T=$(mktemp -d /tmp/hb-docs-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect_rc() { # expect_rc RC ARGS...: gen-docs ARGS exits RC (stdout $T/out, stderr $T/err)
    want=$1; shift
    "$PY" "$GEN" "$@" >"$T/out" 2>"$T/err"; got=$?
    [ "$got" = "$want" ] || { cat "$T/out" "$T/err" >&2; fail "gen-docs $* exited $got, wanted $want"; }
}
expect_in() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$1 lacks '$2'"; }; }
fresh() { rm -rf "$T/d"; mkdir "$T/d"; cp "$DOCS/workloads.md" "$DOCS/adapters.md" "$T/d/"; }

# 1. an untouched copy passes (the docs are committed up to date)
fresh
expect_rc 0 --build "$BUILD" --docs "$T/d" --check

# 1b. the same answer with another CPU count (nproc stays symbolic)
if command -v taskset >/dev/null && taskset -c 0 true 2>/dev/null; then
    [ "$(taskset -c 0 nproc)" = 1 ] || fail "taskset -c 0 did not give one CPU"
    "$PY" "$GEN" --build "$BUILD" --docs "$T/d" --check >"$T/out" 2>"$T/err" || {
        cat "$T/out" "$T/err" >&2; fail "--check differs on one CPU: a machine-dependent value in the docs"; }
fi

# 2. one value changed in heap/churn's table: exit 1, the region and the diff named
awk '/params heap\/churn -->/ { r = 1 }
     r && /^\| `/ && !done { sub(/ \| [0-9 ]+ \| /, " | 12345 | "); done = 1 }
     /end generated/ { r = 0 } { print }' "$DOCS/workloads.md" >"$T/d/workloads.md"
cmp -s "$DOCS/workloads.md" "$T/d/workloads.md" && fail "the edit of heap/churn's first parameter did not apply"
expect_rc 1 --build "$BUILD" --docs "$T/d" --check
expect_in "$T/err" "region 'params heap/churn' differs"
grep -q '^-| `[a-z_]*` | 12345 |' "$T/out" || { cat "$T/out" >&2; fail "the diff lacks the edited row"; }
grep -q '^+| `[a-z_]*` | ' "$T/out" || { cat "$T/out" >&2; fail "the diff lacks the generated row"; }
[ "$(grep -c "differs from the build" "$T/err")" = 1 ] || fail "more than heap/churn reported"
cmp -s "$DOCS/workloads.md" "$T/d/workloads.md" && fail "--check rewrote the file it checked"
# the rewrite restores it, and a second rewrite changes nothing
expect_rc 0 --build "$BUILD" --docs "$T/d"
cmp -s "$DOCS/workloads.md" "$T/d/workloads.md" || fail "the rewrite did not restore workloads.md"
expect_rc 0 --build "$BUILD" --docs "$T/d"
grep -q "workloads.md: .* 0 rewritten" "$T/out" || { cat "$T/out" >&2; fail "a second rewrite rewrote regions"; }
cmp -s "$DOCS/workloads.md" "$T/d/workloads.md" || fail "a second rewrite changed workloads.md"

# 3. a region without its end marker: exit 1, the region named, nothing written
fresh
sed -i '/params heap\/pairs -->/,/end generated/ { /end generated/d }' "$T/d/workloads.md"
cp "$T/d/workloads.md" "$T/broken.md"
expect_rc 1 --build "$BUILD" --docs "$T/d" --check
expect_in "$T/err" "region 'params heap/pairs' has no end marker"
expect_rc 1 --build "$BUILD" --docs "$T/d"
expect_in "$T/err" "has no end marker"
cmp -s "$T/broken.md" "$T/d/workloads.md" || fail "a malformed file was rewritten"

# 4. a workload with no region (here: its region deleted): exit 1 naming it
fresh
sed -i '/params heap\/leak -->/,/end generated/d' "$T/d/workloads.md"
expect_rc 1 --build "$BUILD" --docs "$T/d" --check
expect_in "$T/err" "no params region for: heap/leak"

# 5. a changed adapter row: exit 1 naming the adapters region
fresh
sed -i 's/^| `mimalloc` | manual |/| `mimalloc` | collected |/' "$T/d/adapters.md"
expect_rc 1 --build "$BUILD" --docs "$T/d" --check
expect_in "$T/err" "region 'adapters' differs"

# 6. bad usage: no build there, no docs there, no --build
expect_rc 2 --build "$T/nobuild" --docs "$T/d" --check
expect_in "$T/err" "is missing"
expect_rc 2 --build "$BUILD" --docs "$T/nodocs" --check
expect_rc 2 --docs "$T/d" --check
echo "ok: gen-docs --check catches a changed value, a missing end marker, a missing region and a changed adapter"
