/*
 * calloc.c — calloc gives zeroed memory, also when it recycles a block a
 * program dirtied and freed (allocators skip the memset only for memory
 * fresh from the OS — a common place for a bug); it refuses an nmemb*size
 * that overflows with NULL and ENOMEM instead of allocating the wrapped
 * product; calloc with a zero count gives NULL or a unique pointer.
 *
 * C17 7.22.3.2; POSIX calloc (ENOMEM). Sources: glibc malloc/tst-calloc.c,
 * tst-malloc-too-large.c; mimalloc test-api.c (calloc-overflow); jemalloc
 * test/integration/calloc overflow (CVE-2002-0391 class). Proven by
 * faults/calloc_short_memset.c, faults/calloc_dirty.c,
 * faults/calloc_overflow.c and faults/calloc0_shared.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

static size_t first_nonzero(const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i]) return i;
    return n;
}

static size_t size_at(size_t i) { return i < 700 ? 1 + i * 5 : (size_t)4096 << ((i - 700) % 10); }
#define NSIZES (700 + 10)

static hb_cf_status fresh_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    for (size_t i = 0; i < NSIZES; i++) {
        size_t sz = size_at(i);
        size_t shapes[][2] = {{1, sz}, {sz, 1}, {sz % 7 + 1, sz / (sz % 7 + 1) + 1}};
        for (int k = 0; k < 3; k++) {
            size_t n = shapes[k][0], m = shapes[k][1];
            void *p = ad->calloc(n, m);
            if (!p) return hb_cf_fail(r, "calloc(%zu, %zu) returned NULL", n, m);
            size_t bad = first_nonzero(p, n * m);
            if (bad != n * m)
                return hb_cf_fail(r, "calloc(%zu, %zu) = %p: byte %zu is %#x, not 0", n, m, p, bad,
                                  ((uint8_t *)p)[bad]);
            ad->free(p);
        }
    }
    return hb_cf_pass(r, "calloc zeroed %d blocks of 1 B .. 2 MiB in three shapes", NSIZES * 3);
}

static const hb_property fresh_prop = {
    .name = "calloc/zeroed",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "every byte calloc returns is zero",
    .source = "C17 7.22.3.2p2; glibc malloc/tst-calloc.c",
    .run = fresh_run,
};
HB_PROPERTY(fresh_prop);

static hb_cf_status recycled_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 256 };
    void *p[N];
    int reused = 0, total = 0;
    for (size_t i = 0; i < NSIZES; i += 7) {
        size_t sz = size_at(i);
        uintptr_t addr[N];
        for (int k = 0; k < N; k++) {
            p[k] = ad->malloc(sz);
            if (!p[k]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
            memset(p[k], 0xa5, sz);
            addr[k] = hb_cf_addr(p[k]);
        }
        for (int k = N - 1; k >= 0; k--) ad->free(p[k]);
        for (int k = 0; k < N; k++) {
            p[k] = ad->calloc(1, sz);
            if (!p[k]) return hb_cf_fail(r, "calloc(1, %zu) returned NULL", sz);
            for (int j = 0; j < N; j++)
                if (addr[j] == hb_cf_addr(p[k])) {
                    reused++;
                    break;
                }
            total++;
            size_t bad = first_nonzero(p[k], sz);
            if (bad != sz)
                return hb_cf_fail(r, "calloc(1, %zu) = %p, recycling a block dirtied with 0xa5: byte %zu "
                                  "is %#x, not 0",
                                  sz, p[k], bad, ((uint8_t *)p[k])[bad]);
        }
        for (int k = 0; k < N; k++) ad->free(p[k]);
        if (sz > (1u << 18)) i += 0; /* large sizes: fewer copies would do, keep it simple */
    }
    return hb_cf_pass(r, "%d callocs after freeing dirtied blocks of the same size: all zero (%d reused an "
                      "address just freed)",
                      total, reused);
}

static const hb_property recycled_prop = {
    .name = "calloc/zeroed-recycled",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "calloc zeroes recycled memory: blocks dirtied, freed and handed out again by calloc are all zero",
    .source = "C17 7.22.3.2p2; glibc malloc/tst-calloc.c (perturb); mimalloc test-api.c",
    .run = recycled_run,
};
HB_PROPERTY(recycled_prop);

static hb_cf_status overflow_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    const size_t half = (size_t)1 << (sizeof(size_t) * 4);
    size_t cases[][2] = {{SIZE_MAX / 2 + 1, 2}, {2, SIZE_MAX / 2 + 1}, {half, half},
                         {half + 1, half - 1}, {SIZE_MAX, SIZE_MAX}, {SIZE_MAX / 16 + 1, 16},
                         {((size_t)1 << 61) + 1, 8}};
    size_t nc = sizeof cases / sizeof *cases;
    for (size_t i = 0; i < nc; i++) {
        errno = 0;
        void *p = ad->calloc(cases[i][0], cases[i][1]);
        int e = errno;
        if (p)
            return hb_cf_fail(r, "calloc(%#zx, %#zx) returned %p; the product overflows (wraps to %#zx)",
                              cases[i][0], cases[i][1], p, cases[i][0] * cases[i][1]);
        if (e != ENOMEM)
            return hb_cf_fail(r, "calloc(%#zx, %#zx) returned NULL with errno %d; expected ENOMEM",
                              cases[i][0], cases[i][1], e);
    }
    return hb_cf_pass(r, "%zu overflowing calloc(nmemb, size) returned NULL with ENOMEM", nc);
}

static const hb_property overflow_prop = {
    .name = "calloc/overflow",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "calloc(nmemb, size) whose product overflows returns NULL with errno ENOMEM",
    .source = "C17 7.22.3.2; POSIX calloc ERRORS; glibc tst-malloc-too-large.c; mimalloc test-api.c",
    .run = overflow_run,
};
HB_PROPERTY(overflow_prop);

static hb_cf_status zero_count_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    void *live[300];
    int n = 0, nulls = 0;
    size_t shapes[][2] = {{0, 16}, {16, 0}, {0, 0}};
    for (int i = 0; i < 100; i++)
        for (int k = 0; k < 3; k++) {
            void *p = ad->calloc(shapes[k][0], shapes[k][1]);
            if (!p) {
                nulls++;
                continue;
            }
            for (int j = 0; j < n; j++)
                if (live[j] == p)
                    return hb_cf_fail(r, "calloc(%zu, %zu) returned %p twice while live", shapes[k][0],
                                      shapes[k][1], p);
            live[n++] = p;
        }
    for (int j = 0; j < n; j++) ad->free(live[j]);
    return hb_cf_pass(r, "300 zero-count callocs: %d NULL, %d unique freeable pointers", nulls, n);
}

static const hb_property zero_count_prop = {
    .name = "calloc/zero-count",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "calloc(0, n) and calloc(n, 0) return NULL or unique pointers that free accepts",
    .source = "C17 7.22.3p1",
    .run = zero_count_run,
};
HB_PROPERTY(zero_count_prop);
