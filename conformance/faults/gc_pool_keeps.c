/*
 * gc_pool_keeps.c — FAULT: goheap's collector with a pool that never lets
 * go: a LIFO array registered as a root range (gh_gc_root_add), with no
 * victim cache and no cleanup at cycle start, so whatever is put and never
 * taken back lives forever (a leak the size of the pool's peak). Get and
 * put are otherwise correct, and stores into the rooted array go through
 * the write barrier while marking. Must be caught by gc/pool-dropped.
 */
#include <pthread.h>
#include <stdlib.h>

#include "goheap_base.h"

const char *const hb_fault_expect = "gc/pool-dropped";

enum { KEEP_CAP = 1 << 16 };

typedef struct keep_pool {
    pthread_mutex_t mu;
    void *(*new_fn)(void *);
    void *arg;
    size_t n;
    void **items; /* KEEP_CAP slots, a registered root range */
} keep_pool;

static void keep_store(void **slot, void *val) {
    if (__atomic_load_n(&gh_gc_barrier_enabled, __ATOMIC_RELAXED)) gh_gc_write_barrier(slot, val);
    else __atomic_store_n(slot, val, __ATOMIC_RELEASE);
}

static hb_pool *keep_new(void *(*new_fn)(void *), void *arg) {
    keep_pool *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->items = calloc(KEEP_CAP, sizeof *p->items);
    if (!p->items) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    p->new_fn = new_fn;
    p->arg = arg;
    gh_gc_root_add(p->items, KEEP_CAP * sizeof *p->items);
    return (hb_pool *)p;
}

static void keep_put(hb_pool *hp, void *x) {
    keep_pool *p = (keep_pool *)hp;
    if (!x) return;
    pthread_mutex_lock(&p->mu);
    if (p->n < KEEP_CAP) keep_store(&p->items[p->n++], x);
    pthread_mutex_unlock(&p->mu);
}

static void *keep_get(hb_pool *hp) {
    keep_pool *p = (keep_pool *)hp;
    void *x = NULL;
    pthread_mutex_lock(&p->mu);
    if (p->n) {
        x = p->items[--p->n];
        keep_store(&p->items[p->n], NULL);
    }
    pthread_mutex_unlock(&p->mu);
    if (!x && p->new_fn) x = p->new_fn(p->arg);
    return x;
}

static void keep_free(hb_pool *hp) {
    keep_pool *p = (keep_pool *)hp;
    gh_gc_root_remove(p->items);
    pthread_mutex_destroy(&p->mu);
    free(p->items);
    free(p);
}

HB_FAULT_GOHEAP("fault-gc_pool_keeps", .pool_new = keep_new, .pool_get = keep_get, .pool_put = keep_put,
                .pool_free = keep_free);
