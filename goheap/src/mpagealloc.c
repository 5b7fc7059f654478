/*
 * mpagealloc.c — the page allocator (Go's mpagealloc.go / mpallocbits.go).
 *
 * The heap is one reserved address range split into 8 KiB pages. Which pages
 * are in use is one bit per page (allocBits; 1 = in use). The bits of
 * chunks not grown yet are never read nor written (left as the kernel's
 * untouched zero pages: setting them to 1 at start-up made 4 MiB of a
 * 256 GiB reservation's bitmap resident in every process); their all-zero
 * summaries are what says "not available".
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
 *
 * Invariants (checked by gh_debug_check_chunk at GH_DEBUG >= 1 for the
 * chunks an operation touched, gh_debug_check_pageAlloc at 2 for all):
 *  [P1] summary[0][c] == summarize(allocBits of chunk c), c < grown;
 *       summary[0][c] == (0,0,0) for c >= grown (allocBits not read there)
 *  [P2] summary[l][i] == merge(summary[l-1][8i .. 8i+7]), 0 < l < nlevels
 *  [P3] freePages == #{grown pages whose allocBits bit is 0}
 *  [P4] scavBits ⊆ ~allocBits (only free pages are scavenged) and
 *       scavPages == popcount(scavBits) over the grown chunks
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
        p->summary[l] = gh_sysAlloc(n * sizeof(gh_pallocSum));
        if (!p->summary[l]) return -1;
        l++;
        if (n <= 16 || l == GH_SUMMARY_LEVELS_MAX) break;
        n >>= GH_SUMMARY_FANOUT_BITS;
    }
    p->nlevels = l;
    /* allocBits of ungrown chunks stay untouched (see the top comment);
     * gh_pageAlloc_grow initialises a chunk's bits when it is grown. */
    return 0;
}

/* Index of the first bit >= i (i < n, n a multiple of 64) that equals v;
 * n if none. Scans whole words, so the cost is per run of equal bits and
 * per word, never per bit: a chunk of mixed small spans has hundreds of
 * set bits, and the page allocator runs on every span and large-object
 * allocation (it was ~7,800 instructions per alloc+free with per-bit loops). */
static inline uint32_t nextBit(const uint64_t *b, uint32_t i, uint32_t n, int v) {
    uint64_t flip = v ? 0 : ~(uint64_t)0;
    uint32_t w = i >> 6;
    uint64_t x = (b[w] ^ flip) & (~(uint64_t)0 << (i & 63));
    while (!x) {
        if (++w >= n / 64) return n;
        x = b[w] ^ flip;
    }
    return w * 64 + (uint32_t)__builtin_ctzll(x);
}

/* As Go's pallocBits.summarize: one pass over the words for the runs that
 * start, end or cross word boundaries (ctz/clz per word), then a second
 * pass for runs strictly inside a word, skipping every word whose inner run
 * could not beat the max found so far. A roomy chunk (max >= 64) skips them
 * all, so the cost is ~2 passes over 8 words, not one step per run. */
gh_pallocSum gh_pallocBits_summarize(const uint64_t *b, uint32_t npages) {
    uint32_t nw = npages / 64, start = 0, max = 0, cur = 0;
    bool seen = false;
    for (uint32_t w = 0; w < nw; w++) {
        uint64_t x = b[w];
        if (x == 0) {
            cur += 64;
            continue;
        }
        cur += (uint32_t)__builtin_ctzll(x);
        if (!seen) start = cur, seen = true;
        if (cur > max) max = cur;
        cur = (uint32_t)__builtin_clzll(x);
    }
    if (!seen) return (gh_pallocSum){npages, npages, npages};
    if (cur > max) max = cur;
    for (uint32_t w = 0; w < nw; w++) {
        uint64_t x = b[w];
        if (x == 0) continue;
        uint32_t t = (uint32_t)__builtin_ctzll(x), l = (uint32_t)__builtin_clzll(x);
        if (64 - t - l <= max + 2) continue; /* an inner run has <= 64 - t - l - 2 pages */
        /* z: the free pages strictly between the word's first and last used
         * page. Drop every run of <= max of them with shift-ands (doubling
         * steps, so O(log max)); what survives grows max one step at a time. */
        uint64_t z = ~(x >> t) << t;
        z &= ~(uint64_t)0 >> l;
        for (uint32_t k = max, step = 1; k && z; step <<= 1) {
            uint32_t d = step < k ? step : k;
            z &= z >> d;
            k -= d;
        }
        while (z) {
            max++;
            z &= z >> 1;
        }
    }
    return (gh_pallocSum){start, max, cur};
}

static gh_pallocSum merge(const gh_pallocSum *c, uint32_t full) {
    gh_pallocSum r = {0, 0, 0};
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

static inline bool psum_eq(gh_pallocSum a, gh_pallocSum b) { return a.start == b.start && a.max == b.max && a.end == b.end; }

/* Recompute the summaries of chunks c0..c1 and their ancestors. A level
 * whose entries come out unchanged leaves every level above unchanged too,
 * so the walk stops there: most span allocations inside a roomy chunk change
 * no summary at all, or only the chunk's. */
void gh_pageAlloc_update(gh_pageAlloc *p, uintptr_t c0, uintptr_t c1) {
    bool changed = false;
    for (uintptr_t c = c0; c <= c1; c++) {
        gh_pallocSum n = gh_pallocBits_summarize(p->allocBits + c * GH_CHUNK_WORDS, GH_CHUNK_PAGES);
        if (!psum_eq(n, p->summary[0][c])) changed = true;
        p->summary[0][c] = n;
    }
    for (int l = 1; l < p->nlevels && changed; l++) {
        c0 >>= GH_SUMMARY_FANOUT_BITS;
        c1 >>= GH_SUMMARY_FANOUT_BITS;
        changed = false;
        for (uintptr_t i = c0; i <= c1; i++) {
            gh_pallocSum n = merge(&p->summary[l - 1][i << GH_SUMMARY_FANOUT_BITS], levelPages(l - 1));
            if (!psum_eq(n, p->summary[l][i])) changed = true;
            p->summary[l][i] = n;
        }
    }
}

/* Growth is contiguous (chunk0 == grown): every chunk below grown has had
 * its bits initialised here. */
void gh_pageAlloc_grow(gh_pageAlloc *p, uintptr_t chunk0, uintptr_t n) {
    GH_ASSERT_MSG(chunk0 == p->grown, "pageAlloc: growing chunk %lu, grown %lu", (unsigned long)chunk0,
                  (unsigned long)p->grown);
    memset(p->allocBits + chunk0 * GH_CHUNK_WORDS, 0, n * GH_CHUNK_WORDS * 8);
    memset(p->scavBits + chunk0 * GH_CHUNK_WORDS, 0xff, n * GH_CHUNK_WORDS * 8);
    p->freePages += n * GH_CHUNK_PAGES;
    p->scavPages += n * GH_CHUNK_PAGES;
    if (chunk0 + n > p->grown) p->grown = chunk0 + n;
    gh_pageAlloc_update(p, chunk0, chunk0 + n - 1);
    GH_EXPENSIVE(gh_debug_check_pageAlloc(p));
}

/* First run of n free pages inside one chunk's bitmap; -1 if none. */
static int findInChunk(const uint64_t *b, uint32_t n) {
    for (uint32_t i = 0; i < GH_CHUNK_PAGES;) {
        uint32_t f = nextBit(b, i, GH_CHUNK_PAGES, 0);
        if (f == GH_CHUNK_PAGES) break;
        if (n == 1) return (int)f;
        uint32_t u = nextBit(b, f, GH_CHUNK_PAGES, 1);
        if (u - f >= n) return (int)f;
        i = u;
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
            gh_pallocSum s = p->summary[l][i];
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

/* Highest page < i of a chunk's bitmap that is in use; -1 if none. */
static inline int prevUsed(const uint64_t *b, uint32_t i) {
    if (i == 0) return -1;
    uint32_t w = (i - 1) >> 6;
    uint64_t x = b[w] & (~(uint64_t)0 >> (63 - ((i - 1) & 63)));
    for (;;) {
        if (x) return (int)(w * 64 + 63 - (uint32_t)__builtin_clzll(x));
        if (w == 0) return -1;
        x = b[--w];
    }
}

/* The free run [a, b) of chunk c's bitmap around pages [lo, hi). */
static inline void runAround(const uint64_t *cb, uint32_t lo, uint32_t hi, uint32_t *a, uint32_t *b) {
    *a = (uint32_t)(prevUsed(cb, lo) + 1);
    *b = hi < GH_CHUNK_PAGES ? nextBit(cb, hi, GH_CHUNK_PAGES, 1) : GH_CHUNK_PAGES;
}

/* A chunk's summary changed to s: store it and merge upwards while the
 * parents change. */
static void setChunkSummary(gh_pageAlloc *p, uintptr_t c, gh_pallocSum s) {
    if (psum_eq(s, p->summary[0][c])) return;
    p->summary[0][c] = s;
    for (int l = 1; l < p->nlevels; l++) {
        c >>= GH_SUMMARY_FANOUT_BITS;
        gh_pallocSum n = merge(&p->summary[l - 1][c << GH_SUMMARY_FANOUT_BITS], levelPages(l - 1));
        if (psum_eq(n, p->summary[l][c])) return;
        p->summary[l][c] = n;
    }
}

/* allocRange and free update a range inside one chunk incrementally: only
 * the free run around the range changes, so the new summary follows from
 * the old one and that run's bounds (two short bit scans), except when an
 * allocation splits a run as long as the chunk's max (then re-summarize).
 * Ranges across chunks (large objects) take the full update. */
uintptr_t gh_pageAlloc_allocRange(gh_pageAlloc *p, uintptr_t page, uintptr_t n) {
    uintptr_t c = page / GH_CHUNK_PAGES;
    bool one = c == (page + n - 1) / GH_CHUNK_PAGES;
    const uint64_t *cb = p->allocBits + c * GH_CHUNK_WORDS;
    uint32_t lo = (uint32_t)(page - c * GH_CHUNK_PAGES), hi = lo + (uint32_t)n, a = 0, b = 0;
    uintptr_t scav = 0;
    FOR_RANGE(page, n, w, mask, {
        if ((p->allocBits[w] & mask) != 0) gh_throw("pageAlloc: allocating in-use pages");
        scav += (uintptr_t)gh_popcount64(p->scavBits[w] & mask);
        p->scavBits[w] &= ~mask;
    });
    if (one) runAround(cb, lo, hi, &a, &b); /* before the bits are set */
    FOR_RANGE(page, n, w, mask, { p->allocBits[w] |= mask; });
    p->freePages -= n;
    p->scavPages -= scav;
    if (!one) {
        gh_pageAlloc_update(p, c, (page + n - 1) / GH_CHUNK_PAGES);
        GH_EXPENSIVE(gh_debug_check_pageAlloc(p));
        return scav;
    }
    gh_pallocSum o = p->summary[0][c], s = o;
    if (a == 0) s.start = lo;
    if (b == GH_CHUNK_PAGES) s.end = GH_CHUNK_PAGES - hi;
    if (b - a >= o.max) {
        if (a == 0 && b == GH_CHUNK_PAGES) /* the chunk was all free */
            s.max = lo > GH_CHUNK_PAGES - hi ? lo : GH_CHUNK_PAGES - hi;
        else /* split a longest run: another may be as long, look */
            s = gh_pallocBits_summarize(cb, GH_CHUNK_PAGES);
    }
    setChunkSummary(p, c, s);
    GH_DEBUG_ONLY(gh_debug_check_chunk(p, c));
    GH_EXPENSIVE(gh_debug_check_pageAlloc(p));
    return scav;
}

/* Whether pages [page, page+n) are all grown and free (realloc's in-place
 * growth of a large span asks about the pages right after it). */
bool gh_pageAlloc_is_free(const gh_pageAlloc *p, uintptr_t page, uintptr_t n) {
    if (n == 0 || page + n > p->grown * GH_CHUNK_PAGES || page + n < page) return false;
    bool free = true;
    FOR_RANGE(page, n, w, mask, { free = free && (p->allocBits[w] & mask) == 0; });
    return free;
}

void gh_pageAlloc_free(gh_pageAlloc *p, uintptr_t page, uintptr_t n) {
    FOR_RANGE(page, n, w, mask, {
        if ((p->allocBits[w] & mask) != mask) gh_throw("pageAlloc: freeing free pages");
        p->allocBits[w] &= ~mask;
    });
    p->freePages += n;
    uintptr_t c = page / GH_CHUNK_PAGES;
    if (c != (page + n - 1) / GH_CHUNK_PAGES) {
        gh_pageAlloc_update(p, c, (page + n - 1) / GH_CHUNK_PAGES);
        GH_EXPENSIVE(gh_debug_check_pageAlloc(p));
        return;
    }
    const uint64_t *cb = p->allocBits + c * GH_CHUNK_WORDS;
    uint32_t lo = (uint32_t)(page - c * GH_CHUNK_PAGES), a, b;
    runAround(cb, lo, lo + (uint32_t)n, &a, &b); /* the merged free run */
    gh_pallocSum s = p->summary[0][c];
    if (b - a > s.max) s.max = b - a;
    if (a == 0) s.start = b;
    if (b == GH_CHUNK_PAGES) s.end = GH_CHUNK_PAGES - a;
    setChunkSummary(p, c, s);
    GH_DEBUG_ONLY(gh_debug_check_chunk(p, c));
    GH_EXPENSIVE(gh_debug_check_pageAlloc(p));
}

/* Free pages that were allocated fresh and never handed out (a span run
 * given back): they still read as zero, so they are free and scavenged. */
void gh_pageAlloc_free_scavenged(gh_pageAlloc *p, uintptr_t page, uintptr_t n) {
    gh_pageAlloc_free(p, page, n);
    FOR_RANGE(page, n, w, mask, { p->scavBits[w] |= mask; });
    p->scavPages += n;
    GH_EXPENSIVE(gh_debug_check_pageAlloc(p));
}

/* ------------------------------------------------------------ debug checks */

#define PCHECK(cond, ...) \
    (__builtin_expect(!!(cond), 1) ? (void)0 : gh_assert_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))

/* [P1] for one chunk. */
void gh_debug_check_chunk(const gh_pageAlloc *p, uintptr_t c) {
    if (c >= p->grown) return;
    gh_pallocSum want = gh_pallocBits_summarize(p->allocBits + c * GH_CHUNK_WORDS, GH_CHUNK_PAGES);
    gh_pallocSum have = p->summary[0][c];
    PCHECK(psum_eq(want, have), "[P1] chunk %lu: summary (%u,%u,%u), bitmap says (%u,%u,%u)", (unsigned long)c,
           have.start, have.max, have.end, want.start, want.max, want.end);
}

/* [P1]-[P4] over every grown chunk and every summary level above them. */
void gh_debug_check_pageAlloc(const gh_pageAlloc *p) {
    uintptr_t freep = 0, scav = 0;
    for (uintptr_t c = 0; c < p->grown; c++) {
        gh_debug_check_chunk(p, c);
        for (uintptr_t w = c * GH_CHUNK_WORDS; w < (c + 1) * GH_CHUNK_WORDS; w++) {
            PCHECK((p->scavBits[w] & p->allocBits[w]) == 0, "[P4] page word %lu: in-use pages marked scavenged",
                   (unsigned long)w);
            freep += 64 - gh_popcount64(p->allocBits[w]);
            scav += gh_popcount64(p->scavBits[w]);
        }
    }
    PCHECK(freep == p->freePages, "[P3] %lu free pages in the bitmap, freePages %lu", (unsigned long)freep,
           (unsigned long)p->freePages);
    PCHECK(scav == p->scavPages, "[P4] %lu scavenged pages in the bitmap, scavPages %lu", (unsigned long)scav,
           (unsigned long)p->scavPages);
    uintptr_t n = p->grown;
    for (int l = 1; l < p->nlevels; l++) {
        n = (n + 7) >> GH_SUMMARY_FANOUT_BITS;
        for (uintptr_t i = 0; i < n && i < p->nentries[l]; i++) {
            gh_pallocSum want = merge(&p->summary[l - 1][i << GH_SUMMARY_FANOUT_BITS], levelPages(l - 1));
            gh_pallocSum have = p->summary[l][i];
            PCHECK(psum_eq(want, have), "[P2] level %d entry %lu: (%u,%u,%u), children merge to (%u,%u,%u)", l,
                   (unsigned long)i, have.start, have.max, have.end, want.start, want.max, want.end);
        }
    }
}
