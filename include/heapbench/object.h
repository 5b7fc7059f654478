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
 * Sampling (workloads/latency.c): one hb_new/hb_drop call in N is timed
 * with the cycle counter. Always (unless HB_ALLOC_SHARE=0), N = 127 and the
 * sum gives `alloc_share`, the share of the process's CPU time spent
 * inside allocator calls, reported as a counter of every cell; with
 * HB_LATENCY=1, N = 61 and the per-call latency percentiles are reported
 * too (HB_LATENCY_EVERY=N overrides N). The fast path pays one decrement
 * of a thread-local countdown and a predictable branch; the slow path is
 * taken once in N calls.
 *
 * Anatomy (bench --anatomy, docs/anatomy.md): in that untimed mode every
 * hb_new/hb_drop takes the slow path, which counts the live requested
 * bytes (hb_new minus hb_drop) in hb_anatomy_live_bytes(). The fast path is
 * the same code with anatomy on or off: nothing is added to it.
 */
#ifndef HEAPBENCH_OBJECT_H
#define HEAPBENCH_OBJECT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
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
    int latency;             /* nonzero: HB_LATENCY=1, percentiles are reported */
} hb_runtime;

extern hb_runtime hb_rt;

/* Set up the object API over `ad` and run its init; 0 on success. */
int hb_object_init(const hb_adapter *ad, const hb_options *opt);

/* Calls left before the next sampled one, per thread (harness/object.c).
 * Starts at 0, so a thread's first call takes the slow path, which re-arms
 * it (or sets it very high when sampling is off). */
extern _Thread_local int hb_sample_countdown;

/* The slow paths (harness/object.c): time the call through the sampler in
 * workloads/latency.c when it is linked and on, else just make it. */
void *hb_sample_new(size_t size, const hb_layout *layout, int zeroed);
void hb_sample_drop(void *p, size_t size);

/* The sampler's side (workloads/latency.c). Weak so that a program without
 * it (tests/core) still links. */
void *hb_latency_new(size_t size, const hb_layout *layout, int zeroed) __attribute__((weak));
void hb_latency_drop(void *p, size_t size) __attribute__((weak));
int hb_latency_enabled(void) __attribute__((weak));     /* nonzero: sample */
void hb_latency_thread_exit(void) __attribute__((weak)); /* flush a thread's sums */

/* Anatomy mode: every call counted (see the top of this file). Turning it
 * on also sends the calling thread's next call down the slow path; other
 * threads take it from their next slow-path call on, so it is turned on
 * before the workload's threads start. */
void hb_anatomy_enable(void);
int64_t hb_anatomy_live_bytes(void);

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
    if (__builtin_expect(--hb_sample_countdown < 0, 0)) return hb_sample_new(size, layout, 0);
    return hb_new_direct(size, layout, 0);
}

static inline void *hb_new_zeroed(size_t size, const hb_layout *layout) {
    if (__builtin_expect(--hb_sample_countdown < 0, 0)) return hb_sample_new(size, layout, 1);
    return hb_new_direct(size, layout, 1);
}

static inline void hb_drop(void *p, size_t size) {
    if (__builtin_expect(--hb_sample_countdown < 0, 0)) {
        hb_sample_drop(p, size);
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
