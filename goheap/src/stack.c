/*
 * stack.c — the stack pool (Go's stack.go: stackpool, stackcache,
 * stackLarge), for coroutine-like tasks that need a stack of a power-of-two
 * size and give it back when done.
 *
 * Small stacks come in four orders, 2, 4, 8 and 16 KiB (Go's
 * _NumStackOrders on Linux, _FixedStack = 2 KiB). Each order has:
 *   - a global pool (stackpool[order]) under a lock: a free list of stacks
 *     carved from 32 KiB spans (_StackCacheSize) taken from the page heap;
 *   - a per-thread cache (stackcache[order]): a free list of up to 32 KiB,
 *     refilled from the pool by half of that (16 KiB) when empty and
 *     drained by half when full (Go's stackcacherefill/stackcacherelease),
 *     so the common alloc/free is a thread-local list push/pop.
 * Stacks of 32 KiB and more come from stackLarge: free lists by log2 of the
 * page count, filled by frees, else a fresh span from the page heap.
 *
 * Memory stays in the pools once carved (Go returns a small-stack span to
 * the heap when all its stacks are free and no GC runs; not done here).
 * Stacks are raw memory: the collector does not scan them, so a task must
 * not keep the only reference to a collected object on a pooled stack.
 * A thread's cache goes back to the global pool when the thread exits.
 * The slow paths (pool lock, page heap) run inside the runtime
 * (gh_acquirem) when the thread is a collector mutator: a thread stopped
 * while holding a lock would block the threads the stop waits for.
 */
#include <string.h>

#include "mgc.h"

#define NUM_ORDERS 4
#define FIXED_STACK 2048
#define CACHE_SIZE (32 << 10)
#define LARGE_LISTS 40

typedef struct gstack {
    struct gstack *next;
} gstack;

typedef struct stackcache {
    gstack *list[NUM_ORDERS];
    size_t size[NUM_ORDERS];
    int registered;
} stackcache;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static gstack *stackpool[NUM_ORDERS];
static gstack *stackLarge[LARGE_LISTS];
static __thread stackcache tcache;
static pthread_key_t cache_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void release_all(void *arg);
static void key_init(void) { pthread_key_create(&cache_key, release_all); }

/* Locks are taken inside the runtime so that a thread is never stopped
 * holding one (a thread waiting for it could not reach a safe point). */
static gh_g *enter(void) {
    gh_g *g = gh_curg;
    if (g) gh_acquirem(g);
    return g;
}
static void leave(gh_g *g) {
    if (g) gh_releasem(g);
}

static gh_mspan *heap_alloc(uintptr_t npages) { return gh_mheap_alloc(npages, 0, 0); }

static int pool_grow(int order) {
    gh_mspan *s = heap_alloc(CACHE_SIZE >> GH_PAGE_SHIFT);
    if (!s) return -1;
    size_t sz = (size_t)FIXED_STACK << order;
    for (uintptr_t p = s->base; p + sz <= s->base + CACHE_SIZE; p += sz) {
        gstack *x = (gstack *)p;
        x->next = stackpool[order];
        stackpool[order] = x;
    }
    return 0;
}

static void ensure_heap(void) {
    if (atomic_load_explicit(&gh_init_state, memory_order_acquire) != 2) gh__init_slow();
}

static void cache_refill(stackcache *c, int order) {
    ensure_heap();
    size_t sz = (size_t)FIXED_STACK << order;
    pthread_mutex_lock(&pool_lock);
    while (c->size[order] < CACHE_SIZE / 2) {
        if (!stackpool[order] && pool_grow(order) != 0) break;
        gstack *x = stackpool[order];
        stackpool[order] = x->next;
        x->next = c->list[order];
        c->list[order] = x;
        c->size[order] += sz;
    }
    pthread_mutex_unlock(&pool_lock);
}

static void cache_release(stackcache *c, int order, size_t keep) {
    size_t sz = (size_t)FIXED_STACK << order;
    pthread_mutex_lock(&pool_lock);
    while (c->size[order] > keep && c->list[order]) {
        gstack *x = c->list[order];
        c->list[order] = x->next;
        x->next = stackpool[order];
        stackpool[order] = x;
        c->size[order] -= sz;
    }
    pthread_mutex_unlock(&pool_lock);
}

static void release_all(void *arg) {
    stackcache *c = arg;
    for (int o = 0; o < NUM_ORDERS; o++) cache_release(c, o, 0);
}

static int order_of(size_t size) {
    int o = 0;
    for (size_t s = FIXED_STACK; s < size; s <<= 1) o++;
    return o;
}

void *gh_stack_alloc(size_t size) {
    if (size < FIXED_STACK) size = FIXED_STACK;
    if (size & (size - 1)) return NULL;
    int order = order_of(size);
    if (order < NUM_ORDERS) {
        stackcache *c = &tcache;
        if (!c->registered) {
            pthread_once(&key_once, key_init);
            pthread_setspecific(cache_key, c);
            c->registered = 1;
        }
        if (!c->list[order]) {
            gh_g *g = enter();
            cache_refill(c, order);
            leave(g);
        }
        gstack *x = c->list[order];
        if (!x) return NULL;
        c->list[order] = x->next;
        c->size[order] -= size;
        x->next = NULL;
        return x;
    }
    uintptr_t npages = size >> GH_PAGE_SHIFT;
    int log2npages = __builtin_ctzll(npages);
    ensure_heap();
    gh_g *g = enter();
    pthread_mutex_lock(&pool_lock);
    gstack *x = log2npages < LARGE_LISTS ? stackLarge[log2npages] : NULL;
    if (x) stackLarge[log2npages] = x->next;
    pthread_mutex_unlock(&pool_lock);
    if (x) {
        leave(g);
        x->next = NULL;
        return x;
    }
    gh_mspan *s = heap_alloc(npages);
    leave(g);
    return s ? (void *)s->base : NULL;
}

void gh_stack_free(void *stack, size_t size) {
    if (!stack) return;
    if (size < FIXED_STACK) size = FIXED_STACK;
    int order = order_of(size);
    gstack *x = stack;
    if (order < NUM_ORDERS) {
        stackcache *c = &tcache;
        if (!c->registered) {
            pthread_once(&key_once, key_init);
            pthread_setspecific(cache_key, c);
            c->registered = 1;
        }
        x->next = c->list[order];
        c->list[order] = x;
        c->size[order] += size;
        if (c->size[order] >= CACHE_SIZE) {
            gh_g *g = enter();
            cache_release(c, order, CACHE_SIZE / 2);
            leave(g);
        }
        return;
    }
    int log2npages = __builtin_ctzll(size >> GH_PAGE_SHIFT);
    if (log2npages >= LARGE_LISTS) return;
    gh_g *g = enter();
    pthread_mutex_lock(&pool_lock);
    x->next = stackLarge[log2npages];
    stackLarge[log2npages] = x;
    pthread_mutex_unlock(&pool_lock);
    leave(g);
}
