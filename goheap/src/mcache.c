/*
 * mcache.c — per-thread caches (Go's mcache.go).
 *
 * Go gives each P an mcache; goheap gives each thread one, found through an
 * initial-exec TLS pointer (works inside an LD_PRELOAD library, no
 * __tls_get_addr call). For every span class the cache has one slot: the
 * span it allocates from and a 64-bit window of that span's free bits
 * (allocCache), so the fast path in malloc.c is: load slot, ctz, clear bit,
 * multiply — no lock, no atomic — unless the class's LIFO of freed objects
 * has one (below).
 *
 * Unlike Go (where every span goes back to mcentral once full), a thread
 * *owns* the spans it took until it exits: refill moves a full span to the
 * cache's `full` list and frees by the owner are plain bit clears that move
 * a span back to `partial` when it stops being full. Refill order:
 *   1. the current span (drain remote frees, scan its other words),
 *   2. an owned partial span,
 *   3. up to 8 owned full spans that other threads freed into (rotating),
 *   4. mcentral (unowned spans, or a fresh span from the heap).
 * An owned span that becomes empty goes back to the heap, except up to
 * 64 KiB (at least one span) per class kept for reuse (hysteresis against
 * alloc/free churn at a span boundary).
 *
 * Warm reuse: the LIFO (a departure from Go). Go hands out a span's free
 * slots in address order (nextFreeFast over allocCache), and has no other
 * choice: it never frees explicitly, a slot turns free when the sweeper finds
 * it unmarked, long after the program last touched it. goheap's manual mode
 * frees explicitly, and the slot just freed is usually still in L1 — the
 * program was using it. In address order it came back only after the
 * span's cold slots: heap/churn took 1.21M D1 write misses (cachegrind)
 * against tcmalloc's 0.34M for as many instructions. So each cache slot
 * also holds a LIFO of its class's freed objects (tcmalloc's per-class
 * thread-cache list, mimalloc's local_free): the owner's free pushes the
 * object (intrusive: word 0 links, word 1 holds a ^ GH_LIFO_KEY), malloc
 * pops it before it looks at the window. On the LIFO an object stays
 * allocated in its span (allocBits, allocCount: [W1] in runtime.h), as a
 * loaned window slot does, so spans, lists and their invariants see
 * nothing new; the LIFO only has to go back to the bitmaps before the
 * spans leave the cache (releaseAll: thread exit, gh_thread_exit).
 * With it (cachegrind, quick preset): heap/churn 0.30M D1 write misses
 * and 7% fewer instructions; heap/leak, whose batches free ~67 objects per
 * class and allocate them again, pops every allocation (no refills: branch
 * mispredictions 614k -> 232k, instructions -6%); binary-trees, freeing
 * whole trees past the bound, 5% more instructions (the full-LIFO check).
 *   - Bound: 128 objects and 64 KiB per class (the spans it pins). When it
 *     is full a free clears its bit as before. Keeping the newer half and
 *     flushing the older instead cost binary-trees (which frees whole
 *     trees) 18% more instructions for no fewer misses on churn.
 *   - Double frees: the bit of an object on the LIFO reads allocated, so
 *     free's bit test cannot see a second free of it. A key in word 1
 *     (cleared when popped) marks the candidates and a walk of the LIFO
 *     confirms, at free and at the owner's remote drain; GH_DEBUG builds
 *     walk at every push. Release builds miss a second free of an object
 *     whose word 1 was overwritten after the first (use after free), or
 *     one freed by another thread and popped before the owner drained it.
 *   - Off for the 8-byte class (no word 1) and once the collector runs
 *     (refill turns it off; one left from before gh_gc_init is dropped, not
 *     flushed): the collector frees nothing explicitly, and an object on a
 *     LIFO is unmarked garbage to the sweeper, which frees it itself.
 *
 * The registry (gh_allmcaches) links every cache ever made; a thread takes a
 * free one or makes one, and gives it back at exit (pthread key destructor
 * flushes all its spans to mcentral). The collector walks this registry
 * to stop the world and flush caches (Go's stopTheWorld + mcache.prepareForSweep).
 */
#include <string.h>

#include "runtime.h"

__thread gh_mcache *gh_tls_mcache __attribute__((tls_model("initial-exec")));
_Atomic(gh_mcache *) gh_allmcaches;
pthread_mutex_t gh_mcaches_lock = PTHREAD_MUTEX_INITIALIZER;
int gh_gc_tiny_enabled;
static pthread_key_t gh_mcache_key;
static uint32_t gh_mcache_ids;
static uint8_t lifo_cap[GH_NUM_SPAN_CLASSES]; /* gh_lifo_cap of each span class */
_Static_assert(GH_LIFO_MAX <= UINT8_MAX, "lifo_cap holds the bound in a byte");

#define GH_FULL_SWEEP_BUDGET 8

static void mcache_init(gh_mcache *c) {
    memset(c, 0, sizeof *c);
    for (int i = 0; i < GH_NUM_SPAN_CLASSES; i++) c->alloc[i].span = &gh_emptymspan;
}

gh_mcache *gh_allocmcache(void) {
    pthread_mutex_lock(&gh_mcaches_lock);
    gh_mcache *c;
    for (c = atomic_load_explicit(&gh_allmcaches, memory_order_relaxed); c; c = c->allnext)
        if (!atomic_load_explicit(&c->inuse, memory_order_relaxed)) break;
    if (!c) {
        pthread_mutex_lock(&gh_mheap_.lock);
        c = gh_fixalloc_alloc(&gh_mheap_.cachealloc);
        pthread_mutex_unlock(&gh_mheap_.lock);
        if (!c) gh_throw("out of memory allocating mcache");
        mcache_init(c);
        c->id = ++gh_mcache_ids;
        c->allnext = atomic_load_explicit(&gh_allmcaches, memory_order_relaxed);
        atomic_store_explicit(&gh_allmcaches, c, memory_order_release);
    }
    atomic_store_explicit(&c->inuse, 1, memory_order_relaxed);
    pthread_mutex_unlock(&gh_mcaches_lock);
    return c;
}

void gh_freemcache(gh_mcache *c) {
    pthread_mutex_lock(&gh_mcaches_lock);
    atomic_store_explicit(&c->inuse, 0, memory_order_relaxed);
    pthread_mutex_unlock(&gh_mcaches_lock);
}

static void releaseSpan(gh_mcache *c, gh_mspan *s) {
    (void)c;
    gh_mheap_freeSpan(s);
}

/* [W1], [W2] of the class's whole LIFO (GH_DEBUG=2, at refill). */
static __attribute__((unused)) void debug_check_lifo(const gh_mcache *c, gh_spanClass spc) {
    const gh_mcache_slot *slot = &c->alloc[spc];
    uint32_t n = 0;
    for (uintptr_t a = slot->lifo; a; a = *(const uintptr_t *)a) {
        GH_ASSERT_MSG(++n <= lifo_cap[spc], "[W2] LIFO of class %u longer than %u", spc, lifo_cap[spc]);
        gh_mcache_lifo_check(slot, a, NULL);
    }
    GH_ASSERT_MSG(n + slot->lifoRoom <= lifo_cap[spc], "[W2] LIFO of class %u: %u objects, room %u, bound %u", spc, n,
                  slot->lifoRoom, lifo_cap[spc]);
}

/* A window was loaded: check it (and at level 2 the class's lists and
 * LIFO), return. */
#define REFILLED()                                               \
    do {                                                         \
        GH_DEBUG_ONLY(gh_debug_check_cached(c, spc));            \
        GH_EXPENSIVE(gh_debug_check_mcache_class(c, spc));       \
        GH_EXPENSIVE(debug_check_lifo(c, spc));                  \
        return;                                                  \
    } while (0)

void gh_mcache_refill(gh_mcache *c, gh_spanClass spc) {
    gh_mcache_slot *slot = &c->alloc[spc];
    gh_mspan *s = slot->span;
    /* the LIFO is (re)sized here, where it is usually empty: on, with its
     * class's bound, in manual mode; off once the collector runs ([W2]) */
    if (gh_gc_tiny_enabled) slot->lifo = slot->lifoRoom = 0; /* see flushLIFO */
    else if (!slot->lifo) slot->lifoRoom = lifo_cap[spc];
    if (s != &gh_emptymspan) {
        gh_mspan_unload_window(s, slot);
        gh_mspan_drain_remote(s);
        if (s->allocCount < s->nelems) {
            s->freeindex++;
            if (gh_mspan_load_window(s, slot)) REFILLED();
        }
        s->state = GH_SPAN_MC_FULL;
        gh_mSpanList_insertBack(&c->full[spc], s);
    }
    while ((s = gh_mSpanList_pop(&c->partial[spc]))) {
        if (s->nempty_flag) {
            s->nempty_flag = 0;
            c->nempty[spc]--;
        }
        gh_mspan_drain_remote(s);
        if (gh_mspan_load_window(s, slot)) {
            s->state = GH_SPAN_CACHED;
            REFILLED();
        }
        s->state = GH_SPAN_MC_FULL;
        gh_mSpanList_insertBack(&c->full[spc], s);
    }
    for (int budget = GH_FULL_SWEEP_BUDGET; budget > 0 && c->full[spc].first; budget--) {
        s = c->full[spc].first;
        if (atomic_load_explicit(&s->remote_free, memory_order_relaxed)) {
            gh_mSpanList_remove(&c->full[spc], s);
            gh_mspan_drain_remote(s);
            if (gh_mspan_load_window(s, slot)) {
                s->state = GH_SPAN_CACHED;
                REFILLED();
            }
            gh_mSpanList_insertBack(&c->full[spc], s);
        } else {
            c->full[spc].first = s->next; /* rotate: s becomes the last */
        }
    }
    s = gh_mcentral_cacheSpan(&gh_mheap_.central[spc]);
    if (!s) return; /* out of memory: slot stays empty */
    GH_DEBUG_ONLY(gh_debug_check_swept(s));
    atomic_store_explicit(&s->owner, c, memory_order_relaxed);
    s->state = GH_SPAN_CACHED;
    gh_mspan_drain_remote(s);
    if (!gh_mspan_load_window(s, slot)) gh_throw("mcentral returned a full span");
    REFILLED();
}

/* A local free made s non-full or empty, and s is not the current span. */
void gh_mcache_free_slow(gh_mcache *c, gh_mspan *s) {
    gh_spanClass spc = s->spanclass;
    GH_ASSERT_MSG((s->state == GH_SPAN_MC_FULL || s->state == GH_SPAN_MC_PARTIAL) &&
                      atomic_load_explicit(&s->owner, memory_order_relaxed) == c,
                  "[L1] owned span %p in state %u", (void *)s, s->state);
    GH_DEBUG_ONLY(gh_debug_check_span(s));
    if (s->state == GH_SPAN_MC_FULL) {
        gh_mSpanList_remove(&c->full[spc], s);
        s->state = GH_SPAN_MC_PARTIAL;
        gh_mSpanList_insertBack(&c->partial[spc], s);
    }
    GH_EXPENSIVE(gh_debug_check_mcache_class(c, spc));
    if (s->allocCount != 0 || s->nempty_flag) return;
    /* keep up to 64 KiB (at least one span) of empty spans per class; 256 KiB
     * for classes of 1 KiB and up, whose spans hold 1..8 objects, so that a
     * random-size churn empties and refills them all the time (each trip
     * through the page allocator costs a bitmap search and summary updates) */
    uintptr_t keep = s->elemsize >= 1024 ? (256u << 10) : (64u << 10);
    if (c->nempty[spc] == 0 || (uintptr_t)(c->nempty[spc] + 1) * (s->npages << GH_PAGE_SHIFT) <= keep) {
        s->nempty_flag = 1;
        c->nempty[spc]++;
        return;
    }
    gh_mSpanList_remove(&c->partial[spc], s);
    releaseSpan(c, s);
    GH_EXPENSIVE(gh_debug_check_mcache_class(c, spc));
}

/* The local free of object a of s (owned by c, its bit set): malloc.c's
 * free_inline bit clear, for the LIFO's objects when it is flushed. */
static void freeLocal(gh_mcache *c, gh_mspan *s, uintptr_t a) {
    uintptr_t idx = gh_mspan_objIndex(s, a);
    uint64_t m = (uint64_t)1 << (idx & 63);
    GH_ASSERT_MSG(atomic_load_explicit(&s->owner, memory_order_relaxed) == c && (s->allocBits[idx >> 6] & m),
                  "[W1] LIFO object %p: span %p not owned or the slot reads free", (void *)a, (void *)s);
    s->allocBits[idx >> 6] &= ~m;
    uint16_t n = (uint16_t)(s->allocCount - 1);
    __atomic_store_n(&s->allocCount, n, __ATOMIC_RELAXED);
    if (s->state + (n == 0) >= GH_SPAN_MC_FULL) gh_mcache_free_slow(c, s);
}

/* Give the class's LIFO back to the spans' allocBits (thread exit,
 * gh_thread_exit: before the spans leave the cache). With the collector on
 * (objects freed before gh_gc_init) it is dropped instead: its objects are
 * unreachable, so the sweeper frees them — maybe already did, and handed
 * the slots out again. */
void gh_mcache_flushLIFO(gh_mcache *c, gh_spanClass spc) {
    gh_mcache_slot *slot = &c->alloc[spc];
    uintptr_t a = gh_gc_tiny_enabled ? 0 : slot->lifo;
    slot->lifo = 0;
    while (a) {
        uintptr_t *o = (uintptr_t *)a, next = o[0];
        o[1] = 0;
        slot->lifoRoom++;
        freeLocal(c, gh_spanOf(a), a);
        a = next;
    }
}

/* gh_lifo_push's other case: word 1 holds a's key (always, in GH_DEBUG
 * builds): throw if a is on the LIFO, else push it. */
void gh_mcache_lifo_push_slow(gh_mcache *c, gh_mcache_slot *slot, uintptr_t a) {
    (void)c;
    uintptr_t *o = (uintptr_t *)a;
    gh_mcache_lifo_check(slot, a, "double free detected");
    GH_ASSERT(slot->lifoRoom > 0);
    o[0] = slot->lifo;
    o[1] = a ^ GH_LIFO_KEY;
    slot->lifo = a;
    slot->lifoRoom--;
}

/* A local free with the LIFO full, word 1 holding a's key (always, in
 * GH_DEBUG builds): throw if a is on the LIFO, else clear its bit. */
void gh_mcache_free_checked(gh_mcache *c, gh_mspan *s, uintptr_t a) {
    gh_mcache_lifo_check(&c->alloc[s->spanclass], a, "double free detected");
    freeLocal(c, s, a);
}

/* what != NULL: throw `what` if a is on slot's LIFO (a second free of a warm
 * object: gh_lifo_push when word 1 holds a's key, at every push in GH_DEBUG
 * builds; the remote drain). what == NULL (GH_DEBUG, pop): check [W1] of a.
 * The walk is bounded by the LIFO's length (GH_LIFO_MAX). */
void gh_mcache_lifo_check(const gh_mcache_slot *slot, uintptr_t a, const char *what) {
    if (!what) {
        gh_mspan *s = gh_spanOf(a);
        GH_ASSERT_MSG(s && s->spanclass != 0 && gh_mspan_objexact(s, a), "[W1] LIFO object %p is no slot", (void *)a);
        gh_mcache *owner = atomic_load_explicit(&s->owner, memory_order_relaxed);
        uintptr_t idx = gh_mspan_objIndex(s, a);
        GH_ASSERT_MSG(&owner->alloc[s->spanclass] == slot && (s->allocBits[idx >> 6] >> (idx & 63) & 1) &&
                          ((const uintptr_t *)a)[1] == (a ^ GH_LIFO_KEY),
                      "[W1] LIFO object %p: span %p of another class or cache, free, or its key overwritten",
                      (void *)a, (void *)s);
        return;
    }
    unsigned n = 0;
    for (uintptr_t x = slot->lifo; x && n <= GH_LIFO_MAX; x = *(const uintptr_t *)x, n++)
        if (x == a) gh_throw(what);
}

/* Give every span back to mcentral (thread exit, fork child, gh_thread_exit). */
void gh_mcache_releaseAll(gh_mcache *c) {
    for (int spc = 0; spc < GH_NUM_SPAN_CLASSES; spc++) {
        gh_mcache_slot *slot = &c->alloc[spc];
        if (slot->lifo) gh_mcache_flushLIFO(c, (gh_spanClass)spc);
        slot->lifoRoom = 0;
        gh_mspan *s = slot->span;
        gh_mcentral *central = &gh_mheap_.central[spc];
        if (s != &gh_emptymspan) {
            gh_mspan_unload_window(s, slot);
            gh_mcentral_uncacheSpan(central, s);
        }
        while ((s = gh_mSpanList_pop(&c->partial[spc]))) {
            s->nempty_flag = 0;
            gh_mcentral_uncacheSpan(central, s);
        }
        while ((s = gh_mSpanList_pop(&c->full[spc]))) gh_mcentral_uncacheSpan(central, s);
        c->nempty[spc] = 0;
        GH_ASSERT(c->alloc[spc].span == &gh_emptymspan && !c->partial[spc].first && !c->full[spc].first);
    }
    c->tiny = c->tinyoffset = 0;
}

void (*gh_mcache_exit_hook)(void);

static void mcache_destructor(void *arg) {
    gh_mcache *c = arg;
    if (!c) return;
    /* Key destructors run in key order, and this key is created before the
     * collector's, so a lazily attached mutator would otherwise have its
     * cache flushed (outside the runtime: a pause could see it half done)
     * and released (to another thread) while the stopper still reaches it
     * through its thread record. Let the collector detach it first; its
     * detach flushes the cache itself (gh_thread_exit), leaving nothing. */
    if (gh_mcache_exit_hook && gh_tls_mcache == c) {
        gh_mcache_exit_hook();
        if (gh_tls_mcache != c) return; /* flushed and released by the hook */
    }
    gh_mcache_releaseAll(c);
    if (gh_tls_mcache == c) gh_tls_mcache = NULL;
    gh_freemcache(c);
}

void gh_mcache_thread_key_init(void) {
    for (int spc = 0; spc < GH_NUM_SPAN_CLASSES; spc++)
        lifo_cap[spc] = (uint8_t)gh_lifo_cap(gh_class_to_size[gh_spanClass_sizeclass((gh_spanClass)spc)]);
    if (pthread_key_create(&gh_mcache_key, mcache_destructor) != 0) gh_throw("pthread_key_create failed");
}

/* Called once the thread has its cache: arrange the flush at thread exit. */
void gh_mcache_register_thread(gh_mcache *c) { pthread_setspecific(gh_mcache_key, c); }

void gh_thread_exit(void) {
    gh_mcache *c = gh_tls_mcache;
    if (!c) return;
    gh_tls_mcache = NULL;
    pthread_setspecific(gh_mcache_key, NULL);
    gh_mcache_releaseAll(c);
    gh_freemcache(c);
}

