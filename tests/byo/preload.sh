#!/bin/sh
# preload.sh BUILD_DIR CASE — build/hb-preload over the tiny allocator of
# tests/byo (and Debian's libraries), one ctest per CASE. Each case checks
# exit statuses and messages, never timings.
#
#   selfcheck   tiny binds the whole malloc family; info names it after
#               HB_PRELOAD_NAME; without HB_PRELOAD_LIB it is refused
#   half        the half-interposed tiny is refused (selfcheck and bench),
#               the message listing exactly the three members it lacks
#   bench       heap/churn runs ok under tiny (Google Benchmark JSON, no
#               error), with latency percentiles (RSS over time is sampled by heapbench run, not the child)
#   real        real/sqlite runs the packaged sqlite3 with tiny preloaded
#   conform     malloc/* all pass or n/a under tiny
#   fault       the misaligning tiny (a preload library, not an adapter) is
#               caught by alignment/max-align-t through hb-preload
#   mimalloc    Debian's libmimalloc through hb-preload: bound, version read
#               from mi_version, sized free found among its exports
#   scudo       Scudo's library through hb-preload: bound, named scudo with
#               its build-id, and its double-free detection seen through it
set -u
B=${1:?usage: $0 BUILD_DIR CASE}
CASE=${2:?usage: $0 BUILD_DIR CASE}
T=$(mktemp -d /tmp/hb-byo-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# under LIB NAME CMD...: run CMD with LIB preloaded; stdout $T/out, stderr $T/err, status $rc
under() {
    lib=$1 name=$2; shift 2
    LD_PRELOAD=$lib HB_PRELOAD_LIB=$lib HB_PRELOAD_NAME=$name "$@" >"$T/out" 2>"$T/err"
    rc=$?
}
want_rc() { [ "$rc" = "$1" ] || { cat "$T/out" "$T/err" >&2; fail "$CASE: exit $rc, wanted $1"; }; }
has() { grep -qF -- "$2" "$T/$1" || { cat "$T/$1" >&2; fail "$CASE: $1 lacks '$2'"; }; }
lacks() { ! grep -qF -- "$2" "$T/$1" || { cat "$T/$1" >&2; fail "$CASE: $1 has '$2'"; }; }
# A refused selfcheck exits 1 today (bench_main.c); exitcodes.h names it 5.
want_refused() { [ "$rc" = 1 ] || [ "$rc" = 5 ] || { cat "$T/err" >&2; fail "$CASE: exit $rc, wanted a selfcheck refusal (1 or 5)"; }; }

TINY=$B/libtiny.so HALF=$B/libtiny_half.so MIS=$B/libtiny_misalign.so
case $CASE in
selfcheck)
    under "$TINY" tiny "$B/hb-preload" selfcheck
    want_rc 0
    has out "hb-tiny: selfcheck ok"
    has out "malloc_usable_size all bound to $(realpath "$TINY")"
    under "$TINY" tiny "$B/hb-preload" info
    want_rc 0
    [ "$(jq -r .name "$T/out")" = tiny ] || fail "info does not name the adapter tiny"
    [ "$(jq -r .preload "$T/out")" = "$(realpath "$TINY")" ] || fail "info: preload is not libtiny.so"
    [ "$(jq -r '.caps | join(",")' "$T/out")" = "aligned,usable-size,threads" ] || fail "info: caps $(jq -c .caps "$T/out")"
    jq -r .version "$T/out" | grep -q '^unknown (build-id 74696e79' || fail "info: version $(jq .version "$T/out")"
    "$B/hb-preload" selfcheck >"$T/out" 2>"$T/err"; rc=$?
    want_refused
    has err "HB_PRELOAD_LIB names no readable library"
    ;;
half)
    under "$HALF" half "$B/hb-preload" selfcheck
    want_refused
    has err "does not interpose the whole malloc family"
    has err "missing: posix_memalign (bound to "
    has err "aligned_alloc (bound to "
    has err "malloc_usable_size (bound to "
    lacks err "missing: malloc ("
    lacks err " free ("
    under "$HALF" half "$B/hb-preload" bench --workload heap/churn
    want_refused
    has err "refusing to run"
    ;;
bench)
    HB_LATENCY=1 \
        under "$TINY" tiny "$B/hb-preload" bench --workload heap/churn --benchmark_out="$T/gb.json" \
        --benchmark_out_format=json --benchmark_repetitions=1
    want_rc 0
    # Percentiles present and ordered; a free under the timer's resolution
    # (~10 ns here) reads 0 ns, so only the tail must be above zero.
    jq -e '.benchmarks[0] | .alloc_samples > 0 and .free_samples > 0 and .alloc_p99_ns > 0
           and .free_p50_ns >= 0 and .free_p99_ns >= .free_p50_ns and .free_max_ns > 0' "$T/gb.json" >/dev/null ||
        fail "no allocation latency percentiles under tiny: $(jq -c '.benchmarks[0] | with_entries(select(.key | test("_(p50|p99|max)_ns|_samples")))' "$T/gb.json")"
    [ "$(jq '[.benchmarks[] | select(.name | startswith("heap/churn"))] | length' "$T/gb.json")" -ge 1 ] ||
        fail "no heap/churn result in the Google Benchmark JSON"
    [ "$(jq '[.benchmarks[] | select(.error_occurred == true)] | length' "$T/gb.json")" = 0 ] ||
        fail "a benchmark reported an error"
    [ "$(jq -r .context.executable "$T/gb.json")" = hb-tiny ] || fail "executable is not named hb-tiny"
    ;;
real)
    under "$TINY" tiny "$B/hb-preload" bench --workload real/sqlite --benchmark_out="$T/gb.json" \
        --benchmark_out_format=json
    want_rc 0
    has out "LD_PRELOAD=$(realpath "$TINY")"
    jq -e '.benchmarks[0].program_peak_rss_bytes > 0' "$T/gb.json" >/dev/null || fail "no program peak RSS"
    ;;
conform)
    under "$TINY" tiny "$B/hb-preload" conform --property 'malloc/*'
    want_rc 0
    [ "$(jq -s '[.[] | select(.status == "pass")] | length' "$T/out")" -ge 7 ] || fail "fewer than 7 malloc/* passed"
    [ "$(jq -s '[.[] | select(.status == "fail")] | length' "$T/out")" = 0 ] || fail "a malloc/* rule failed"
    ;;
fault)
    under "$MIS" tinymis "$B/hb-preload" conform --property alignment/max-align-t
    want_rc 1
    [ "$(jq -r .status "$T/out")" = fail ] || fail "alignment/max-align-t did not catch the misaligning library"
    has out "aligned to 8; expected 16"
    under "$TINY" tiny "$B/hb-preload" conform --property alignment/max-align-t
    want_rc 0 # the same property passes the correct build: no false alarm
    ;;
mimalloc)
    lib=$(realpath "${3:?mimalloc library path}")
    under "$lib" mi "$B/hb-preload" selfcheck
    want_rc 0
    under "$lib" mi "$B/hb-preload" info
    jq -r .version "$T/out" | grep -q '^mimalloc [0-9]' || fail "version $(jq .version "$T/out")"
    jq -e '.caps | index("sized-free")' "$T/out" >/dev/null || fail "sized-free not found in mimalloc's exports"
    ;;
scudo)
    lib=$(realpath "${3:?scudo library path}")
    under "$lib" scudo-pl "$B/hb-preload" selfcheck
    want_rc 0
    has out "all bound to $lib"
    under "$lib" scudo-pl "$B/hb-preload" info
    jq -r .version "$T/out" | grep -q '^scudo (build-id [0-9a-f]' || fail "version $(jq .version "$T/out")"
    under "$lib" scudo-pl "$B/hb-preload" conform --property hardening/double-free
    want_rc 0
    has out "detected: Aborted: Scudo ERROR"
    ;;
*) fail "unknown case '$CASE'" ;;
esac
echo "ok: $CASE"
