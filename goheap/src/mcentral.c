/*
 * mcentral.c — central free lists, one per span class (Go's mcentral.go).
 *
 * In Go every span an mcache lets go returns here and mcentral hands spans
 * with free objects to caches that run dry, sweeping as it goes. In goheap's
 * manual mode a thread keeps the spans it allocated from (see mcache.c), so
 * mcentral holds the spans nobody owns: those of threads that exited (and,
 * with the collector, the ones it sweeps). Lists:
 *
 *   partial — spans with free slots (Go: partial swept/unswept)
 *   full    — spans with no free slot when they arrived; other threads may
 *             since have pushed frees on their remote_free stacks, so
 *             cacheSpan "sweeps" up to 100 of them (Go's spanBudget) before
 *             asking the heap for a fresh span.
 *
 * cacheSpan gives a span to an mcache (which then owns it); when both lists
 * have nothing, it grows: mheap_alloc(class_to_allocnpages) and a fresh
 * bitmap. uncacheSpan takes a span back from an exiting cache. Empty spans
 * go straight back to the heap. The lock is held only for list operations
 * and a drain; the heap lock is taken after it (lock order).
 */
#include <sched.h>

#include "runtime.h"

void gh_spin_lock_slow(gh_spinlock *l) {
    for (int i = 0;; i++) {
        if (atomic_load_explicit(&l->v, memory_order_relaxed) == 0 &&
            atomic_exchange_explicit(&l->v, 1, memory_order_acquire) == 0)
            return;
        if (i < 64)
            __builtin_ia32_pause();
        else
            sched_yield();
    }
}

#define GH_SPAN_BUDGET 100

void gh_mcentral_init(gh_mcentral *c, gh_spanClass spc) {
    atomic_store_explicit(&c->lock.v, 0, memory_order_relaxed);
    c->spanclass = spc;
    c->partial.first = c->full.first = NULL;
    c->partial.n = c->full.n = 0;
}

gh_mspan *gh_mcentral_cacheSpan(gh_mcentral *c) {
    gh_mspan *s = NULL;
    gh_spin_lock(&c->lock);
    s = gh_mSpanList_pop(&c->partial);
    if (s) {
        gh_mspan_drain_remote(s);
    } else {
        for (int budget = GH_SPAN_BUDGET; budget > 0 && c->full.first; budget--) {
            gh_mspan *t = gh_mSpanList_pop(&c->full);
            if (gh_mspan_drain_remote(t) && t->allocCount < t->nelems) {
                s = t;
                break;
            }
            gh_mSpanList_insertBack(&c->full, t); /* rotate */
        }
    }
    if (s) s->state = GH_SPAN_CACHED;
    GH_EXPENSIVE(gh_debug_check_mcentral(c));
    gh_spin_unlock(&c->lock);
    if (s) {
        GH_DEBUG_ONLY(gh_debug_check_span(s));
        return s;
    }
    /* collector: sweep this class's unswept spans before growing (mgcsweep.c) */
    if ((s = gh_mcentral_sweep_for_alloc(c))) return s;
    unsigned sc = gh_spanClass_sizeclass(c->spanclass);
    return gh_mheap_alloc(gh_class_to_allocnpages[sc], c->spanclass, 0);
}

void gh_mcentral_uncacheSpan(gh_mcentral *c, gh_mspan *s) {
    gh_mspan_drain_remote(s);
    gh_spin_lock(&c->lock);
    atomic_store_explicit(&s->owner, &gh_nobody, memory_order_relaxed);
    /* frees that raced with the hand-over are on remote_free; drain again */
    gh_mspan_drain_remote(s);
    GH_DEBUG_ONLY(gh_debug_check_span(s));
    if (s->allocCount == 0) {
        gh_spin_unlock(&c->lock);
        gh_mheap_freeSpan(s);
        return;
    }
    if (s->allocCount < s->nelems) {
        s->state = GH_SPAN_C_PARTIAL;
        gh_mSpanList_insertBack(&c->partial, s);
    } else {
        s->state = GH_SPAN_C_FULL;
        gh_mSpanList_insertBack(&c->full, s);
    }
    GH_EXPENSIVE(gh_debug_check_mcentral(c));
    gh_spin_unlock(&c->lock);
}

/* Drain every unowned span; return the empty ones to the heap. */
void gh_mcentral_sweep_all(gh_mcentral *c) {
    gh_mSpanList empty = {0, 0};
    gh_spin_lock(&c->lock);
    gh_mSpanList *lists[2] = {&c->partial, &c->full};
    for (int k = 0; k < 2; k++) {
        gh_mSpanList keep = {0, 0};
        gh_mspan *s;
        while ((s = gh_mSpanList_pop(lists[k]))) {
            gh_mspan_drain_remote(s);
            if (s->allocCount == 0) {
                gh_mSpanList_insertBack(&empty, s);
            } else if (s->allocCount < s->nelems) {
                s->state = GH_SPAN_C_PARTIAL;
                gh_mSpanList_insertBack(k == 0 ? &keep : &c->partial, s);
            } else {
                s->state = GH_SPAN_C_FULL;
                gh_mSpanList_insertBack(&keep, s);
            }
        }
        *lists[k] = keep;
    }
    GH_EXPENSIVE(gh_debug_check_mcentral(c));
    gh_spin_unlock(&c->lock);
    if (empty.first) {
        pthread_mutex_lock(&gh_mheap_.lock);
        gh_mspan *s;
        while ((s = gh_mSpanList_pop(&empty))) gh_mheap_freeSpanLocked(s);
        pthread_mutex_unlock(&gh_mheap_.lock);
    }
}
