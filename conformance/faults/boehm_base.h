/*
 * boehm_base.h — the common half of the collected faulty adapters: a small
 * adapter over bdwgc (linked into every fault executable) whose entries a
 * fault file overrides in one or two places (HB_FAULT_COLLECTED). Layouts are
 * honoured as bdwgc kinds: no pointers -> GC_MALLOC_ATOMIC (cleared), else
 * GC_MALLOC (scanned conservatively, which is safe for any layout).
 */
#ifndef HB_FAULTS_BOEHM_BASE_H
#define HB_FAULTS_BOEHM_BASE_H

#define GC_THREADS
#include <gc/gc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/adapter.h"

static const char *fault_version(void) {
    static char v[64];
    unsigned n = GC_get_version();
    snprintf(v, sizeof v, "faulty wrapper over bdwgc %u.%u.%u", n >> 16, (n >> 8) & 0xff, n & 0xff);
    return v;
}
static int fault_selfcheck(char *msg, size_t len) {
    snprintf(msg, len, "deliberately faulty collector (see its source in conformance/faults/)");
    return 0;
}
static int fb_init(const hb_options *opt) {
    (void)opt;
    GC_INIT();
    GC_allow_register_threads();
    return 0;
}
static void *fb_alloc(size_t size, const hb_layout *l) {
    if (!l) {
        void *p = GC_MALLOC_ATOMIC(size);
        if (p) memset(p, 0, size);
        return p;
    }
    return GC_MALLOC(size);
}
static void fb_barrier(void **slot, void *val) { *slot = val; }
static struct { void *start, *end; } fb_roots[256];
static void fb_root_add(void *start, size_t bytes) {
    for (int i = 0; i < 256; i++)
        if (!fb_roots[i].start) {
            fb_roots[i].start = start, fb_roots[i].end = (char *)start + bytes;
            break;
        }
    GC_add_roots(start, (char *)start + bytes);
}
static void fb_root_remove(void *start) {
    for (int i = 0; i < 256; i++)
        if (fb_roots[i].start == start) {
            GC_remove_roots(start, fb_roots[i].end);
            fb_roots[i].start = NULL;
        }
}
static void fb_attach(void) {
    struct GC_stack_base sb;
    if (GC_get_stack_base(&sb) == GC_SUCCESS) GC_register_my_thread(&sb);
}
static void fb_detach(void) { GC_unregister_my_thread(); }
static void fb_collect(void) { GC_gcollect(); }
static void fb_stats(hb_gc_stats *s) {
    memset(s, 0, sizeof *s);
    s->cycles = GC_get_gc_no();
    s->heap_sys_bytes = GC_get_heap_size();
    s->heap_alloc_bytes = GC_get_heap_size() - GC_get_free_bytes();
    s->heap_live_bytes = GC_get_memory_use();
}
typedef struct fb_fin {
    void (*fn)(void *, void *);
    void *arg;
} fb_fin;
static void fb_run_finalizer(void *obj, void *cd) {
    fb_fin f = *(fb_fin *)cd;
    free(cd);
    f.fn(obj, f.arg);
}
static void fb_set_finalizer(void *obj, void (*fn)(void *, void *), void *arg) {
    fb_fin *f = malloc(sizeof *f);
    f->fn = fn;
    f->arg = arg;
    GC_REGISTER_FINALIZER(obj, fb_run_finalizer, f, NULL, NULL);
}

#pragma GCC diagnostic ignored "-Woverride-init"
#define HB_FAULT_COLLECTED(NAME, ...)                                                                   \
    static const hb_adapter fault_adapter = {                                                           \
        .name = NAME, .kind = HB_COLLECTED,                                                             \
        .caps = HB_CAP_THREADS | HB_CAP_INTERIOR_PTRS | HB_CAP_FINALIZERS, .version = fault_version,    \
        .init = fb_init, .selfcheck = fault_selfcheck, .thread_attach = fb_attach,                      \
        .thread_detach = fb_detach, .gc_alloc = fb_alloc, .write_barrier = fb_barrier,                  \
        .root_add = fb_root_add, .root_remove = fb_root_remove, .collect = fb_collect,                  \
        .gc_stats = fb_stats, .set_finalizer = fb_set_finalizer, __VA_ARGS__};                          \
    HB_ADAPTER(fault_adapter)

#endif
