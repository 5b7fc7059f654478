/* test_pagealloc.c — the page allocator against a brute-force model:
 * summaries (start/max/end) of random bitmaps, first-fit find, alloc/free,
 * coalescing of adjacent free runs, growth, scavenged-page accounting. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "runtime.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int bit(const uint64_t *b, uintptr_t i) { return (b[i >> 6] >> (i & 63)) & 1; }

static gh_pallocSum naive_sum(const uint64_t *b, uint32_t n) {
    gh_pallocSum s = {0, 0, 0};
    uint32_t i = 0;
    while (i < n && !bit(b, i)) i++;
    s.start = i;
    uint32_t cur = 0;
    for (i = 0; i < n; i++) {
        cur = bit(b, i) ? 0 : cur + 1;
        if (cur > s.max) s.max = cur;
    }
    s.end = cur;
    return s;
}

static uintptr_t naive_find(gh_pageAlloc *p, uintptr_t npages) {
    uintptr_t total = p->grown * GH_CHUNK_PAGES, run = 0;
    for (uintptr_t i = 0; i < total; i++) {
        run = bit(p->allocBits, i) ? 0 : run + 1;
        if (run == npages) return i + 1 - npages;
    }
    return UINTPTR_MAX;
}

static void test_summarize(void) {
    uint64_t b[GH_CHUNK_WORDS];
    for (int iter = 0; iter < 20000; iter++) {
        int mode = iter % 4;
        for (int w = 0; w < GH_CHUNK_WORDS; w++) {
            uint64_t x = rnd();
            if (mode == 1) x &= rnd() & rnd();         /* sparse */
            if (mode == 2) x |= rnd() | rnd();         /* dense */
            if (mode == 3) x = (rnd() & 1) ? 0 : ~0ull; /* whole words */
            b[w] = x;
        }
        gh_pallocSum a = gh_pallocBits_summarize(b, GH_CHUNK_PAGES), e = naive_sum(b, GH_CHUNK_PAGES);
        CHECKF(a.start == e.start && a.max == e.max && a.end == e.end, "iter %d: got %u/%u/%u want %u/%u/%u",
               iter, a.start, a.max, a.end, e.start, e.max, e.end);
    }
}

/* The model's bitmap: the grown chunks' bits, and every page of an ungrown
 * chunk in use (their allocBits are never written, so never touched: the
 * summaries alone must say "fully allocated"). */
static uint64_t *model_bits(const gh_pageAlloc *p) {
    size_t words = p->nchunks * GH_CHUNK_WORDS, grown = p->grown * GH_CHUNK_WORDS;
    uint64_t *m = malloc(words * sizeof *m);
    CHECK(m != NULL);
    memcpy(m, p->allocBits, grown * sizeof *m);
    memset(m + grown, 0xff, (words - grown) * sizeof *m);
    return m;
}

static void check_tree(gh_pageAlloc *p) {
    uint64_t *bits = model_bits(p);
    for (uintptr_t c = 0; c < p->nchunks; c++) {
        gh_pallocSum e = naive_sum(bits + c * GH_CHUNK_WORDS, GH_CHUNK_PAGES), a = p->summary[0][c];
        CHECK(a.start == e.start && a.max == e.max && a.end == e.end);
    }
    /* root-level entries against a brute-force over their whole range */
    int top = p->nlevels - 1;
    uintptr_t per = p->nchunks / p->nentries[top];
    for (uintptr_t i = 0; i < p->nentries[top]; i++) {
        uint64_t *base = bits + i * per * GH_CHUNK_WORDS;
        gh_pallocSum e = naive_sum(base, (uint32_t)(per * GH_CHUNK_PAGES)), a = p->summary[top][i];
        CHECKF(a.start == e.start && a.max == e.max && a.end == e.end, "root %zu: %u/%u/%u vs %u/%u/%u",
               (size_t)i, a.start, a.max, a.end, e.start, e.max, e.end);
    }
    free(bits);
}

static void test_alloc_free(void) {
    gh_pageAlloc p;
    CHECK(gh_pageAlloc_init(&p, 256) == 0); /* 1 GiB of pages, 3 summary levels */
    CHECK(p.nlevels >= 2);
    CHECK(gh_pageAlloc_find(&p, 1) == UINTPTR_MAX); /* nothing grown */
    gh_pageAlloc_grow(&p, 0, 8);
    CHECK(p.freePages == 8 * GH_CHUNK_PAGES && p.scavPages == p.freePages);
    /* first fit and fresh pages are scavenged (zero) */
    CHECK(gh_pageAlloc_find(&p, 3) == 0);
    CHECK(gh_pageAlloc_allocRange(&p, 0, 3) == 3);
    CHECK(gh_pageAlloc_find(&p, 1) == 3);
    /* a run that straddles chunks */
    uintptr_t big = gh_pageAlloc_find(&p, 1000);
    CHECK(big == 3);
    gh_pageAlloc_allocRange(&p, big, 1000);
    gh_pageAlloc_free(&p, 0, 3);
    /* coalescing: free the big run too; a 1003-page run at 0 appears */
    gh_pageAlloc_free(&p, big, 1000);
    CHECK(gh_pageAlloc_find(&p, 8 * GH_CHUNK_PAGES) == 0);
    CHECK(p.freePages == 8 * GH_CHUNK_PAGES);
    CHECK(p.scavPages == 8 * GH_CHUNK_PAGES - 1003); /* used pages are dirty now */
    check_tree(&p);

    /* random alloc/free against brute force */
    typedef struct { uintptr_t page, n; } run;
    static run live[4096];
    int nlive = 0;
    gh_pageAlloc_grow(&p, 8, 24);
    for (int iter = 0; iter < 30000; iter++) {
        if (nlive < 4096 && (rnd() % 3 != 0 || nlive == 0)) {
            uintptr_t n = (rnd() % 8 == 0) ? 1 + rnd() % 1500 : 1 + rnd() % 12;
            uintptr_t want = naive_find(&p, n), got = gh_pageAlloc_find(&p, n);
            CHECKF(want == got, "iter %d find(%zu): %zu vs %zu", iter, (size_t)n, (size_t)got, (size_t)want);
            if (got == UINTPTR_MAX) continue;
            gh_pageAlloc_allocRange(&p, got, n);
            live[nlive++] = (run){got, n};
        } else {
            int k = (int)(rnd() % (uint64_t)nlive);
            gh_pageAlloc_free(&p, live[k].page, live[k].n);
            live[k] = live[--nlive];
        }
        if (iter % 1000 == 0) check_tree(&p);
    }
    check_tree(&p);
    while (nlive) gh_pageAlloc_free(&p, live[nlive - 1].page, live[nlive - 1].n), nlive--;
    CHECK(gh_pageAlloc_find(&p, 32 * GH_CHUNK_PAGES) == 0);
    CHECK(gh_pageAlloc_find(&p, 32 * GH_CHUNK_PAGES + 1) == UINTPTR_MAX);
}

int main(void) {
    test_summarize();
    test_alloc_free();
    printf("pagealloc ok\n");
    return 0;
}
