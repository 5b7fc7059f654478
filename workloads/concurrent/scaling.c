/*
 * concurrent/scaling — independent allocation on 1, 2, 4 ... threads.
 *
 * Pattern: the thread-scalability curve of every allocator paper: each of
 * `threads` threads runs the same private loop — a window of `live` blocks
 * of 16–`max_size` bytes, each step replacing a random one — touching no
 * shared data. Ideal scaling keeps the time constant as threads grow (the
 * items/s grow linearly up to the core count); contention inside the
 * allocator (a global lock, a shared arena, false sharing of its metadata,
 * a collector's stop-the-world) bends the curve. The harness sweeps
 * `--param threads=N` for `heapbench run --threads`. Origin: Hoard's
 * threadtest, mimalloc-bench's alloc-test and "rptest" scaling runs.
 *
 * Parameters: threads, ops (per thread), live, max_size.
 * Validates: every block's stamp before it is freed.
 * Counters: ops_per_thread_per_s.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"
#include "wl/stamp.h"
#include "wl/sys.h"
#include "wl/team.h"

static const hb_param params[] = {
    {"threads", 2, 4, "threads, each independent", 1, 1024},
    {"ops", 1000000, 20000000, "block replacements per thread", 1, 100000000000},
    {"live", 256, 256, "blocks per thread's window", 1, 10000000},
    {"max_size", 256, 256, "largest block in bytes (smallest: 16)", 16, 16777216},
};

typedef struct sc {
    uint64_t ops;
    size_t live, max_size;
    uint64_t bad;
} sc;

static void *worker(void *shared, int t) {
    sc *S = shared;
    wl_rng r = wl_rng_seed(555 + (uint64_t)t);
    void **slot = wl_ptr_array(S->live);
    uint32_t *size = calloc(S->live, sizeof *size);
    uint64_t bad = 0;
    for (uint64_t i = 0; i < S->ops; i++) {
        size_t k = (size_t)wl_below(&r, S->live);
        void *old = hb_load(&slot[k]);
        if (old) {
            bad += !wl_stamp_ok(old, size[k], (uint64_t)k ^ size[k]);
            wl_release(&slot[k], size[k]);
        }
        size_t sz = (size_t)wl_range(&r, 16, S->max_size);
        void *p = hb_new(sz, HB_NOSCAN);
        wl_stamp(p, sz, (uint64_t)k ^ sz);
        hb_store(&slot[k], p);
        size[k] = (uint32_t)sz;
        if ((i & 1023) == 0) hb_safepoint();
    }
    for (size_t k = 0; k < S->live; k++) {
        void *p = hb_load(&slot[k]);
        if (!p) continue;
        bad += !wl_stamp_ok(p, size[k], (uint64_t)k ^ size[k]);
        wl_release(&slot[k], size[k]);
    }
    free(size);
    wl_ptr_array_free(slot, S->live);
    __atomic_fetch_add(&S->bad, bad, __ATOMIC_RELAXED);
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int threads = (int)hb_param_get(a, "threads");
    sc S = {.ops = (uint64_t)hb_param_get(a, "ops"), .live = (size_t)hb_param_get(a, "live"),
            .max_size = (size_t)hb_param_get(a, "max_size")};
    if (threads < 1) threads = 1;
    if (S.live < 1) S.live = 1;
    if (S.max_size < 16) S.max_size = 16;
    uint64_t ns = 0;
    while (hb_gb_keep_running(st)) {
        uint64_t t0 = wl_now_ns();
        if (wl_team_run(threads, worker, &S)) S.bad++;
        ns += wl_now_ns() - t0;
    }
    if (S.bad) hb_wl_fail(st, "scaling: %llu blocks lost their stamp", (unsigned long long)S.bad);
    uint64_t iters = (uint64_t)hb_gb_iterations(st);
    hb_gb_set_items_processed(st, (int64_t)(S.ops * (uint64_t)threads * iters));
    hb_gb_counter(st, "ops_per_thread_per_s", ns ? (double)(S.ops * iters) / ((double)ns / 1e9) : 0,
                  HB_GB_DEFAULT);
}

static const hb_workload concurrent_scaling = {
    .name = "concurrent/scaling",
    .category = "concurrent",
    .description = "Thread scaling: each thread replaces random blocks in its own window, "
                   "sharing nothing; sweep --param threads=1,2,4... to see whether throughput "
                   "grows with the threads or the allocator serializes them.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(concurrent_scaling);
