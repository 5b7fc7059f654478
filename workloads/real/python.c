/*
 * real/python — CPython (Debian's /usr/bin/python3) running an
 * allocation-heavy script under the allocator of the hb-<adapter> executable.
 *
 * Why: interpreters are the classic "real program" row of allocator papers
 * (mimalloc-bench's lean/redis/larson sit next to cfrac and espresso; the
 * Python row shows what pymalloc leaves to malloc: dict tables, list arrays,
 * big strings and pymalloc's own 256 KiB arenas).
 *
 * Input: real/inputs/python/alloc.py N DEPTH — objects in a dict, string
 * join/split, tuple binary trees, word counting, sorting (see the script).
 * Timed: the whole interpreter run, start-up included.
 * Validates: exit status 0 and the five printed lines, which are computed
 * here independently of Python (closed forms and plain loops).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/workload.h"
#include "real_common.h"

#define PYTHON "/usr/bin/python3"

static const hb_param params[] = {
    {"scale", 200000, 4000000, "N: records, numbers and words per phase", 1, 100000000},
    {"depth", 16, 20, "deepest tuple tree of the binary-trees phase", 4, 28},
};

static unsigned ndigits(uint64_t v) {
    unsigned d = 1;
    while (v >= 10) v /= 10, d++;
    return d;
}

static uint64_t reversed(uint64_t v) {
    uint64_t r = 0;
    for (; v; v /= 10) r = r * 10 + v % 10;
    return r;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The lines alloc.py must print for (n, depth); NULL when out of memory. */
static char *expected(uint64_t n, int depth) {
    uint64_t kept = 0, total = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (i % 3 == 0) continue;
        kept++;
        total += i * (4 + ndigits(i % 1000)) + i % 3 + i % 5 + i % 7;
    }
    uint64_t text = n ? n - 1 : 0, odd = 0, oddsum = 0;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t sq = i * i;
        text += ndigits(sq);
        if ((sq % 10) % 2 == 1) {
            odd++;
            oddsum += reversed(sq) % 1000003;
        }
    }
    uint64_t nodes = 0;
    for (int d = 4; d <= depth; d += 2)
        nodes += ((uint64_t)1 << (depth - d + 2)) * (((uint64_t)1 << (d + 1)) - 1);
    uint64_t *counts = calloc(4096, sizeof *counts);
    uint64_t *xs = malloc((n ? n : 1) * sizeof *xs);
    if (!counts || !xs) {
        free(counts);
        free(xs);
        return NULL;
    }
    for (uint64_t i = 0; i < n; i++) counts[(i * 2654435761u) % 4096]++;
    uint64_t distinct = 0, squares = 0;
    for (int w = 0; w < 4096; w++) {
        distinct += counts[w] != 0;
        squares += counts[w] * counts[w];
    }
    for (uint64_t i = 0; i < n; i++) xs[i] = (i * 48271u) % 2147483647u;
    qsort(xs, n, sizeof *xs, cmp_u64);
    uint64_t sorted = 0;
    for (uint64_t k = 0; k < n; k++) sorted += xs[k] * (k % 7);
    free(counts);
    free(xs);
    char *out = NULL;
    if (asprintf(&out,
                 "records %llu %llu\nstrings %llu %llu %llu\ntrees %llu\nwords %llu %llu\n"
                 "sort %llu\n",
                 (unsigned long long)kept, (unsigned long long)total, (unsigned long long)text,
                 (unsigned long long)odd, (unsigned long long)oddsum, (unsigned long long)nodes,
                 (unsigned long long)distinct, (unsigned long long)squares,
                 (unsigned long long)sorted) < 0)
        return NULL;
    return out;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int64_t n = hb_param_get(a, "scale"), depth = hb_param_get(a, "depth");
    hb_real_env env;
    if (n < 1 || n > 100000000 || depth < 4 || depth > 28) {
        hb_gb_skip_with_error(st, "real/python: scale must be 1..1e8 and depth 4..28");
        return;
    }
    if (hb_real_env_init(&env, st, PYTHON, "python3", "--version") != 0) return;
    char script[4200], nbuf[32], dbuf[32];
    if (hb_real_input(&env, st, "python/alloc.py", script, sizeof script) != 0) return;
    char *want = expected((uint64_t)n, (int)depth);
    if (!want) {
        hb_gb_skip_with_error(st, "real/python: out of memory computing the expected output");
        return;
    }
    snprintf(nbuf, sizeof nbuf, "%lld", (long long)n);
    snprintf(dbuf, sizeof dbuf, "%lld", (long long)depth);
    /* -I: isolated (no user site, no PYTHON* variables), -S: no site import,
     * -B: no .pyc writes into the shipped folder. */
    const char *argv[] = {PYTHON, "-I", "-S", "-B", script, nbuf, dbuf, NULL};
    char msg[1024];
    while (hb_gb_keep_running(st)) {
        hb_real_exit x;
        if (hb_real_run(&env, argv, NULL, &x) != 0) {
            hb_gb_skip_with_error(st, "real/python: cannot start " PYTHON);
            break;
        }
        hb_real_account(&env, &x);
        if (!hb_real_ran_ok(&x, "python3", msg, sizeof msg)) {
            if (x.preload_refused) hb_gb_skip_with_error(st, msg);
            else hb_wl_fail(st, "real/python: %s", msg);
        } else if (strcmp(x.out, want) != 0) {
            hb_wl_fail(st, "real/python: printed '%.200s', expected '%.200s'", x.out, want);
        }
        hb_real_exit_free(&x);
        if (hb_gb_error_occurred(st)) break;
    }
    free(want);
    hb_real_report(st, &env);
}

static const hb_workload real_python = {
    .name = "real/python",
    .category = "real",
    .description = "Debian's CPython 3 running an allocation-heavy script (objects in a dict, "
                   "string join/split, tuple binary trees, word counts, a big sort) under the "
                   "adapter's allocator via LD_PRELOAD; output checked against values computed "
                   "in C.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_MANUAL,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(real_python);
