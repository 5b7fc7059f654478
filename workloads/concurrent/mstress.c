/*
 * concurrent/mstress — mimalloc's stress test: unequal threads, recreated
 * over rounds, trading blocks through a shared array, with rare huge
 * blocks, every word checked.
 *
 * Pattern: each round starts `threads` threads; thread i does work
 * proportional to i%8+1, as the original (unequal loads, so some threads exit early and leave
 * their memory to others). Each step either allocates a block (mostly
 * 8–1024 bytes; 1 in 2000 up to 1 MiB; 1 in 100000 a huge 1–4 MiB block),
 * fills every word with a pattern, and keeps it in a private window, or
 * frees a random private block, or exchanges one of its blocks with a slot
 * of a shared `transfer` array (so the block is later freed by another
 * thread, possibly in a later round). Blocks left in the shared array
 * survive the round. Origin: mimalloc test/test-stress.c (Leijen), itself
 * after the "sh6bench"/"larson" family. Stresses: everything at once —
 * remote frees, abandoned thread heaps reclaimed by new threads, huge-block
 * paths — and checks every word, so corruption anywhere is caught.
 *
 * Parameters: threads, rounds, scale (steps of the lightest thread),
 * transfer (shared slots). Presets: classic = mimalloc-bench's mstressN.
 * Validates: every word of every block before it is freed.
 * Counters: transfers, huge_blocks, per run of the program (a repetition
 * may run it several times).
 */
#include <pthread.h>
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
    {"rounds", 6, 20, "rounds of thread creation", 1, 100000},
    {"scale", 40000, 200000, "steps of the lightest thread per round", 1, 10000000000},
    {"transfer", 1000, 1000, "slots of the shared transfer array", 1, 10000000},
};

/* mstress THREADS SCALE ITER: ITER rounds of THREADS threads; thread i
 * makes 100 x SCALE x (i % 8 + 1) short-lived and half as many retained
 * allocations; 1000 transfer slots. Here half the steps allocate, so the
 * lightest thread's 7500 allocations at SCALE 50 are scale = 15000 steps. */
static const hb_preset presets[] = {
    {"classic", "threads=nproc,rounds=25,scale=15000,transfer=1000",
     "mstress N 50 25, N = nproc (mimalloc-bench mstressN)", 0},
    {NULL, NULL, NULL, 0},
};

/* A block: word 0 = its size in bytes, word 1 = its key, then the fill. */
#define STRIPES 64

typedef struct ms {
    void **transfer; /* first: rooted */
    size_t ntransfer;
    uint64_t scale, round;
    pthread_mutex_t stripe[STRIPES];
    uint64_t bad, transfers, huge;
} ms;

static void *block_new(wl_rng *r, uint64_t key, uint64_t *huge) {
    size_t sz;
    if (wl_below(r, 100000) == 0) {
        sz = (size_t)wl_range(r, 1u << 20, 4u << 20);
        (*huge)++;
    } else if (wl_below(r, 2000) == 0) {
        sz = (size_t)wl_log_range(r, 1024, 1u << 20);
    } else {
        sz = (size_t)wl_log_range(r, 8, 1024);
    }
    sz = (sz + 7) & ~(size_t)7;
    if (sz < 16) sz = 16;
    uint64_t *p = hb_new(sz, HB_NOSCAN);
    p[0] = sz;
    p[1] = key;
    wl_fill(p + 2, sz - 16, key);
    return p;
}

static int block_ok(const uint64_t *p) { return p[0] >= 16 && wl_fill_ok(p + 2, p[0] - 16, p[1]); }

static void *worker(void *shared, int t) {
    ms *M = shared;
    wl_rng r = wl_rng_seed(M->round * 7919 + (uint64_t)t);
    uint64_t steps = M->scale * (uint64_t)(t % 8 + 1), bad = 0, transfers = 0, huge = 0;
    size_t window = 64 + (size_t)t * 32;
    void **mine = wl_ptr_array(window);
    for (uint64_t i = 0; i < steps; i++) {
        size_t k = (size_t)wl_below(&r, window);
        uint64_t dice = wl_below(&r, 100);
        uint64_t *cur = hb_load(&mine[k]);
        if (dice < 50) { /* allocate into k */
            if (cur) {
                bad += !block_ok(cur);
                wl_release(&mine[k], cur[0]);
            }
            hb_store(&mine[k], block_new(&r, (M->round << 48) | ((uint64_t)t << 40) | i, &huge));
        } else if (dice < 80) { /* free k */
            if (cur) {
                bad += !block_ok(cur);
                wl_release(&mine[k], cur[0]);
            }
        } else { /* exchange k with a shared slot */
            size_t s = (size_t)wl_below(&r, M->ntransfer);
            pthread_mutex_t *lk = &M->stripe[s % STRIPES];
            pthread_mutex_lock(lk);
            void *theirs = hb_load(&M->transfer[s]);
            hb_store(&M->transfer[s], cur);
            pthread_mutex_unlock(lk);
            hb_store(&mine[k], theirs);
            if (theirs) bad += !block_ok(theirs);
            transfers++;
        }
        if ((i & 255) == 0) hb_safepoint();
    }
    for (size_t k = 0; k < window; k++) {
        uint64_t *cur = hb_load(&mine[k]);
        if (!cur) continue;
        bad += !block_ok(cur);
        wl_release(&mine[k], cur[0]);
    }
    wl_ptr_array_free(mine, window);
    __atomic_fetch_add(&M->bad, bad, __ATOMIC_RELAXED);
    __atomic_fetch_add(&M->transfers, transfers, __ATOMIC_RELAXED);
    __atomic_fetch_add(&M->huge, huge, __ATOMIC_RELAXED);
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int threads = (int)hb_param_get(a, "threads");
    int64_t rounds = hb_param_get(a, "rounds");
    ms *M = calloc(1, sizeof *M);
    M->scale = (uint64_t)hb_param_get(a, "scale");
    M->ntransfer = (size_t)hb_param_get(a, "transfer");
    if (M->ntransfer < 1) M->ntransfer = 1;
    for (int i = 0; i < STRIPES; i++) pthread_mutex_init(&M->stripe[i], NULL);
    hb_root_add(&M->transfer, sizeof M->transfer);
    uint64_t steps = 0;
    while (hb_gb_keep_running(st)) {
        M->transfer = wl_ptr_array(M->ntransfer);
        for (M->round = 0; M->round < (uint64_t)rounds; M->round++) {
            if (wl_team_run(threads, worker, M)) M->bad++;
            for (int t = 0; t < threads; t++) steps += M->scale * (uint64_t)(t % 8 + 1);
        }
        for (size_t s = 0; s < M->ntransfer; s++) {
            uint64_t *p = hb_load(&M->transfer[s]);
            if (!p) continue;
            M->bad += !block_ok(p);
            wl_release(&M->transfer[s], p[0]);
        }
        wl_ptr_array_free(M->transfer, M->ntransfer);
        M->transfer = NULL;
    }
    hb_root_remove(&M->transfer);
    if (M->bad) hb_wl_fail(st, "mstress: %llu blocks corrupted", (unsigned long long)M->bad);
    hb_gb_set_items_processed(st, (int64_t)steps);
    /* per run of the program: a repetition may run it several times */
    hb_gb_counter(st, "transfers", (double)M->transfers, HB_GB_AVG_ITERATIONS);
    hb_gb_counter(st, "huge_blocks", (double)M->huge, HB_GB_AVG_ITERATIONS);
    for (int i = 0; i < STRIPES; i++) pthread_mutex_destroy(&M->stripe[i]);
    free(M);
}

static const hb_workload concurrent_mstress = {
    .name = "concurrent/mstress",
    .category = "concurrent",
    .description = "mimalloc's stress test: unequal threads recreated over rounds allocate, "
                   "free and trade blocks through a shared array (remote and cross-round "
                   "frees), with rare huge blocks; every word of every block checked.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run,
    .presets = presets,
};
HB_WORKLOAD(concurrent_mstress);
