/*
 * goheap_gc_table.h — the goheap-gc adapter's translation of heapbench's
 * collected contract onto goheap/include/goheap/gc.h, as one table
 * initializer. adapters/goheap_gc.c is the adapter; the faulty collectors
 * in conformance/faults/ (goheap_base.h) are the same table with one entry
 * broken, so the fault is the only difference.
 *
 * GOHEAP_GC_TABLE(...) expands to a designated initializer for hb_adapter
 * without name, version and selfcheck; the arguments add those (and may
 * override an entry, which -Woverride-init must then allow).
 */
#ifndef HEAPBENCH_GOHEAP_GC_TABLE_H
#define HEAPBENCH_GOHEAP_GC_TABLE_H

#include <string.h>

#include "goheap/gc.h"
#include "goheap/goheap.h"
#include "heapbench/adapter.h"
#include "goheap_mem.h"

_Static_assert(sizeof(hb_layout) == sizeof(gh_layout), "layout shapes differ");

static int ghgc_init(const hb_options *opt) {
    gh_gc_options o = {.gogc = -1};
    if (opt) {
        o.gogc = opt->gogc;
        o.memlimit = opt->memlimit;
        o.torture = opt->torture;
    }
    return gh_gc_init(&o);
}

static void *ghgc_alloc(size_t size, const hb_layout *l) { return gh_gc_alloc(size, (const gh_layout *)l); }

static void ghgc_stats(hb_gc_stats *s) {
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
    s->pause_split = true;
    s->pause_stop_total_ns = g.pause_stop_total_ns;
    s->pause_stop_p50_ns = g.pause_stop_p50_ns;
    s->pause_stop_p99_ns = g.pause_stop_p99_ns;
    s->pause_stop_max_ns = g.pause_stop_max_ns;
    s->pause_work_total_ns = g.pause_work_total_ns;
    s->pause_work_p50_ns = g.pause_work_p50_ns;
    s->pause_work_p99_ns = g.pause_work_p99_ns;
    s->pause_work_max_ns = g.pause_work_max_ns;
}

static size_t ghgc_events(hb_gc_event *out, size_t max) {
    gh_gc_event buf[256];
    size_t total = 0;
    while (total < max) {
        size_t want = max - total < 256 ? max - total : 256;
        size_t n = gh_gc_events_read(buf, want);
        for (size_t i = 0; i < n; i++) {
            hb_event_kind k = buf[i].kind == GH_EV_PAUSE_START   ? HB_EV_PAUSE_START
                              : buf[i].kind == GH_EV_PAUSE_END   ? HB_EV_PAUSE_END
                              : buf[i].kind == GH_EV_CYCLE_START ? HB_EV_CYCLE_START
                                                                 : HB_EV_CYCLE_END;
            out[total + i] = (hb_gc_event){buf[i].t_ns, buf[i].heap_bytes, k};
        }
        total += n;
        if (n < want) break;
    }
    return total;
}

static hb_pool *ghgc_pool_new(void *(*new_fn)(void *), void *arg) { return (hb_pool *)gh_pool_new(new_fn, arg); }
static void *ghgc_pool_get(hb_pool *p) { return gh_pool_get((gh_pool *)p); }
static void ghgc_pool_put(hb_pool *p, void *x) { gh_pool_put((gh_pool *)p, x); }
static void ghgc_pool_free(hb_pool *p) { gh_pool_free((gh_pool *)p); }

#define GOHEAP_GC_TABLE(...)                                                                                \
    {                                                                                                       \
        .kind = HB_COLLECTED,                                                                               \
        .caps = HB_CAP_THREADS | HB_CAP_INTERIOR_PTRS | HB_CAP_FINALIZERS | HB_CAP_GOGC | HB_CAP_MEMLIMIT | \
                HB_CAP_CONCURRENT | HB_CAP_POOL | HB_CAP_STACKPOOL | HB_CAP_PAUSE_EVENTS | HB_CAP_MARK_HOOK, \
        .init = ghgc_init, .thread_attach = gh_gc_thread_attach, .thread_detach = gh_gc_thread_detach,      \
        .gc_alloc = ghgc_alloc, .write_barrier = gh_gc_write_barrier,                                       \
        .barrier_flag = &gh_gc_barrier_enabled, .root_add = gh_gc_root_add,                                 \
        .root_remove = gh_gc_root_remove, .collect = gh_gc_collect, .safepoint = gh_gc_safepoint,           \
        .gc_stats = ghgc_stats, .gc_events = ghgc_events, .set_finalizer = gh_gc_set_finalizer,             \
        .set_mark_hook = gh_gc_set_mark_hook,                                                               \
        .pool_new = ghgc_pool_new, .pool_get = ghgc_pool_get, .pool_put = ghgc_pool_put,                    \
        .pool_free = ghgc_pool_free, .stack_alloc = gh_stack_alloc, .stack_free = gh_stack_free,            \
        .mem_classes = gh_mem_classes, __VA_ARGS__                                                                                         \
    }

#endif
