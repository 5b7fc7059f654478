/*
 * wl/ring.h — a bounded single-producer single-consumer ring of pointers,
 * visible to collectors.
 *
 * The slots are a pointer array allocated with hb_new (so a collector sees
 * the blocks in flight) and written with hb_store; the indices are C11-style
 * atomics with release/acquire, so the consumer sees the block's contents.
 * Used where blocks cross threads: pooled/cross-thread, concurrent/xmalloc.
 * The waiting side spins with sched_yield and calls hb_safepoint, so a
 * collector can stop it.
 */
#ifndef HB_WL_RING_H
#define HB_WL_RING_H

#include <sched.h>
#include <stdint.h>

#include "heapbench/object.h"
#include "wl/refs.h"

typedef struct wl_ring {
    void **slot; /* first: the root range covers it */
    uint64_t cap;
    uint64_t head __attribute__((aligned(64))); /* next to pop (consumer) */
    uint64_t tail __attribute__((aligned(64))); /* next to push (producer) */
} wl_ring;

/* r itself must be registered as a root (hb_root_add(r, sizeof(void *)))
 * when it lives outside the collector's heap; wl_ring_init does it. */
static inline int wl_ring_init(wl_ring *r, uint64_t cap) {
    r->cap = cap;
    r->head = r->tail = 0;
    r->slot = wl_ptr_array(cap);
    hb_root_add(&r->slot, sizeof r->slot);
    return r->slot ? 0 : -1;
}

static inline void wl_ring_destroy(wl_ring *r) {
    hb_root_remove(&r->slot);
    wl_ptr_array_free(r->slot, r->cap);
    r->slot = NULL;
}

static inline void wl_ring_push(wl_ring *r, void *p) {
    uint64_t t = r->tail;
    while (t - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE) == r->cap) {
        hb_safepoint();
        sched_yield();
    }
    hb_store(&r->slot[t % r->cap], p);
    __atomic_store_n(&r->tail, t + 1, __ATOMIC_RELEASE);
}

static inline void *wl_ring_pop(wl_ring *r) {
    uint64_t h = r->head;
    while (__atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) == h) {
        hb_safepoint();
        sched_yield();
    }
    void *p = hb_load(&r->slot[h % r->cap]);
    hb_store(&r->slot[h % r->cap], NULL);
    __atomic_store_n(&r->head, h + 1, __ATOMIC_RELEASE);
    return p;
}

#endif
