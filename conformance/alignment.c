/*
 * alignment.c — what every returned block must be aligned to.
 *
 * C17 7.22.3: a block from malloc/calloc/realloc is "suitably aligned" for
 * any object type with a fundamental alignment (alignof(max_align_t), 16 on
 * x86-64); C2x (N2293, DR 445) relaxes this for requests smaller than that:
 * only types that fit need be accommodated. aligned_alloc (C17 7.22.3.1)
 * and posix_memalign (POSIX) take an explicit power-of-two alignment, and
 * posix_memalign must refuse a bad one with EINVAL. Sources: glibc
 * malloc/tst-memalign.c, tst-posix_memalign.c, tst-aligned-alloc.c; mimalloc
 * test/test-api.c (malloc-aligned1..10). Proven by faults/misaligned.c,
 * faults/tiny_packed.c, faults/aligned_by_size.c, faults/memalign_page_cap.c,
 * faults/posix_memalign_noinval.c.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

#define MAXALIGN ((uintptr_t)alignof(max_align_t))

/* The sizes every allocation-shape property walks: every size to 1 KiB,
 * then powers of two and their neighbours up to 8 MiB. */
static size_t sweep_size(size_t i) {
    if (i < 1024) return i + 1;
    size_t k = (i - 1024) / 3, d = (i - 1024) % 3;
    size_t base = (size_t)1024 << k;
    return d == 0 ? base - 8 : d == 1 ? base : base + 24;
}
#define SWEEP_N (1024 + 3 * 14)

static hb_cf_status max_align_t_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    for (size_t i = 0; i < SWEEP_N; i++) {
        size_t sz = sweep_size(i);
        if (sz < MAXALIGN) continue;
        void *p = ad->malloc(sz), *q = ad->calloc(1, sz);
        if (!p || !q) return hb_cf_fail(r, "malloc/calloc(%zu) returned NULL", sz);
        if (hb_cf_align_of(p) < MAXALIGN)
            return hb_cf_fail(r, "malloc(%zu) = %p, aligned to %zu; expected %zu (alignof(max_align_t))",
                              sz, p, (size_t)hb_cf_align_of(p), (size_t)MAXALIGN);
        if (hb_cf_align_of(q) < MAXALIGN)
            return hb_cf_fail(r, "calloc(1, %zu) = %p, aligned to %zu; expected %zu", sz, q,
                              (size_t)hb_cf_align_of(q), (size_t)MAXALIGN);
        void *g = ad->realloc(p, sz + sz / 2 + 1);
        if (!g) return hb_cf_fail(r, "realloc(%zu -> %zu) returned NULL", sz, sz + sz / 2 + 1);
        if (hb_cf_align_of(g) < MAXALIGN)
            return hb_cf_fail(r, "realloc(p, %zu) = %p, aligned to %zu; expected %zu", sz + sz / 2 + 1,
                              g, (size_t)hb_cf_align_of(g), (size_t)MAXALIGN);
        ad->free(g);
        ad->free(q);
    }
    return hb_cf_pass(r, "malloc, calloc and realloc of %d sizes from %zu B to 8 MiB aligned to %zu",
                      SWEEP_N, (size_t)MAXALIGN, (size_t)MAXALIGN);
}

static const hb_property max_align_t_prop = {
    .name = "alignment/max-align-t",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "malloc/calloc/realloc of every size >= alignof(max_align_t) return blocks aligned to it",
    .source = "C17 7.22.3p1; glibc malloc/tst-malloc-alignment; mimalloc test-api.c",
    .run = max_align_t_run,
};
HB_PROPERTY(max_align_t_prop);

/* The alignment C2x requires for a request of `sz` < alignof(max_align_t):
 * the largest power of two <= sz (the strictest type that fits). */
static uintptr_t fitting_align(size_t sz) {
    uintptr_t a = 1;
    while (a * 2 <= sz && a * 2 <= MAXALIGN) a *= 2;
    return a;
}

static hb_cf_status small_sizes_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 256 };
    void *keep[N];
    for (size_t sz = 1; sz < MAXALIGN; sz++) {
        for (int i = 0; i < N; i++) {
            keep[i] = ad->malloc(sz);
            if (!keep[i]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
            if (hb_cf_align_of(keep[i]) < fitting_align(sz))
                return hb_cf_fail(r, "malloc(%zu) = %p, aligned to %zu; a %zu-byte object needs %zu",
                                  sz, keep[i], (size_t)hb_cf_align_of(keep[i]), sz,
                                  (size_t)fitting_align(sz));
        }
        for (int i = 0; i < N; i++) ad->free(keep[i]);
    }
    return hb_cf_pass(r, "malloc(1..%zu), %d each: aligned for every type that fits",
                      (size_t)MAXALIGN - 1, N);
}

static const hb_property small_sizes_prop = {
    .name = "alignment/small-sizes",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "requests below alignof(max_align_t) are aligned for every object type that fits",
    .source = "C2x 7.24.3 (N2293, DR 445)",
    .run = small_sizes_run,
};
HB_PROPERTY(small_sizes_prop);

static hb_cf_status small_strict_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    uintptr_t worst = MAXALIGN;
    size_t worst_size = 0;
    for (size_t sz = 1; sz < MAXALIGN; sz++) {
        void *keep[64];
        for (int i = 0; i < 64; i++) {
            keep[i] = ad->malloc(sz);
            uintptr_t a = hb_cf_align_of(keep[i]);
            if (keep[i] && a < worst) worst = a, worst_size = sz;
        }
        for (int i = 0; i < 64; i++) ad->free(keep[i]);
    }
    if (worst >= MAXALIGN)
        return hb_cf_pass(r, "minimum alignment of malloc(1..%zu): %zu (C17's strict reading holds)",
                          (size_t)MAXALIGN - 1, (size_t)MAXALIGN);
    return hb_cf_pass(r, "minimum alignment of malloc(1..%zu): %zu, first at size %zu (C17's strict "
                      "reading wants %zu; C2x allows it)",
                      (size_t)MAXALIGN - 1, (size_t)worst, worst_size, (size_t)MAXALIGN);
}

static const hb_property small_strict_prop = {
    .name = "alignment/small-strict",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "the minimum alignment of tiny requests (C17 strict reading: alignof(max_align_t) always)",
    .source = "C17 7.22.3p1 vs C2x N2293",
    .run = small_strict_run,
};
HB_PROPERTY(small_strict_prop);

static hb_cf_status aligned_pow2_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    int n = 0;
    for (size_t align = 1; align <= ((size_t)1 << 21); align *= 2) {
        size_t sizes[] = {1, align / 2 ? align / 2 : 1, align, align + 1, 3 * align};
        for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
            size_t sz = sizes[k];
            void *p = ad->aligned_alloc(align, sz);
            if (!p) return hb_cf_fail(r, "aligned_alloc(%zu, %zu) returned NULL", align, sz);
            if (hb_cf_addr(p) % align)
                return hb_cf_fail(r, "aligned_alloc(%zu, %zu) = %p, aligned to %zu only", align, sz, p,
                                  (size_t)hb_cf_align_of(p));
            if (ad->usable_size && ad->usable_size(p) < sz)
                return hb_cf_fail(r, "aligned_alloc(%zu, %zu) = %p: usable size %zu < %zu", align, sz,
                                  p, ad->usable_size(p), sz);
            hb_cf_fill(p, sz, (uint32_t)sz);
            size_t bad = hb_cf_check(p, sz, (uint32_t)sz);
            if (bad != sz)
                return hb_cf_fail(r, "aligned_alloc(%zu, %zu) = %p: byte %zu did not hold", align, sz, p, bad);
            ad->free(p);
            n++;
        }
    }
    return hb_cf_pass(r, "%d aligned_alloc calls, alignments 1 B .. 2 MiB, sizes align/2 .. 3*align", n);
}

static const hb_property aligned_pow2_prop = {
    .name = "alignment/aligned-alloc-pow2",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_ALIGNED,
    .summary = "aligned_alloc(A, n) honours every power-of-two A up to 2 MiB, usable for n bytes",
    .source = "C17 7.22.3.1; glibc malloc/tst-aligned-alloc.c; mimalloc test-api.c",
    .run = aligned_pow2_run,
};
HB_PROPERTY(aligned_pow2_prop);

static hb_cf_status aligned_max_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    size_t best = 0;
    for (size_t align = 1; align <= ((size_t)1 << 30); align *= 2) {
        void *p = ad->aligned_alloc(align, 64);
        if (!p || hb_cf_addr(p) % align) break;
        best = align;
        ad->free(p);
    }
    return hb_cf_pass(r, "largest alignment accepted by aligned_alloc(A, 64): %zu (tried up to 1 GiB)", best);
}

static const hb_property aligned_max_prop = {
    .name = "alignment/aligned-alloc-max",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_ALIGNED,
    .summary = "the largest power-of-two alignment aligned_alloc grants",
    .source = "mimalloc test-api.c (malloc-aligned5)",
    .run = aligned_max_run,
};
HB_PROPERTY(aligned_max_prop);

/* The process's C-library entry points, called through volatile pointers so
 * the compiler assumes nothing about what they return. */
static int (*volatile libc_posix_memalign)(void **, size_t, size_t) = posix_memalign;
static void *(*volatile libc_memalign)(size_t, size_t) = memalign;
static void *(*volatile libc_aligned_alloc)(size_t, size_t) = aligned_alloc;
static void (*volatile libc_free)(void *) = free;

static hb_cf_status posix_einval_run(hb_cf_result *r) {
    if (!hb_cf_libc_is_adapter())
        return hb_cf_na(r, "this process's posix_memalign is not served by the allocator under test");
    size_t bad[] = {0, 3, 4, 12, 24, 48, 100, sizeof(void *) / 2, ((size_t)1 << 20) + 8};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        void *p = (void *)0x1;
        int rc = libc_posix_memalign(&p, bad[i], 64);
        if (rc != EINVAL)
            return hb_cf_fail(r, "posix_memalign(&p, %zu, 64) returned %d (p = %p); expected EINVAL (%d)",
                              bad[i], rc, p, EINVAL);
    }
    void *p = NULL;
    int rc = libc_posix_memalign(&p, 64, 100);
    if (rc != 0 || !p || hb_cf_addr(p) % 64)
        return hb_cf_fail(r, "posix_memalign(&p, 64, 100) returned %d, p = %p", rc, p);
    libc_free(p);
    errno = 0;
    rc = libc_posix_memalign(&p, 64, SIZE_MAX - 4096);
    if (rc != ENOMEM)
        return hb_cf_fail(r, "posix_memalign(&p, 64, SIZE_MAX-4096) returned %d; expected ENOMEM", rc);
    return hb_cf_pass(r, "EINVAL for %zu bad alignments (0, non-powers of two, < sizeof(void*)), "
                      "ENOMEM for a huge size, 0 for a good request",
                      sizeof bad / sizeof *bad);
}

static const hb_property posix_einval_prop = {
    .name = "alignment/posix-memalign-einval",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "posix_memalign refuses a bad alignment with EINVAL and a huge size with ENOMEM",
    .source = "POSIX.1-2017 posix_memalign; glibc malloc/tst-posix_memalign.c",
    .run = posix_einval_run,
};
HB_PROPERTY(posix_einval_prop);

static hb_cf_status libc_aligned_run(hb_cf_result *r) {
    if (!hb_cf_libc_is_adapter())
        return hb_cf_na(r, "this process's malloc family is not served by the allocator under test");
    int n = 0;
    for (size_t align = sizeof(void *); align <= ((size_t)1 << 20); align *= 2) {
        size_t sizes[] = {1, align - 1, align, 2 * align + 8};
        for (size_t k = 0; k < 4; k++) {
            size_t sz = sizes[k];
            void *p = NULL;
            int rc = libc_posix_memalign(&p, align, sz);
            if (rc || !p || hb_cf_addr(p) % align)
                return hb_cf_fail(r, "posix_memalign(&p, %zu, %zu) = %d, p = %p (aligned to %zu)", align,
                                  sz, rc, p, (size_t)hb_cf_align_of(p));
            memset(p, 0xab, sz);
            libc_free(p);
            p = libc_memalign(align, sz);
            if (!p || hb_cf_addr(p) % align)
                return hb_cf_fail(r, "memalign(%zu, %zu) = %p (aligned to %zu)", align, sz, p,
                                  (size_t)hb_cf_align_of(p));
            memset(p, 0xab, sz);
            libc_free(p);
            size_t asz = (sz + align - 1) / align * align;
            p = libc_aligned_alloc(align, asz);
            if (!p || hb_cf_addr(p) % align)
                return hb_cf_fail(r, "aligned_alloc(%zu, %zu) = %p (aligned to %zu)", align, asz, p,
                                  (size_t)hb_cf_align_of(p));
            memset(p, 0xab, asz);
            libc_free(p);
            n += 3;
        }
    }
    return hb_cf_pass(r, "%d posix_memalign/memalign/aligned_alloc calls, alignments 8 B .. 1 MiB", n);
}

static const hb_property libc_aligned_prop = {
    .name = "alignment/libc-aligned-family",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "the process's posix_memalign, memalign and aligned_alloc honour alignments 8 B..1 MiB",
    .source = "POSIX posix_memalign; C17 7.22.3.1; glibc malloc/tst-memalign.c",
    .run = libc_aligned_run,
};
HB_PROPERTY(libc_aligned_prop);
