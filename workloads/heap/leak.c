/*
 * heap/leak — a program that leaks on purpose: a small fraction of every
 * batch is never freed (manual) or stays reachable (collected).
 *
 * Why: `heapbench explain` (docs/anatomy.md) must tell a leak from
 * fragmentation and retention; this is its known leak. Each batch allocates
 * `batch` objects of 24–`max_size` bytes, keeps `leak_permille` per
 * thousand of them on a list hung from a root (never dropped, in any
 * repetition: the leak grows with the process, as a real one does), and
 * frees the rest in allocation order. The live heap therefore grows by
 * about batches × batch × leak_permille/1000 × (24 + max_size)/2 bytes per
 * repetition, while the freed objects are reused by the next batch.
 *
 * Parameters: batches, batch, leak_permille, max_size.
 * Validates: every leaked object (its index and tail stamp), at the end.
 * Counters: leaked_bytes (this process's leak so far), leaked_objects.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"
#include "wl/stamp.h"

static const hb_param params[] = {
    {"batches", 2000, 20000, "batches per repetition", 1, 10000000},
    {"batch", 1000, 1000, "objects per batch", 1, 10000000},
    {"leak_permille", 20, 20, "objects per thousand never freed", 0, 1000},
    {"max_size", 256, 256, "largest object in bytes (smallest: 24)", 24, 512},
};

/* A leaked object: word 0 the next leaked object, word 1 (index << 10 |
 * size), the last word a stamp of both. Only word 0 holds a pointer. */
static const hb_layout leak_layout = {64, 1};
static void *leak_head; /* a root for collectors */
static uint64_t leaked_objects, leaked_bytes;

static void leak_one(void *p, size_t size) {
    uint64_t tag = leaked_objects << 10 | size, w = ~wl_stamp_word(tag, size);
    memcpy((char *)p + 8, &tag, 8);
    memcpy((char *)p + size - 8, &w, 8);
    hb_store(p, hb_load(&leak_head));
    hb_store(&leak_head, p);
    leaked_objects++, leaked_bytes += size;
}

/* Walks the list: every object's tag and stamp, and the count. */
static uint64_t leak_check(void) {
    uint64_t bad = 0, n = 0;
    for (void *p = hb_load(&leak_head); p; p = hb_load((void *const *)p), n++) {
        uint64_t tag, w;
        memcpy(&tag, (char *)p + 8, 8);
        size_t size = (size_t)(tag & 1023);
        if (size < 24 || size > 512) return leaked_objects + 1;
        memcpy(&w, (char *)p + size - 8, 8);
        bad += w != ~wl_stamp_word(tag, size) || (tag >> 10) != leaked_objects - 1 - n;
    }
    return bad + (n != leaked_objects);
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    size_t batches = (size_t)hb_param_get(a, "batches"), batch = (size_t)hb_param_get(a, "batch");
    uint64_t leak = (uint64_t)hb_param_get(a, "leak_permille");
    size_t max = (size_t)hb_param_get(a, "max_size");
    static int rooted;
    if (!rooted++) hb_root_add(&leak_head, sizeof leak_head);
    void **slot = wl_ptr_array(batch);
    uint32_t *size = malloc(batch * sizeof *size);
    wl_rng r = wl_rng_seed(17);
    while (hb_gb_keep_running(st)) {
        for (size_t b = 0; b < batches; b++) {
            for (size_t i = 0; i < batch; i++) {
                size[i] = (uint32_t)wl_range(&r, 24, max);
                void *p = hb_new(size[i], &leak_layout);
                memset(p, 0, 16);
                wl_stamp((char *)p + 16, size[i] - 16, i);
                hb_store(&slot[i], p);
            }
            for (size_t i = 0; i < batch; i++) {
                if (wl_below(&r, 1000) < leak) {
                    leak_one(hb_load(&slot[i]), size[i]);
                    hb_store(&slot[i], NULL);
                } else {
                    wl_release(&slot[i], size[i]);
                }
            }
            hb_safepoint();
        }
    }
    uint64_t bad = leak_check();
    if (bad) hb_wl_fail(st, "heap/leak: %llu leaked objects lost or damaged", (unsigned long long)bad);
    free(size);
    wl_ptr_array_free(slot, batch);
    hb_gb_set_items_processed(st, (int64_t)(batches * batch * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "leaked_bytes", (double)leaked_bytes, HB_GB_DEFAULT);
    hb_gb_counter(st, "leaked_objects", (double)leaked_objects, HB_GB_DEFAULT);
}

static const hb_workload heap_leak = {
    .name = "heap/leak",
    .category = "heap",
    .description = "A program that leaks on purpose: each batch of small objects keeps a few per "
                   "thousand forever (never freed; reachable from a root under a collector), the "
                   "rest freed. Live bytes grow steadily: the known leak for `heapbench explain`.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_leak);
