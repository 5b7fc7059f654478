/*
 * real/lua — the Lua 5.4 interpreter (Debian's /usr/bin/lua5.4) running an
 * allocation-heavy script under the allocator of the hb-<adapter> executable.
 *
 * Why: Lua hands every table, string and closure to one realloc-based
 * allocation function, so a Lua program is the most direct real-world test
 * of an allocator's small-object realloc/free paths; interpreters are a
 * classic row of allocator papers.
 *
 * Input: real/inputs/lua/alloc.lua DEPTH N — binary trees of tables,
 * closures capturing counters, table.concat/gsub strings, a growing and
 * shrinking hash of string keys (see the script).
 * Timed: the whole interpreter run, start-up included.
 * Validates: exit status 0 and the four printed lines, computed here
 * independently of Lua.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/workload.h"
#include "real_common.h"

#define LUA "/usr/bin/lua5.4"

static const hb_param params[] = {
    {"scale", 200000, 3000000, "N: closures, strings and hash keys per phase", 1, 100000000},
    {"depth", 14, 20, "deepest table tree of the binary-trees phase", 4, 28},
};

static unsigned ndigits(uint64_t v) {
    unsigned d = 1;
    while (v >= 10) v /= 10, d++;
    return d;
}

static unsigned sevens(uint64_t v) {
    unsigned c = 0;
    do c += v % 10 == 7;
    while ((v /= 10) != 0);
    return c;
}

/* The lines alloc.lua must print for (depth, n). */
static char *expected(int depth, uint64_t n) {
    uint64_t nodes = 0;
    for (int d = 4; d <= depth; d += 2)
        nodes += ((uint64_t)1 << (depth - d + 2)) * (((uint64_t)1 << (d + 1)) - 1);
    uint64_t longlived = ((uint64_t)1 << (depth + 1)) - 1;
    uint64_t closures = 0;
    for (uint64_t i = 1; i <= n; i++) closures += 3 * (i % 10) + 10;
    uint64_t len = n - 1, count = 0;
    for (uint64_t i = 1; i <= n; i++) {
        len += ndigits(i * 7);
        count += sevens(i * 7);
    }
    /* hashes: keys k(i/2) for i = 4, 8, ... are dropped, i.e. k2, k4, ...,
     * k(2*floor(n/4)); every one was inserted before it is dropped. */
    uint64_t keys = 0, sum = 0;
    for (uint64_t i = 1; i <= n; i++) {
        if (i % 2 == 0 && i / 2 <= n / 4) continue;
        keys++;
        sum += i + 1 + ndigits(i % 100);
    }
    char *out = NULL;
    if (asprintf(&out,
                 "trees %llu %llu\nclosures %llu\nstrings %llu %llu %llu %llu\nhashes %llu %llu\n",
                 (unsigned long long)nodes, (unsigned long long)longlived,
                 (unsigned long long)closures, (unsigned long long)len,
                 (unsigned long long)count, (unsigned long long)(len + 4 * count),
                 (unsigned long long)n, (unsigned long long)keys, (unsigned long long)sum) < 0)
        return NULL;
    return out;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int64_t n = hb_param_get(a, "scale"), depth = hb_param_get(a, "depth");
    if (n < 1 || n > 100000000 || depth < 4 || depth > 28) {
        hb_gb_skip_with_error(st, "real/lua: scale must be 1..1e8 and depth 4..28");
        return;
    }
    hb_real_env env;
    if (hb_real_env_init(&env, st, LUA, "lua5.4", "-v") != 0) return;
    char script[4200], nbuf[32], dbuf[32];
    if (hb_real_input(&env, st, "lua/alloc.lua", script, sizeof script) != 0) return;
    char *want = expected((int)depth, (uint64_t)n);
    if (!want) {
        hb_gb_skip_with_error(st, "real/lua: out of memory computing the expected output");
        return;
    }
    snprintf(dbuf, sizeof dbuf, "%lld", (long long)depth);
    snprintf(nbuf, sizeof nbuf, "%lld", (long long)n);
    const char *argv[] = {LUA, script, dbuf, nbuf, NULL};
    char msg[1024];
    while (hb_gb_keep_running(st)) {
        hb_real_exit x;
        if (hb_real_run(&env, argv, NULL, &x) != 0) {
            hb_gb_skip_with_error(st, "real/lua: cannot start " LUA);
            break;
        }
        hb_real_account(&env, &x);
        if (!hb_real_ran_ok(&x, "lua5.4", msg, sizeof msg)) {
            if (x.preload_refused) hb_gb_skip_with_error(st, msg);
            else hb_wl_fail(st, "real/lua: %s", msg);
        } else if (strcmp(x.out, want) != 0) {
            hb_wl_fail(st, "real/lua: printed '%.200s', expected '%.200s'", x.out, want);
        }
        hb_real_exit_free(&x);
        if (hb_gb_error_occurred(st)) break;
    }
    free(want);
    hb_real_report(st, &env);
}

static const hb_workload real_lua = {
    .name = "real/lua",
    .category = "real",
    .description = "Debian's Lua 5.4 interpreter running an allocation-heavy script (binary "
                   "trees of tables, closures, table.concat/gsub strings, a churning string-keyed "
                   "hash) under the adapter's allocator via LD_PRELOAD; output checked against "
                   "values computed in C.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_MANUAL,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(real_lua);
