/*
 * gc_support.h — what the collector properties share: building garbage on
 * a helper thread that then exits (so no stale word on the main stack can
 * keep it alive in a conservative scan), collecting "two cycles", and
 * counting finalizers. Included by conformance/gc_*.c only.
 */
#ifndef HB_CONFORM_GC_SUPPORT_H
#define HB_CONFORM_GC_SUPPORT_H

#include <pthread.h>
#include <stdatomic.h>

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

#endif
