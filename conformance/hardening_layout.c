/*
 * hardening_layout.c — hardening/randomized: can an attacker who knows one
 * block's address predict where the next one lands? Allocators that hand
 * out a size class's blocks in address order (a bump pointer, a sorted free
 * list) make a heap overflow hit a known neighbour; hardened ones (Scudo,
 * mimalloc's secure mode, hardened_malloc) shuffle the blocks of a class.
 *
 * The trait allocates 256 blocks of 64 bytes in a row and counts the gaps
 * between successive addresses: "predictable" when one gap accounts for at
 * least half of them, else "randomized". A trait (part of the hardening
 * matrix in docs/conformance.md), never a failure.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

static int by_value(const void *a, const void *b) {
    intptr_t x = *(const intptr_t *)a, y = *(const intptr_t *)b;
    return x < y ? -1 : x > y;
}

/* The most common value among n sorted gaps, and how often it occurs. */
static size_t mode(const intptr_t *g, size_t n, intptr_t *value) {
    size_t best = 0, run = 0;
    for (size_t i = 0; i < n; i++) {
        run = i && g[i] == g[i - 1] ? run + 1 : 1;
        if (run > best) best = run, *value = g[i];
    }
    return best;
}

static hb_cf_status randomized_run(hb_cf_result *r) {
    enum { N = 256 };
    const hb_adapter *ad = hb_rt.ad;
    void *p[N];
    intptr_t gap[N - 1];
    for (int i = 0; i < N; i++)
        if (!(p[i] = ad->malloc(64))) return hb_cf_na(r, "malloc(64) returned NULL");
    for (int i = 0; i < N - 1; i++) gap[i] = (intptr_t)(hb_cf_addr(p[i + 1]) - hb_cf_addr(p[i]));
    for (int i = 0; i < N; i++) ad->free(p[i]);
    qsort(gap, N - 1, sizeof *gap, by_value);
    intptr_t common = 0;
    size_t k = mode(gap, N - 1, &common);
    return hb_cf_pass(r, "%s: the most common gap between successive malloc(64) is %ld B, in %zu of %d pairs",
                      2 * k >= N - 1 ? "predictable" : "randomized", (long)common, k, N - 1);
}

static const hb_property randomized = {
    .name = "hardening/randomized",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "are successive allocations' addresses unpredictable (shuffled within a size class)?",
    .source = "mimalloc-bench security table; Scudo design (chunk shuffling)",
    .run = randomized_run,
};
HB_PROPERTY(randomized);
