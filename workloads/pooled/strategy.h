/*
 * pooled/strategy.h — the three ways a program reuses objects, shared by
 * the pooled/ workloads.
 *
 *   direct    no pool: hb_new for every get, hb_drop for every put (the
 *             allocator's own caches are the pool)
 *   freelist  a hand-made pool, as C and pre-sync.Pool Go programs write
 *             one: a LIFO stack of free objects per size class, protected
 *             by a mutex (it may be shared between threads); never shrinks
 *   syncpool  the adapter's GC-aware pool (hb_pool_*, HB_CAP_POOL):
 *             Go's sync.Pool analogue, per-thread caches, emptied by the
 *             collector (so an object put back may be gone at the next get)
 *
 * Each pooled workload is registered once per strategy (name-direct,
 * name-freelist, name-syncpool), so every strategy is its own cell and the
 * syncpool cells are `unsupported` — honestly, by their needs — on adapters
 * without a pool.
 *
 * Validation: every object carries a header {stamp, class} and a trailer
 * word. At put the header is re-stamped "parked"; at get an object must be
 * either fresh (made by this file's constructor, stamped "fresh") or parked
 * with the right class — a pool that mixes classes, or an allocator that
 * scribbles on pooled memory, is caught.
 */
#ifndef HB_POOLED_STRATEGY_H
#define HB_POOLED_STRATEGY_H

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "wl/refs.h"

enum { PS_DIRECT = 0, PS_FREELIST = 1, PS_SYNCPOOL = 2 };

#define PS_FRESH 0x46524553480a0a01ull
#define PS_PARKED 0x5041524b45440a02ull
#define PS_INUSE 0x494e5553450a0a03ull

typedef struct ps_obj {
    uint64_t stamp, cls;
} ps_obj;

/* One size class of one strategy. */
typedef struct ps_class {
    int strategy;
    size_t size;
    uint64_t cls;
    /* freelist */
    pthread_mutex_t lock;
    void **free;    /* pointer array (hb_new'd): the collector sees it */
    size_t nfree, cap;
    /* syncpool */
    hb_pool *pool;
    uint64_t made;  /* objects constructed (fresh) */
} ps_class;

static inline void ps_trailer_set(void *p, size_t size, uint64_t v) {
    *(uint64_t *)((char *)p + size - 8) = v;
}
static inline uint64_t ps_trailer(const void *p, size_t size) {
    return *(const uint64_t *)((const char *)p + size - 8);
}

static inline void *ps_make(ps_class *c) {
    ps_obj *o = hb_new(c->size, HB_NOSCAN);
    if (!o) return NULL;
    o->stamp = PS_FRESH;
    o->cls = c->cls;
    ps_trailer_set(o, c->size, PS_FRESH ^ c->cls);
    __atomic_fetch_add(&c->made, 1, __ATOMIC_RELAXED);
    return o;
}

static inline void *ps_pool_new_fn(void *arg) { return ps_make(arg); }

static inline int ps_init(ps_class *c, int strategy, size_t size, uint64_t cls, size_t cap) {
    *c = (ps_class){.strategy = strategy, .size = size < 32 ? 32 : size, .cls = cls, .cap = cap};
    pthread_mutex_init(&c->lock, NULL);
    if (strategy == PS_FREELIST) {
        c->free = wl_ptr_array(cap);
        if (!c->free) return -1;
    }
    if (strategy == PS_SYNCPOOL) {
        c->pool = hb_pool_new(ps_pool_new_fn, c);
        if (!c->pool) return -1;
    }
    return 0;
}

/* Get an object; *bad counts validation errors. NULL on allocation failure. */
static inline void *ps_get(ps_class *c, uint64_t *bad) {
    ps_obj *o = NULL;
    switch (c->strategy) {
    case PS_DIRECT: o = ps_make(c); break;
    case PS_FREELIST:
        pthread_mutex_lock(&c->lock);
        if (c->nfree) {
            o = hb_load(&c->free[--c->nfree]);
            hb_store(&c->free[c->nfree], NULL);
        }
        pthread_mutex_unlock(&c->lock);
        if (!o) o = ps_make(c);
        break;
    default: o = hb_pool_get(c->pool); break;
    }
    if (!o) return NULL;
    uint64_t tr = ps_trailer(o, c->size);
    if (o->cls != c->cls || !((o->stamp == PS_FRESH && tr == (PS_FRESH ^ c->cls)) ||
                              (o->stamp == PS_PARKED && tr == (PS_PARKED ^ c->cls))))
        (*bad)++;
    o->stamp = PS_INUSE;
    ps_trailer_set(o, c->size, PS_INUSE ^ c->cls);
    return o;
}

/* Put an object back (checks that it is intact first). */
static inline void ps_put(ps_class *c, void *p, uint64_t *bad) {
    ps_obj *o = p;
    if (o->stamp != PS_INUSE || o->cls != c->cls || ps_trailer(o, c->size) != (PS_INUSE ^ c->cls)) (*bad)++;
    o->stamp = PS_PARKED;
    ps_trailer_set(o, c->size, PS_PARKED ^ c->cls);
    switch (c->strategy) {
    case PS_DIRECT: hb_drop(o, c->size); break;
    case PS_FREELIST:
        pthread_mutex_lock(&c->lock);
        if (c->nfree < c->cap) {
            hb_store(&c->free[c->nfree++], o);
            o = NULL;
        }
        pthread_mutex_unlock(&c->lock);
        if (o) hb_drop(o, c->size);
        break;
    default: hb_pool_put(c->pool, o); break;
    }
}

static inline void ps_destroy(ps_class *c) {
    if (c->strategy == PS_FREELIST) {
        for (size_t i = 0; i < c->nfree; i++) wl_release(&c->free[i], c->size);
        wl_ptr_array_free(c->free, c->cap);
    }
    if (c->strategy == PS_SYNCPOOL) hb_pool_free(c->pool);
    pthread_mutex_destroy(&c->lock);
}

static inline const char *ps_name(int strategy) {
    return strategy == PS_DIRECT ? "direct" : strategy == PS_FREELIST ? "freelist" : "syncpool";
}

/* The end of every pooled run: validation, items (gets per run) and the
 * counters objects_made (allocations behind the gets) and reuse_ratio. */
static inline void ps_report(hb_gb_state *st, const char *wl, const char *what, int strategy,
                             uint64_t bad, uint64_t gets, uint64_t made) {
    if (bad) hb_wl_fail(st, "%s-%s: %llu %s corrupted or mixed up", wl, ps_name(strategy),
                        (unsigned long long)bad, what);
    hb_gb_set_items_processed(st, (int64_t)(gets * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "objects_made", (double)made, HB_GB_DEFAULT);
    hb_gb_counter(st, "reuse_ratio", gets ? 1.0 - (double)made / (double)gets : 0, HB_GB_DEFAULT);
}

/* One registered cell of a pooled workload. */
#define PS_WORKLOAD(var, wl_name, desc, prm, wl_needs, fn)                                     \
    static const hb_workload var = {                                                         \
        .name = wl_name,                                                                     \
        .category = "pooled",                                                                \
        .description = desc,                                                                 \
        .params = prm,                                                                       \
        .nparams = sizeof prm / sizeof *prm,                                                 \
        .needs = wl_needs,                                                                   \
        .iterations = 1,                                                                     \
        .run = fn,                                                                           \
    };                                                                                       \
    HB_WORKLOAD(var)

/* Registers the three cells of one pooled workload: NAME-direct,
 * NAME-freelist, NAME-syncpool, each calling runner(st, args, strategy),
 * with the given extra needs. */
#define PS_WORKLOADS(ident, name, desc, prm, runner, needs)                                          \
    static void ident##_direct(hb_gb_state *st, const hb_wl_args *a) { runner(st, a, PS_DIRECT); } \
    static void ident##_freelist(hb_gb_state *st, const hb_wl_args *a) {                     \
        runner(st, a, PS_FREELIST);                                                           \
    }                                                                                         \
    static void ident##_syncpool(hb_gb_state *st, const hb_wl_args *a) {                     \
        runner(st, a, PS_SYNCPOOL);                                                           \
    }                                                                                         \
    PS_WORKLOAD(ident##_wl_direct, name "-direct", desc " Strategy: direct (hb_new/hb_drop, no pool).", prm,  \
                (needs), ident##_direct);                                                      \
    PS_WORKLOAD(ident##_wl_freelist, name "-freelist", desc " Strategy: a hand-made mutex-protected free list.", \
                prm, (needs), ident##_freelist);                                               \
    PS_WORKLOAD(ident##_wl_syncpool, name "-syncpool", desc " Strategy: the adapter's GC-aware pool (sync.Pool).", \
                prm, (needs) | HB_NEEDS_CAP(HB_CAP_POOL), ident##_syncpool)

#endif
