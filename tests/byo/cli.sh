#!/bin/sh
# cli.sh BUILD_DIR CASE — `--adapters NAME=PATH` through build/heapbench
# (harness/cli/adapter_resolve.c), one ctest per CASE. Each case checks exit
# statuses and messages, never timings (except `compare`, whose slow build
# is ~3x slower per malloc: a margin no load hides over 10 repetitions).
#
#   run        system,tiny=libtiny.so over heap/*: every cell ok, and tiny's
#              identity (path, size, sha256, build-id, version) in run.json
#   conform    tiny passes every rule; traits reported; identity recorded
#   fault      the misaligning tiny (a preload library) is caught: exit 1,
#              alignment/max-align-t failing, through NAME=PATH
#   compare    BASE tiny=libtiny.so vs NEW tiny=libtiny_slow.so: REGRESSION,
#              "tiny library changed" with both identities; history keeps two series
#   twobuilds  old=libtiny.so,new=libtiny_slow.so in one run: both ok
#   bad        each bad NAME=PATH exits 2 before any cell, naming the library
#   resume     --resume re-resolves NAME=PATH from run.json; a library
#              rebuilt since (another sha256) exits 2, naming it
#   exec       exec --adapters system,tiny=libtiny.so -- /bin/true: tiny's library served it
set -u
B=${1:?usage: $0 BUILD_DIR CASE}
CASE=${2:?usage: $0 BUILD_DIR CASE}
T=$(mktemp -d /tmp/hb-byo-cli-XXXXXX)
trap 'rm -rf "$T"' EXIT
export HB_RESULTS_DIR=$T/results HB_HISTORY_DB=$T/history.db
HB=$B/heapbench TINY=$B/libtiny.so SLOW=$B/libtiny_slow.so
fail() { echo "FAIL: $CASE: $*" >&2; exit 1; }
# hb ARGS...: run heapbench; stdout $T/out, stderr $T/err, status $rc
hb() { "$HB" "$@" >"$T/out" 2>"$T/err"; rc=$?; }
want_rc() { [ "$rc" = "$1" ] || { cat "$T/out" "$T/err" >&2; fail "exit $rc, wanted $1"; }; }
has() { grep -qF -- "$2" "$T/$1" || { cat "$T/$1" >&2; fail "$1 lacks '$2'"; }; }
jqeq() { got=$(jq -r "$2" "$1") || fail "jq '$2' on $1"; [ "$got" = "$3" ] || fail "$2 = '$got', wanted '$3'"; }

case $CASE in
run)
    hb run --adapters "system,tiny=$TINY" --workloads 'heap/*' --repetitions 1 --min-time 0.01 --out "$T/r"
    want_rc 0
    has err "0 not ok"
    R=$T/r/run.json
    jqeq "$R" '[.results[] | select(.status != "ok")] | length' 0
    jqeq "$R" '[.results[] | select(.adapter == "tiny")] | length' "$(jq '[.results[] | select(.adapter == "system")] | length' "$R")"
    jqeq "$R" '.adapters[1].library.path' "$(realpath "$TINY")"
    jqeq "$R" '.adapters[1].library.size' "$(stat -c %s "$(realpath "$TINY")")"
    jqeq "$R" '.adapters[1].library.sha256' "$(sha256sum "$TINY" | cut -d' ' -f1)"
    jqeq "$R" '.adapters[1].library.build_id' 74696e79000000000000000000000000000000ff
    jqeq "$R" '.adapters[1].library.version' 'unknown (build-id 74696e79000000000000000000000000000000ff)'
    jqeq "$R" '.adapters[0].library' null
    jqeq "$R" '.meta.config.adapters[1]' "tiny=$(realpath "$TINY")"
    ;;
conform)
    hb conform --adapters "tiny=$TINY" --out "$T/c"
    want_rc 0
    has out "0 rule violations"
    J=$(ls "$T"/c/*.json | head -1)
    jqeq "$J" '[.matrix[] | select(.status == "fail" or .status == "crashed" or .status == "timeout") | select(.kind == "rule")] | length' 0
    jqeq "$J" '.adapters[0].library.sha256' "$(sha256sum "$TINY" | cut -d' ' -f1)"
    [ "$(jq '[.matrix[] | select(.status == "pass")] | length' "$J")" -gt 10 ] || fail "fewer than 10 passes"
    grep -q "hardening/" "$T/out" || fail "no hardening traits reported"
    ;;
fault)
    hb conform --adapters "mis=$B/libtiny_misalign.so" --properties 'alignment/*' --out "$T/c"
    want_rc 1
    has out "mis alignment/max-align-t: fail: malloc(16) = "
    has out "expected 16 (alignof(max_align_t))"
    ;;
compare)
    for x in base:$TINY new:$SLOW; do
        hb run --adapters "tiny=${x#*:}" --workloads heap/churn --param ops=20000 --repetitions 10 --min-time 0.01 --out "$T/${x%%:*}"
        want_rc 0
    done
    hb compare "$T/base" "$T/new"
    want_rc 1
    has out "REGRESSION (1): tiny · heap/churn"
    has out "tiny library changed: sha256 $(sha256sum "$TINY" | cut -d' ' -f1) → sha256 $(sha256sum "$SLOW" | cut -d' ' -f1)"
    has out "BASE: sha256 $(sha256sum "$TINY" | cut -d' ' -f1) ($(realpath "$TINY"), "
    has out "NEW:  sha256 $(sha256sum "$SLOW" | cut -d' ' -f1) ($(realpath "$SLOW"), "
    hb history --trend tiny "heap/churn ops=20000"
    want_rc 2
    has err "a NAME=PATH library is a series per build: tiny@"
    hb history --trend "tiny@$(sha256sum "$SLOW" | cut -c1-12)" "heap/churn ops=20000"
    want_rc 0
    ;;
twobuilds)
    hb run --adapters "old=$TINY,new=$SLOW" --workloads heap/pairs --repetitions 1 --min-time 0.01 --out "$T/r"
    want_rc 0
    jqeq "$T/r/run.json" '[.results[] | select(.status == "ok") | .adapter] | join(",")' old,new
    jqeq "$T/r/run.json" '.adapters[1].library.path' "$(realpath "$SLOW")"
    ;;
bad)
    # bad SPEC MESSAGE: exit 2, the message, and no run folder written
    bad() {
        hb run --adapters "system,$1" --workloads heap/churn --out "$T/bad"
        want_rc 2
        has err "heapbench run: --adapters $2"
        [ ! -e "$T/bad" ] || fail "$1: a run folder was written"
    }
    printf 'not a library\n' >"$T/text.so"
    bad "x=$T/none.so" "x=$T/none.so: no such file"
    bad "y=$T/text.so" "y=$T/text.so: is not an ELF file"
    bad "n=$B/libhb_nomalloc.so" "n=$B/libhb_nomalloc.so: does not export malloc"
    bad "mimalloc=$TINY" "'mimalloc=$TINY': 'mimalloc' is a built-in adapter"
    bad "c=$B/libhb_crash_at_load.so" "c=$B/libhb_crash_at_load.so: crashed at load: Segmentation fault"
    bad "h=$B/libtiny_half.so" "h=$B/libtiny_half.so: refused: "
    has err "missing: posix_memalign (bound to "
    bad "e=$HB" "e=$HB: is a position-independent executable"
    bad "t=$TINY,t=$SLOW" "t=$SLOW: the name 't' is given twice"
    # libtiny.so with e_machine (offset 18) patched to aarch64 (183) or x86-64 (62)
    cp "$TINY" "$T/arch.so"
    em=183; [ "$(uname -m)" = aarch64 ] && em=62
    printf "$(printf '\\%03o' $em)" | dd of="$T/arch.so" bs=1 seek=18 conv=notrunc 2>/dev/null
    bad "a=$T/arch.so" "a=$T/arch.so: is built for "
    has err "(wrong architecture)"
    hb conform --adapters "x=$T/none.so"
    want_rc 2
    has err "heapbench conform: --adapters x=$T/none.so: no such file"
    hb exec --adapters "x=$T/none.so" -- /bin/true
    want_rc 2
    has err "heapbench exec: --adapters x=$T/none.so: no such file"
    ;;
resume)
    cp "$TINY" "$T/libx.so"
    hb run --adapters "x=$T/libx.so" --workloads heap/pairs --repetitions 1 --min-time 0.01 --out "$T/r"
    want_rc 0
    hb run --resume "$T/r"
    want_rc 0
    has err "1 cells (0 to run)"
    cp "$SLOW" "$T/libx.so"
    hb run --resume "$T/r"
    want_rc 2
    has err "heapbench run: --resume: x=$(realpath "$T/libx.so"): the library changed since the run began (sha256 $(sha256sum "$TINY" | cut -c1-12) → $(sha256sum "$SLOW" | cut -c1-12))"
    ;;
exec)
    hb exec --adapters "system,tiny=$TINY" --repetitions 2 --out "$T/e" -- /bin/true
    want_rc 0
    J=$(ls "$T"/e/*.json "$T"/e/run.json 2>/dev/null | head -1)
    [ -n "$J" ] || { ls -R "$T/e" >&2; fail "no run.json"; }
    jqeq "$J" '[.results[] | select(.adapter == "tiny") | .status] | join(",")' ok
    jqeq "$J" '[.adapters[] | select(.name == "tiny") | .library.sha256] | join(",")' "$(sha256sum "$TINY" | cut -d' ' -f1)"
    ;;
*) fail "unknown case" ;;
esac
echo "ok: $CASE"
