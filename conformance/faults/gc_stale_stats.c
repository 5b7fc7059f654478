/*
 * gc_stale_stats.c — FAULT: gc_stats returns a snapshot that only the
 * allocation path refreshes, once per MiB allocated (to keep reading stats
 * cheap), so a collect() is not counted until enough allocation follows,
 * and a program that collects and reads the cycle count sees no cycle.
 * Must be caught by gc/stats-cycles.
 */
#include <pthread.h>

#include "boehm_base.h"

const char *const hb_fault_expect = "gc/stats-cycles";

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static hb_gc_stats snap;
static size_t since;

static void *f_alloc(size_t size, const hb_layout *l) {
    pthread_mutex_lock(&mu);
    since += size;
    if (since >= (1u << 20)) since = 0, fb_stats(&snap); /* refreshed here only */
    pthread_mutex_unlock(&mu);
    return fb_alloc(size, l);
}

static void f_stats(hb_gc_stats *s) {
    pthread_mutex_lock(&mu);
    *s = snap;
    pthread_mutex_unlock(&mu);
}

HB_FAULT_COLLECTED("fault-gc_stale_stats", .gc_alloc = f_alloc, .gc_stats = f_stats);
