/*
 * concurrent/cache-scratch and concurrent/cache-thrash — false sharing
 * induced by the allocator, passive and active (Hoard's benchmarks).
 *
 * Active (cache-thrash): each of `threads` threads repeatedly allocates a
 * small object (`size` bytes, default 8), writes it `writes` times and frees
 * it. An allocator that carves consecutive small objects for different
 * threads out of the same cache line makes the threads' writes fight over
 * that line (active false sharing).
 * Passive (cache-scratch): the main thread first allocates one small object
 * per thread — consecutively, so they likely share a cache line — and hands
 * one to each thread, which frees it and then does the cache-thrash loop.
 * An allocator that puts a freed block back where the next local
 * allocation takes it gives each thread a block in the shared line (passive
 * false sharing). Origin: Berger et al., "Hoard: a scalable memory
 * allocator for multithreaded applications" (ASPLOS 2000), its
 * cache-scratch and cache-thrash programs (also in mimalloc-bench).
 * Stresses: per-thread heaps and the placement of small blocks; the writes
 * dominate, so a good allocator scales with threads and a bad one does not.
 *
 * Parameters: threads, objects (per thread), writes (per object), size.
 * Validates: every object's bytes after its writes (each thread writes its
 * own pattern; a block handed to two threads at once is caught).
 * Counters: none beyond items (writes).
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/team.h"

static const hb_param params[] = {
    {"threads", 2, 8, "threads", 1, 1024},
    {"objects", 20000, 200000, "objects allocated per thread", 1, 100000000},
    {"writes", 500, 1000, "writes to each object's bytes", 0, 100000000},
    {"size", 8, 8, "object size in bytes", 1, 65536},
};

typedef struct fs {
    void **handed; /* passive: one object per thread from main: first, rooted */
    uint64_t objects, writes;
    size_t size;
    uint64_t bad;
} fs;

static void *worker(void *shared, int t) {
    fs *F = shared;
    uint64_t bad = 0;
    if (F->handed) wl_release(&F->handed[t], F->size);
    for (uint64_t i = 0; i < F->objects; i++) {
        volatile unsigned char *p = hb_new(F->size, HB_NOSCAN);
        for (uint64_t w = 0; w < F->writes; w++)
            for (size_t b = 0; b < F->size; b++) p[b] = (unsigned char)(w * (1 + (unsigned)t) + b);
        uint64_t last = F->writes ? F->writes - 1 : 0;
        for (size_t b = 0; b < F->size && F->writes; b++)
            bad += p[b] != (unsigned char)(last * (1 + (unsigned)t) + b);
        hb_drop((void *)p, F->size);
        if ((i & 255) == 0) hb_safepoint();
    }
    __atomic_fetch_add(&F->bad, bad, __ATOMIC_RELAXED);
    return NULL;
}

static void run(hb_gb_state *st, const hb_wl_args *a, int passive) {
    int threads = (int)hb_param_get(a, "threads");
    fs F = {.objects = (uint64_t)hb_param_get(a, "objects"), .writes = (uint64_t)hb_param_get(a, "writes"),
            .size = (size_t)hb_param_get(a, "size")};
    if (threads < 1) threads = 1;
    if (F.size < 1) F.size = 1;
    hb_root_add(&F.handed, sizeof F.handed);
    while (hb_gb_keep_running(st)) {
        if (passive) {
            F.handed = wl_ptr_array((size_t)threads);
            for (int t = 0; t < threads; t++) hb_store(&F.handed[t], hb_new(F.size, HB_NOSCAN));
        }
        if (wl_team_run(threads, worker, &F)) F.bad++;
        if (passive) {
            wl_ptr_array_free(F.handed, (size_t)threads);
            F.handed = NULL;
        }
    }
    hb_root_remove(&F.handed);
    if (F.bad) hb_wl_fail(st, "cache-%s: %llu objects written by another thread too",
                          passive ? "scratch" : "thrash", (unsigned long long)F.bad);
    hb_gb_set_items_processed(st, (int64_t)(F.objects * (uint64_t)threads * F.writes *
                                            (uint64_t)hb_gb_iterations(st)));
}

static void run_scratch(hb_gb_state *st, const hb_wl_args *a) { run(st, a, 1); }
static void run_thrash(hb_gb_state *st, const hb_wl_args *a) { run(st, a, 0); }

static const hb_workload concurrent_cache_scratch = {
    .name = "concurrent/cache-scratch",
    .category = "concurrent",
    .description = "Hoard's cache-scratch (passive false sharing): main allocates one small "
                   "object per thread, each thread frees it, then allocates, writes and frees "
                   "small objects; a bad allocator hands every thread a block in the same line.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = 1,
    .run = run_scratch,
};
HB_WORKLOAD(concurrent_cache_scratch);

static const hb_workload concurrent_cache_thrash = {
    .name = "concurrent/cache-thrash",
    .category = "concurrent",
    .description = "Hoard's cache-thrash (active false sharing): threads allocate, write many "
                   "times and free small objects; an allocator that carves different threads' "
                   "objects from one cache line makes their writes fight.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = 1,
    .run = run_thrash,
};
HB_WORKLOAD(concurrent_cache_thrash);
