/*
 * mpagealloc.c — the page allocator (Go's mpagealloc.go / mpallocbits.go).
 *
 * The heap is one reserved address range split into 8 KiB pages. Which pages
 * are in use is one bit per page (allocBits; 1 = in use, or not grown yet).
 * A second bitmap (scavBits) says which *free* pages have been returned to
 * the OS (or were never touched): they read as zero, so a span made only of
 * such pages needs no zeroing (needzero = 0), and the scavenger skips them.
 *
 * Finding a free run fast: pages are grouped in 4 MiB chunks of 512 pages,
 * and each chunk has a summary (start, max, end): the free run at its start,
 * the longest free run anywhere in it, and the free run at its end. Summaries
 * form a radix tree with 8 children per entry, as in Go; a parent's summary
 * is merged from its children's (start runs through fully-free children,
 * max also counts runs that cross child boundaries). find() walks from the
 * root: at each level it scans the children left to right, carrying the free
 * run that ends at the previous child; if that run plus the child's start is
 * long enough the answer straddles the boundary, if the child's max is long
 * enough it descends; so the result is the lowest-addressed fit (first fit,
 * which keeps the heap compact and leaves high addresses to the scavenger).
 * Chunks not yet grown summarize as "fully allocated" (all zeros), so the
 * search never leaves the grown part of the range.
 *
 * All functions run under the heap lock.
 */
#include <string.h>

#include "runtime.h"

static inline uint32_t levelPages(int l) { return (uint32_t)GH_CHUNK_PAGES << (GH_SUMMARY_FANOUT_BITS * l); }

int gh_pageAlloc_init(gh_pageAlloc *p, uintptr_t nchunks) {
    memset(p, 0, sizeof *p);
    p->nchunks = nchunks;
    size_t words = nchunks * GH_CHUNK_WORDS;
    p->allocBits = gh_sysAlloc(words * 8);
    p->scavBits = gh_sysAlloc(words * 8);
    if (!p->allocBits || !p->scavBits) return -1;
    uintptr_t n = nchunks;
    int l = 0;
    for (;;) {
        p->nentries[l] = (uint32_t)n;
        p->summary[l] = gh_sysAlloc(n * sizeof(gh_psum));
        if (!p->summary[l]) return -1;
        l++;
        if (n <= 16 || l == GH_SUMMARY_LEVELS_MAX) break;
        n >>= GH_SUMMARY_FANOUT_BITS;
    }
    p->nlevels = l;
    /* Ungrown pages read as "in use". */
    memset(p->allocBits, 0xff, words * 8);
    return 0;
}

gh_psum gh_pageAlloc_summarize(const uint64_t *b, uint32_t npages) {
    uint32_t start = 0, max = 0, cur = 0;
    bool seen = false;
    for (uint32_t w = 0; w < npages / 64; w++) {
        uint64_t x = b[w];
        if (x == 0) {
            cur += 64;
            continue;
        }
        if (x == ~(uint64_t)0) {
            if (!seen) start = cur, seen = true;
            if (cur > max) max = cur;
            cur = 0;
            continue;
        }
        int prev = -1;
        while (x) {
            int q = __builtin_ctzll(x);
            cur += (uint32_t)(q - prev - 1);
            if (!seen) start = cur, seen = true;
            if (cur > max) max = cur;
            cur = 0;
            prev = q;
            x &= x - 1;
            /* skip a run of ones quickly */
            if (x && (x & ((uint64_t)1 << (prev + 1)))) {
                uint64_t ones = ~(x >> (prev + 1));
                int k = ones ? __builtin_ctzll(ones) : 64 - (prev + 1);
                prev += k;
                x &= (prev >= 63) ? 0 : (~(uint64_t)0 << (prev + 1));
            }
        }
        cur = (uint32_t)(63 - prev);
    }
    if (!seen) return (gh_psum){npages, npages, npages};
    if (cur > max) max = cur;
    return (gh_psum){start, max, cur};
}

static gh_psum merge(const gh_psum *c, uint32_t full) {
    gh_psum r = {0, 0, 0};
    int i;
    for (i = 0; i < 8; i++) {
        r.start += c[i].start;
        if (c[i].start != full) break;
    }
    for (i = 7; i >= 0; i--) {
        r.end += c[i].end;
        if (c[i].end != full) break;
    }
    uint32_t cur = 0;
    for (i = 0; i < 8; i++) {
        cur += c[i].start;
        if (cur > r.max) r.max = cur;
        if (c[i].max > r.max) r.max = c[i].max;
        if (c[i].start != full) cur = c[i].end;
    }
    if (cur > r.max) r.max = cur;
    return r;
}

void gh_pageAlloc_update(gh_pageAlloc *p, uintptr_t c0, uintptr_t c1) {
    for (uintptr_t c = c0; c <= c1; c++)
        p->summary[0][c] = gh_pageAlloc_summarize(p->allocBits + c * GH_CHUNK_WORDS, GH_CHUNK_PAGES);
    for (int l = 1; l < p->nlevels; l++) {
        c0 >>= GH_SUMMARY_FANOUT_BITS;
        c1 >>= GH_SUMMARY_FANOUT_BITS;
        for (uintptr_t i = c0; i <= c1; i++)
            p->summary[l][i] = merge(&p->summary[l - 1][i << GH_SUMMARY_FANOUT_BITS], levelPages(l - 1));
    }
}

void gh_pageAlloc_grow(gh_pageAlloc *p, uintptr_t chunk0, uintptr_t n) {
    memset(p->allocBits + chunk0 * GH_CHUNK_WORDS, 0, n * GH_CHUNK_WORDS * 8);
    memset(p->scavBits + chunk0 * GH_CHUNK_WORDS, 0xff, n * GH_CHUNK_WORDS * 8);
    p->freePages += n * GH_CHUNK_PAGES;
    p->scavPages += n * GH_CHUNK_PAGES;
    if (chunk0 + n > p->grown) p->grown = chunk0 + n;
    gh_pageAlloc_update(p, chunk0, chunk0 + n - 1);
}

/* First run of n free pages inside one chunk's bitmap; -1 if none. */
static int findInChunk(const uint64_t *b, uint32_t n) {
    if (n == 1) {
        for (int w = 0; w < GH_CHUNK_WORDS; w++)
            if (b[w] != ~(uint64_t)0) return w * 64 + __builtin_ctzll(~b[w]);
        return -1;
    }
    uint32_t cur = 0;
    for (int w = 0; w < GH_CHUNK_WORDS; w++) {
        uint64_t x = b[w];
        uint32_t base = (uint32_t)w * 64;
        if (x == 0) {
            cur += 64;
            if (cur >= n) return (int)(base + 64 - cur);
            continue;
        }
        if (x == ~(uint64_t)0) {
            cur = 0;
            continue;
        }
        int prev = -1;
        while (x) {
            int q = __builtin_ctzll(x);
            cur += (uint32_t)(q - prev - 1);
            if (cur >= n) return (int)(base + (uint32_t)q - cur);
            cur = 0;
            prev = q;
            x &= x - 1;
        }
        cur = (uint32_t)(63 - prev);
        if (cur >= n) return (int)(base + 64 - cur);
    }
    return -1;
}

uintptr_t gh_pageAlloc_find(gh_pageAlloc *p, uintptr_t npages) {
    int top = p->nlevels - 1;
    uintptr_t lo = 0, hi = p->nentries[top];
    for (int l = top; l >= 0; l--) {
        uintptr_t full = levelPages(l), size = 0;
        intptr_t desc = -1;
        for (uintptr_t i = lo; i < hi; i++) {
            gh_psum s = p->summary[l][i];
            if (size + s.start >= npages) return i * full - size;
            if (s.max >= npages) {
                desc = (intptr_t)i;
                break;
            }
            size = s.start == full ? size + full : s.end;
        }
        if (desc < 0) {
            if (l != top) gh_throw("pageAlloc: summary inconsistent");
            return UINTPTR_MAX;
        }
        if (l == 0) {
            int off = findInChunk(p->allocBits + (uintptr_t)desc * GH_CHUNK_WORDS, (uint32_t)npages);
            if (off < 0) gh_throw("pageAlloc: chunk summary inconsistent");
            return (uintptr_t)desc * GH_CHUNK_PAGES + (uintptr_t)off;
        }
        lo = (uintptr_t)desc << GH_SUMMARY_FANOUT_BITS;
        hi = lo + 8;
    }
    return UINTPTR_MAX;
}

/* Applies fn to each word-masked piece of [page, page+n). */
#define FOR_RANGE(page, n, w, mask, body)                                         \
    do {                                                                          \
        uintptr_t _i = (page), _e = (page) + (n);                                 \
        while (_i < _e) {                                                         \
            uintptr_t w = _i >> 6, _b = _i & 63;                                  \
            uintptr_t _k = 64 - _b < _e - _i ? 64 - _b : _e - _i;                 \
            uint64_t mask = (_k == 64 ? ~(uint64_t)0 : (((uint64_t)1 << _k) - 1)) << _b; \
            body;                                                                 \
            _i += _k;                                                             \
        }                                                                         \
    } while (0)

uintptr_t gh_pageAlloc_allocRange(gh_pageAlloc *p, uintptr_t page, uintptr_t n) {
    uintptr_t scav = 0;
    FOR_RANGE(page, n, w, mask, {
        if ((p->allocBits[w] & mask) != 0) gh_throw("pageAlloc: allocating in-use pages");
        scav += (uintptr_t)__builtin_popcountll(p->scavBits[w] & mask);
        p->scavBits[w] &= ~mask;
        p->allocBits[w] |= mask;
    });
    p->freePages -= n;
    p->scavPages -= scav;
    gh_pageAlloc_update(p, page / GH_CHUNK_PAGES, (page + n - 1) / GH_CHUNK_PAGES);
    return scav;
}

void gh_pageAlloc_free(gh_pageAlloc *p, uintptr_t page, uintptr_t n) {
    FOR_RANGE(page, n, w, mask, {
        if ((p->allocBits[w] & mask) != mask) gh_throw("pageAlloc: freeing free pages");
        p->allocBits[w] &= ~mask;
    });
    p->freePages += n;
    gh_pageAlloc_update(p, page / GH_CHUNK_PAGES, (page + n - 1) / GH_CHUNK_PAGES);
}
