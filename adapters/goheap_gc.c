/*
 * goheap_gc.c — adapter for goheap's collected mode (goheap/include/goheap/
 * gc.h): the suite's Go-style concurrent mark-sweep collector, side by side
 * with Boehm as the collected peer.
 *
 * The translation is direct: hb_layout and gh_layout have the same shape;
 * hb_store's barrier flag is goheap's gh_gc_barrier_enabled (Go's
 * writeBarrier.enabled) and the barrier is gh_gc_write_barrier (the hybrid
 * barrier); threads attach to be stopped and scanned; hb_options' gogc,
 * memlimit and torture go to the pacer. The selfcheck proves that
 * gc_alloc's pointers are goheap's and that a plain malloc() one is not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "goheap/gc.h"
#include "heapbench/adapter.h"

_Static_assert(sizeof(hb_layout) == sizeof(gh_layout), "layout shapes differ");

static const char *ghgc_version(void) {
    static char v[96];
    snprintf(v, sizeof v, "%s + concurrent GC", gh_version());
    return v;
}

static int ghgc_init(const hb_options *opt) {
    gh_gc_options o = {.gogc = -1};
    if (opt) {
        o.gogc = opt->gogc;
        o.memlimit = opt->memlimit;
        o.torture = opt->torture;
    }
    return gh_gc_init(&o);
}

static int ghgc_selfcheck(char *msg, size_t len) {
    void *p = gh_gc_alloc(64, NULL);
    void *volatile q = malloc(64);
    int mine = p && gh_gc_is_heap_ptr(p), plain = gh_gc_is_heap_ptr(q);
    free(q);
    if (!mine || plain) {
        snprintf(msg, len, "gh_gc_alloc pointer %s goheap's; malloc pointer %s", mine ? "is" : "is NOT",
                 plain ? "is too (wrong)" : "is not");
        return -1;
    }
    snprintf(msg, len, "gh_gc_alloc pointer owned by goheap's collected heap (%s); malloc() is glibc's",
             gh_version());
    return 0;
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

static const hb_adapter adapter = {
    .name = "goheap-gc",
    .kind = HB_COLLECTED,
    .caps = HB_CAP_THREADS | HB_CAP_INTERIOR_PTRS | HB_CAP_FINALIZERS | HB_CAP_GOGC | HB_CAP_MEMLIMIT |
            HB_CAP_CONCURRENT | HB_CAP_POOL | HB_CAP_STACKPOOL | HB_CAP_PAUSE_EVENTS,
    .version = ghgc_version,
    .init = ghgc_init,
    .selfcheck = ghgc_selfcheck,
    .thread_attach = gh_gc_thread_attach,
    .thread_detach = gh_gc_thread_detach,
    .gc_alloc = ghgc_alloc,
    .write_barrier = gh_gc_write_barrier,
    .barrier_flag = &gh_gc_barrier_enabled,
    .root_add = gh_gc_root_add,
    .root_remove = gh_gc_root_remove,
    .collect = gh_gc_collect,
    .safepoint = gh_gc_safepoint,
    .gc_stats = ghgc_stats,
    .gc_events = ghgc_events,
    .set_finalizer = gh_gc_set_finalizer,
    .pool_new = ghgc_pool_new,
    .pool_get = ghgc_pool_get,
    .pool_put = ghgc_pool_put,
    .pool_free = ghgc_pool_free,
    .stack_alloc = gh_stack_alloc,
    .stack_free = gh_stack_free,
};
HB_ADAPTER(adapter);
