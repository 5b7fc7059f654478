/*
 * gc_alloc_log.c — FAULT: the collector keeps a log of the last 65536
 * objects with pointers it allocated (for a debug dump of recent
 * allocations) in a ring that is a registered root, holding the objects
 * themselves where it should hold hidden (disguised) addresses: every
 * logged object stays reachable until 65536 newer ones push it out, so
 * garbage is not reclaimed. Pointer-free objects are not logged.
 * Must be caught by gc/unreachable-reclaimed.
 */
#include <pthread.h>

#include "boehm_base.h"

const char *const hb_fault_expect = "gc/unreachable-reclaimed";

#define LOG_N 65536
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void **alloc_log;
static size_t log_next;

static void *f_alloc(size_t size, const hb_layout *l) {
    void *p = fb_alloc(size, l);
    if (!p || !l) return p;
    pthread_mutex_lock(&mu);
    if (!alloc_log && (alloc_log = calloc(LOG_N, sizeof *alloc_log))) GC_add_roots(alloc_log, alloc_log + LOG_N);
    if (alloc_log) alloc_log[log_next++ % LOG_N] = p; /* should be GC_HIDE_POINTER(p) */
    pthread_mutex_unlock(&mu);
    return p;
}

HB_FAULT_COLLECTED("fault-gc_alloc_log", .gc_alloc = f_alloc);
