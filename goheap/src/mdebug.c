/*
 * mdebug.c — goheap's invariant checks (mimalloc's MI_DEBUG checks,
 * mi_page_is_valid and friends), and the assert failure report.
 *
 * The invariants are stated where the structures are defined: spans, caches
 * and central lists in runtime.h ([S1]–[S4], [L1], [L2], [G1], [G2]), the
 * page allocator in mpagealloc.c ([P1]–[P4], checked there), the unswept
 * lists in mgcsweep.c. The functions here are always compiled (a test or
 * a debugger may call them on a release build); the allocator calls them
 * only when built with GH_DEBUG >= 1 (debug.h), the walks at >= 2.
 *
 * Each check runs where its structure cannot change under it: a span by
 * its owner (the thread of the cache) or under its mcentral's lock, an
 * unswept span by its sweeper, whole lists in a stop-the-world pause.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "mgc.h"

void gh_assert_fail(const char *file, int line, const char *expr, const char *fmt, ...) {
    char buf[768];
    int n = snprintf(buf, sizeof buf, "goheap: assertion failed: %s:%d: %s", file, line, expr);
    if (n < 0) n = 0;
    if (fmt && (size_t)n < sizeof buf - 1) {
        n += snprintf(buf + n, sizeof buf - (size_t)n, ": ");
        va_list ap;
        va_start(ap, fmt);
        if ((size_t)n < sizeof buf) n += vsnprintf(buf + n, sizeof buf - (size_t)n, fmt, ap);
        va_end(ap);
    }
    if ((size_t)n > sizeof buf - 2) n = (int)sizeof buf - 2;
    buf[n++] = '\n';
    ssize_t r = write(2, buf, (size_t)n);
    (void)r;
    abort();
}

/* Check c even in a release build (GH_ASSERT is compiled out there). */
#define CHECK(cond, ...) \
    (__builtin_expect(!!(cond), 1) ? (void)0 : gh_assert_fail(__FILE__, __LINE__, #cond, __VA_ARGS__))

/* The slots < nelems of allocBits word w. */
static inline uint64_t valid_mask(const gh_mspan *s, unsigned w) {
    if (w + 1u < s->nwords || (s->nelems & 63) == 0) return ~(uint64_t)0;
    return ((uint64_t)1 << (s->nelems & 63)) - 1;
}

static void check_spans_map(const gh_mspan *s) {
    CHECK(s->base >= gh_arena_start && s->base - gh_arena_start < gh_arena_size &&
              (s->base & (GH_PAGE_SIZE - 1)) == 0,
          "[S3] span %p base %#lx outside the arena or unaligned", (const void *)s, (unsigned long)s->base);
    uintptr_t i = (s->base - gh_arena_start) >> GH_PAGE_SHIFT;
    for (uintptr_t k = 0; k < s->npages; k++)
        CHECK(atomic_load_explicit(&gh_spans[i + k], memory_order_relaxed) == s,
              "[S3] spans[] of page %lu of span %p does not point at it", (unsigned long)k, (const void *)s);
}

/* [S1]-[S3]: one span, its bitmap and its size class. */
void gh_debug_check_span(const gh_mspan *s) {
    CHECK(s != NULL && s != &gh_emptymspan && s->state != GH_SPAN_DEAD, "span %p is dead", (const void *)s);
    check_spans_map(s);
    if (s->spanclass == 0) {
        CHECK(s->nelems == 1 && s->elemsize == s->npages << GH_PAGE_SHIFT,
              "[S3] large span %p: nelems %u elemsize %lu npages %lu", (const void *)s, s->nelems,
              (unsigned long)s->elemsize, (unsigned long)s->npages);
        return;
    }
    unsigned sc = gh_spanClass_sizeclass(s->spanclass);
    CHECK(sc > 0 && sc < GH_NUM_SIZE_CLASSES, "[S3] span %p has size class %u", (const void *)s, sc);
    CHECK(s->elemsize == gh_class_to_size[sc] && s->divMul == gh_class_to_divmagic[sc] &&
              s->npages == gh_class_to_allocnpages[sc],
          "[S3] span %p of class %u: elemsize %lu divMul %u npages %lu", (const void *)s, sc,
          (unsigned long)s->elemsize, s->divMul, (unsigned long)s->npages);
    CHECK(s->nelems == (s->npages << GH_PAGE_SHIFT) / s->elemsize && s->nwords == (s->nelems + 63) / 64,
          "[S3] span %p: nelems %u nwords %u", (const void *)s, s->nelems, s->nwords);
    CHECK((s->allocBits == s->bits[0] && s->gcmarkBits == s->bits[1]) ||
              (s->allocBits == s->bits[1] && s->gcmarkBits == s->bits[0]),
          "span %p: allocBits/gcmarkBits do not point into bits[]", (const void *)s);
    CHECK(s->freeindex <= s->nwords, "span %p: freeindex %u > nwords %u", (const void *)s, s->freeindex, s->nwords);
    unsigned count = 0;
    for (unsigned w = 0; w < s->nwords; w++) count += gh_popcount64(s->allocBits[w] & valid_mask(s, w));
    uint64_t tail = ~valid_mask(s, s->nwords - 1u);
    CHECK((s->allocBits[s->nwords - 1] & tail) == tail, "[S2] span %p: slots past nelems %u read free",
          (const void *)s, s->nelems);
    CHECK(s->allocCount == count, "[S1] span %p (class %u): allocCount %u != popcount(allocBits) %u",
          (const void *)s, sc, s->allocCount, count);
}

/* [S4]: the span c allocates from in class spc, and its window. */
void gh_debug_check_cached(const gh_mcache *c, int spc) {
    const gh_mcache_slot *slot = &c->alloc[spc];
    const gh_mspan *s = slot->span;
    if (s == &gh_emptymspan) {
        CHECK(slot->allocCache == 0, "[S4] empty slot %d has a window", spc);
        return;
    }
    CHECK(s->state == GH_SPAN_CACHED && s->spanclass == spc &&
              atomic_load_explicit(&s->owner, memory_order_relaxed) == c,
          "[S4] cached span %p: state %u spanclass %u (slot %d)", (const void *)s, s->state, s->spanclass, spc);
    CHECK(s->freeindex < s->nwords && slot->elemsize == s->elemsize &&
              slot->wordBase == s->base + (uintptr_t)s->freeindex * 64 * s->elemsize,
          "[S4] slot %d's window does not match span %p word %u", spc, (const void *)s, s->freeindex);
    CHECK((s->allocBits[s->freeindex] & slot->allocCache) == slot->allocCache,
          "[S4] span %p: loaned bits not set in allocBits[%u]", (const void *)s, s->freeindex);
    gh_debug_check_span(s);
}

/* [L1], [L2] for one list; returns how many members carry nempty_flag. */
static unsigned check_list(const gh_mSpanList *l, int spc, int state, const gh_mcache *owner) {
    unsigned n = 0, nempty = 0;
    uint32_t sg = atomic_load_explicit(&gh_sweepgen, memory_order_relaxed);
    const gh_mspan *f = l->first, *s = f;
    if (f) do {
            CHECK(n < l->n, "[L2] list of class %d longer than its count %u", spc, l->n);
            CHECK(s->next && s->prev && s->next->prev == s && s->prev->next == s, "[L2] span %p: broken links",
                  (const void *)s);
            CHECK(s->spanclass == spc, "[L2] span %p of class %u on a list of class %d", (const void *)s,
                  s->spanclass, spc);
            CHECK(s->state == state, "[L1] span %p: state %u on a list of state %d", (const void *)s, s->state, state);
            CHECK(atomic_load_explicit(&s->owner, memory_order_relaxed) == owner, "[L1] span %p: wrong owner",
                  (const void *)s);
            CHECK(s->sweepgen == sg, "[G1] span %p on a swept list: sweepgen %u, sg %u", (const void *)s, s->sweepgen,
                  sg);
            gh_debug_check_span(s);
            switch (state) {
            case GH_SPAN_MC_PARTIAL:
                CHECK(s->allocCount < s->nelems, "[L1] partial span %p is full", (const void *)s);
                if (s->nempty_flag) {
                    CHECK(s->allocCount == 0, "[L1] span %p kept as empty holds objects", (const void *)s);
                    nempty++;
                }
                break;
            case GH_SPAN_C_PARTIAL:
                CHECK(s->allocCount > 0 && s->allocCount < s->nelems, "[L1] central partial span %p: allocCount %u",
                      (const void *)s, s->allocCount);
                break;
            default: /* MC_FULL, C_FULL */
                CHECK(s->allocCount == s->nelems, "[L1] full span %p: allocCount %u of %u", (const void *)s,
                      s->allocCount, s->nelems);
            }
            CHECK(state == GH_SPAN_MC_PARTIAL || !s->nempty_flag, "[L1] span %p: nempty_flag off a partial list",
                  (const void *)s);
            n++;
            s = s->next;
        } while (s != f);
    CHECK(n == l->n, "[L2] list of class %d: %u members, count %u", spc, n, l->n);
    return nempty;
}

void gh_debug_check_spanlist(const gh_mSpanList *l, int spc, int state, const gh_mcache *owner) {
    (void)check_list(l, spc, state, owner);
}

void gh_debug_check_mcache_class(const gh_mcache *c, int spc) {
    gh_debug_check_cached(c, spc);
    unsigned ne = check_list(&c->partial[spc], spc, GH_SPAN_MC_PARTIAL, c);
    CHECK(ne == c->nempty[spc], "[L1] class %d: %u empty spans kept, nempty says %u", spc, ne, c->nempty[spc]);
    check_list(&c->full[spc], spc, GH_SPAN_MC_FULL, c);
}

void gh_debug_check_mcache(const gh_mcache *c) {
    for (int spc = 1; spc < GH_NUM_SPAN_CLASSES; spc++)
        if (gh_spanClass_sizeclass((gh_spanClass)spc)) gh_debug_check_mcache_class(c, spc);
}

void gh_debug_check_mcentral(const gh_mcentral *c) {
    check_list(&c->partial, c->spanclass, GH_SPAN_C_PARTIAL, &gh_nobody);
    check_list(&c->full, c->spanclass, GH_SPAN_C_FULL, &gh_nobody);
}

/* An object just handed out: a slot start of a class at least size, allocated. */
void gh_debug_check_object(const void *x, size_t size) {
    uintptr_t a = (uintptr_t)x;
    gh_mspan *s = gh_spanOf(a);
    /* from the cache's window (the current span) or, in manual mode, its
     * LIFO of freed objects (any span the thread owns, mcache.c) */
    CHECK(s && (s->state == GH_SPAN_CACHED || s->state == GH_SPAN_LARGE ||
                ((s->state == GH_SPAN_MC_PARTIAL || s->state == GH_SPAN_MC_FULL) &&
                 atomic_load_explicit(&s->owner, memory_order_relaxed) == gh_tls_mcache)),
          "object %p: not in a live span", x);
    if (s->spanclass == 0) {
        CHECK(a == s->base && s->elemsize >= size, "large object %p: span base %#lx, %lu bytes for %zu", x,
              (unsigned long)s->base, (unsigned long)s->elemsize, size);
        return;
    }
    uintptr_t idx = gh_mspan_objIndex(s, a);
    CHECK(gh_mspan_objexact(s, a) && idx < s->nelems, "object %p: not a slot start of span %p", x, (void *)s);
    CHECK(s->elemsize >= size, "object %p: class size %lu < requested %zu", x, (unsigned long)s->elemsize, size);
    CHECK((s->allocBits[idx >> 6] >> (idx & 63)) & 1, "object %p: slot %lu reads free", x, (unsigned long)idx);
}

/* [G1] when a cache takes s: it was swept in this cycle (or made in it).
 * Checked by a thread inside the runtime or with no collector (sg fixed);
 * an unattached thread in a collected process could race a cycle's start. */
void gh_debug_check_swept(const gh_mspan *s) {
    gh_g *g = gh_curg;
    if (g ? !g->mallocing : gh_gc_tiny_enabled) return;
    uint32_t sg = atomic_load_explicit(&gh_sweepgen, memory_order_acquire);
    CHECK(s->sweepgen == sg, "[G1] span %p handed to a cache unswept: sweepgen %u, sg %u", (const void *)s,
          s->sweepgen, sg);
}

/* [G2]: only allocated slots are marked (after the windows were returned),
 * unless a window came back from s while marking ran (see runtime.h). */
void gh_debug_check_marks(const gh_mspan *s) {
    if (s->dbg_window_in_mark) return;
    if (s->spanclass == 0) {
        CHECK((s->bits[1][0] & ~(uint64_t)1) == 0, "[G2] large span %p: mark bits %#llx", (const void *)s,
              (unsigned long long)s->bits[1][0]);
        return;
    }
    for (unsigned w = 0; w < s->nwords; w++) {
        uint64_t stray = s->gcmarkBits[w] & ~(s->allocBits[w] & valid_mask(s, w));
        CHECK(stray == 0, "[G2] span %p (class %u): slot %u marked but free", (const void *)s,
              gh_spanClass_sizeclass(s->spanclass), w * 64 + (unsigned)__builtin_ctzll(stray | (uint64_t)1 << 63));
    }
}

/* Every attached thread's cache and every mcentral; the world is stopped. */
void gh_debug_check_world(void) {
    for (gh_g *g = gh_allg_first(); g; g = g->next)
        if (g->mcache) gh_debug_check_mcache(g->mcache);
    for (int spc = 2; spc < GH_NUM_SPAN_CLASSES; spc++) {
        gh_mcentral *c = &gh_mheap_.central[spc];
        gh_spin_lock(&c->lock);
        gh_debug_check_mcentral(c);
        gh_spin_unlock(&c->lock);
    }
}
