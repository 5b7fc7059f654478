# e2e_exec.sh — `heapbench exec` runs a real program under each
# malloc-family allocator with LD_PRELOAD, reports time and peak RSS, and
# reports a program's non-zero exit status (exit 1).
. "$(dirname "$0")/lib.sh"
expect_rc 0 "$HB" exec --adapters system,jemalloc --repetitions 2 --out "$T/ex" -- sh -c 'echo hi'
grep -q '^jemalloc .* ok' "$T/out" || fail "no jemalloc row"
jq -e '.results | length == 2 and all(.status == "ok" and .peak_rss_bytes > 0)' "$T/ex/run.json" >/dev/null || fail "bad run.json"
jq -e '.results[] | select(.adapter == "jemalloc") | .preload | test("jemalloc")' "$T/ex/run.json" >/dev/null ||
    fail "jemalloc was not preloaded"
expect_rc 1 "$HB" exec --adapters system --repetitions 2 -- sh -c 'exit 3'
expect_err "status 3"
expect_rc 2 "$HB" exec --adapters boehm -- true
expect_err "boehm"
expect_rc 2 "$HB" exec --adapters system
expect_err "no program"
echo ok
