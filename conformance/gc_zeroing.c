/*
 * gc_zeroing.c — gc_alloc hands out zeroed memory in the two places an
 * allocator is most tempted to skip the clearing (gc/zeroed-alloc checks
 * the common case: whole blocks freed and reused):
 *
 *   gc/zeroed-recycled  the free slots ("holes") of a partly live span,
 *                       reused after a sweep: the span's pages are not
 *                       fresh from the OS, but a span-level "needs zeroing"
 *                       flag set only when pages are reused says they are.
 *   gc/zeroed-large     large objects (40 KiB .. 1 MiB), freed and
 *                       allocated again at once: a cache of freed large
 *                       spans that reports them clean hands out the last
 *                       owner's bytes.
 *
 * Recycled: for each size from 16 B to 4 KiB, pointer-free and all-pointer,
 * 1024 objects are allocated and filled with non-pointer bytes, every other
 * one kept; two cycles; then 2048 more of that size must each be all zero.
 * Large: four rounds per size of allocate, check zero, fill, drop, collect.
 * Pointer objects are filled with words that cannot be addresses, so the
 * check itself never keeps anything alive.
 *
 * Sources: Go runtime/malloc.go (mallocgc needzero; span.needzero set by
 * sweep for reused spans), mheap.go (allocNeedsZero); the adapter contract
 * (gc_alloc: zeroed). Proven by faults/gc_dirty_holes.c, gc_dirty_large.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "gc_support.h"

static const hb_layout all_ptrs = {1, 1};

/* Offset of the first non-zero byte of p[0..n), or n. */
static size_t first_nonzero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return i;
    return n;
}

static void dirty(void *p, size_t n) {
    uint64_t *w = p;
    for (size_t i = 0; i < n / 8; i++) w[i] = 0xa5a5a5a5a5a5a5a5ull;
}

/* ---- holes in partly live spans ---- */
enum { NOBJ = 1024 };

static hb_cf_status recycled_run(hb_cf_result *r) {
    static const size_t sizes[] = {16, 32, 48, 64, 96, 128, 256, 512, 1024, 2048, 4096};
    void **keep = calloc(NOBJ, sizeof *keep);
    hb_root_add(keep, NOBJ * sizeof *keep);
    size_t checked = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int kind = 0; kind < 2; kind++) {
            size_t sz = sizes[si];
            const hb_layout *l = kind ? &all_ptrs : HB_NOSCAN;
            for (int i = 0; i < NOBJ; i++) {
                void *p = hb_new(sz, l);
                dirty(p, sz);
                hb_store(&keep[i], i % 2 ? NULL : p); /* every other one stays: holes between live slots */
            }
            hb_collect();
            hb_collect();
            for (int i = 0; i < 2 * NOBJ; i++) {
                unsigned char *q = hb_new(sz, l);
                size_t at = first_nonzero(q, sz);
                if (at < sz)
                    return hb_cf_fail(r, "gc_alloc(%zu, %s) = %p, allocated after a cycle freed every other block of "
                                      "that size (holes in partly live spans): byte %zu is %#x, not 0 — a recycled "
                                      "slot handed out without clearing",
                                      sz, kind ? "pointers" : "noscan", (void *)q, at, q[at]);
                checked++;
            }
            for (int i = 0; i < NOBJ; i++) hb_store(&keep[i], NULL);
        }
    hb_root_remove(keep);
    return hb_cf_pass(r, "%zu blocks of 16 B..4 KiB (noscan and pointer layouts) allocated into the holes of partly "
                      "live spans: all zero",
                      checked);
}

static const hb_property recycled_prop = {
    .name = "gc/zeroed-recycled",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "slots freed between live ones (holes in partly live spans) come back zeroed from gc_alloc",
    .source = "the adapter contract (gc_alloc: zeroed); Go runtime/malloc.go needzero, mgcsweep.go",
    .run = recycled_run,
};
HB_PROPERTY(recycled_prop);

/* ---- large objects ---- */
/* Allocate one, check it is zero, dirty it and drop it: in its own frame,
 * so no copy of the pointer stays in the caller's (scanned) frame. */
static __attribute__((noinline)) int large_one(size_t sz, const hb_layout *l, int round, char *why, size_t n) {
    unsigned char *p = hb_new(sz, l);
    size_t at = first_nonzero(p, sz);
    if (at < sz)
        return snprintf(why, n, "gc_alloc(%zu, %s) = %p (round %d, after a block of that size was filled, dropped "
                        "and collected): byte %zu is %#x, not 0 — a reused large block handed out without clearing",
                        sz, l ? "pointers" : "noscan", (void *)p, round, at, p[at]);
    dirty(p, sz);
    return 0;
}

static hb_cf_status large_run(hb_cf_result *r) {
    static const size_t sizes[] = {40 << 10, 64 << 10, 100 << 10, 200 << 10, 256 << 10, 512 << 10, 1 << 20};
    size_t checked = 0;
    char why[400];
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; si++)
        for (int round = 0; round < 4; round++) {
            if (large_one(sizes[si], round % 2 ? &all_ptrs : HB_NOSCAN, round, why, sizeof why))
                return hb_cf_fail(r, "%s", why);
            checked++;
            hb_cf_clear_stack();
            hb_collect();
        }
    return hb_cf_pass(r, "%zu large blocks (40 KiB..1 MiB) allocated right after a dirtied one of the same size was "
                      "collected: all zero",
                      checked);
}

static const hb_property large_prop = {
    .name = "gc/zeroed-large",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "large objects (40 KiB..1 MiB) come back zeroed after a dirtied one of the same size was collected",
    .source = "the adapter contract (gc_alloc: zeroed); Go runtime/mheap.go allocNeedsZero",
    .run = large_run,
};
HB_PROPERTY(large_prop);
