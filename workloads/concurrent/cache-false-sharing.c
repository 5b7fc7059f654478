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
 * False-sharing factor, measured in the same cell: every thread times the
 * writes to each allocator-provided object, and after every REF_EVERY-th
 * object the very same writes to a private, cache-line-aligned block of
 * its own stack (128-byte aligned: the adjacent-line prefetcher's pair is
 * private too), while the other threads keep writing their objects. The
 * counter `false_sharing_factor` is the time per write on the objects over
 * the time per write on the private block (each the mean of the fastest
 * 90 % of the thread's timings, the factor the mean over threads): 1.0 =
 * no false sharing; an
 * allocator that puts two threads' objects in one line shows it far above
 * 1 (tests/workloads/packed_adapter.c proves it). It needs the threads on
 * different cores at the same time: on a machine with fewer free cores
 * than threads it is diluted towards 1. The headline time is the whole
 * run (writes, the reference writes — 1/REF_EVERY more — and the calls);
 * alloc_share shows how little of it the calls are.
 *
 * Parameters: threads, objects (per thread), writes (per object), size.
 * Validates: every object's bytes after its writes (each thread writes its
 * own pattern; a block handed to two threads at once is caught).
 * Counters: false_sharing_factor, plus items (writes).
 *
 * Presets: classic is mimalloc-bench's `cache-scratch N 1000 1 2000000 N`
 * and `cache-thrash N 1000 1 2000000 N` with N = nproc (docs/workloads.md).
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/sys.h"
#include "wl/team.h"

/* One reference timing after every REF_EVERY objects. */
#define REF_EVERY 8

static const hb_param params[] = {
    {"threads", 2, 8, "threads", 1, 1024},
    {"objects", 2000, 200000, "objects allocated per thread", 1, 100000000},
    {"writes", 5000, 1000, "writes to each object's bytes", 0, 100000000},
    {"size", 8, 8, "object size in bytes", 1, 65536},
};

typedef struct fs {
    void **handed; /* passive: one object per thread from main: first, rooted */
    uint64_t objects, writes;
    size_t size;
    uint64_t bad;
    uint64_t factor_sum, factor_n; /* per-thread factors (x 1e6) summed, and their count */
} fs;

/* `writes` passes over the block's bytes, each a store of this thread's
 * pattern and a load of the byte back, as Hoard's programs do (`a[k] = k;
 * volatile char ch = a[k]`): with stores alone, a store buffer hides most
 * of the line's trips between cores. Returns the nanoseconds taken. */
static uint64_t write_block(volatile unsigned char *p, size_t size, uint64_t writes, int t) {
    uint64_t t0 = wl_now_ns();
    unsigned char sink = 0;
    for (uint64_t w = 0; w < writes; w++)
        for (size_t b = 0; b < size; b++) {
            p[b] = (unsigned char)(w * (1 + (unsigned)t) + b);
            sink += p[b];
        }
    hb_gb_do_not_optimize(&sink);
    return wl_now_ns() - t0;
}

/* Whether the block holds the last pass's pattern. */
static uint64_t block_bad(const volatile unsigned char *p, size_t size, uint64_t writes, int t) {
    uint64_t last = writes ? writes - 1 : 0, bad = 0;
    for (size_t b = 0; b < size && writes; b++) bad += p[b] != (unsigned char)(last * (1 + (unsigned)t) + b);
    return bad != 0;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The mean of the fastest 90 %: the slowest tenth holds the intervals in
 * which the thread was preempted or interrupted (they would decide a plain
 * mean), while a median would hide false sharing that slowed fewer than
 * half of the objects (threads that overlapped only part of the time). */
static double trimmed_mean(uint32_t *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_u32);
    size_t keep = n - n / 10;
    double sum = 0;
    for (size_t i = 0; i < keep; i++) sum += v[i];
    return keep ? sum / (double)keep : 0;
}

static void *worker(void *shared, int t) {
    fs *F = shared;
    _Alignas(128) unsigned char priv[128];
    size_t ref_size = F->size < sizeof priv ? F->size : sizeof priv, nref = 0;
    uint64_t bad = 0;
    /* Per-object and per-reference times, compared by trimmed means. */
    uint32_t *obj_ns = calloc(F->objects + 1, sizeof *obj_ns);
    uint32_t *ref_ns = calloc(F->objects / REF_EVERY + 2, sizeof *ref_ns);
    if (F->handed) wl_release(&F->handed[t], F->size);
    for (uint64_t i = 0; i < F->objects; i++) {
        volatile unsigned char *p = hb_new(F->size, HB_NOSCAN);
        obj_ns[i] = (uint32_t)write_block(p, F->size, F->writes, t);
        bad += block_bad(p, F->size, F->writes, t);
        hb_drop((void *)p, F->size);
        if (i % REF_EVERY == 0) {
            ref_ns[nref++] = (uint32_t)(write_block(priv, ref_size, F->writes, t) * F->size / ref_size);
            bad += block_bad(priv, ref_size, F->writes, t);
        }
        if ((i & 255) == 0) hb_safepoint();
    }
    double o = trimmed_mean(obj_ns, F->objects), r = trimmed_mean(ref_ns, nref);
    free(obj_ns);
    free(ref_ns);
    __atomic_fetch_add(&F->bad, bad, __ATOMIC_RELAXED);
    if (o > 0 && r > 0) { /* the factor's sum over threads, in millionths */
        __atomic_fetch_add(&F->factor_sum, (uint64_t)(o / r * 1e6), __ATOMIC_RELAXED);
        __atomic_fetch_add(&F->factor_n, 1, __ATOMIC_RELAXED);
    }
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
    if (F.factor_n)
        hb_gb_counter(st, "false_sharing_factor", (double)F.factor_sum / 1e6 / (double)F.factor_n,
                      HB_GB_DEFAULT);
}

static void run_scratch(hb_gb_state *st, const hb_wl_args *a) { run(st, a, 1); }
static void run_thrash(hb_gb_state *st, const hb_wl_args *a) { run(st, a, 0); }

/* Hoard's arguments: nthreads iterations objSize repetitions concurrency
 * = objects per thread, object size and writes per object here. */
static const hb_preset scratch_presets[] = {
    {"classic", "threads=nproc,objects=1000,writes=2000000,size=1",
     "cache-scratch N 1000 1 2000000 N, N = nproc (mimalloc-bench cache-scratchN)", 0},
    {NULL, NULL, NULL, 0},
};
static const hb_preset thrash_presets[] = {
    {"classic", "threads=nproc,objects=1000,writes=2000000,size=1",
     "cache-thrash N 1000 1 2000000 N, N = nproc (mimalloc-bench cache-thrashN)", 0},
    {NULL, NULL, NULL, 0},
};

static const hb_workload concurrent_cache_scratch = {
    .name = "concurrent/cache-scratch",
    .category = "concurrent",
    .description = "Hoard's cache-scratch (passive false sharing): main allocates one small "
                   "object per thread, each thread frees it, then allocates, writes and frees "
                   "small objects; a bad allocator hands every thread a block in the same line.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run_scratch,
    .presets = scratch_presets,
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
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run_thrash,
    .presets = thrash_presets,
};
HB_WORKLOAD(concurrent_cache_thrash);
