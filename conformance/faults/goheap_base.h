/*
 * goheap_base.h — the common half of the faulty adapters over goheap's
 * concurrent collector (goheap/include/goheap/gc.h), for the properties only
 * a concurrent, pooled collector can exercise (the write barrier, sync.Pool).
 * It is the goheap-gc adapter's translation (adapters/goheap_gc.c), same
 * gh_gc_* calls and capability bits; a fault file overrides one or two
 * entries (HB_FAULT_GOHEAP). The root CMake links every fault executable
 * with goheap when that target exists.
 */
#ifndef HB_FAULTS_GOHEAP_BASE_H
#define HB_FAULTS_GOHEAP_BASE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goheap/gc.h"
#include "heapbench/adapter.h"

_Static_assert(sizeof(hb_layout) == sizeof(gh_layout), "layout shapes differ");

static const char *fg_version(void) {
    static char v[96];
    snprintf(v, sizeof v, "faulty wrapper over %s + concurrent GC", gh_version());
    return v;
}
static int fg_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "deliberately faulty collector over goheap (see its source in conformance/faults/)");
    return 0;
}
static int fg_init(const hb_options *opt) {
    gh_gc_options o = {.gogc = -1};
    if (opt) {
        o.gogc = opt->gogc;
        o.memlimit = opt->memlimit;
        o.torture = opt->torture;
    }
    return gh_gc_init(&o);
}
static void *fg_alloc(size_t size, const hb_layout *l) { return gh_gc_alloc(size, (const gh_layout *)l); }
static void fg_stats(hb_gc_stats *s) {
    gh_gc_stats g;
    gh_gc_stats_read(&g);
    memset(s, 0, sizeof *s);
    s->cycles = g.cycles;
    s->pauses = g.pauses;
    s->pause_total_ns = g.pause_total_ns;
    s->pause_max_ns = g.pause_max_ns;
    s->pause_p50_ns = g.pause_p50_ns;
    s->pause_p99_ns = g.pause_p99_ns;
    s->mark_cpu_ns = g.mark_cpu_ns;
    s->assist_ns = g.assist_ns;
    s->heap_goal_bytes = g.heap_goal_bytes;
    s->heap_live_bytes = g.heap_live_bytes;
    s->heap_alloc_bytes = g.heap_alloc_bytes;
    s->heap_sys_bytes = g.heap_sys_bytes;
}
static hb_pool *fg_pool_new(void *(*new_fn)(void *), void *arg) { return (hb_pool *)gh_pool_new(new_fn, arg); }
static void *fg_pool_get(hb_pool *p) { return gh_pool_get((gh_pool *)p); }
static void fg_pool_put(hb_pool *p, void *x) { gh_pool_put((gh_pool *)p, x); }
static void fg_pool_free(hb_pool *p) { gh_pool_free((gh_pool *)p); }

#pragma GCC diagnostic ignored "-Woverride-init"
#define HB_FAULT_GOHEAP(NAME, ...)                                                                                \
    static const hb_adapter fault_adapter = {                                                                     \
        .name = NAME, .kind = HB_COLLECTED,                                                                       \
        .caps = HB_CAP_THREADS | HB_CAP_INTERIOR_PTRS | HB_CAP_FINALIZERS | HB_CAP_GOGC | HB_CAP_MEMLIMIT |      \
                HB_CAP_CONCURRENT | HB_CAP_POOL,                                                                  \
        .version = fg_version, .init = fg_init, .selfcheck = fg_selfcheck,                                        \
        .thread_attach = gh_gc_thread_attach, .thread_detach = gh_gc_thread_detach, .gc_alloc = fg_alloc,        \
        .write_barrier = gh_gc_write_barrier, .barrier_flag = &gh_gc_barrier_enabled,                             \
        .root_add = gh_gc_root_add, .root_remove = gh_gc_root_remove, .collect = gh_gc_collect,                   \
        .safepoint = gh_gc_safepoint, .gc_stats = fg_stats, .set_finalizer = gh_gc_set_finalizer,                 \
        .pool_new = fg_pool_new, .pool_get = fg_pool_get, .pool_put = fg_pool_put, .pool_free = fg_pool_free,     \
        __VA_ARGS__};                                                                                             \
    HB_ADAPTER(fault_adapter)

#endif
