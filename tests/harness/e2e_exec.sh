# e2e_exec.sh — `heapbench exec` runs a real program under each
# malloc-family allocator with LD_PRELOAD, reports time and peak RSS, and
# reports a program's non-zero exit status (exit 1). The allocator must be
# proven loaded: a library the dynamic linker cannot preload, or a program
# that ignores LD_PRELOAD, is an error (exit 2), never a run on glibc; a
# program that does not exist is exit 2 with a message, not a table of nan.
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HB" exec --adapters system,jemalloc --repetitions 2 --out "$T/ex" -- sh -c 'echo hi'
grep -q '^jemalloc .* ok' "$T/out" || fail "no jemalloc row"
jq -e '.results | length == 2 and all(.status == "ok" and .peak_rss_bytes > 0)' "$T/ex/run.json" >/dev/null || fail "bad run.json"
# The program itself sees jemalloc mapped (not what heapbench wrote down).
expect_rc 0 "$HB" exec --adapters jemalloc --repetitions 1 --out "$T/maps" -- sh -c 'grep -c libjemalloc /proc/$$/maps'
[ "$(cat "$T/maps/logs/exec-jemalloc.log")" -ge 1 ] 2>/dev/null || fail "jemalloc is not in the program's own maps"
# hb-badpreload's library does not exist: ld.so skips it; exec must say so.
expect_rc 2 "$HB" exec --adapters system,badpreload --repetitions 1 --out "$T/bad" -- sh -c 'echo hi'
expect_err "badpreload: preload-failed: "
expect_err "libhb-no-such-preload.so was not loaded: the program's malloc came from"
expect_err "cannot be preloaded"
grep -q '^badpreload .* preload-failed' "$T/out" || fail "no preload-failed row"
jq -e '[.results[] | .status] == ["ok", "preload-failed"]' "$T/bad/run.json" >/dev/null || fail "bad run.json for badpreload"
# A static program ignores LD_PRELOAD.
if [ -x /sbin/ldconfig ] && ldd /sbin/ldconfig 2>&1 | grep -q 'statically linked\|not a dynamic'; then
    expect_rc 2 "$HB" exec --adapters jemalloc --repetitions 1 -- /sbin/ldconfig -p
    expect_err "never ran the preload probe"
fi
expect_rc 1 "$HB" exec --adapters system --repetitions 2 -- sh -c 'exit 3'
expect_err "status 3"
grep -q nan "$T/out" && fail "a failed adapter's row shows nan"
expect_rc 2 "$HB" exec -- /nonexistent
expect_err "cannot run '/nonexistent'"
[ ! -s "$T/out" ] || fail "exec of a missing program printed a table"
expect_rc 2 "$HB" exec --adapters boehm -- true
expect_err "boehm"
expect_rc 2 "$HB" exec --adapters system
expect_err "no program"
expect_rc 0 "$HB" exec --adapters=system --repetitions=1 -- sh -c 'exit 0'
# Without system, the table is normalized to the first adapter, not nan.
expect_rc 0 "$HB" exec --adapters jemalloc,mimalloc --repetitions 1 -- true
grep -q 'normalized to jemalloc$' "$T/out" || fail "no fallback baseline named"
grep -q '^jemalloc .* 1.00x .* 1.00x  ok' "$T/out" || fail "first adapter is not the baseline"
grep -q nan "$T/out" && fail "exec without system prints nan"
expect_rc 2 "$HB" exec --adapters mimalloc --baseline jemalloc -- true
expect_err "--baseline jemalloc is not among the adapters run"
echo ok
