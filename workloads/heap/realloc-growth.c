/*
 * heap/realloc-growth — buffers grown with realloc, by doubling and by
 * small steps.
 *
 * Pattern: the growable buffer (a string builder, a vector, a read loop):
 * `buffers` buffers, kept live together, each grown to a random final size
 * up to `max_kib`, half of them by doubling their capacity (amortized, as a
 * vector does) and half by small steps of 16–`step` bytes (as naive code and
 * many parsers do), appending data and calling realloc on every growth.
 * Origin: mimalloc-bench's "glibc-simple" / realloc tests and the
 * growth-policy debates of every vector. Stresses: in-place growth
 * (extending into free neighbours), the copy path, mremap for big blocks.
 * Manual adapters only: it relies on realloc semantics.
 *
 * Parameters: buffers, max_kib, step, rounds.
 * Validates: every buffer's whole contents after its last growth (realloc
 * must preserve the prefix).
 * Counters: reallocs, bytes_appended.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/rng.h"

static const hb_param params[] = {
    {"buffers", 64, 256, "buffers grown at the same time", 1, 100000},
    {"max_kib", 256, 1024, "largest final size in KiB", 1, 65536},
    {"step", 64, 64, "largest small step in bytes (smallest: 16)", 1, 65536},
    {"rounds", 4, 20, "times every buffer is grown from empty", 1, 100000},
};

typedef struct buf {
    unsigned char *p;
    size_t len, cap, target;
    int doubling;
} buf;

static inline unsigned char byte_at(size_t i, size_t b) { return (unsigned char)(i * 131 + b * 7 + (i >> 8)); }

static void run(hb_gb_state *st, const hb_wl_args *a) {
    size_t nb = (size_t)hb_param_get(a, "buffers");
    size_t max = (size_t)hb_param_get(a, "max_kib") << 10;
    size_t step = (size_t)hb_param_get(a, "step");
    int64_t rounds = hb_param_get(a, "rounds");
    if (step < 16) step = 16;
    if (max < 4096) max = 4096;
    uint64_t bad = 0, reallocs = 0, appended = 0;
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(99);
        buf *b = calloc(nb, sizeof *b);
        for (int64_t round = 0; round < rounds; round++) {
            for (size_t i = 0; i < nb; i++)
                b[i] = (buf){NULL, 0, 0, (size_t)wl_log_range(&r, 1024, max), (int)(i & 1)};
            size_t active = nb;
            while (active) {
                active = 0;
                for (size_t i = 0; i < nb; i++) {
                    buf *x = &b[i];
                    if (x->len >= x->target) continue;
                    active++;
                    size_t add = (size_t)wl_range(&r, 16, step);
                    if (x->len + add > x->target) add = x->target - x->len;
                    if (x->len + add > x->cap) {
                        size_t cap = x->doubling ? (x->cap ? x->cap * 2 : 64) : x->len + add;
                        while (cap < x->len + add) cap *= 2;
                        unsigned char *p = hb_realloc(x->p, x->cap, cap, HB_NOSCAN);
                        if (!p) {
                            bad++;
                            x->target = x->len;
                            continue;
                        }
                        x->p = p;
                        x->cap = cap;
                        reallocs++;
                    }
                    for (size_t k = 0; k < add; k++) x->p[x->len + k] = byte_at(x->len + k, i);
                    x->len += add;
                    appended += add;
                }
            }
            for (size_t i = 0; i < nb; i++) {
                for (size_t k = 0; k < b[i].len; k++)
                    if (b[i].p[k] != byte_at(k, i)) {
                        bad++;
                        break;
                    }
                hb_drop_resized(b[i].p, b[i].cap);
                b[i].p = NULL;
            }
        }
        free(b);
    }
    if (bad) hb_wl_fail(st, "realloc-growth: %llu buffers lost their contents", (unsigned long long)bad);
    hb_gb_set_items_processed(st, (int64_t)reallocs);
    hb_gb_counter(st, "reallocs", (double)reallocs, HB_GB_DEFAULT);
    hb_gb_counter(st, "bytes_appended", (double)appended, HB_GB_DEFAULT);
}

static const hb_workload heap_realloc_growth = {
    .name = "heap/realloc-growth",
    .category = "heap",
    .description = "Growable buffers: many buffers grown together with realloc, half by "
                   "doubling their capacity and half by small steps; contents checked. "
                   "Stresses in-place growth, the copy path and mremap. Manual only.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_MANUAL,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_realloc_growth);
