/*
 * gc_finalizer_early.c — FAULT: finalizers run at the next collection
 * whether or not their object is still reachable (a finalizer queue that is
 * drained without checking marks). Must be caught by gc/finalizer-not-early.
 */
#include <pthread.h>

#include "boehm_base.h"

const char *const hb_fault_expect = "gc/finalizer-not-early";

typedef struct pending {
    void *obj_hidden; /* hidden from the collector: ~address */
    void (*fn)(void *, void *);
    void *arg;
} pending;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pending *queue;
static size_t nqueue, capq;

static void f_set_finalizer(void *obj, void (*fn)(void *, void *), void *arg) {
    pthread_mutex_lock(&mu);
    if (nqueue == capq) queue = realloc(queue, (capq = capq ? capq * 2 : 1024) * sizeof *queue);
    queue[nqueue++] = (pending){(void *)~(uintptr_t)obj, fn, arg};
    pthread_mutex_unlock(&mu);
}

static void f_collect(void) {
    GC_gcollect();
    pthread_mutex_lock(&mu);
    pending *q = queue;
    size_t n = nqueue;
    queue = NULL, nqueue = capq = 0;
    pthread_mutex_unlock(&mu);
    for (size_t i = 0; i < n; i++) q[i].fn((void *)~(uintptr_t)q[i].obj_hidden, q[i].arg); /* reachable or not */
    free(q);
}

HB_FAULT_COLLECTED("fault-gc_finalizer_early", .set_finalizer = f_set_finalizer, .collect = f_collect);
