/*
 * pooled/buffers-{direct,freelist,syncpool} — get and put I/O-sized
 * buffers, 4 to 64 KiB.
 *
 * Pattern: a server's request buffers: every request takes a buffer of one
 * of five classes (4, 8, 16, 32, 64 KiB), writes into it, and gives it back
 * some requests later (`held` buffers are in flight). Done three ways
 * (pooled/strategy.h): allocate and free each time; a hand-made free list
 * per class; the adapter's GC-aware sync.Pool analogue. Origin: Go's
 * bytes.Buffer / bufio pools and the sync.Pool debates (golang/go#23199),
 * the buffer pools of Netty and nginx. Stresses: mid-size allocation (too
 * large for most thread caches, too small for mmap) against a pool's
 * hit rate; for collectors, the allocation volume a pool saves.
 *
 * Parameters: ops, held, touch (bytes written per use).
 * Validates: the header/trailer protocol of pooled/strategy.h, and the
 * bytes written at use time, read back at put.
 * Counters: objects_made (allocations behind the gets), reuse_ratio.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "pooled/strategy.h"
#include "wl/rng.h"

static const hb_param params[] = {
    {"ops", 60000, 3000000, "buffers taken (and given back)", 1, 100000000000},
    {"held", 16, 16, "buffers in flight (requests in progress)", 1, 100000},
    {"touch", 1024, 1024, "bytes written into each buffer per use", 0, 4032},
};

#define NCLASS 5

static void run(hb_gb_state *st, const hb_wl_args *a, int strategy) {
    uint64_t ops = (uint64_t)hb_param_get(a, "ops");
    size_t held = (size_t)hb_param_get(a, "held");
    size_t touch = (size_t)hb_param_get(a, "touch");
    if (held < 1) held = 1;
    if (touch > 4096 - 64) touch = 4096 - 64;
    uint64_t bad = 0, made = 0;
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(17);
        ps_class cls[NCLASS];
        for (int c = 0; c < NCLASS; c++)
            if (ps_init(&cls[c], strategy, (size_t)4096 << c, (uint64_t)c, 4 * held)) bad++;
        void **slot = wl_ptr_array(held);
        unsigned char *which = calloc(held, 1);
        for (uint64_t i = 0; i < ops && !bad; i++) {
            size_t k = (size_t)wl_below(&r, held);
            unsigned char *old = hb_load(&slot[k]);
            if (old) {
                for (size_t b = 0; b < touch; b += 64) bad += old[32 + b] != (unsigned char)(k + b);
                hb_store(&slot[k], NULL);
                ps_put(&cls[which[k]], old, &bad);
            }
            int c = (int)wl_below(&r, NCLASS);
            unsigned char *p = ps_get(&cls[c], &bad);
            if (!p) {
                bad++;
                break;
            }
            memset(p + 32, 0, touch);
            for (size_t b = 0; b < touch; b += 64) p[32 + b] = (unsigned char)(k + b);
            hb_store(&slot[k], p);
            which[k] = (unsigned char)c;
            if ((i & 255) == 0) hb_safepoint();
        }
        for (size_t k = 0; k < held; k++) {
            void *p = hb_load(&slot[k]);
            if (!p) continue;
            hb_store(&slot[k], NULL);
            ps_put(&cls[which[k]], p, &bad);
        }
        made = 0;
        for (int c = 0; c < NCLASS; c++) {
            made += cls[c].made;
            ps_destroy(&cls[c]);
        }
        free(which);
        wl_ptr_array_free(slot, held);
    }
    ps_report(st, "buffers", "buffers", strategy, bad, ops, made);
}

PS_WORKLOADS(buffers, "pooled/buffers",
             "Get/put of request buffers of 4-64 KiB (five classes), 16 in flight, 1 KiB "
             "written per use: mid-size allocation against a pool's hit rate.",
             params, run, 0);
