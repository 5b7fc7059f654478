/*
 * pool.c — sync.Pool (Go's sync/pool.go, poolqueue.go): a cache of
 * GC-allocated objects that the collector may empty.
 *
 * Each pool has one poolLocal per thread (indexed by the thread's small
 * index, gh_g.idx): a `private` slot only that thread touches, and a
 * `shared` poolChain: a lock-free single-producer, multi-consumer chain of
 * poolDequeues (rings with head and tail packed in one 64-bit word) of
 * doubling size, 8 slots first (Go's poolqueue.go). The owner pushes and
 * pops at the head ring; other threads steal from the tail ring with one
 * CAS, and drop a tail ring they found empty when a newer one follows.
 * The rings are objects of the collected heap (every word a candidate
 * pointer): a dropped ring is reclaimed by the collector, which is how Go
 * frees them too, and the rings' contents are traced like any object.
 *
 *   Get: private → own shared head → steal other threads' tails → the
 *        victim cache (private, then tails) → new_fn.
 *   Put: private if empty, else own shared head.
 *
 * Victim cache (poolCleanup, in the first pause of every cycle): the
 * previous victim is dropped, the primary becomes the victim, the primary
 * starts empty. So an object unused for two cycles is released, and a pool
 * in steady use never sees a cliff after a collection.
 *
 * The per-thread array is not in the collected heap; the collector scans it
 * as roots (gh_pool_markroots: private, chain head and tail), concurrently
 * at mark start and again at each mark-termination attempt. Get and Put shade the object while
 * marking (a barrier for the pool's own stores), so an object moving
 * between a pool slot and a (black) stack cannot be missed. All operations
 * run inside the runtime (g->mallocing): a pause never sees a half-done
 * push or pop.
 */
#include <stdlib.h>
#include <string.h>

#include "mgc.h"

#define DQ_FIRST 8
#define DQ_LIMIT (1u << 14)

typedef struct poolDequeue {
    _Atomic uint64_t headTail; /* head << 32 | tail */
    _Atomic(struct poolDequeue *) next, prev; /* the chain */
    uint64_t n;                               /* slots, a power of two */
    _Atomic(void *) vals[];
} poolDequeue;

typedef struct poolLocal {
    void *private;
    poolDequeue *head;              /* owner only */
    _Atomic(poolDequeue *) tail;    /* stealers */
} poolLocal;

struct gh_pool {
    void *(*new_fn)(void *);
    void *arg;
    poolLocal *local, *victim; /* GH_MAX_G each */
    gh_pool *next;
};

static const gh_layout dq_layout = {1, 1};
static pthread_mutex_t pools_lock = PTHREAD_MUTEX_INITIALIZER; /* inside the runtime only */
static gh_pool *allpools;

static int pushHead(poolDequeue *d, void *val) {
    uint64_t ht = atomic_load_explicit(&d->headTail, memory_order_acquire);
    uint32_t head = (uint32_t)(ht >> 32), tail = (uint32_t)ht;
    if ((uint32_t)(tail + d->n) == head) return 0;
    _Atomic(void *) *slot = &d->vals[head & (d->n - 1)];
    if (atomic_load_explicit(slot, memory_order_acquire)) return 0; /* a popTail still reading */
    atomic_store_explicit(slot, val, memory_order_relaxed);
    atomic_fetch_add_explicit(&d->headTail, (uint64_t)1 << 32, memory_order_release);
    return 1;
}

static void *popHead(poolDequeue *d) {
    for (;;) {
        uint64_t ht = atomic_load_explicit(&d->headTail, memory_order_acquire);
        uint32_t head = (uint32_t)(ht >> 32), tail = (uint32_t)ht;
        if (head == tail) return NULL;
        head--;
        uint64_t nht = (uint64_t)head << 32 | tail;
        if (atomic_compare_exchange_weak_explicit(&d->headTail, &ht, nht, memory_order_acq_rel, memory_order_relaxed)) {
            _Atomic(void *) *slot = &d->vals[head & (d->n - 1)];
            void *v = atomic_load_explicit(slot, memory_order_relaxed);
            atomic_store_explicit(slot, NULL, memory_order_release);
            return v;
        }
    }
}

static void *popTail(poolDequeue *d) {
    for (;;) {
        uint64_t ht = atomic_load_explicit(&d->headTail, memory_order_acquire);
        uint32_t head = (uint32_t)(ht >> 32), tail = (uint32_t)ht;
        if (head == tail) return NULL;
        uint64_t nht = (uint64_t)head << 32 | (uint32_t)(tail + 1);
        if (atomic_compare_exchange_weak_explicit(&d->headTail, &ht, nht, memory_order_acq_rel, memory_order_relaxed)) {
            _Atomic(void *) *slot = &d->vals[tail & (d->n - 1)];
            void *v = atomic_load_explicit(slot, memory_order_acquire);
            atomic_store_explicit(slot, NULL, memory_order_release); /* slot free for pushHead */
            return v;
        }
    }
}

/* poolChain.popHead (owner): newest ring first, then older ones. */
static void *chainPopHead(poolLocal *l) {
    for (poolDequeue *d = l->head; d; d = atomic_load_explicit(&d->prev, memory_order_acquire)) {
        void *v = popHead(d);
        if (v) return v;
    }
    return NULL;
}

/* poolChain.popTail (any thread): oldest ring; drop it when empty and a
 * newer one follows (the collector reclaims it). */
static void *chainPopTail(poolLocal *l) {
    poolDequeue *d = atomic_load_explicit(&l->tail, memory_order_acquire);
    while (d) {
        poolDequeue *d2 = atomic_load_explicit(&d->next, memory_order_acquire);
        void *v = popTail(d);
        if (v) return v;
        if (!d2) return NULL;
        if (atomic_compare_exchange_strong_explicit(&l->tail, &d, d2, memory_order_acq_rel, memory_order_acquire))
            atomic_store_explicit(&d2->prev, NULL, memory_order_release);
        d = d2;
    }
    return NULL;
}

gh_pool *gh_pool_new(void *(*new_fn)(void *), void *arg) {
    gh_gc_init(NULL);
    gh_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->new_fn = new_fn;
    p->arg = arg;
    p->local = calloc(GH_MAX_G, sizeof(poolLocal));
    p->victim = calloc(GH_MAX_G, sizeof(poolLocal));
    if (!p->local || !p->victim) {
        free(p->local);
        free(p->victim);
        free(p);
        return NULL;
    }
    gh_g *g = gh_curg ? gh_curg : gh_g_attach();
    gh_acquirem(g);
    pthread_mutex_lock(&pools_lock);
    p->next = allpools;
    allpools = p;
    pthread_mutex_unlock(&pools_lock);
    gh_releasem(g);
    return p;
}

static void shade(gh_g *g, void *x) {
    if (x && atomic_load_explicit(&gh_gcphase, memory_order_relaxed) != GH_GCoff)
        gh_shade((uintptr_t)x, &g->gcw);
}

void gh_pool_put(gh_pool *p, void *x) {
    if (!x) return;
    gh_g *g = gh_curg ? gh_curg : gh_g_attach();
    gh_acquirem(g);
    shade(g, x);
    poolLocal *l = &p->local[g->idx];
    if (!l->private) {
        l->private = x;
        gh_releasem(g);
        return;
    }
    if (l->head && pushHead(l->head, x)) {
        gh_releasem(g);
        return;
    }
    /* the head ring is full (or there is none): a new one, twice as big,
     * allocated outside the runtime section (allocation enters it itself);
     * x stays on this stack meanwhile */
    uint64_t n = l->head ? l->head->n * 2 : DQ_FIRST;
    if (n > DQ_LIMIT) n = DQ_LIMIT;
    gh_releasem(g);
    poolDequeue *d = gh_gc_alloc(sizeof(poolDequeue) + n * sizeof(void *), &dq_layout);
    if (!d) return;
    d->n = n;
    gh_acquirem(g);
    l = &p->local[g->idx]; /* a pause may have moved the pool to the victim */
    poolDequeue *h = l->head;
    atomic_store_explicit(&d->prev, h, memory_order_relaxed);
    pushHead(d, x);
    shade(g, x);
    if (h) atomic_store_explicit(&h->next, d, memory_order_release);
    l->head = d;
    if (!atomic_load_explicit(&l->tail, memory_order_acquire)) atomic_store_explicit(&l->tail, d, memory_order_release);
    gh_releasem(g);
}

static void *getSlow(gh_pool *p, int me) {
    int n = gh_g_maxidx();
    void *x;
    for (int i = 1; i <= n; i++) {
        poolLocal *l = &p->local[(me + i) % n];
        if ((x = chainPopTail(l))) return x;
    }
    poolLocal *v = &p->victim[me];
    if ((x = v->private)) {
        v->private = NULL;
        return x;
    }
    for (int i = 0; i < n; i++) {
        poolLocal *l = &p->victim[(me + i) % n];
        if ((x = chainPopTail(l))) return x;
    }
    return NULL;
}

void *gh_pool_get(gh_pool *p) {
    gh_g *g = gh_curg ? gh_curg : gh_g_attach();
    gh_acquirem(g);
    poolLocal *l = &p->local[g->idx];
    void *x = l->private;
    l->private = NULL;
    if (!x) x = chainPopHead(l);
    if (!x) x = getSlow(p, g->idx);
    shade(g, x);
    gh_releasem(g);
    if (!x && p->new_fn) x = p->new_fn(p->arg);
    return x;
}

void gh_pool_free(gh_pool *p) {
    if (!p) return;
    gh_g *g = gh_curg ? gh_curg : gh_g_attach();
    gh_acquirem(g);
    pthread_mutex_lock(&pools_lock);
    gh_pool **pp = &allpools;
    while (*pp && *pp != p) pp = &(*pp)->next;
    if (*pp) *pp = p->next;
    pthread_mutex_unlock(&pools_lock);
    gh_releasem(g);
    free(p->local); /* the rings are collected objects */
    free(p->victim);
    free(p);
}

/* First pause of a cycle (world stopped): Go's poolCleanup. */
void gh_poolCleanup(void) {
    int n = gh_g_maxidx();
    for (gh_pool *p = allpools; p; p = p->next) {
        poolLocal *old = p->victim;
        for (int i = 0; i < n; i++) {
            old[i].private = NULL;
            old[i].head = NULL;
            atomic_store_explicit(&old[i].tail, NULL, memory_order_relaxed);
        }
        p->victim = p->local;
        p->local = old;
    }
}

GH_NOSAN void gh_pool_markroots(gh_gcWork *w) {
    pthread_mutex_lock(&pools_lock);
    int n = gh_g_maxidx();
    for (gh_pool *p = allpools; p; p = p->next) {
        poolLocal *ls[2] = {p->local, p->victim};
        for (int k = 0; k < 2; k++)
            for (int i = 0; i < n; i++) {
                poolLocal *l = &ls[k][i];
                if (l->private) gh_shade((uintptr_t)l->private, w);
                if (l->head) gh_shade((uintptr_t)l->head, w);
                poolDequeue *t = atomic_load_explicit(&l->tail, memory_order_relaxed);
                if (t) gh_shade((uintptr_t)t, w);
            }
    }
    pthread_mutex_unlock(&pools_lock);
}
