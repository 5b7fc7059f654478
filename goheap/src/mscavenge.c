/*
 * mscavenge.c — the scavenger: returning free pages to the OS (Go's
 * mgcscavenge.go).
 *
 * A page freed by the heap stays resident ("dirty") so it can be reused
 * without a page fault. The scavenger gives dirty free pages back with
 * madvise(MADV_DONTNEED) and marks them in the page allocator's scavBits;
 * they read as zero when next used, so the span built on them needs no
 * zeroing. Like Go, it releases from the highest addresses down: first-fit
 * allocation reuses the low ones, so released pages stay released longest.
 *
 * Pacing (Go retains ~10% over the heap goal and runs a background worker at
 * ~1% CPU; goheap keeps the same bound but is driven by frees):
 *   - Synchronous: whenever the heap frees pages (a large object, an empty
 *     span) and dirty free memory exceeds the retain bound — max(
 *     GOHEAP_SCAVENGE_RETAIN_MB (16 MiB), GOHEAP_SCAVENGE_PERCENT (10%) of
 *     the in-use heap) plus 1/8 of it as hysteresis — the freeing thread
 *     releases down to the bound, in the same call. So after a spike is
 *     freed, RSS falls immediately to in-use + retain bound.
 *   - Background (optional, GOHEAP_SCAVENGE_PERIOD_MS=N): a thread, started
 *     at the first heap growth, wakes every N ms and releases the dirty pages
 *     that were already dirty at the previous wake-up: the retained part
 *     goes back within 2·N ms of going idle.
 *   - On demand: gh_scavenge() releases every free page now.
 * GOHEAP_SCAVENGE=0 turns off the synchronous and background parts.
 */
#define _GNU_SOURCE
#include <time.h>

#include "runtime.h"

static void release(gh_pageAlloc *p, uintptr_t lo, uintptr_t hi) {
    if (lo >= hi) return;
    gh_sysUnused((void *)(gh_mheap_.arena_start + (lo << GH_PAGE_SHIFT)), (hi - lo) << GH_PAGE_SHIFT);
    for (uintptr_t i = lo; i < hi; i++) p->scavBits[i >> 6] |= (uint64_t)1 << (i & 63);
    p->scavPages += hi - lo;
    gh_mheap_.pages_returned += hi - lo;
}

/* Release up to nbytes of dirty free pages, highest first; returns bytes. */
uintptr_t gh_scavenge_locked(uintptr_t nbytes) {
    gh_pageAlloc *p = &gh_mheap_.pages;
    uintptr_t need = (nbytes >> GH_PAGE_SHIFT) + ((nbytes & (GH_PAGE_SIZE - 1)) != 0), done = 0;
    uintptr_t runHi = 0, runLo = 0; /* current run [runLo, runHi) */
    for (uintptr_t w = p->grown * GH_CHUNK_WORDS; w-- > 0 && done < need;) {
        uint64_t cand = ~p->allocBits[w] & ~p->scavBits[w];
        if (!cand) {
            release(p, runLo, runHi);
            runLo = runHi = 0;
            continue;
        }
        for (int b = 63; b >= 0 && done < need; b--) {
            uintptr_t page = w * 64 + (uintptr_t)b;
            if (cand & ((uint64_t)1 << b)) {
                if (runHi == 0 || runLo != page + 1) {
                    release(p, runLo, runHi);
                    runHi = page + 1;
                }
                runLo = page;
                done++;
            } else if (runHi) {
                release(p, runLo, runHi);
                runLo = runHi = 0;
            }
        }
    }
    release(p, runLo, runHi);
    if (done) gh_mheap_.scavenge_runs++;
    return done << GH_PAGE_SHIFT;
}

static uintptr_t retainBound(void) {
    gh_mheap *h = &gh_mheap_;
    uintptr_t r = ((h->pagesInUse << GH_PAGE_SHIFT) / 100) * h->scav_percent;
    return r > h->scav_retain_min ? r : h->scav_retain_min;
}

void gh_scavenge_maybe_locked(void) {
    gh_mheap *h = &gh_mheap_;
    if (!h->scav_enabled) return;
    uintptr_t dirty = (h->pages.freePages - h->pages.scavPages) << GH_PAGE_SHIFT;
    uintptr_t retain = retainBound();
    if (dirty > retain + retain / 8) gh_scavenge_locked(dirty - retain);
}

void gh_scavenge(void) {
    if (atomic_load_explicit(&gh_init_state, memory_order_acquire) != 2) return;
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) gh_mcentral_sweepAll(&gh_mheap_.central[i]);
    pthread_mutex_lock(&gh_mheap_.lock);
    gh_scavenge_locked(UINTPTR_MAX);
    pthread_mutex_unlock(&gh_mheap_.lock);
}

/* ------------------------------------------------ background scavenger */

static _Atomic int bg_started;

static void *bgscavenge(void *arg) {
    (void)arg;
    gh_mheap *h = &gh_mheap_;
    uintptr_t prevDirty = 0;
    for (;;) {
        struct timespec ts = {(time_t)(h->scav_period_ms / 1000), (long)(h->scav_period_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0) {}
        pthread_mutex_lock(&h->lock);
        uintptr_t dirty = (h->pages.freePages - h->pages.scavPages) << GH_PAGE_SHIFT;
        uintptr_t n = dirty < prevDirty ? dirty : prevDirty;
        if (n) gh_scavenge_locked(n);
        prevDirty = (h->pages.freePages - h->pages.scavPages) << GH_PAGE_SHIFT;
        pthread_mutex_unlock(&h->lock);
    }
    return NULL;
}

void gh_scavenger_init(void) {}

/* Called (without locks) after the heap grew: start the background worker. */
void gh_scavenger_poke(void) {
    gh_mheap *h = &gh_mheap_;
    if (!h->scav_enabled || h->scav_period_ms == 0) return;
    if (atomic_load_explicit(&bg_started, memory_order_relaxed)) return;
    if (atomic_exchange(&bg_started, 1)) return;
    pthread_t t;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 64 << 10);
    if (pthread_create(&t, &a, bgscavenge, NULL) != 0) atomic_store(&bg_started, 0);
    pthread_attr_destroy(&a);
}

void gh_mheap_after_fork_child(void) { atomic_store(&bg_started, 0); }
