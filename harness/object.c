/*
 * object.c — the out-of-line half of the object API (heapbench/object.h):
 * binding the active adapter, and threads that the adapter knows about.
 */
#define _GNU_SOURCE
#include "heapbench/object.h"

#include <dlfcn.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const int hb_no_barrier = 0;

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
