/*
 * realloc.c — realloc keeps the contents up to the lesser of the old and new
 * sizes, whether it grows or shrinks the block, in place or by moving it;
 * realloc(NULL, n) is malloc(n); when it cannot grow it returns NULL and the
 * old block stays, untouched; realloc(p, 0) is implementation-defined (a
 * trait, reported).
 *
 * C17 7.22.3.5. Sources: glibc malloc/tst-realloc.c, tst-mremap.c;
 * mimalloc test-api.c (realloc-*); jemalloc test/integration/rallocx.c.
 * Proven by faults/realloc_short_copy.c, faults/realloc_shrink_tail.c,
 * faults/realloc_stale_size.c, faults/realloc_null_fails.c and
 * faults/realloc_fail_frees.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

static size_t size_at(size_t i) {
    if (i < 600) return 1 + i * 3;
    return (size_t)4096 << ((i - 600) % 11); /* 4 KiB .. 4 MiB: past mmap thresholds */
}
#define NSIZES (600 + 11)

/* Grow (or shrink) one block from `from` to `to` bytes, with a neighbour
 * allocated after it so that growth in place is not always possible. */
static hb_cf_status one(hb_cf_result *r, size_t from, size_t to, int *moved) {
    const hb_adapter *ad = hb_rt.ad;
    void *p = ad->malloc(from);
    void *fence = ad->malloc(16);
    if (!p || !fence) return hb_cf_fail(r, "malloc(%zu) returned NULL", from);
    uint32_t seed = (uint32_t)(from * 31 + to);
    hb_cf_fill(p, from, seed);
    uintptr_t before = hb_cf_addr(p);
    void *q = ad->realloc(p, to);
    if (!q) return hb_cf_fail(r, "realloc(%p, %zu -> %zu) returned NULL", p, from, to);
    *moved += hb_cf_addr(q) != before;
    size_t keep = from < to ? from : to, bad = hb_cf_check(q, keep, seed);
    if (bad != keep)
        return hb_cf_fail(r, "realloc(%zu -> %zu) %s (%#lx -> %p) lost byte %zu of %zu kept: found %#x, "
                          "expected %#x",
                          from, to, hb_cf_addr(q) != before ? "moved" : "in place", (unsigned long)before,
                          q, bad, keep, ((uint8_t *)q)[bad], hb_cf_byte(bad, seed));
    memset(q, 0x11, to); /* the whole new size is the block's */
    ad->free(q);
    ad->free(fence);
    return HB_CF_PASS;
}

static hb_cf_status grow_run(hb_cf_result *r) {
    int moved = 0, n = 0;
    for (size_t i = 0; i < NSIZES; i++) {
        size_t from = size_at(i);
        size_t tos[] = {from + 1, from + 16, from * 2, from * 5 + 100};
        for (int k = 0; k < 4; k++, n++)
            if (one(r, from, tos[k], &moved) != HB_CF_PASS) return HB_CF_FAIL;
    }
    return hb_cf_pass(r, "%d growths from 1 B .. 4 MiB kept their contents (%d moved, %d in place)", n,
                      moved, n - moved);
}

static const hb_property grow_prop = {
    .name = "realloc/grow",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "growing a block keeps every old byte, in place or moved",
    .source = "C17 7.22.3.5p2; glibc tst-realloc.c; mimalloc test-api.c",
    .run = grow_run,
};
HB_PROPERTY(grow_prop);

static hb_cf_status shrink_run(hb_cf_result *r) {
    int moved = 0, n = 0;
    for (size_t i = 0; i < NSIZES; i++) {
        size_t from = size_at(i);
        if (from < 2) continue;
        size_t tos[] = {from - 1, from / 2, from / 8 + 1, 1};
        for (int k = 0; k < 4; k++, n++)
            if (one(r, from, tos[k], &moved) != HB_CF_PASS) return HB_CF_FAIL;
    }
    return hb_cf_pass(r, "%d shrinks kept the leading bytes (%d moved, %d in place)", n, moved, n - moved);
}

static const hb_property shrink_prop = {
    .name = "realloc/shrink",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "shrinking a block keeps the bytes that still fit, in place or moved",
    .source = "C17 7.22.3.5p2; glibc tst-mremap.c",
    .run = shrink_run,
};
HB_PROPERTY(shrink_prop);

/* Grow one block step by step across every size class up to 1 MiB, as a
 * growing buffer does, checking the contents at each step. */
static hb_cf_status stepwise_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    size_t sz = 1;
    unsigned char *p = ad->malloc(sz);
    if (!p) return hb_cf_fail(r, "malloc(1) returned NULL");
    p[0] = 0;
    int moved = 0, steps = 0;
    void *other[64] = {0};
    while (sz < (1u << 20)) {
        size_t to = sz + sz / 4 + 1;
        uintptr_t before = hb_cf_addr(p);
        unsigned char *q = ad->realloc(p, to);
        if (!q) return hb_cf_fail(r, "realloc(%zu -> %zu) returned NULL", sz, to);
        moved += hb_cf_addr(q) != before;
        for (size_t i = 0; i < sz; i++)
            if (q[i] != (unsigned char)(i * 7 + 3 * (i >> 8)))
                return hb_cf_fail(r, "step %d: realloc(%zu -> %zu) %s lost byte %zu (found %#x)", steps, sz,
                                  to, hb_cf_addr(q) != before ? "moved" : "in place", i, q[i]);
        for (size_t i = sz; i < to; i++) q[i] = (unsigned char)(i * 7 + 3 * (i >> 8));
        p = q;
        sz = to;
        /* interleave other allocations so some steps must move */
        int k = steps % 64;
        ad->free(other[k]);
        other[k] = ad->malloc(sz / 3 + 1);
        steps++;
    }
    ad->free(p);
    for (int k = 0; k < 64; k++) ad->free(other[k]);
    return hb_cf_pass(r, "%d realloc steps from 1 B to 1 MiB kept the contents (%d moved, %d in place)",
                      steps, moved, steps - moved);
}

static const hb_property stepwise_prop = {
    .name = "realloc/stepwise-growth",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "a buffer grown by 25% steps across every size class keeps its contents",
    .source = "C17 7.22.3.5; mimalloc test-api.c (realloc-large)",
    .run = stepwise_run,
};
HB_PROPERTY(stepwise_prop);

static hb_cf_status null_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    for (size_t i = 0; i < NSIZES; i++) {
        size_t sz = size_at(i);
        void *p = ad->realloc(NULL, sz);
        if (!p) return hb_cf_fail(r, "realloc(NULL, %zu) returned NULL", sz);
        hb_cf_fill(p, sz, 5);
        if (hb_cf_check(p, sz, 5) != sz) return hb_cf_fail(r, "realloc(NULL, %zu) = %p is not writable", sz, p);
        void *q = ad->realloc(p, sz);
        if (!q || hb_cf_check(q, sz, 5) != sz)
            return hb_cf_fail(r, "realloc(p, same size %zu) = %p lost the contents", sz, q);
        ad->free(q);
    }
    return hb_cf_pass(r, "realloc(NULL, n) gave a usable block for %d sizes; realloc to the same size kept it",
                      NSIZES);
}

static const hb_property null_prop = {
    .name = "realloc/null-is-malloc",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "realloc(NULL, n) behaves as malloc(n); realloc(p, same size) keeps p's contents",
    .source = "C17 7.22.3.5p3",
    .run = null_run,
};
HB_PROPERTY(null_prop);

static hb_cf_status failure_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    size_t sizes[] = {24, 1000, 300000};
    size_t huge[] = {SIZE_MAX / 2 + 1, SIZE_MAX - 4096, (size_t)1 << 48};
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 3; k++) {
            void *p = ad->malloc(sizes[i]);
            if (!p) return hb_cf_fail(r, "malloc(%zu) returned NULL", sizes[i]);
            hb_cf_fill(p, sizes[i], 9);
            void *q = ad->realloc(p, huge[k]);
            if (q) return hb_cf_fail(r, "realloc(%p, %#zx) returned %p; expected NULL", p, huge[k], q);
            /* the old block must still be allocated and unchanged: check it,
             * then prove it is still live by allocating around it */
            void *probe[32];
            for (int j = 0; j < 32; j++) {
                probe[j] = ad->malloc(sizes[i]);
                if (probe[j]) memset(probe[j], 0x77, sizes[i]);
            }
            size_t bad = hb_cf_check(p, sizes[i], 9);
            if (bad != sizes[i])
                return hb_cf_fail(r, "after a failed realloc(%p, %#zx) the old %zu-byte block changed at "
                                  "byte %zu (found %#x): it was freed or overwritten",
                                  p, huge[k], sizes[i], bad, ((uint8_t *)p)[bad]);
            for (int j = 0; j < 32; j++) ad->free(probe[j]);
            ad->free(p);
        }
    return hb_cf_pass(r, "9 impossible reallocs returned NULL and left the old block intact and live");
}

static const hb_property failure_prop = {
    .name = "realloc/failure-keeps-block",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "a realloc that cannot be satisfied returns NULL and leaves the old block allocated and unchanged",
    .source = "C17 7.22.3.5p3-4; glibc tst-realloc.c",
    .run = failure_run,
};
HB_PROPERTY(failure_prop);

static hb_cf_status zero_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    int nulls = 0, ptrs = 0;
    for (int i = 0; i < 100; i++) {
        void *p = ad->malloc(1 + (size_t)i * 40);
        if (!p) return hb_cf_fail(r, "malloc returned NULL");
        void *q = ad->realloc(p, 0);
        if (q) {
            ptrs++;
            ad->free(q);
        } else {
            nulls++;
        }
    }
    return hb_cf_pass(r, "realloc(p, 0): %s (%d NULL, %d pointers of 100)",
                      nulls == 100 ? "frees p and returns NULL"
                      : ptrs == 100 ? "returns a minimum-size block" : "mixed",
                      nulls, ptrs);
}

static const hb_property zero_prop = {
    .name = "realloc/zero-size",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "what realloc(p, 0) does (implementation-defined; obsolescent in C17, undefined in C23)",
    .source = "C17 7.22.3.5p3, DR 400",
    .run = zero_run,
};
HB_PROPERTY(zero_prop);
