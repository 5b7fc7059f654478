/*
 * heap/large — big blocks, 64 KiB to 16 MiB, every page touched.
 *
 * Pattern: the large-object path of an allocator: buffers, images, column
 * chunks. A window of `live` slots; each step releases a random slot's block
 * and allocates a new one of log-uniform size between 64 KiB and 16 MiB,
 * writing one word on every page (the OS must really provide the memory).
 * Origin: mimalloc-bench's "malloc-large" and glibc's mmap-threshold tests.
 * Stresses: the page heap / mmap path, the mmap threshold heuristics
 * (glibc), huge-page handling, returning and reusing big spans, page faults.
 *
 * Parameters: ops, live, max_kib (largest block).
 * Validates: every page's word before the block is released.
 * Counters: bytes_allocated.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"
#include "wl/stamp.h"

static const hb_param params[] = {
    {"ops", 200, 4000, "blocks allocated", 1, 1000000000},
    {"live", 8, 16, "slots in the window of live blocks", 1, 4096},
    {"max_kib", 16384, 16384, "largest block in KiB (smallest: 64)", 64, 262144},
};

static void run(hb_gb_state *st, const hb_wl_args *a) {
    uint64_t ops = (uint64_t)hb_param_get(a, "ops");
    size_t live = (size_t)hb_param_get(a, "live");
    uint64_t max = (uint64_t)hb_param_get(a, "max_kib") << 10;
    if (live < 1) live = 1;
    if (max < 65536) max = 65536;
    uint64_t bad = 0, bytes = 0;
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(7);
        void **slot = wl_ptr_array(live);
        size_t size[64 > live ? 64 : live];
        for (uint64_t i = 0; i < ops; i++) {
            size_t k = (size_t)wl_below(&r, live);
            void *old = hb_load(&slot[k]);
            if (old) {
                bad += !wl_touch_pages_ok(old, size[k], k ^ (uint64_t)size[k]);
                wl_release(&slot[k], size[k]);
            }
            size_t sz = (size_t)wl_log_range(&r, 65536, max);
            void *p = hb_new(sz, HB_NOSCAN);
            wl_touch_pages(p, sz, k ^ (uint64_t)sz);
            hb_store(&slot[k], p);
            size[k] = sz;
            bytes += sz;
            hb_safepoint();
        }
        for (size_t k = 0; k < live; k++) {
            void *p = hb_load(&slot[k]);
            if (!p) continue;
            bad += !wl_touch_pages_ok(p, size[k], k ^ (uint64_t)size[k]);
            wl_release(&slot[k], size[k]);
        }
        wl_ptr_array_free(slot, live);
    }
    if (bad) hb_wl_fail(st, "large: %llu blocks lost a page's word", (unsigned long long)bad);
    hb_gb_set_items_processed(st, (int64_t)(ops * (uint64_t)hb_gb_iterations(st)));
    hb_gb_set_bytes_processed(st, (int64_t)bytes);
    hb_gb_counter(st, "bytes_allocated", (double)bytes, HB_GB_DEFAULT);
}

static const hb_workload heap_large = {
    .name = "heap/large",
    .category = "heap",
    .description = "Large blocks (64 KiB to 16 MiB, log-uniform) in a small window of live "
                   "blocks, every page touched: the page heap / mmap path, its thresholds and "
                   "the reuse of big spans.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_large);
