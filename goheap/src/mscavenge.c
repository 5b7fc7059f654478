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
 * Pacing — Go's shape (mgcscavenge.go: retain ~10% over the heap goal,
 * release the rest gradually from a background worker), because releasing
 * in the freeing call made every alloc/free cycle larger than the bound pay
 * its page faults again (heap/churn: 40k faults per run against mimalloc's
 * 10k, ~0.15 of its time ratio). The retain bound is R = max(
 * GOHEAP_SCAVENGE_RETAIN_MB (16 MiB), GOHEAP_SCAVENGE_PERCENT (10%) of the
 * in-use heap).
 *   - Background (default, GOHEAP_SCAVENGE_PERIOD_MS = 100; 0 = off): a
 *     thread wakes every period and releases the dirty memory above R that
 *     was already above R at its previous wake-up (memory free for at least
 *     a period: the "old" free memory, highest addresses first), in 4 MiB
 *     steps with the heap lock dropped between them. So after a spike is
 *     freed RSS falls to in-use + R within two periods (~200 ms). The
 *     thread is created lazily, the first time dirty memory exceeds R (a
 *     small process never gets one), from a freeing call after it dropped
 *     the heap lock: pthread_create allocates, which under LD_PRELOAD is
 *     goheap itself. It parks on a condition variable while there is
 *     nothing above R and is woken by the free that crosses R. In a fork
 *     child it is created again the same lazy way.
 *   - Hard cap (synchronous): when dirty memory exceeds R + 512 MiB — or,
 *     with no worker (period 0), min(4·R, R + 512 MiB) — the freeing call
 *     itself releases down to 2·R, so a huge spike does not wait for the
 *     worker (and RSS falls even with the worker off). With the worker, the
 *     cap used to be 4·R (64 MiB) too: it fired between the repetitions of
 *     heap/large and heap/steady-growth (~100–150 MiB freed and allocated
 *     again), so every repetition page-faulted its memory afresh (heap/large
 *     134k faults for 6 runs against 26k now and mimalloc's 41k;
 *     steady-growth 95k, now 45k, against mimalloc's 41k). Go has no
 *     synchronous cap at all; the worker's two-period bound is what "idle
 *     memory returns" means here.
 *   - After a collection (collected mode): when a cycle's sweep finishes,
 *     gh_scavenger_sweepdone wakes the worker at once (Go's sweepone calls
 *     scavenger.ready() there) to release the dirty memory above Go's
 *     retained-heap goal (mgcpacer.c's gcPaceScavenger: the in-use heap at
 *     mark termination x new goal / last goal, at most the goal, x 1.1)
 *     less what is in use, and at least R.
 *     Only when the heap in use is 1.5x the new goal or more (it shrinks):
 *     what that sweep frees was garbage for the whole cycle, old memory,
 *     not an alloc/free cycle's. A steady or growing heap (heap/churn,
 *     steady-growth) is left to the periodic rule above.
 *     And only if the program then idles: 10 ms later (GH_SCAV_IDLE_MS), less
 *     than 1 MiB more in use (a program allocating again would fault the
 *     memory back in). Without it a spike's garbage waited two periods
 *     (~200 ms) where Go's RSS fell in ~10-40 ms (heap/spike-release with
 *     128 KiB objects); now ~10-20 ms.
 *   - On demand: gh_scavenge() releases every free page now.
 * GOHEAP_SCAVENGE=0 turns off the hard cap and the background worker.
 */
#define _GNU_SOURCE
#include <signal.h>
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
    gh_mheap_flush_large_cache_locked(); /* its pages become free, so candidates */
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

/* A large object of at least scav_large_min bytes was just freed
 * (gh_mheap_freeSpan; the drop-in malloc's analogue of glibc's mmap
 * threshold, see mheap.c): release its pages [page, page+npages) now, and
 * raise the threshold above its size, as glibc raises its mmap threshold
 * to the size of a freed mmapped chunk (up to 32 MiB), so that a program
 * that frees and allocates blocks of one size again and again reuses them
 * resident: real/lua (1.5 MiB blocks, allocated and freed in turn) took
 * 2.2x the page faults with a fixed threshold. */
#define GH_SCAV_LARGE_MAX ((uintptr_t)32 << 20)
void gh_scavenge_large_locked(uintptr_t page, uintptr_t npages) {
    release(&gh_mheap_.pages, page, page + npages);
    gh_mheap_.scavenge_runs++;
    uintptr_t next = (npages + 1) << GH_PAGE_SHIFT;
    if (next > gh_mheap_.scav_large_min && next <= GH_SCAV_LARGE_MAX) gh_mheap_.scav_large_min = next;
}

static uintptr_t retainBound(void) {
    gh_mheap *h = &gh_mheap_;
    uintptr_t r = ((h->pagesInUse << GH_PAGE_SHIFT) / 100) * h->scav_percent;
    return r > h->scav_retain_min ? r : h->scav_retain_min;
}

static uintptr_t dirtyBytes(void) {
    return (gh_mheap_.pages.freePages - gh_mheap_.pages.scavPages) << GH_PAGE_SHIFT;
}

/* Background worker state, under the heap lock (bg_started is atomic: the
 * free path reads it without the lock). */
static _Atomic int bg_started;
static _Atomic int bg_wanted; /* dirty memory crossed R: start the worker */
static int bg_parked;
static int bg_now;            /* a cycle's sweep finished: release down to bg_keep if idle */
static uintptr_t bg_keep;     /* dirty bytes the retained goal leaves */
static uintptr_t bg_inuse0;   /* pagesInUse when the sweep finished */
static pthread_cond_t bg_cond = PTHREAD_COND_INITIALIZER;  /* parked: woken by a free */
static pthread_cond_t bg_sleep = PTHREAD_COND_INITIALIZER; /* a period: cut short by bg_now */

#define GH_SCAV_HARD_EXTRA ((uintptr_t)512 << 20)
#define GH_SCAV_STEP GH_CHUNK_BYTES
#define GH_SCAV_IDLE_MS 10 /* after a sweep asked for a release: idle this long first */

void gh_scavenge_maybe_locked(void) {
    gh_mheap *h = &gh_mheap_;
    if (!h->scav_enabled) return;
    uintptr_t dirty = dirtyBytes(), retain = retainBound();
    if (dirty <= retain) return;
    uintptr_t extra = h->scav_period_ms == 0 && retain * 3 < GH_SCAV_HARD_EXTRA ? retain * 3 : GH_SCAV_HARD_EXTRA;
    uintptr_t cap = retain + extra;
    if (dirty > cap) {
        gh_scavenge_locked(dirty - 2 * retain);
        gh_mheap_.scavenge_hard++;
    }
    if (h->scav_period_ms == 0) return;
    if (bg_parked) {
        bg_parked = 0;
        pthread_cond_signal(&bg_cond); /* no allocation: safe under the lock */
    } else if (!atomic_load_explicit(&bg_started, memory_order_relaxed)) {
        atomic_store_explicit(&bg_wanted, 1, memory_order_relaxed);
    }
}

void gh_scavenge(void) {
    if (atomic_load_explicit(&gh_init_state, memory_order_acquire) != 2) return;
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) gh_mcentral_sweep_all(&gh_mheap_.central[i]);
    pthread_mutex_lock(&gh_mheap_.lock);
    gh_scavenge_locked(UINTPTR_MAX);
    pthread_mutex_unlock(&gh_mheap_.lock);
}

/* ------------------------------------------------ background scavenger */

static uintptr_t excessLocked(void) {
    uintptr_t d = dirtyBytes(), r = retainBound();
    return d > r ? d - r : 0;
}

static struct timespec deadline(uint64_t ms) {
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    end.tv_sec += (time_t)(ms / 1000);
    end.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (end.tv_nsec >= 1000000000L) {
        end.tv_sec++;
        end.tv_nsec -= 1000000000L;
    }
    return end;
}

/* Wait until end (heap lock held, dropped while waiting); with stop, only
 * until gh_scavenger_sweepdone asks for a release: returns 1 then. */
static int sleepLocked(gh_mheap *h, const struct timespec *end, int stop) {
    for (;;) {
        if (stop && bg_now) return 1;
        if (pthread_cond_timedwait(&bg_sleep, &h->lock, end) != 0) return 0;
    }
}

/* After a sweep asked for a release: GH_SCAV_IDLE_MS later, the dirty
 * memory above bg_keep if the program has not allocated since (at most
 * 1 MiB more in use: it idles, as after a spike), else 0 — a program
 * allocating again (heap/churn's next repetition) would fault it back in,
 * so that is left to the two-period rule (which doubled heap/churn's page
 * faults, 22k -> 45k, without it). */
static uintptr_t sweptIdleExcessLocked(gh_mheap *h) {
    bg_now = 0;
    struct timespec end = deadline(GH_SCAV_IDLE_MS);
    sleepLocked(h, &end, 0);
    if (h->pagesInUse > bg_inuse0 + ((uintptr_t)1 << (20 - GH_PAGE_SHIFT))) return 0;
    uintptr_t d = dirtyBytes();
    return d > bg_keep ? d - bg_keep : 0;
}

/* Release n bytes, 4 MiB per heap-lock hold, down to R (or with swept,
 * down to nothing more than is dirty: the sweep's keep is in n). */
static void releaseLocked(gh_mheap *h, uintptr_t n, int swept) {
    while (n > 0) {
        uintptr_t step = n < GH_SCAV_STEP ? n : GH_SCAV_STEP, e = swept ? dirtyBytes() : excessLocked();
        if (step > e) step = e;
        if (step == 0 || gh_scavenge_locked(step) == 0) break;
        n -= step;
        /* let allocating threads in between steps */
        pthread_mutex_unlock(&h->lock);
        pthread_mutex_lock(&h->lock);
    }
}

static void *bgscavenge(void *arg) {
    (void)arg;
    gh_mheap *h = &gh_mheap_;
    uintptr_t prevExcess = 0;
    pthread_mutex_lock(&h->lock);
    for (;;) {
        /* a cycle's garbage, in a program that went idle after it, at
         * once; the period's own check keeps its schedule (cutting it
         * short let steady-growth's memory go back after less than two
         * periods: 50% more pages released, 25k more faults per run) */
        struct timespec end = deadline(h->scav_period_ms);
        while (sleepLocked(h, &end, 1)) releaseLocked(h, sweptIdleExcessLocked(h), 1);
        uintptr_t excess = excessLocked();
        /* only what was already above R a period ago: memory being reused
         * right now (an alloc/free cycle) is left alone */
        releaseLocked(h, excess < prevExcess ? excess : prevExcess, 0);
        prevExcess = excessLocked();
        if (prevExcess == 0 && excess == 0 && !bg_now) {
            /* nothing above R: park until a free crosses it again */
            bg_parked = 1;
            while (bg_parked) pthread_cond_wait(&bg_cond, &h->lock);
        }
    }
    return NULL;
}

static void initSleepCond(void) {
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&bg_sleep, &a);
    pthread_condattr_destroy(&a);
}

void gh_scavenger_init(void) { initSleepCond(); }

/* Collected mode: a cycle's sweep has just finished (called once per cycle,
 * no lock held). Ask the worker to release, now, the dirty memory above
 * the retained goal (in use + dirty <= retainedGoal, as Go's scavenger),
 * keeping R at least: a collection that overlapped an allocation burst
 * (allocate-black) sets a goal the next one halves from, and without R
 * the garbage of test_gc_scavenge's steady state (12.5 MiB per cycle then)
 * went back in 1 run of 8. */
void gh_scavenger_sweepdone(uintptr_t retainedGoal) {
    gh_mheap *h = &gh_mheap_;
    if (!h->scav_enabled || h->scav_period_ms == 0) return;
    pthread_mutex_lock(&h->lock);
    uintptr_t inuse = h->pagesInUse << GH_PAGE_SHIFT;
    uintptr_t keep = retainedGoal > inuse ? retainedGoal - inuse : 0;
    if (keep < retainBound()) keep = retainBound();
    uintptr_t dirty = dirtyBytes();
    if (dirty > keep) {
        bg_now = 1;
        bg_keep = keep;
        bg_inuse0 = h->pagesInUse;
        if (bg_parked) {
            bg_parked = 0;
            pthread_cond_signal(&bg_cond);
        } else if (atomic_load_explicit(&bg_started, memory_order_relaxed)) {
            pthread_cond_signal(&bg_sleep);
        } else {
            atomic_store_explicit(&bg_wanted, 1, memory_order_relaxed);
        }
    }
    pthread_mutex_unlock(&h->lock);
    gh_scavenger_poke();
}

/* Called without locks after a free: start the worker if dirty memory has
 * crossed the retain bound and it does not run yet. pthread_create may call
 * malloc (goheap under LD_PRELOAD), which is why this runs with no lock
 * held; a recursive call finds bg_started set and returns. */
void gh_scavenger_poke(void) {
    if (GH_LIKELY(!atomic_load_explicit(&bg_wanted, memory_order_relaxed))) return;
    atomic_store_explicit(&bg_wanted, 0, memory_order_relaxed);
    if (atomic_exchange(&bg_started, 1)) return;
    pthread_t t;
    pthread_attr_t a;
    sigset_t all, old;
    /* the worker inherits a mask with every signal blocked: the program's
     * handlers must not run on it */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_attr_init(&a);
    pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&a, 64 << 10);
    if (pthread_create(&t, &a, bgscavenge, NULL) != 0) atomic_store(&bg_started, 0);
    pthread_attr_destroy(&a);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Threads do not survive fork: the child creates its worker again, lazily.
 * Except under ThreadSanitizer, which aborts a child of a multi-threaded
 * process that starts a thread: there the child keeps bg_started set (no
 * worker; the hard cap, R + 512 MiB there, still bounds its free resident
 * memory). */
void gh_mheap_after_fork_child(void) {
    pthread_cond_init(&bg_cond, NULL);
    initSleepCond();
    bg_parked = 0;
    bg_now = 0;
    atomic_store(&bg_wanted, 0);
#if !defined(__SANITIZE_THREAD__)
    atomic_store(&bg_started, 0);
#endif
}
