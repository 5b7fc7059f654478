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
 *   hb_realloc(p, old_size, size, layout)
 *                          resize, keeping the lesser of old_size and size
 *                          bytes: realloc for manual adapters; for collected
 *                          ones a new object (with `layout`) holding the
 *                          copy, the old one left to the collector. The old
 *                          pointer is dead either way; the block is dropped
 *                          later with hb_drop_resized(q, size), which frees
 *                          it without its size (see its declaration).
 *   hb_pool_new/get/put/free   the adapter's GC-aware object pool, Go's
 *                          sync.Pool (HB_CAP_POOL): the collector may empty it
 *   hb_stack_alloc/free    the adapter's stack pool (HB_CAP_STACKPOOL); size a
 *                          power of two
 *
 * A workload calls nothing else: not the adapter (hb_rt.ad), which this
 * file keeps for its own inline paths (real/ workloads, whose program runs
 * as a child, only name its preload library: hb_adapter_preload). The pool and stack calls exist only
 * where the adapter has the capability, so a workload that makes them names
 * the capability in its needs and is `unsupported` elsewhere (hb_pool_new
 * also returns NULL on an adapter without a pool).
 *
 * Fast paths are inline; `hb_rt` is set once at start by hb_object_init().
 *
 * Sampling (harness/object_sample.c): one hb_new/hb_drop/hb_realloc call
 * in N is timed with the cycle counter. Always (unless HB_ALLOC_SHARE=0), N = 127 and the
 * sum gives `alloc_share`, the share of the process's CPU time spent
 * inside allocator calls, reported as a counter of every cell; with
 * HB_LATENCY=1, N = 61 and the per-call latency percentiles are reported
 * too (HB_LATENCY_EVERY=N overrides N). The fast path pays one decrement
 * of a thread-local countdown and a predictable branch; the slow path is
 * taken once in N calls.
 *
 * Anatomy (bench --anatomy, docs/anatomy.md): in that untimed mode every
 * hb_new/hb_drop/hb_realloc takes the slow path, which counts the live
 * requested bytes (hb_new plus hb_realloc's growth minus hb_drop) in
 * hb_anatomy_live_bytes(). Pools and stack pools are not sampled nor
 * counted: a pool's objects come from its new_fn (hb_new, counted), and a
 * stack pool's stacks are the adapter's, as a thread's stack is. The fast path is
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
 * harness/object_sample.c when it is linked and on, else just make it. */
void *hb_sample_new(size_t size, const hb_layout *layout, int zeroed);
void hb_sample_drop(void *p, size_t size);
void *hb_sample_realloc(void *p, size_t old_size, size_t size, const hb_layout *layout);

/* The sampler's side (harness/object_sample.c). Weak so that a program
 * without it (tests/core) still links. */
void *hb_latency_new(size_t size, const hb_layout *layout, int zeroed) __attribute__((weak));
void hb_latency_drop(void *p, size_t size) __attribute__((weak));
void *hb_latency_realloc(void *p, size_t old_size, size_t size, const hb_layout *layout)
    __attribute__((weak));
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

/* A collector's resize (harness/object.c): a new object and the copy. */
void *hb_gc_realloc(void *p, size_t old_size, size_t size, const hb_layout *layout);

static inline void *hb_realloc_direct(void *p, size_t old_size, size_t size, const hb_layout *layout) {
    if (hb_rt.kind == HB_COLLECTED) return hb_gc_realloc(p, old_size, size, layout);
    return hb_rt.ad->realloc(p, size);
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

/* Free a block that went through hb_realloc (size: its last requested size,
 * for anatomy's count). It is freed without its size: C17's realloc may hand
 * back more than asked, and an allocator whose sized free trusts the size
 * it is given then files the block under the wrong size class — gperftools
 * 2.10 grows a block to 1.25x its old size inside realloc, and tc_free_sized
 * with the size asked corrupts its free lists (C23's free_sized allows the
 * size given to realloc; gperftools predates it). */
void hb_drop_resized(void *p, size_t size);

static inline void *hb_realloc(void *p, size_t old_size, size_t size, const hb_layout *layout) {
    if (__builtin_expect(--hb_sample_countdown < 0, 0)) return hb_sample_realloc(p, old_size, size, layout);
    return hb_realloc_direct(p, old_size, size, layout);
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

/* The adapter's pool (HB_CAP_POOL): new_fn(arg) makes an object when the
 * pool is empty (NULL: hb_pool_get returns NULL then). */
static inline hb_pool *hb_pool_new(void *(*new_fn)(void *arg), void *arg) {
    return hb_rt.ad->pool_new ? hb_rt.ad->pool_new(new_fn, arg) : NULL;
}

static inline void *hb_pool_get(hb_pool *pool) { return hb_rt.ad->pool_get(pool); }

static inline void hb_pool_put(hb_pool *pool, void *obj) { hb_rt.ad->pool_put(pool, obj); }

static inline void hb_pool_free(hb_pool *pool) { hb_rt.ad->pool_free(pool); }

/* The adapter's stack pool (HB_CAP_STACKPOOL): size a power of two, the
 * same at free. */
static inline void *hb_stack_alloc(size_t size) { return hb_rt.ad->stack_alloc(size); }

static inline void hb_stack_free(void *stack, size_t size) { hb_rt.ad->stack_free(stack, size); }

/* Threads that allocate: attached to the adapter (a collector must know
 * every mutator to stop it and scan its stack). */
int hb_thread_start(pthread_t *t, void *(*fn)(void *), void *arg);
void *hb_thread_join(pthread_t t);

#ifdef __cplusplus
}
#endif
#endif
