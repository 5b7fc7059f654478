/*
 * concurrent/thread-exit — short-lived threads that leave blocks behind.
 *
 * Pattern: thread-per-request servers and thread pools that retire
 * workers: each generation of `threads` threads allocates `blocks` blocks
 * each, frees half of them itself and *leaves the other half behind* in a
 * shared array when it exits; the next generation frees what the previous
 * one left (remote frees into heaps whose owner is dead) and leaves its own
 * half. An allocator must reclaim or reuse the caches and heaps of dead
 * threads (mimalloc's abandoned segments, jemalloc's tcache flush at exit,
 * glibc's arena reuse); one that does not leaks memory per thread. RSS is
 * sampled after every generation; its growth between the first quarter and
 * the end is reported. Origin: mimalloc-bench's "glibc-thread" and the
 * thread-exit leak reports against several allocators.
 *
 * Parameters: threads, generations, blocks, max_size.
 * Validates: every block's stamp before it is freed.
 * Counters: rss_growth_bytes (from the first quarter of the generations to
 * the end: ~0 is healthy), rss_per_generation_bytes; each the mean over
 * the runs of the program in a repetition (it may run several).
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
    {"threads", 2, 8, "threads per generation", 1, 1024},
    {"generations", 200, 2000, "generations of threads", 4, 1000000},
    {"blocks", 2000, 10000, "blocks allocated per thread", 2, 10000000},
    {"max_size", 256, 256, "largest block in bytes (smallest: 16)", 16, 16777216},
};

typedef struct te {
    void **left; /* threads * blocks/2 slots left behind: first, rooted */
    uint32_t *size;
    uint64_t *key;
    size_t half, max_size;
    uint64_t gen, bad;
} te;

static void *worker(void *shared, int t) {
    te *T = shared;
    wl_rng r = wl_rng_seed(T->gen * 131 + (uint64_t)t);
    size_t base = (size_t)t * T->half;
    uint64_t bad = 0;
    void **own = wl_ptr_array(T->half);
    uint32_t *own_size = malloc(T->half * sizeof *own_size);
    for (size_t i = 0; i < T->half; i++) { /* free what the last generation left */
        size_t s = base + i;
        void *p = hb_load(&T->left[s]);
        if (p) {
            bad += !wl_stamp_ok(p, T->size[s], T->key[s]);
            wl_release(&T->left[s], T->size[s]);
        }
    }
    for (size_t i = 0; i < 2 * T->half; i++) {
        size_t sz = (size_t)wl_range(&r, 16, T->max_size);
        uint64_t key = (T->gen << 40) | ((uint64_t)t << 32) | i;
        void *p = hb_new(sz, HB_NOSCAN);
        wl_stamp(p, sz, key);
        if (i & 1) { /* left behind */
            size_t s = base + i / 2;
            hb_store(&T->left[s], p);
            T->size[s] = (uint32_t)sz;
            T->key[s] = key;
        } else {
            hb_store(&own[i / 2], p);
            own_size[i / 2] = (uint32_t)sz;
            if (!wl_stamp_ok(p, sz, key)) bad++;
        }
    }
    for (size_t i = 0; i < T->half; i++) wl_release(&own[i], own_size[i]);
    free(own_size);
    wl_ptr_array_free(own, T->half);
    __atomic_fetch_add(&T->bad, bad, __ATOMIC_RELAXED);
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int threads = (int)hb_param_get(a, "threads");
    int64_t gens = hb_param_get(a, "generations");
    te T = {.half = (size_t)hb_param_get(a, "blocks") / 2, .max_size = (size_t)hb_param_get(a, "max_size")};
    if (threads < 1) threads = 1;
    if (T.half < 1) T.half = 1;
    if (T.max_size < 16) T.max_size = 16;
    if (gens < 4) gens = 4;
    double growth = 0; /* summed over the runs; reported per run */
    hb_root_add(&T.left, sizeof T.left);
    while (hb_gb_keep_running(st)) {
        size_t n = (size_t)threads * T.half;
        T.left = wl_ptr_array(n);
        T.size = calloc(n, sizeof *T.size);
        T.key = calloc(n, sizeof *T.key);
        uint64_t rss_q = 0;
        for (T.gen = 0; T.gen < (uint64_t)gens; T.gen++) {
            if (wl_team_run(threads, worker, &T)) T.bad++;
            if (T.gen == (uint64_t)gens / 4) rss_q = wl_rss_bytes();
        }
        growth += (double)wl_rss_bytes() - (double)rss_q;
        for (size_t s = 0; s < n; s++) {
            void *p = hb_load(&T.left[s]);
            if (!p) continue;
            T.bad += !wl_stamp_ok(p, T.size[s], T.key[s]);
            wl_release(&T.left[s], T.size[s]);
        }
        wl_ptr_array_free(T.left, n);
        T.left = NULL;
        free(T.size);
        free(T.key);
    }
    hb_root_remove(&T.left);
    if (T.bad) hb_wl_fail(st, "thread-exit: %llu blocks lost their stamp", (unsigned long long)T.bad);
    hb_gb_set_items_processed(st, (int64_t)((uint64_t)gens * (uint64_t)threads * 2 * T.half *
                                            (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "rss_growth_bytes", growth, HB_GB_AVG_ITERATIONS);
    hb_gb_counter(st, "rss_per_generation_bytes", growth / (double)(gens - gens / 4), HB_GB_AVG_ITERATIONS);
}

static const hb_workload concurrent_thread_exit = {
    .name = "concurrent/thread-exit",
    .category = "concurrent",
    .description = "Generations of short-lived threads each free what the previous generation "
                   "left behind and leave half of their own blocks: reclaiming dead threads' "
                   "caches and heaps; reports RSS growth over the generations.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run,
};
HB_WORKLOAD(concurrent_thread_exit);
