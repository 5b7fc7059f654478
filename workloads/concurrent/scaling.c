/*
 * concurrent/scaling — independent allocation on 1, 2, 4 ... threads.
 *
 * Pattern: the thread-scalability curve of every allocator paper: each of
 * `threads` threads runs the same private loop — a window of `live` blocks
 * of `min_size`–`max_size` bytes, each step replacing a random one — touching no
 * shared data. Ideal scaling keeps the time constant as threads grow (the
 * items/s grow linearly up to the core count); contention inside the
 * allocator (a global lock, a shared arena, false sharing of its metadata,
 * a collector's stop-the-world) bends the curve. The harness sweeps
 * `--param threads=N` for `heapbench run --threads`. Origin: Hoard's
 * threadtest, mimalloc-bench's alloc-test and "rptest" scaling runs.
 *
 * Parameters: threads, ops (per thread), live, max_size, min_size, dist,
 * touch. Presets: classic = glibc's bench-malloc-thread, the same pattern
 * with its sizes (docs/workloads.md).
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
    {.name = "min_size", .quick = 16, .full = 16, .help = "smallest block in bytes (at least 1)", .min = 1, .max = 16777216},
    {.name = "dist", .quick = 0, .full = 0,
     .help = "size distribution: 0 uniform, 1 inverse square (glibc's bench-malloc-thread)", .min = 0, .max = 1},
    {.name = "touch", .quick = 0, .full = 0, .help = "1: write every byte of each new block", .min = 0, .max = 1},
};

/* glibc's benchtests/bench-malloc-thread.c (mimalloc-bench glibc-thread N):
 * N threads, each a working set of 1024 blocks, replacing a random one per
 * step with a block of 4..32768 bytes, inverse-square distributed, every
 * byte written, for 2 seconds. */
static const hb_preset presets[] = {
    {"classic", "threads=nproc,ops=5000000,live=1024,min_size=4,max_size=32768,dist=1,touch=1",
     "bench-malloc-thread N, N = nproc (mimalloc-bench glibc-thread); 5M steps per thread "
     "instead of 2 seconds' worth",
     0},
    {NULL, NULL, NULL, 0},
};

typedef struct sc {
    uint64_t ops;
    size_t live, min_size, max_size;
    int dist, touch;
    uint64_t bad;
} sc;

/* A block size: uniform, or with density ~ 1/size^2 (inverse transform). */
static size_t block_size(wl_rng *r, const sc *S) {
    if (!S->dist) return (size_t)wl_range(r, S->min_size, S->max_size);
    double u = (double)wl_below(r, 1u << 30) / (double)(1u << 30);
    double lo = 1.0 / (double)S->min_size, hi = 1.0 / (double)S->max_size;
    size_t sz = (size_t)(1.0 / (lo + (hi - lo) * u));
    return sz < S->min_size ? S->min_size : sz > S->max_size ? S->max_size : sz;
}

/* Blocks under 8 bytes carry no stamp (it is a word); they are still written. */
static void fill(void *p, size_t sz, uint64_t key, int touch) {
    if (touch)
        for (size_t i = 0; i < sz; i++) ((unsigned char *)p)[i] = (unsigned char)i;
    if (sz >= 8) wl_stamp(p, sz, key);
}

static int fill_ok(const void *p, size_t sz, uint64_t key) { return sz < 8 || wl_stamp_ok(p, sz, key); }

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
            bad += !fill_ok(old, size[k], (uint64_t)k ^ size[k]);
            wl_release(&slot[k], size[k]);
        }
        size_t sz = block_size(&r, S);
        void *p = hb_new(sz, HB_NOSCAN);
        fill(p, sz, (uint64_t)k ^ sz, S->touch);
        hb_store(&slot[k], p);
        size[k] = (uint32_t)sz;
        if ((i & 1023) == 0) hb_safepoint();
    }
    for (size_t k = 0; k < S->live; k++) {
        void *p = hb_load(&slot[k]);
        if (!p) continue;
        bad += !fill_ok(p, size[k], (uint64_t)k ^ size[k]);
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
    S.min_size = (size_t)hb_param_get(a, "min_size");
    S.dist = (int)hb_param_get(a, "dist");
    S.touch = (int)hb_param_get(a, "touch");
    if (S.min_size < 1) S.min_size = 1;
    if (S.max_size < S.min_size) S.max_size = S.min_size;
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
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run,
    .presets = presets,
};
HB_WORKLOAD(concurrent_scaling);
