/*
 * gc_support.h — what the collector properties share: building garbage on
 * a helper thread that then exits (so no stale word on the main stack can
 * keep it alive in a conservative scan), collecting "two cycles", and
 * counting finalizers; a window inside a mark phase (HB_CAP_MARK_HOOK) for
 * the properties that must act while the collector marks; churning the
 * heap so that freed slots are reused. Included by conformance/gc_*.c only.
 */
#ifndef HB_CONFORM_GC_SUPPORT_H
#define HB_CONFORM_GC_SUPPORT_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

/* Run fn(arg) on a registered thread that exits before this returns. */
static inline void gc_on_helper(void *(*fn)(void *), void *arg) {
    pthread_t t;
    hb_thread_start(&t, fn, arg);
    hb_thread_join(t);
    hb_cf_clear_stack();
}

/* Two full cycles, with a little allocation after each (collectors run
 * finalizers and finish sweeping on the next allocation). */
static inline void gc_two_cycles(void) {
    for (int i = 0; i < 2; i++) {
        hb_collect();
        for (int k = 0; k < 64; k++) (void)hb_new(32, HB_NOSCAN);
    }
    hb_cf_clear_stack();
}

/* A finalizer that counts, per object, how often it ran. `arg` points at
 * the object's counter (in malloc'd memory, which collectors do not scan). */
static inline void gc_count_finalizer(void *obj, void *arg) {
    (void)obj;
    atomic_fetch_add((_Atomic int *)arg, 1);
}

static inline int gc_count_ran(_Atomic int *c, size_t n, int *twice) {
    int ran = 0;
    *twice = 0;
    for (size_t i = 0; i < n; i++) {
        int v = atomic_load(&c[i]);
        ran += v > 0;
        *twice += v > 1;
    }
    return ran;
}

/* Sleep a little; the thread stays stoppable (a signal ends the sleep). */
static inline void gc_nap(void) {
    nanosleep(&(struct timespec){0, 50000}, NULL);
    hb_safepoint();
}

/* Allocate `count` objects of `size` bytes and `layout` and fill every word
 * a pointer could not be (a non-canonical address): slots freed by the last
 * cycle are reused, so what was freed while still in use shows as changed
 * words. The objects are garbage at once. */
static inline void gc_churn(size_t size, const hb_layout *layout, size_t count) {
    for (size_t i = 0; i < count; i++) {
        uint64_t *g = hb_new(size, layout);
        for (size_t w = 0; w < size / 8; w++) g[w] = 0xdbdbdbdbdbdbdbdbull;
    }
}

/* ---- a window inside a mark phase (HB_CAP_MARK_HOOK) ----
 *
 *   gc_window w;
 *   if (gc_window_open(&w) != 0) fail;   // marking has begun, and waits
 *   ... act as a mutator inside the mark phase ...
 *   gc_window_close(&w);                // marking goes on; the cycle ends
 *
 * open arms the adapter's mark hook for one cycle, starts a blocking
 * collection on another registered thread and waits (stoppable, without
 * allocating) until the hook runs; the hook then holds the cycle until
 * close, which joins the collecting thread, so the whole cycle — its mark
 * termination and sweep included — is over when close returns. */
typedef struct gc_window {
    _Atomic int armed, inside, release;
    pthread_t collector;
} gc_window;

static inline void gc_window_hook(void *arg) {
    gc_window *w = arg;
    if (!atomic_exchange(&w->armed, 0)) return;
    atomic_store(&w->inside, 1);
    while (!atomic_load(&w->release)) nanosleep(&(struct timespec){0, 20000}, NULL);
}

static inline void *gc_window_collect(void *arg) {
    (void)arg;
    hb_collect();
    return NULL;
}

static inline void gc_window_close(gc_window *w) {
    atomic_store(&w->armed, 0);
    atomic_store(&w->release, 1);
    hb_thread_join(w->collector);
    hb_rt.ad->set_mark_hook(NULL, NULL);
}

/* 0 when inside the mark phase; -1 when the hook did not run within 10 s
 * (the window is closed again). */
static inline int gc_window_open(gc_window *w) {
    atomic_store(&w->inside, 0);
    atomic_store(&w->release, 0);
    atomic_store(&w->armed, 1);
    hb_rt.ad->set_mark_hook(gc_window_hook, w);
    hb_thread_start(&w->collector, gc_window_collect, w);
    uint64_t t0 = hb_cf_now_ns();
    while (!atomic_load(&w->inside)) {
        if (hb_cf_now_ns() - t0 > 10000000000ull) {
            gc_window_close(w);
            return -1;
        }
        gc_nap();
    }
    return 0;
}

/* Word w of the pattern object number `id` (never a plausible pointer). */
static inline uint64_t gc_word(uint64_t id, int w) {
    return ((0x9e3779b97f4a7c15ull ^ id) * (uint64_t)(2 * w + 1)) | 0x8000000000000001ull;
}

#endif
