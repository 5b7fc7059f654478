/*
 * heap/churn — random sizes and random lifetimes in a window of live blocks.
 *
 * Pattern: shbench (MicroQuill's SmartHeap benchmark) and mimalloc-bench's
 * "sh6bench/sh8bench" family: a window of `live` slots; each step picks a
 * slot at random, releases the block there (after checking its stamp) and
 * puts a new block of random size in its place. Lifetimes are therefore
 * geometric with mean `live` steps, and the heap holds a steady, fragmented
 * mix of sizes. `dist` picks the sizes: 0 small (16–128 B), 1 medium
 * (256 B–8 KiB), 2 mixed (80% 16–256 B, 19% up to 16 KiB log-uniform, 1% up
 * to 256 KiB). Stresses: size-class lookup across many classes, reuse of
 * freed memory in random order, fragmentation; over a collector, the
 * allocation rate against a steady live heap. Blocks hang from a pointer
 * array allocated with hb_new, written with hb_store.
 *
 * Parameters: ops, live, dist.
 * Validates: every block's head and tail stamp before it is released.
 * Counters: bytes_allocated, live_bytes_end.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"
#include "wl/stamp.h"

static const hb_param params[] = {
    {"ops", 600000, 20000000, "blocks allocated (and as many released)", 1, 100000000000},
    {"live", 10000, 100000, "slots in the window of live blocks", 1, 1000000},
    {"dist", 2, 2, "sizes: 0 small 16-128 B, 1 medium 256 B-8 KiB, 2 mixed up to 256 KiB", 0, 2},
};

static void run(hb_gb_state *st, const hb_wl_args *a) {
    uint64_t ops = (uint64_t)hb_param_get(a, "ops");
    size_t live = (size_t)hb_param_get(a, "live");
    int dist = (int)hb_param_get(a, "dist");
    if (live < 1) live = 1;
    uint64_t bad = 0, bytes = 0, live_bytes = 0;
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(42);
        void **slot = wl_ptr_array(live);
        uint32_t *size = calloc(live, sizeof *size);
        uint64_t *key = calloc(live, sizeof *key);
        for (uint64_t i = 0; i < ops; i++) {
            size_t k = (size_t)wl_below(&r, live);
            void *old = hb_load(&slot[k]);
            if (old) {
                bad += !wl_stamp_ok(old, size[k], key[k]);
                wl_release(&slot[k], size[k]);
            }
            size_t sz = wl_dist_size(&r, dist);
            void *p = hb_new(sz, HB_NOSCAN);
            wl_stamp(p, sz, i);
            hb_store(&slot[k], p);
            size[k] = (uint32_t)sz;
            key[k] = i;
            bytes += sz;
            if ((i & 1023) == 0) hb_safepoint();
        }
        live_bytes = 0;
        for (size_t k = 0; k < live; k++) {
            void *p = hb_load(&slot[k]);
            if (!p) continue;
            live_bytes += size[k];
            bad += !wl_stamp_ok(p, size[k], key[k]);
            wl_release(&slot[k], size[k]);
        }
        free(size);
        free(key);
        wl_ptr_array_free(slot, live);
    }
    if (bad) hb_wl_fail(st, "churn: %llu blocks lost their stamp", (unsigned long long)bad);
    hb_gb_set_items_processed(st, (int64_t)(ops * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "bytes_allocated", (double)bytes, HB_GB_DEFAULT);
    hb_gb_counter(st, "live_bytes_end", (double)live_bytes, HB_GB_DEFAULT);
}

static const hb_workload heap_churn = {
    .name = "heap/churn",
    .category = "heap",
    .description = "shbench-style churn: a window of live blocks where each step replaces a "
                   "random block with one of random size (small, medium or mixed), so "
                   "lifetimes are random and the heap stays fragmented.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_churn);
