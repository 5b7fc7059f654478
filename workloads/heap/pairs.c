/*
 * heap/pairs — allocate and immediately free one block, over and over.
 *
 * Pattern: the tightest allocator loop there is, the "malloc-free pair" of
 * every allocator paper; it measures the fast paths of the thread cache
 * (size-class lookup, pop, push) and nothing else. Each block is written
 * before it is freed, so the allocator must hand out usable memory, and a
 * window of `live` blocks is kept so consecutive pairs do not always get
 * the same address back.
 *
 * Parameters: size (bytes per block, at least 16), live (blocks kept in a ring).
 * Validates: every block still holds the tag written into it when it is
 * freed, `live` allocations later.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"

static const hb_param params[] = {
    {"size", 64, 64, "bytes per block", 1, 16777216},
    {"live", 64, 64, "blocks kept alive in a ring", 1, 1000000},
};

static void run(hb_gb_state *st, const hb_wl_args *a) {
    size_t size = (size_t)hb_param_get(a, "size");
    size_t live = (size_t)hb_param_get(a, "live");
    if (size < 2 * sizeof(uint64_t)) size = 2 * sizeof(uint64_t);
    /* The ring is allocated by the adapter with every word a pointer, so a
     * collector sees the live blocks (a calloc'd ring would hide them). */
    static const hb_layout ring_layout = {1, 1};
    uint64_t **ring = hb_new_zeroed(live * sizeof *ring, &ring_layout);
    uint64_t tag = 0, bad = 0;
    size_t slot = 0;
    int64_t n;
    while ((n = hb_gb_keep_running_batch(st, 1024)) > 0) {
        for (int64_t i = 0; i < n; i++) {
            uint64_t *old = ring[slot];
            if (old) {
                bad += old[1] != (old[0] ^ (uintptr_t)old);
                hb_drop(old, size);
            }
            uint64_t *p = hb_new(size, HB_NOSCAN);
            p[0] = ++tag;
            p[1] = tag ^ (uintptr_t)p;
            hb_store(&ring[slot], p);
            slot = slot + 1 == live ? 0 : slot + 1;
        }
    }
    for (size_t i = 0; i < live; i++)
        if (ring[i]) hb_drop(ring[i], size);
    hb_drop(ring, live * sizeof *ring);
    if (bad) hb_wl_fail(st, "%llu blocks lost their tag", (unsigned long long)bad);
    hb_gb_set_items_processed(st, hb_gb_iterations(st));
}

static const hb_workload heap_pairs = {
    .name = "heap/pairs",
    .category = "heap",
    .description = "Allocate and free one block at a time with a small ring of live blocks: "
                   "the malloc/free fast path of every allocator paper.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .run = run,
};
HB_WORKLOAD(heap_pairs);
