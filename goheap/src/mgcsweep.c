/*
 * mgcsweep.c — sweeping (Go's mgcsweep.go, mcentral's swept/unswept sets).
 *
 * Sweeping a small span turns the cycle's mark bits into its allocation
 * bits: gcmarkBits becomes allocBits (with the slots past nelems set), the
 * old allocBits array is cleared and becomes the next cycle's gcmarkBits,
 * allocCount becomes the number of marked objects. A span with nothing
 * marked goes back to the page heap. A large span is kept (mark cleared)
 * or freed. Nothing is moved, so the collector never needs to know which
 * words point at a swept object.
 *
 * Which spans need sweeping is kept by *lists*, not a scan of the heap:
 * at mark termination (in the pause, O(threads × classes + classes)) every
 * span is spliced, in O(1) per list, into the unswept list of its class:
 * each mutator's current spans (their allocation windows returned first),
 * the full spans it owns, mcentral's partial/full lists and the swept-full
 * lists of the previous cycle; large spans likewise into largeUnswept.
 * sweepgen advances by 2, as in Go (a span's sweepgen is set when swept;
 * kept for readers of Go, the lists are what decides).
 *
 * Who sweeps, so that sweeping finishes before the next cycle and keeps
 * pace with allocation:
 *   lazily     mcentral's cacheSpan, when a cache needs a span of a class,
 *              sweeps that class's unswept spans (up to 100, Go's
 *              spanBudget) before it takes fresh pages — a span is always
 *              swept before it is allocated from, since caches only get
 *              spans through cacheSpan;
 *   proportionally  every allocating thread, per 64 KiB it allocates,
 *              sweeps sweepPagesPerByte × bytes pages (mgcpacer.c sets the
 *              ratio so that sweeping ends before the next trigger);
 *   in the background  the collector's worker thread sweeps while idle;
 *   before the next cycle  the worker finishes what is left (outside any
 *              pause).
 * A sweeper pops a span from its list under the class's mcentral lock and
 * then owns it alone; swept spans with free slots go on mcentral's partial
 * list, full ones on sweptFull (never walked by allocation), empty ones to
 * the heap. A mutator sweeps inside the runtime (g->mallocing), so a pause
 * never finds a span popped and half swept.
 *
 * Invariants (runtime.h's [G1], [G2]; gh_sweep_debug_check at GH_DEBUG=2
 * walks the lists in the pauses, sweep_small checks each span at 1):
 *   s ∈ unswept[*] ∪ largeUnswept  ⇒  s->sweepgen == sg - 2
 *   s popped by a sweeper          ⇒  s->sweepgen == sg - 1 until swept
 *   s ∈ sweptFull ∪ largeSwept     ⇒  s->sweepgen == sg, state C_FULL / LARGE
 *   nunswept == Σ |unswept[spc]| + |largeUnswept| (+ spans being popped)
 *   at sweep start: gcmarkBits ⊆ allocBits for every unswept span
 */
#include <string.h>

#include "mgc.h"

_Atomic uint32_t gh_sweepgen = 2;

static gh_mSpanList unswept[GH_NUM_SPAN_CLASSES];   /* under central[spc].lock */
static gh_mSpanList sweptFull[GH_NUM_SPAN_CLASSES]; /* under central[spc].lock */
static gh_spinlock large_lock;
static gh_mSpanList largeSwept, largeUnswept;
static _Atomic int64_t nunswept;                   /* spans left to sweep */
static _Atomic uint32_t unswept_n[GH_NUM_SPAN_CLASSES]; /* per class, for a lock-free peek */
static _Atomic unsigned sweep_class;               /* where sweepone found a span last */

/* Splice list b onto the end of list a; b becomes empty. */
static void splice(gh_mSpanList *a, gh_mSpanList *b) {
    if (!b->first) return;
    if (!a->first) {
        *a = *b;
    } else {
        gh_mspan *af = a->first, *al = af->prev, *bf = b->first, *bl = bf->prev;
        al->next = bf;
        bf->prev = al;
        bl->next = af;
        af->prev = bl;
        a->n += b->n;
    }
    b->first = NULL;
    b->n = 0;
}

void gh_large_add(gh_mspan *s) {
    gh_spin_lock(&large_lock);
    s->sweepgen = atomic_load_explicit(&gh_sweepgen, memory_order_relaxed);
    gh_mSpanList_insertBack(&largeSwept, s);
    gh_spin_unlock(&large_lock);
}

/* Give back the cache's windows and hand its spans to the sweeper (Go's
 * mcache.prepareForSweep / releaseAll). The owning thread is stopped. */
void gh_mcache_prepareForSweep(gh_mcache *c) {
    int64_t n = 0;
    for (int spc = 0; spc < GH_NUM_SPAN_CLASSES; spc++) {
        gh_mcache_slot *slot = &c->alloc[spc];
        gh_mspan *s = slot->span;
        gh_mSpanList *u = &unswept[spc];
        if (s != &gh_emptymspan) {
            /* The window's slots not handed out read allocated while on
             * loan (allocBits), so a stale pointer (a conservative stack
             * word) may have marked one: unmark them as they go back, or
             * the sweep would keep a free slot as allocated ([G2], found
             * by the GH_DEBUG=2 check at sweep start). */
            s->gcmarkBits[s->freeindex] &= ~slot->allocCache;
            gh_mspan_unload_window(s, slot);
            gh_mSpanList_insertBack(u, s);
            n++;
        }
        n += c->full[spc].n + c->partial[spc].n;
        splice(u, &c->full[spc]);
        splice(u, &c->partial[spc]);
        atomic_store_explicit(&unswept_n[spc], u->n, memory_order_relaxed);
        c->nempty[spc] = 0;
    }
    c->tiny = c->tinyoffset = 0;
    atomic_fetch_add_explicit(&nunswept, n, memory_order_relaxed);
}

/* In the mark-termination pause, after every cache was prepared. */
void gh_gcSweep(void) {
    int64_t n = 0;
    for (int spc = 0; spc < GH_NUM_SPAN_CLASSES; spc++) {
        gh_mcentral *c = &gh_mheap_.central[spc];
        gh_spin_lock(&c->lock);
        n += c->partial.n + c->full.n + sweptFull[spc].n;
        splice(&unswept[spc], &c->partial);
        splice(&unswept[spc], &c->full);
        splice(&unswept[spc], &sweptFull[spc]);
        atomic_store_explicit(&unswept_n[spc], unswept[spc].n, memory_order_relaxed);
        gh_spin_unlock(&c->lock);
    }
    gh_spin_lock(&large_lock);
    n += largeSwept.n;
    splice(&largeUnswept, &largeSwept);
    gh_spin_unlock(&large_lock);
    atomic_fetch_add_explicit(&nunswept, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&gh_sweepgen, 2, memory_order_release);
    GH_EXPENSIVE(gh_sweep_debug_check(1));
}

/* [G1]/[G2] over the sweeper's lists; the world is stopped. after_start:
 * just after gh_gcSweep (every span unswept, marks final); else at a
 * cycle's first pause (sweeping done: only swept lists hold spans). */
void gh_sweep_debug_check(int after_start) {
    uint32_t sg = atomic_load_explicit(&gh_sweepgen, memory_order_relaxed);
    int64_t n = 0;
    for (int spc = 2; spc < GH_NUM_SPAN_CLASSES; spc++) {
        gh_mcentral *c = &gh_mheap_.central[spc];
        gh_spin_lock(&c->lock);
        const gh_mspan *f = unswept[spc].first, *s = f;
        if (f) do {
                GH_ASSERT_MSG(s->sweepgen == sg - 2, "[G1] unswept span %p (class %d, state %u): sweepgen %u, sg %u",
                              (const void *)s, spc, s->state, s->sweepgen, sg);
                gh_debug_check_span(s);
                gh_debug_check_marks(s);
                n++;
            } while ((s = s->next) != f);
        GH_ASSERT(after_start || unswept[spc].n == 0);
        gh_debug_check_spanlist(&sweptFull[spc], spc, GH_SPAN_C_FULL, &gh_nobody);
        gh_debug_check_mcentral(c);
        gh_spin_unlock(&c->lock);
    }
    gh_spin_lock(&large_lock);
    for (int k = 0; k < 2; k++) {
        const gh_mSpanList *l = k ? &largeSwept : &largeUnswept;
        const gh_mspan *f = l->first, *s = f;
        if (f) do {
                GH_ASSERT_MSG(s->sweepgen == (k ? sg : sg - 2), "[G1] large span %p: sweepgen %u, sg %u",
                              (const void *)s, s->sweepgen, sg);
                gh_debug_check_span(s);
                if (!k) gh_debug_check_marks(s);
                n += !k;
            } while ((s = s->next) != f);
    }
    GH_ASSERT(after_start || largeUnswept.n == 0);
    gh_spin_unlock(&large_lock);
    GH_ASSERT_MSG(n == atomic_load_explicit(&nunswept, memory_order_relaxed), "%ld unswept spans, nunswept %ld",
                  (long)n, (long)atomic_load_explicit(&nunswept, memory_order_relaxed));
}

int gh_isSweepDone(void) { return atomic_load_explicit(&nunswept, memory_order_acquire) <= 0; }

/* Sweep a small span the caller owns alone. Returns 1 if it was freed. */
static int sweep_small(gh_mspan *s, uint32_t sg) {
    GH_ASSERT_MSG(s->sweepgen == sg - 2, "[G1] sweeping span %p: sweepgen %u, sg %u", (void *)s, s->sweepgen, sg);
    GH_DEBUG_ONLY(s->sweepgen = sg - 1; gh_debug_check_span(s); gh_debug_check_marks(s));
    gh_mspan_drain_remote(s);
    unsigned nw = s->nwords;
    unsigned nmarked = 0;
    /* Only allocated slots stay allocated: a slot that was loaned in a
     * cache's window while marking ran read allocated, so a stale pointer
     * may have marked it before it went back free (runtime.h, [G2]). */
    for (unsigned i = 0; i < nw; i++) {
        s->gcmarkBits[i] &= s->allocBits[i];
        nmarked += (unsigned)__builtin_popcountll(s->gcmarkBits[i]);
    }
    GH_DEBUG_ONLY(s->dbg_window_in_mark = 0);
    atomic_store_explicit(&s->owner, &gh_nobody, memory_order_relaxed);
    s->nempty_flag = 0;
    s->sweepgen = sg;
    if (nmarked == 0) {
        gh_types_free(s);
        gh_mheap_freeSpan(s);
        return 1;
    }
    /* gh_gc_is_allocated reads allocBits while we sweep: the swap is made
     * visible before the old array is cleared (release stores; it re-reads
     * the pointer after an acquire load of the word; found by
     * GOHEAP_GC_TORTURE=concurrent: a live object read as free) */
    uint64_t *old = s->allocBits;
    __atomic_store_n(&s->allocBits, s->gcmarkBits, __ATOMIC_RELAXED);
    s->gcmarkBits = old;
    for (unsigned i = 0; i < nw; i++) __atomic_store_n(&old[i], 0, __ATOMIC_RELEASE);
    if (s->nelems & 63) s->allocBits[nw - 1] |= ~(uint64_t)0 << (s->nelems & 63);
    __atomic_store_n(&s->allocCount, (uint16_t)nmarked, __ATOMIC_RELAXED);
    s->freeindex = 0;
    GH_DEBUG_ONLY(gh_debug_check_span(s));
    return 0;
}

static void sweep_put(gh_mcentral *c, gh_mspan *s) {
    gh_spin_lock(&c->lock);
    if (s->allocCount < s->nelems) {
        s->state = GH_SPAN_C_PARTIAL;
        gh_mSpanList_insertBack(&c->partial, s);
    } else {
        s->state = GH_SPAN_C_FULL;
        gh_mSpanList_insertBack(&sweptFull[c->spanclass], s);
    }
    gh_spin_unlock(&c->lock);
}

static int sweep_large_one(uint32_t sg) {
    gh_spin_lock(&large_lock);
    gh_mspan *s = gh_mSpanList_pop(&largeUnswept);
    gh_spin_unlock(&large_lock);
    if (!s) return 0;
    atomic_fetch_sub_explicit(&nunswept, 1, memory_order_relaxed);
    GH_ASSERT_MSG(s->sweepgen == sg - 2, "[G1] sweeping large span %p: sweepgen %u, sg %u", (void *)s, s->sweepgen, sg);
    GH_DEBUG_ONLY(gh_debug_check_span(s); gh_debug_check_marks(s));
    int npages = (int)s->npages;
    if (s->bits[1][0] & 1) {
        s->bits[1][0] = 0;
        gh_spin_lock(&large_lock);
        s->sweepgen = sg;
        gh_mSpanList_insertBack(&largeSwept, s);
        gh_spin_unlock(&large_lock);
    } else {
        s->layout = 0;
        gh_mheap_freeSpan(s);
    }
    return npages;
}

static gh_mspan *pop_unswept(gh_mcentral *c) {
    if (!atomic_load_explicit(&unswept_n[c->spanclass], memory_order_relaxed)) return NULL;
    gh_spin_lock(&c->lock);
    gh_mspan *s = gh_mSpanList_pop(&unswept[c->spanclass]);
    atomic_store_explicit(&unswept_n[c->spanclass], unswept[c->spanclass].n, memory_order_relaxed);
    gh_spin_unlock(&c->lock);
    if (s) atomic_fetch_sub_explicit(&nunswept, 1, memory_order_relaxed);
    return s;
}

/* The cycle's sweep has just finished: the scavenger may give its garbage
 * back now (mscavenge.c), once per cycle, by whichever sweeper saw it. */
static void sweepDone(uint32_t sg) {
    static _Atomic uint32_t notified;
    if (!gh_isSweepDone() || atomic_load_explicit(&notified, memory_order_relaxed) == sg) return;
    if (atomic_exchange_explicit(&notified, sg, memory_order_relaxed) == sg) return;
    gh_scavenger_sweepdone(gh_scavengeRetainedGoal());
}

/* Sweep one span of any class; returns its pages, 0 when none is left. */
int gh_sweepone(void) {
    if (gh_isSweepDone()) return 0;
    uint32_t sg = atomic_load_explicit(&gh_sweepgen, memory_order_acquire);
    /* start where the last span was found: classes empty out one by one */
    unsigned start = atomic_load_explicit(&sweep_class, memory_order_relaxed);
    for (unsigned k = 0; k < GH_NUM_SPAN_CLASSES; k++) {
        unsigned spc = (start + k) % GH_NUM_SPAN_CLASSES;
        if (spc < 2) continue; /* class 0: large objects, below */
        gh_mcentral *c = &gh_mheap_.central[spc];
        gh_mspan *s = pop_unswept(c);
        if (!s) continue;
        if (k) atomic_store_explicit(&sweep_class, spc, memory_order_relaxed);
        int npages = (int)s->npages;
        if (!sweep_small(s, sg)) sweep_put(c, s);
        sweepDone(sg);
        return npages;
    }
    int npages = sweep_large_one(sg);
    sweepDone(sg);
    return npages;
}

gh_mspan *gh_mcentral_sweep_for_alloc(gh_mcentral *c) {
    if (atomic_load_explicit(&nunswept, memory_order_relaxed) <= 0) return NULL;
    uint32_t sg = atomic_load_explicit(&gh_sweepgen, memory_order_acquire);
    gh_mspan *got = NULL;
    for (int budget = 100; budget > 0; budget--) {
        gh_mspan *s = pop_unswept(c);
        if (!s) break;
        if (sweep_small(s, sg)) continue;
        if (s->allocCount < s->nelems) {
            s->state = GH_SPAN_CACHED;
            got = s;
            break;
        }
        sweep_put(c, s);
    }
    sweepDone(sg);
    return got;
}

/* Called inside the runtime by an allocating thread, per flushed batch. */
void gh_deductSweepCredit(gh_g *g, int64_t bytes) {
    (void)g;
    double want = gh_gcController_.sweepPagesPerByte * (double)bytes;
    for (double done = 0; done < want;) {
        if (atomic_load_explicit(&gh_stw_request, memory_order_relaxed)) return;
        int n = gh_sweepone();
        if (!n) return;
        done += n;
    }
}
