/*
 * pooled/objects-{direct,freelist,syncpool} — reuse of small fixed-size
 * objects.
 *
 * Pattern: the object pool of every game engine, parser and RPC stack: one
 * struct type (`size` bytes, default 64), taken and given back at a high
 * rate with a few (`held`) alive at once — the case a general allocator's
 * thread cache is built for, and where a hand-made pool is often written
 * "for speed". Three strategies (pooled/strategy.h): direct, a hand-made
 * free list, the adapter's sync.Pool analogue. Origin: Go's sync.Pool of
 * small structs (fmt's pp, encoding/json's encodeState), C object pools.
 * Stresses: the small-object fast path against a pool's own overhead (a
 * mutex for the free list, per-P caches for sync.Pool).
 *
 * Parameters: ops, held, size.
 * Validates: the header/trailer protocol of pooled/strategy.h and a
 * payload word written at get and checked at put.
 * Counters: objects_made, reuse_ratio.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "pooled/strategy.h"
#include "wl/rng.h"

static const hb_param params[] = {
    {"ops", 2000000, 100000000, "objects taken (and given back)", 1, 1000000000000},
    {"held", 8, 8, "objects alive at once", 1, 100000},
    {"size", 64, 64, "object size in bytes (at least 32)", 1, 1048576},
};

static void run(hb_gb_state *st, const hb_wl_args *a, int strategy) {
    uint64_t ops = (uint64_t)hb_param_get(a, "ops");
    size_t held = (size_t)hb_param_get(a, "held");
    size_t size = (size_t)hb_param_get(a, "size");
    if (held < 1) held = 1;
    if (size < 32) size = 32;
    uint64_t bad = 0, made = 0;
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(23);
        ps_class c;
        if (ps_init(&c, strategy, size, 1, 4 * held)) {
            bad++;
            break;
        }
        void **slot = wl_ptr_array(held);
        for (uint64_t i = 0; i < ops; i++) {
            size_t k = (size_t)wl_below(&r, held);
            uint64_t *old = hb_load(&slot[k]);
            if (old) {
                bad += old[2] != (uint64_t)k * 0x9e3779b97f4a7c15ull;
                hb_store(&slot[k], NULL);
                ps_put(&c, old, &bad);
            }
            uint64_t *p = ps_get(&c, &bad);
            if (!p) {
                bad++;
                break;
            }
            p[2] = (uint64_t)k * 0x9e3779b97f4a7c15ull;
            hb_store(&slot[k], p);
            if ((i & 1023) == 0) hb_safepoint();
        }
        for (size_t k = 0; k < held; k++) {
            void *p = hb_load(&slot[k]);
            if (!p) continue;
            hb_store(&slot[k], NULL);
            ps_put(&c, p, &bad);
        }
        made = c.made;
        ps_destroy(&c);
        wl_ptr_array_free(slot, held);
    }
    ps_report(st, "objects", "objects", strategy, bad, ops, made);
}

PS_WORKLOADS(objects, "pooled/objects",
             "Small fixed-size objects (64 B) taken and given back at a high rate, 8 alive at "
             "once: the thread cache's home ground against a pool's own overhead.",
             params, run, 0);
