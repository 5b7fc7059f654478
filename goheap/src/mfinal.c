/*
 * mfinal.c — finalizers (Go's mfinal.go and the finalizer specials of
 * mheap.go, reduced to a table).
 *
 * gh_gc_set_finalizer(obj, fn, arg) records (object base, fn, arg) in a
 * table. Each cycle:
 *   - while marking, the table is a root set for the objects' *fields*: the
 *     worker scans each finalizable object without marking the object itself
 *     (Go's markrootSpans), so everything it points to stays alive for its
 *     finalizer to use;
 *   - at mark termination (in the pause, O(finalizers)), an entry whose
 *     object is unmarked is unreachable: the object is marked (resurrected
 *     for one more cycle; its referents are already marked) and the entry
 *     moves to a pending list;
 *   - after the world restarts, the worker hands the pending list to the
 *     finalizer thread, which runs fn(obj, arg) once, outside any lock;
 *     a blocking gh_gc_collect waits until the queue is empty, so its
 *     effects are observable when it returns.
 * The object is freed by the first cycle after the finalizer ran in which
 * it is unreachable (Go's behaviour: a finalized object lives one more
 * cycle). Setting fn = NULL removes the entry. Order between finalizers of
 * objects that point to each other is not defined (Go orders them).
 * goheap offers finalizers only, no weak references (README, Limits).
 */
#include <string.h>
#include <time.h>

#include "mgc.h"

typedef struct gh_finalizer {
    uintptr_t obj;
    void (*fn)(void *, void *);
    void *arg;
    void *user; /* the pointer the caller passed */
} gh_finalizer;

static pthread_mutex_t fin_lock = PTHREAD_MUTEX_INITIALIZER; /* taken inside the runtime only */
static gh_finalizer *fins;
static size_t nfin, capfin;

static pthread_mutex_t ready_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ready_cond = PTHREAD_COND_INITIALIZER;
static gh_finalizer *ready;
static size_t nready, capready;
static int fin_running; /* a finalizer is executing (under ready_lock) */
static _Atomic uint64_t nrun;
static __thread int on_fin_thread;
/* Queued at mark termination, not yet handed to the finalizer thread
 * (written by the worker: in the pause, and after the restart). */
static gh_finalizer *pending;
static size_t cappending;
static _Atomic size_t npending;
static int fin_thread_started;
static pthread_t fin_thread;

static int grow(gh_finalizer **a, size_t *cap, size_t need) {
    if (need <= *cap) return 0;
    size_t ncap = *cap ? *cap * 2 : 256;
    while (ncap < need) ncap *= 2;
    gh_finalizer *n = gh_sysAlloc(ncap * sizeof *n);
    if (!n) return -1;
    if (*a) memcpy(n, *a, *cap * sizeof *n); /* the old array is left mapped (rare) */
    *a = n;
    *cap = ncap;
    return 0;
}

/* Reads the span's state while a sweeper may be rewriting it (a data race
 * ThreadSanitizer reported under GOHEAP_GC_TORTURE=concurrent): any value
 * but DEAD gives the same answer, and the span of an object the caller
 * holds is marked, so it is never freed under it. Uninstrumented, as
 * gh_gc_is_allocated is. */
GH_NOSAN static uintptr_t object_base(uintptr_t p) {
    gh_mspan *s = gh_spanOf(p);
    if (!s || s->state == GH_SPAN_DEAD) return 0;
    if (s->spanclass == 0) return s->base;
    return s->base + gh_mspan_objIndex(s, p) * s->elemsize;
}

static void *fin_main(void *arg) {
    (void)arg;
    gh_g_attach(); /* a mutator: its stack holds the object being finalized */
    on_fin_thread = 1;
    for (;;) {
        pthread_mutex_lock(&ready_lock);
        fin_running = 0;
        while (!nready) pthread_cond_wait(&ready_cond, &ready_lock);
        gh_finalizer f = ready[--nready];
        fin_running = 1;
        /* Taking the entry out of the queue deletes a reference the marker
         * may not have seen yet (it scans the queue after the stacks, and
         * this stack was scanned before f was on it): shade it, as the
         * deletion barrier does, or the object is freed while fn runs. */
        gh_g *g = gh_curg;
        int marking = atomic_load_explicit(&gh_gcphase, memory_order_relaxed) != GH_GCoff;
        if (marking) {
            gh_acquirem(g);
            gh_shade(f.obj, &g->gcw);
        }
        pthread_mutex_unlock(&ready_lock);
        if (marking) gh_releasem(g);
        f.fn(f.user, f.arg);
        atomic_fetch_add_explicit(&nrun, 1, memory_order_relaxed);
        f.user = NULL; /* drop the reference: the object may go next cycle */
        gh_gc_safepoint();
    }
    return NULL;
}

/* Polls (trylock + sleep): the finalizer thread is a mutator and may be
 * stopped holding ready_lock; a waiter must stay stoppable. */
void gh_final_wait_idle(void) {
    if (on_fin_thread) return;
    for (;;) {
        gh_g *g = gh_curg;
        if (g) gh_acquirem(g);
        int busy = 1;
        if (pthread_mutex_trylock(&ready_lock) == 0) {
            /* pending too: queued by a finished cycle, not yet handed over */
            busy = nready || fin_running || atomic_load_explicit(&npending, memory_order_acquire);
            pthread_mutex_unlock(&ready_lock);
        }
        if (g) gh_releasem(g);
        if (!busy) return;
        struct timespec ts = {0, 50000};
        nanosleep(&ts, NULL);
    }
}

uint64_t gh_final_count(void) { return atomic_load_explicit(&nrun, memory_order_relaxed); }

void gh_gc_set_finalizer(void *obj, void (*fn)(void *, void *), void *arg) {
    uintptr_t base = object_base((uintptr_t)obj);
    if (!base) return;
    gh_g *g = gh_curg ? gh_curg : gh_g_attach();
    gh_acquirem(g);
    pthread_mutex_lock(&fin_lock);
    size_t i;
    for (i = 0; i < nfin; i++)
        if (fins[i].obj == base) break;
    if (!fn) {
        if (i < nfin) fins[i] = fins[--nfin];
    } else if (i < nfin) {
        fins[i].fn = fn;
        fins[i].arg = arg;
        fins[i].user = obj;
    } else if (grow(&fins, &capfin, nfin + 1) == 0) {
        fins[nfin++] = (gh_finalizer){base, fn, arg, obj};
    }
    int start = fn && !fin_thread_started;
    if (start) fin_thread_started = 1;
    pthread_mutex_unlock(&fin_lock);
    gh_releasem(g);
    if (start && pthread_create(&fin_thread, NULL, fin_main, NULL) == 0) pthread_detach(fin_thread);
}

void gh_markrootSpans(gh_gcWork *w, int stw) {
    pthread_mutex_lock(&fin_lock);
    for (size_t i = 0; i < nfin; i++) gh_scanobject(fins[i].obj, w);
    pthread_mutex_unlock(&fin_lock);
    /* queued objects not yet finalized are roots; the finalizer thread may
     * be stopped holding ready_lock, so only outside a pause (entries
     * queued later were marked in the pause that queued them) */
    if (stw) return;
    pthread_mutex_lock(&ready_lock);
    for (size_t i = 0; i < nready; i++) gh_shade(ready[i].obj, w);
    pthread_mutex_unlock(&ready_lock);
}


/* Mark termination pause: queue the unreachable ones, keep them alive. */
void gh_final_queue_dead(void) {
    pthread_mutex_lock(&fin_lock);
    for (size_t i = 0; i < nfin;) {
        uintptr_t o = fins[i].obj;
        if (gh_isMarked(o)) {
            i++;
            continue;
        }
        gh_mspan *s = gh_spanOf(o);
        if (!(gh_gc_fault & GH_FAULT_FINALIZER_FREES)) {
            gh_setMarked(o, s);
            atomic_fetch_add_explicit(&gh_work_bytesMarked, (int64_t)s->elemsize, memory_order_relaxed);
        }
        size_t np = atomic_load_explicit(&npending, memory_order_relaxed);
        if (grow(&pending, &cappending, np + 1) == 0) {
            pending[np] = fins[i];
            atomic_store_explicit(&npending, np + 1, memory_order_release);
        }
        fins[i] = fins[--nfin];
    }
    pthread_mutex_unlock(&fin_lock);
}

/* After the world restarts (the worker): hand the pending ones over. */
void gh_final_flush_pending(void) {
    size_t np = atomic_load_explicit(&npending, memory_order_relaxed);
    if (!np) return;
    pthread_mutex_lock(&ready_lock);
    if (grow(&ready, &capready, nready + np) == 0) {
        memcpy(ready + nready, pending, np * sizeof *pending);
        nready += np;
    }
    /* cleared under ready_lock, together with nready's growth: a waiter
     * (gh_final_wait_idle) never sees both empty while entries move */
    atomic_store_explicit(&npending, 0, memory_order_release);
    pthread_cond_signal(&ready_cond);
    pthread_mutex_unlock(&ready_lock);
}
