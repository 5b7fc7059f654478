/*
 * boehm.c — adapter for the Boehm-Demers-Weiser conservative collector
 * (bdwgc), the collected peer of goheap-gc.
 *
 * Layouts map to bdwgc's allocation kinds: no pointers -> GC_MALLOC_ATOMIC
 * (never scanned; cleared here, as the contract wants zeroed memory), every
 * word a pointer -> GC_MALLOC (scanned conservatively), anything else -> a
 * typed allocation from a bitmap descriptor (GC_make_descriptor), repeated
 * over arrays with GC_calloc_explicitly_typed. bdwgc stops the world for the
 * whole collection (it is not run incrementally here); pauses are timed from
 * its collection events, from the request to stop the world until the world
 * runs again. The mark hook (HB_CAP_MARK_HOOK) is bdwgc's start callback:
 * it runs at the start of every full collection, before the world stops,
 * with the allocation lock held (so mutators may not allocate meanwhile,
 * which the contract allows for a collector without HB_CAP_CONCURRENT).
 */
#define GC_THREADS
#include <gc/gc.h>
#include <gc/gc_mark.h>
#include <gc/gc_typed.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heapbench/adapter.h"

static const char *boehm_version(void) {
    static char v[32];
    unsigned n = GC_get_version(); /* major<<16 | minor<<8 | micro */
    snprintf(v, sizeof v, "bdwgc %u.%u.%u", n >> 16, (n >> 8) & 0xff, n & 0xff);
    return v;
}

/* ---- pauses and events, recorded from GC_set_on_collection_event ---- */
#define MAX_PAUSES 65536
#define MAX_EVENTS 65536
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t pauses[MAX_PAUSES];
static size_t npauses;
static uint64_t pause_total, pause_max, pause_start;
static hb_gc_event events[MAX_EVENTS];
static size_t nevents, events_read;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void record_event(hb_event_kind kind, uint64_t t) {
    if (nevents < MAX_EVENTS) events[nevents++] = (hb_gc_event){t, GC_get_heap_size(), kind};
}

/* Called by the collecting thread, with the allocation lock held. */
static void on_event(GC_EventType ev) {
    uint64_t t = now_ns();
    pthread_mutex_lock(&rec_lock);
    switch (ev) {
    case GC_EVENT_START: record_event(HB_EV_CYCLE_START, t); break;
    case GC_EVENT_END: record_event(HB_EV_CYCLE_END, t); break;
    case GC_EVENT_PRE_STOP_WORLD:
        pause_start = t;
        record_event(HB_EV_PAUSE_START, t);
        break;
    case GC_EVENT_POST_START_WORLD: {
        uint64_t d = t - pause_start;
        if (npauses < MAX_PAUSES) pauses[npauses++] = d;
        pause_total += d;
        if (d > pause_max) pause_max = d;
        record_event(HB_EV_PAUSE_END, t);
        break;
    }
    default: break;
    }
    pthread_mutex_unlock(&rec_lock);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void boehm_stats(hb_gc_stats *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_lock(&rec_lock);
    size_t n = npauses;
    uint64_t *sorted = malloc((n ? n : 1) * sizeof *sorted);
    memcpy(sorted, pauses, n * sizeof *sorted);
    s->pauses = n;
    s->pause_total_ns = pause_total;
    s->pause_max_ns = pause_max;
    pthread_mutex_unlock(&rec_lock);
    qsort(sorted, n, sizeof *sorted, cmp_u64);
    if (n) {
        s->pause_p50_ns = sorted[(n - 1) / 2];
        s->pause_p99_ns = sorted[(size_t)((double)(n - 1) * 0.99)];
    }
    free(sorted);
    s->cycles = GC_get_gc_no();
    s->mark_cpu_ns = pause_total; /* marking happens inside the pauses */
    s->heap_sys_bytes = GC_get_heap_size();
    s->heap_alloc_bytes = GC_get_heap_size() - GC_get_free_bytes();
    s->heap_live_bytes = GC_get_memory_use();
}

static size_t boehm_events(hb_gc_event *out, size_t max) {
    pthread_mutex_lock(&rec_lock);
    size_t n = nevents - events_read;
    if (n > max) n = max;
    memcpy(out, events + events_read, n * sizeof *out);
    events_read += n;
    pthread_mutex_unlock(&rec_lock);
    return n;
}

/* ---- allocation ---- */
typedef struct descr_slot {
    const hb_layout *key;
    GC_descr descr;
} descr_slot;
static descr_slot descr_cache[256];
static pthread_mutex_t descr_lock = PTHREAD_MUTEX_INITIALIZER;

static GC_descr descriptor(const hb_layout *l) {
    size_t h = ((uintptr_t)l >> 4) % 256;
    pthread_mutex_lock(&descr_lock);
    for (size_t i = 0; i < 256; i++) {
        descr_slot *s = &descr_cache[(h + i) % 256];
        if (s->key == l) {
            GC_descr d = s->descr;
            pthread_mutex_unlock(&descr_lock);
            return d;
        }
        if (!s->key) {
            GC_word bm[1] = {(GC_word)l->ptrmask};
            s->descr = GC_make_descriptor(bm, l->period);
            s->key = l;
            GC_descr d = s->descr;
            pthread_mutex_unlock(&descr_lock);
            return d;
        }
    }
    pthread_mutex_unlock(&descr_lock);
    GC_word bm[1] = {(GC_word)l->ptrmask}; /* table full: build it each time */
    return GC_make_descriptor(bm, l->period);
}

static void *boehm_alloc(size_t size, const hb_layout *l) {
    if (!l) {
        void *p = GC_MALLOC_ATOMIC(size);
        if (p) memset(p, 0, size);
        return p;
    }
    uint64_t all = l->period >= 64 ? ~0ull : (1ull << l->period) - 1;
    if ((l->ptrmask & all) == all) return GC_MALLOC(size);
    size_t elem = (size_t)l->period * sizeof(void *);
    if (size <= elem) return GC_malloc_explicitly_typed(elem, descriptor(l));
    return GC_calloc_explicitly_typed((size + elem - 1) / elem, elem, descriptor(l));
}

static void boehm_barrier(void **slot, void *val) { *slot = val; }

/* bdwgc removes roots by range; remember each range's end. */
#define MAX_ROOTS 1024
static struct { void *start, *end; } roots[MAX_ROOTS];
static size_t nroots;

static void boehm_root_add(void *start, size_t bytes) {
    pthread_mutex_lock(&rec_lock);
    if (nroots < MAX_ROOTS) {
        roots[nroots].start = start;
        roots[nroots].end = (char *)start + bytes;
        nroots++;
    }
    pthread_mutex_unlock(&rec_lock);
    GC_add_roots(start, (char *)start + bytes);
}

static void boehm_root_remove(void *start) {
    pthread_mutex_lock(&rec_lock);
    for (size_t i = 0; i < nroots; i++)
        if (roots[i].start == start) {
            GC_remove_roots(start, roots[i].end);
            roots[i] = roots[--nroots];
            break;
        }
    pthread_mutex_unlock(&rec_lock);
}

static void boehm_thread_attach(void) {
    struct GC_stack_base sb;
    if (GC_get_stack_base(&sb) == GC_SUCCESS) GC_register_my_thread(&sb);
}

static void boehm_thread_detach(void) { GC_unregister_my_thread(); }

static void boehm_collect(void) { GC_gcollect(); }

typedef struct fin {
    void (*fn)(void *, void *);
    void *arg;
} fin;

static void run_finalizer(void *obj, void *cd) {
    fin f = *(fin *)cd;
    free(cd);
    f.fn(obj, f.arg);
}

static void boehm_set_finalizer(void *obj, void (*fn)(void *, void *), void *arg) {
    fin *f = malloc(sizeof *f);
    f->fn = fn;
    f->arg = arg;
    GC_REGISTER_FINALIZER(obj, run_finalizer, f, NULL, NULL);
}

/* ---- the mark hook: GC_set_start_callback takes no argument ---- */
static void (*_Atomic hook_fn)(void *);
static void *_Atomic hook_arg;

static void on_start(void) {
    void (*fn)(void *) = hook_fn;
    if (fn) fn(hook_arg);
}

static void boehm_set_mark_hook(void (*fn)(void *), void *arg) {
    hook_fn = NULL;
    hook_arg = arg;
    hook_fn = fn;
    GC_set_start_callback(fn ? on_start : NULL);
}

static int boehm_init(const hb_options *opt) {
    GC_INIT();
    GC_allow_register_threads();
    GC_set_on_collection_event(on_event);
    if (opt && opt->gogc == 0) GC_disable();
    return 0;
}

static int boehm_selfcheck(char *msg, size_t len) {
    void *gc = GC_MALLOC(64);
    void *volatile m = malloc(64);
    int ok = GC_is_heap_ptr(gc) && !GC_is_heap_ptr(m);
    free(m);
    snprintf(msg, len, ok ? "GC_is_heap_ptr owns a GC_MALLOC pointer and not a malloc() one"
                          : "GC_is_heap_ptr gave the wrong ownership");
    return ok ? 0 : -1;
}

/* Memory classes from GC_get_heap_usage_safe: heap minus free (objects
 * allocated and not yet reclaimed: in use); free blocks of the heap
 * (resident: the collector keeps them for reuse, retention; it does not
 * tell free objects inside partly used blocks apart); unmapped blocks
 * (released). Metadata is not told. */
static void boehm_mem_classes(hb_mem_classes *m) {
    GC_word heap = 0, free_b = 0, unmapped = 0, since = 0, total = 0;
    GC_get_heap_usage_safe(&heap, &free_b, &unmapped, &since, &total);
    m->in_use = (int64_t)(heap - free_b);
    m->free_cached = (int64_t)free_b;
    m->released = (int64_t)unmapped;
}

static const hb_adapter adapter = {
    .name = "boehm",
    .kind = HB_COLLECTED,
    .caps = HB_CAP_THREADS | HB_CAP_INTERIOR_PTRS | HB_CAP_FINALIZERS | HB_CAP_PAUSE_EVENTS | HB_CAP_MARK_HOOK,
    .version = boehm_version,
    .init = boehm_init,
    .selfcheck = boehm_selfcheck,
    .thread_attach = boehm_thread_attach,
    .thread_detach = boehm_thread_detach,
    .gc_alloc = boehm_alloc,
    .write_barrier = boehm_barrier,
    .root_add = boehm_root_add,
    .root_remove = boehm_root_remove,
    .collect = boehm_collect,
    .gc_stats = boehm_stats,
    .mem_classes = boehm_mem_classes,
    .gc_events = boehm_events,
    .set_finalizer = boehm_set_finalizer,
    .set_mark_hook = boehm_set_mark_hook,
};
HB_ADAPTER(adapter);
