/*
 * concurrent/larson — Larson & Krishnan's server simulation.
 *
 * Pattern: a server where each connection's thread allocates and frees
 * blocks at random, and blocks outlive the thread that made them: each of
 * `threads` threads owns an array of `slots` blocks; it replaces `ops`
 * random blocks (free the old, allocate a new one of `min_size`–`max_size` bytes),
 * then exits, and a *new* thread inherits its array for the next round.
 * So most frees are of blocks another (dead) thread allocated. Origin:
 * P. Larson and M. Krishnan, "Memory allocation for long-running server
 * applications" (ISMM 1998); the larson benchmark of Hoard and
 * mimalloc-bench. Stresses: remote frees, thread-cache handover when
 * threads die and are created, fragmentation under a steady live set.
 *
 * Parameters: threads, rounds, ops (per thread per round), slots, max_size,
 * min_size. Presets: classic = mimalloc-bench's larsonN (docs/workloads.md).
 * Validates: every block's stamp before it is freed.
 * Counters: remote_frees (frees of blocks from an earlier round's thread),
 * per run of the program (a repetition may run it several times).
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"
#include "wl/stamp.h"
#include "wl/team.h"

static const hb_param params[] = {
    {"threads", 2, 8, "threads per round", 1, 1024},
    {"rounds", 10, 30, "rounds (each with new threads inheriting the arrays)", 1, 100000},
    {"ops", 120000, 500000, "block replacements per thread per round", 1, 10000000000},
    {"slots", 1000, 1000, "blocks per thread's array", 1, 10000000},
    {"max_size", 512, 512, "largest block in bytes (smallest: 16)", 16, 16777216},
    {.name = "min_size", .quick = 16, .full = 16, .help = "smallest block in bytes (at least 8)", .min = 8, .max = 16777216},
};

/* larson SLEEP MIN MAX CHUNKS ROUNDS SEED THREADS: each thread replaces
 * ROUNDS x CHUNKS random blocks of MIN..MAX bytes in its CHUNKS-slot array,
 * then hands the array to a new thread, for SLEEP seconds. */
static const hb_preset presets[] = {
    {"classic", "threads=nproc,rounds=20,ops=500000,slots=5000,min_size=8,max_size=1000",
     "larson 5 8 1000 5000 100 4141 N, N = nproc (mimalloc-bench larsonN); 20 thread "
     "generations instead of 5 seconds' worth",
     0},
    {NULL, NULL, NULL, 0},
};

typedef struct larson {
    void **arrays; /* threads pointer arrays, each `slots` blocks: first, rooted */
    uint32_t *sizes; /* threads * slots */
    uint64_t *keys;
    size_t slots, min_size, max_size;
    uint64_t ops, round;
    uint64_t bad, remote;
} larson;

static void *worker(void *shared, int t) {
    larson *L = shared;
    wl_rng r = wl_rng_seed(L->round * 1000 + (uint64_t)t);
    void **arr = hb_load(&L->arrays[t]);
    uint32_t *size = L->sizes + (size_t)t * L->slots;
    uint64_t *key = L->keys + (size_t)t * L->slots;
    uint64_t bad = 0, remote = 0, tag = (L->round << 40) | ((uint64_t)t << 32);
    for (uint64_t i = 0; i < L->ops; i++) {
        size_t k = (size_t)wl_below(&r, L->slots);
        void *old = hb_load(&arr[k]);
        if (old) {
            bad += !wl_stamp_ok(old, size[k], key[k]);
            remote += (key[k] >> 40) != L->round;
            wl_release(&arr[k], size[k]);
        }
        size_t sz = (size_t)wl_range(&r, L->min_size, L->max_size);
        void *p = hb_new(sz, HB_NOSCAN);
        wl_stamp(p, sz, tag | i);
        hb_store(&arr[k], p);
        size[k] = (uint32_t)sz;
        key[k] = tag | i;
        if ((i & 1023) == 0) hb_safepoint();
    }
    __atomic_fetch_add(&L->bad, bad, __ATOMIC_RELAXED);
    __atomic_fetch_add(&L->remote, remote, __ATOMIC_RELAXED);
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int threads = (int)hb_param_get(a, "threads");
    int64_t rounds = hb_param_get(a, "rounds");
    larson L = {.ops = (uint64_t)hb_param_get(a, "ops"), .slots = (size_t)hb_param_get(a, "slots"),
                .max_size = (size_t)hb_param_get(a, "max_size")};
    if (threads < 1) threads = 1;
    if (L.slots < 1) L.slots = 1;
    L.min_size = (size_t)hb_param_get(a, "min_size");
    if (L.min_size < 8) L.min_size = 8;
    if (L.max_size < L.min_size) L.max_size = L.min_size;
    while (hb_gb_keep_running(st)) {
        hb_root_add(&L.arrays, sizeof L.arrays);
        L.arrays = wl_ptr_array((size_t)threads);
        for (int t = 0; t < threads; t++) hb_store(&L.arrays[t], wl_ptr_array(L.slots));
        L.sizes = calloc((size_t)threads * L.slots, sizeof *L.sizes);
        L.keys = calloc((size_t)threads * L.slots, sizeof *L.keys);
        for (L.round = 0; L.round < (uint64_t)rounds; L.round++)
            if (wl_team_run(threads, worker, &L)) L.bad++;
        for (int t = 0; t < threads; t++) {
            void **arr = hb_load(&L.arrays[t]);
            for (size_t k = 0; k < L.slots; k++) {
                void *p = hb_load(&arr[k]);
                if (!p) continue;
                L.bad += !wl_stamp_ok(p, L.sizes[t * L.slots + k], L.keys[t * L.slots + k]);
                wl_release(&arr[k], L.sizes[t * L.slots + k]);
            }
            hb_store(&L.arrays[t], NULL);
            wl_ptr_array_free(arr, L.slots);
        }
        wl_ptr_array_free(L.arrays, (size_t)threads);
        hb_root_remove(&L.arrays);
        free(L.sizes);
        free(L.keys);
    }
    if (L.bad) hb_wl_fail(st, "larson: %llu blocks lost their stamp", (unsigned long long)L.bad);
    hb_gb_set_items_processed(st, (int64_t)(L.ops * (uint64_t)threads * (uint64_t)rounds *
                                            (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "remote_frees", (double)L.remote, HB_GB_AVG_ITERATIONS); /* per run */
}

static const hb_workload concurrent_larson = {
    .name = "concurrent/larson",
    .category = "concurrent",
    .description = "Larson server simulation: threads replace random blocks in their arrays, "
                   "then die and new threads inherit the arrays, so most frees are of blocks "
                   "another thread allocated (ISMM'98, Hoard, mimalloc-bench).",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run,
    .presets = presets,
};
HB_WORKLOAD(concurrent_larson);
