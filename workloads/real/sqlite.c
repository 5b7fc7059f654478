/*
 * real/sqlite — SQLite's shell (Debian's /usr/bin/sqlite3) building,
 * indexing, updating and querying an in-memory table under the allocator of
 * the hb-<adapter> executable.
 *
 * Why: a database engine is a classic real-program row of allocator suites
 * (mimalloc-bench runs sqlite too); with an in-memory database, pages, page
 * cache, parser and planner objects and every row's text are malloc'd, with
 * the long-lived, growing heap of a real database.
 *
 * Input: real/inputs/sqlite/bench.sql; the row count is the one-row table
 * hb_params(rows), created with -cmd before the script runs.
 * Timed: the whole sqlite3 run (generate with a recursive CTE, two indexes,
 * GROUP BY into a table, UPDATE, DELETE, three queries).
 * Validates: exit status 0 and the printed results, computed here
 * independently (the same rows generated in C).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/workload.h"
#include "real_common.h"

#define SQLITE "/usr/bin/sqlite3"
#define NKEYS 100003

static const hb_param params[] = {
    {"scale", 200000, 10000000, "rows in the table", 100, 1000000000},
};

/* The lines bench.sql must print for `rows` rows. */
static char *expected(uint64_t rows) {
    uint32_t *hist = calloc(NKEYS + 1, sizeof *hist);
    if (!hist) return NULL;
    uint64_t count = 0, ksum = 0, slen = 0, gsum = 0, join = 0, rcount = 0, rlen = 0;
    /* Pass 1: the surviving rows' totals and the key histogram. */
    for (uint64_t i = 1; i <= rows; i++) {
        uint64_t k = (i * 7919) % NKEYS;
        char s[64];
        int len = snprintf(s, sizeof s, "%llx-%llu",
                           (unsigned long long)((i * 2654435761u) % 4294967296u),
                           (unsigned long long)(i % 1000));
        gsum += k % 1000 + i;
        if (k % 3 == 0) len++;
        if (k % 7 == 0) continue;
        count++;
        ksum += k;
        slen += (uint64_t)len;
        hist[k]++;
        if (s[0] == '8') rcount++, rlen += (uint64_t)len;
    }
    /* Pass 2: the join b.k = a.k + 1 over rows a with id % 16 == 0. */
    for (uint64_t i = 16; i <= rows; i += 16) {
        uint64_t k = (i * 7919) % NKEYS;
        if (k % 7 != 0 && k + 1 < NKEYS) join += hist[k + 1];
    }
    free(hist);
    /* sum() over no rows is NULL, which the shell prints as nothing. */
    char rl[32] = "";
    if (rcount) snprintf(rl, sizeof rl, "%llu", (unsigned long long)rlen);
    char *out = NULL;
    if (asprintf(&out, "%llu|%llu|%llu|%llu\n%llu\n%llu|%s\n", (unsigned long long)count,
                 (unsigned long long)ksum, (unsigned long long)slen, (unsigned long long)gsum,
                 (unsigned long long)join, (unsigned long long)rcount, rl) < 0)
        return NULL;
    return out;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int64_t rows = hb_param_get(a, "scale");
    if (rows < 100 || rows > 1000000000) {
        hb_gb_skip_with_error(st, "real/sqlite: scale (rows) must be 100..1e9");
        return;
    }
    hb_real_env env;
    if (hb_real_env_init(&env, st, SQLITE, "sqlite3", "--version") != 0) return;
    char script[4200], read_cmd[4300], params_sql[128];
    if (hb_real_input(&env, st, "sqlite/bench.sql", script, sizeof script) != 0) return;
    char *want = expected((uint64_t)rows);
    if (!want) {
        hb_gb_skip_with_error(st, "real/sqlite: out of memory computing the expected output");
        return;
    }
    snprintf(params_sql, sizeof params_sql,
             "CREATE TABLE hb_params(rows INTEGER); INSERT INTO hb_params VALUES(%lld);",
             (long long)rows);
    snprintf(read_cmd, sizeof read_cmd, ".read %s", script);
    /* -batch: no interactive behaviour; -bail: stop at the first error. */
    const char *argv[] = {SQLITE, "-batch", "-bail", "-cmd", params_sql, ":memory:", read_cmd, NULL};
    char msg[1024];
    while (hb_gb_keep_running(st)) {
        hb_real_exit x;
        if (hb_real_run(&env, argv, NULL, &x) != 0) {
            hb_gb_skip_with_error(st, "real/sqlite: cannot start " SQLITE);
            break;
        }
        hb_real_account(&env, &x);
        if (!hb_real_ran_ok(&x, "sqlite3", msg, sizeof msg)) {
            if (x.preload_refused) hb_gb_skip_with_error(st, msg);
            else hb_wl_fail(st, "real/sqlite: %s", msg);
        } else if (strcmp(x.out, want) != 0) {
            hb_wl_fail(st, "real/sqlite: printed '%.200s', expected '%.200s'", x.out, want);
        }
        hb_real_exit_free(&x);
        if (hb_gb_error_occurred(st)) break;
    }
    free(want);
    hb_real_report(st, &env);
}

static const hb_workload real_sqlite = {
    .name = "real/sqlite",
    .category = "real",
    .description = "Debian's sqlite3 shell generating, indexing, updating and querying an "
                   "in-memory table (recursive CTE, two indexes, GROUP BY, UPDATE, DELETE, an "
                   "index join and range scan) under the adapter's allocator via LD_PRELOAD; "
                   "results checked against values computed in C.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_MANUAL,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(real_sqlite);
