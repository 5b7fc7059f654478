/*
 * concurrent/xmalloc — producer/consumer allocation: one thread allocates,
 * another frees.
 *
 * Pattern: a work queue where requests are allocated by the thread that
 * receives them and freed by the worker that completes them. With `threads`
 * threads there are threads/2 pairs (at least one); in each pair the
 * producer allocates blocks of `min_size`–`max_size` bytes,
 * stamps them and passes them through a bounded queue; the consumer checks
 * and frees them. Every free is remote. Origin: Lever and Boreham's
 * xmalloc-test (mimalloc-bench "xmalloc-test"). Stresses: remote-free
 * paths (delayed free lists, returning memory to the owning heap), the
 * producer's cache draining while the consumer's overfills.
 *
 * Parameters: threads, ops (blocks per pair), max_size, queue, min_size.
 * Presets: classic = mimalloc-bench's xmalloc-testN (docs/workloads.md).
 * Validates: every block's stamp at the consumer.
 * Counters: none beyond items (blocks moved).
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/ring.h"
#include "wl/rng.h"
#include "wl/stamp.h"
#include "wl/team.h"

static const hb_param params[] = {
    {"threads", 2, 8, "threads (pairs = threads / 2, at least 1)", 1, 1024},
    {"ops", 1000000, 20000000, "blocks passed per pair", 1, 100000000000},
    {"max_size", 256, 256, "largest block in bytes (smallest: 16)", 16, 16777216},
    {"queue", 1024, 1024, "queue capacity between producer and consumer", 1, 16777216},
    {.name = "min_size", .quick = 16, .full = 16, .help = "smallest block in bytes (at least 8)", .min = 8, .max = 16777216},
};

/* xmalloc-test -w W -t T -s S: W producer and W consumer threads, blocks of
 * S bytes in batches of 4096 through a queue of up to 100 batches, for T
 * seconds. */
static const hb_preset presets[] = {
    {"classic", "threads=2*nproc,ops=5000000,min_size=64,max_size=64,queue=409600",
     "xmalloc-test -w N -t 5 -s 64, N = nproc (mimalloc-bench xmalloc-testN); 5M blocks per "
     "pair instead of 5 seconds' worth",
     0},
    {NULL, NULL, NULL, 0},
};

typedef struct xm {
    wl_ring *rings; /* one per pair */
    uint64_t ops;
    size_t min_size, max_size;
    int npairs;
    uint64_t bad;
} xm;

/* The block's size travels in its first word; the stamp covers it. */
static void *member(void *shared, int i) {
    xm *X = shared;
    wl_ring *ring = &X->rings[i / 2];
    wl_rng r = wl_rng_seed((uint64_t)(i / 2) + 1000);
    uint64_t bad = 0;
    if (i % 2 == 0) {
        for (uint64_t k = 0; k < X->ops; k++) {
            size_t sz = (size_t)wl_range(&r, X->min_size, X->max_size);
            uint64_t *p = hb_new(sz, HB_NOSCAN);
            wl_stamp(p, sz, k);
            if (sz >= 24) p[1] = sz;
            wl_ring_push(ring, p);
            if ((k & 1023) == 0) hb_safepoint();
        }
    } else {
        for (uint64_t k = 0; k < X->ops; k++) {
            size_t sz = (size_t)wl_range(&r, X->min_size, X->max_size); /* the same sequence */
            uint64_t *p = wl_ring_pop(ring);
            bad += !wl_stamp_ok(p, sz, k) || (sz >= 24 && p[1] != sz);
            hb_drop(p, sz);
            if ((k & 1023) == 0) hb_safepoint();
        }
    }
    __atomic_fetch_add(&X->bad, bad, __ATOMIC_RELAXED);
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int threads = (int)hb_param_get(a, "threads");
    xm X = {.ops = (uint64_t)hb_param_get(a, "ops"), .max_size = (size_t)hb_param_get(a, "max_size")};
    uint64_t queue = (uint64_t)hb_param_get(a, "queue");
    X.npairs = threads >= 4 ? threads / 2 : 1;
    X.min_size = (size_t)hb_param_get(a, "min_size");
    if (X.min_size < 8) X.min_size = 8;
    if (X.max_size < X.min_size) X.max_size = X.min_size;
    if (queue < 1) queue = 1;
    while (hb_gb_keep_running(st)) {
        X.rings = calloc((size_t)X.npairs, sizeof *X.rings);
        for (int p = 0; p < X.npairs; p++)
            if (wl_ring_init(&X.rings[p], queue)) X.bad++;
        if (!X.bad && wl_team_run(2 * X.npairs, member, &X)) X.bad++;
        for (int p = 0; p < X.npairs; p++) wl_ring_destroy(&X.rings[p]);
        free(X.rings);
    }
    if (X.bad) hb_wl_fail(st, "xmalloc: %llu blocks lost their stamp", (unsigned long long)X.bad);
    hb_gb_set_items_processed(st, (int64_t)(X.ops * (uint64_t)X.npairs * (uint64_t)hb_gb_iterations(st)));
}

static const hb_workload concurrent_xmalloc = {
    .name = "concurrent/xmalloc",
    .category = "concurrent",
    .description = "xmalloc-test producer/consumer: producers allocate and stamp blocks, "
                   "consumers on other threads check and free them through a bounded queue; "
                   "every free is remote.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run,
    .presets = presets,
};
HB_WORKLOAD(concurrent_xmalloc);
