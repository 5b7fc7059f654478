/*
 * object.c — the out-of-line half of the object API (heapbench/object.h):
 * binding the active adapter, threads that the adapter knows about, and
 * the sampled calls' slow path (the sampler itself is object_sample.c) and
 * a collector's resize.
 */
#define _GNU_SOURCE
#include "heapbench/object.h"

#include <dlfcn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const int hb_no_barrier = 0;

_Thread_local int hb_sample_countdown;

/* Anatomy mode: every call takes the slow path and is counted there. */
static int anatomy_on;
static int64_t anatomy_live;

void hb_anatomy_enable(void) {
    __atomic_store_n(&anatomy_on, 1, __ATOMIC_RELAXED);
    hb_sample_countdown = 0;
}

int64_t hb_anatomy_live_bytes(void) { return __atomic_load_n(&anatomy_live, __ATOMIC_RELAXED); }

/* Sampling off (or the sampler not linked): no slow path for ~2^31 calls. */
static int sampling_on(void) {
    if (hb_latency_enabled && hb_latency_enabled()) return 1;
    hb_sample_countdown = __INT_MAX__;
    return 0;
}

void *hb_sample_new(size_t size, const hb_layout *layout, int zeroed) {
    if (__atomic_load_n(&anatomy_on, __ATOMIC_RELAXED)) {
        hb_sample_countdown = 0;
        void *p = hb_new_direct(size, layout, zeroed);
        if (p) __atomic_add_fetch(&anatomy_live, (int64_t)size, __ATOMIC_RELAXED);
        return p;
    }
    if (sampling_on()) return hb_latency_new(size, layout, zeroed);
    return hb_new_direct(size, layout, zeroed);
}

void hb_sample_drop(void *p, size_t size) {
    if (__atomic_load_n(&anatomy_on, __ATOMIC_RELAXED)) {
        hb_sample_countdown = 0;
        if (p) __atomic_sub_fetch(&anatomy_live, (int64_t)size, __ATOMIC_RELAXED);
        hb_drop_direct(p, size);
        return;
    }
    if (sampling_on()) hb_latency_drop(p, size);
    else hb_drop_direct(p, size);
}

void *hb_sample_realloc(void *p, size_t old_size, size_t size, const hb_layout *layout) {
    if (__atomic_load_n(&anatomy_on, __ATOMIC_RELAXED)) {
        hb_sample_countdown = 0;
        void *q = hb_realloc_direct(p, old_size, size, layout);
        int64_t grew = (int64_t)size - (int64_t)(p ? old_size : 0);
        if (q) __atomic_add_fetch(&anatomy_live, grew, __ATOMIC_RELAXED);
        return q;
    }
    if (sampling_on()) return hb_latency_realloc(p, old_size, size, layout);
    return hb_realloc_direct(p, old_size, size, layout);
}

void hb_drop_resized(void *p, size_t size) {
    if (p && __atomic_load_n(&anatomy_on, __ATOMIC_RELAXED))
        __atomic_sub_fetch(&anatomy_live, (int64_t)size, __ATOMIC_RELAXED);
    if (hb_rt.kind != HB_COLLECTED) hb_rt.ad->free(p);
}

/* The copy's pointer words are stored again through hb_store, so that a
 * collector marking right now sees them (as Go's typedmemmove does). */
void *hb_gc_realloc(void *p, size_t old_size, size_t size, const hb_layout *layout) {
    void **q = hb_rt.ad->gc_alloc(size, layout);
    if (!q || !p) return q;
    size_t keep = old_size < size ? old_size : size;
    memcpy(q, p, keep);
    for (size_t i = 0; layout && i < keep / sizeof *q; i++)
        if (layout->ptrmask >> (i % layout->period) & 1) hb_store(&q[i], q[i]);
    return q;
}

hb_runtime hb_rt = {.barrier_flag = &hb_no_barrier};

const char *hb_kind_name(hb_kind k) { return k == HB_COLLECTED ? "collected" : "manual"; }

int hb_object_init(const hb_adapter *ad, const hb_options *opt) {
    hb_rt.ad = ad;
    hb_rt.kind = ad->kind;
    hb_rt.barrier_flag = ad->barrier_flag ? ad->barrier_flag : &hb_no_barrier;
    return ad->init ? ad->init(opt) : 0;
}

typedef struct thread_start {
    void *(*fn)(void *);
    void *arg;
} thread_start;

static void *thread_main(void *p) {
    thread_start ts = *(thread_start *)p;
    free(p);
    if (hb_rt.ad->thread_attach) hb_rt.ad->thread_attach();
    void *ret = ts.fn(ts.arg);
    if (hb_rt.ad->thread_detach) hb_rt.ad->thread_detach();
    if (hb_latency_thread_exit) hb_latency_thread_exit();
    return ret;
}

int hb_thread_start(pthread_t *t, void *(*fn)(void *), void *arg) {
    thread_start *ts = malloc(sizeof *ts);
    if (!ts) return -1;
    ts->fn = fn;
    ts->arg = arg;
    int rc = pthread_create(t, NULL, thread_main, ts);
    if (rc != 0) free(ts);
    return rc;
}

void *hb_thread_join(pthread_t t) {
    void *ret = NULL;
    pthread_join(t, &ret);
    return ret;
}

int hb_adapter_preload(const hb_adapter *ad, char *buf, size_t len) {
    if (!ad->preload) return 0;
    if (strncmp(ad->preload, "./", 2) != 0) {
        snprintf(buf, len, "%s", ad->preload);
        return 1;
    }
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return 0;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash) *slash = '\0';
    snprintf(buf, len, "%s/%s", exe, ad->preload + 2);
    return 1;
}

const char *hb_symbol_library(void *fn, char *buf, size_t len) {
    Dl_info info;
    if (len) buf[0] = '\0';
    if (dladdr(fn, &info) && info.dli_fname) snprintf(buf, len, "%s", info.dli_fname);
    return buf;
}
