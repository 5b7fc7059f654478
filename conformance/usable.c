/*
 * usable.c — malloc_usable_size: the adapter's claim about how many bytes a
 * block really has. It must be at least what was asked for, and every byte
 * it claims must be the block's own: writing all of them never touches a
 * neighbour. Programs (and realloc fast paths) rely on both.
 *
 * Sources: glibc malloc/tst-malloc-usable.c, mimalloc test-api.c
 * (malloc-size), jemalloc test/integration/allocated.c. Proven by
 * faults/usable_class_below.c and faults/usable_lies.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

static size_t size_at(size_t i) { return i < 2048 ? i + 1 : (size_t)2048 << ((i - 2048) % 12); }

static hb_cf_status ge_requested_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    int n = 0;
    for (size_t i = 0; i < 2048 + 12; i++) {
        size_t sz = size_at(i);
        void *p = ad->malloc(sz);
        if (!p) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
        size_t u = ad->usable_size(p);
        if (u < sz) return hb_cf_fail(r, "usable_size(malloc(%zu) = %p) = %zu < %zu", sz, p, u, sz);
        ad->free(p);
        p = ad->calloc(1, sz);
        u = ad->usable_size(p);
        if (!p || u < sz) return hb_cf_fail(r, "usable_size(calloc(1, %zu) = %p) = %zu < %zu", sz, p, u, sz);
        ad->free(p);
        n += 2;
    }
    return hb_cf_pass(r, "usable_size >= requested for %d blocks of 1 B .. 4 MiB", n);
}

static const hb_property ge_requested_prop = {
    .name = "usable/ge-requested",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_USABLE_SIZE,
    .summary = "usable_size(p) is at least the size requested",
    .source = "glibc malloc_usable_size(3); mimalloc test-api.c",
    .run = ge_requested_run,
};
HB_PROPERTY(ge_requested_prop);

static hb_cf_status writable_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 3000 };
    void **p = malloc(N * sizeof *p);
    size_t *sz = malloc(N * sizeof *sz), *us = malloc(N * sizeof *us);
    uint64_t s = 11;
    for (int i = 0; i < N; i++) {
        sz[i] = 1 + hb_cf_rand(&s) % (i % 50 == 0 ? 200000 : 700);
        p[i] = ad->malloc(sz[i]);
        if (!p[i]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz[i]);
        us[i] = ad->usable_size(p[i]);
        if (us[i] < sz[i]) return hb_cf_fail(r, "usable_size(%p) = %zu < %zu requested", p[i], us[i], sz[i]);
        hb_cf_fill(p[i], sz[i], (uint32_t)i + 1);
    }
    /* Now each block's claimed slack, written whole. */
    for (int i = 0; i < N; i++) memset((char *)p[i] + sz[i], 0xee, us[i] - sz[i]);
    for (int i = 0; i < N; i++) {
        size_t bad = hb_cf_check(p[i], sz[i], (uint32_t)i + 1);
        if (bad != sz[i])
            return hb_cf_fail(r, "block %p (%zu requested, %zu usable) changed at byte %zu "
                              "(found %#x, expected %#x) after neighbours wrote their usable slack: "
                              "usable_size claims bytes that are not the block's",
                              p[i], sz[i], us[i], bad, ((uint8_t *)p[i])[bad], hb_cf_byte(bad, (uint32_t)i + 1));
    }
    size_t slack = 0;
    for (int i = 0; i < N; i++) slack += us[i] - sz[i], ad->free(p[i]);
    free(p);
    free(sz);
    free(us);
    return hb_cf_pass(r, "%d blocks: writing all %zu claimed slack bytes left every neighbour intact", N, slack);
}

static const hb_property writable_prop = {
    .name = "usable/writable",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_USABLE_SIZE,
    .summary = "every byte usable_size claims belongs to the block: writing it never changes a neighbour",
    .source = "glibc malloc/tst-malloc-usable.c; malloc_usable_size(3)",
    .run = writable_run,
};
HB_PROPERTY(writable_prop);
