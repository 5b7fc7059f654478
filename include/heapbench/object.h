/*
 * object.h — the object API that workloads and conformance properties use.
 *
 * One vocabulary over both disciplines, so the same binary-trees or
 * graph-mutation code runs over glibc, mimalloc or a collector and the
 * difference measured is the memory manager, not the workload:
 *
 *   hb_new(size, layout)   allocate (zeroed only where the adapter zeroes:
 *                          collectors always; use hb_new_zeroed otherwise)
 *   hb_drop(p, size)       free for manual adapters, nothing for collected
 *                          ones (the workload also clears its references)
 *   hb_store(slot, value)  a pointer store: plain, unless the collector's
 *                          write barrier is on (one global flag, as Go's
 *                          writeBarrier.enabled)
 *   hb_root_add/remove     tell a collector about pointer slots outside its
 *                          heap (globals, malloc'd arrays)
 *   hb_safepoint()         a place where a collector may stop this thread
 *   hb_thread_start/join   threads known to the collector
 *
 * Fast paths are inline; `hb_rt` is set once at start by hb_object_init().
 *
 * Latency sampling (workloads/latency.c): with HB_LATENCY=1 in the
 * environment, one hb_new/hb_drop call in HB_LATENCY_EVERY (default 61) is
 * timed with the cycle counter and the percentiles are reported as counters
 * at the end of each workload run. Disabled, it costs one predictable
 * branch on a word the fast path loads anyway.
 */
#ifndef HEAPBENCH_OBJECT_H
#define HEAPBENCH_OBJECT_H

#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "heapbench/adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The runtime view of the active adapter, copied out of it once so the
 * inline paths load one pointer, not two. */
typedef struct hb_runtime {
    const hb_adapter *ad;
    hb_kind kind;
    const int *barrier_flag; /* never NULL: points at 0 when there is none */
    int latency;             /* nonzero: hb_new/hb_drop go through the sampler */
} hb_runtime;

extern hb_runtime hb_rt;

/* Set up the object API over `ad` and run its init; 0 on success. */
int hb_object_init(const hb_adapter *ad, const hb_options *opt);

/* The sampler's slow paths (workloads/latency.c); reached only when
 * hb_rt.latency was set, which only that file does. Weak so that a program
 * without it still links. */
void *hb_latency_new(size_t size, const hb_layout *layout, int zeroed) __attribute__((weak));
void hb_latency_drop(void *p, size_t size) __attribute__((weak));

/* The unsampled operations. */
static inline void *hb_new_direct(size_t size, const hb_layout *layout, int zeroed) {
    if (hb_rt.kind == HB_COLLECTED) return hb_rt.ad->gc_alloc(size, layout);
    return zeroed ? hb_rt.ad->calloc(1, size) : hb_rt.ad->malloc(size);
}

static inline void hb_drop_direct(void *p, size_t size) {
    if (hb_rt.kind == HB_COLLECTED) return;
    if (hb_rt.ad->free_sized) hb_rt.ad->free_sized(p, size);
    else hb_rt.ad->free(p);
}

static inline void *hb_new(size_t size, const hb_layout *layout) {
    if (__builtin_expect(hb_rt.latency, 0)) return hb_latency_new(size, layout, 0);
    return hb_new_direct(size, layout, 0);
}

static inline void *hb_new_zeroed(size_t size, const hb_layout *layout) {
    if (__builtin_expect(hb_rt.latency, 0)) return hb_latency_new(size, layout, 1);
    return hb_new_direct(size, layout, 1);
}

static inline void hb_drop(void *p, size_t size) {
    if (__builtin_expect(hb_rt.latency, 0)) {
        hb_latency_drop(p, size);
        return;
    }
    hb_drop_direct(p, size);
}

static inline void hb_store(void *slot, void *val) {
    if (__atomic_load_n(hb_rt.barrier_flag, __ATOMIC_RELAXED))
        hb_rt.ad->write_barrier((void **)slot, val);
    else
        __atomic_store_n((void **)slot, val, __ATOMIC_RELAXED);
}

static inline void *hb_load(void *const *slot) {
    return __atomic_load_n((void **)slot, __ATOMIC_RELAXED);
}

static inline void hb_safepoint(void) {
    if (hb_rt.ad->safepoint) hb_rt.ad->safepoint();
}

static inline void hb_root_add(void *start, size_t bytes) {
    if (hb_rt.ad->root_add) hb_rt.ad->root_add(start, bytes);
}

static inline void hb_root_remove(void *start) {
    if (hb_rt.ad->root_remove) hb_rt.ad->root_remove(start);
}

static inline void hb_collect(void) {
    if (hb_rt.ad->collect) hb_rt.ad->collect();
}

static inline int hb_has(uint32_t caps) { return (hb_rt.ad->caps & caps) == caps; }

/* Threads that allocate: attached to the adapter (a collector must know
 * every mutator to stop it and scan its stack). */
int hb_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
void *hb_thread_join(pthread_t t);

#ifdef __cplusplus
}
#endif
#endif
