/*
 * anatomy.c — the memory-anatomy sampler of `hb-<adapter> bench --anatomy`.
 *
 * Why: to tell a leak (live data grows) from fragmentation and retention
 * (the allocator holds freed memory), every sample puts the program's side
 * (live requested bytes, counted by the object API in anatomy mode) beside
 * the allocator's side (its own statistics, hb_adapter.mem_classes) and the
 * process's RSS, read at the same instant. docs/anatomy.md has the classes.
 *
 * It runs only in an untimed anatomy child (heapbench run --anatomy starts
 * one per cell after the timed one): a thread here would switch glibc
 * malloc into multi-threaded mode and every hb_new is counted, so nothing
 * this child measures is a timing. The timed child never starts it.
 *
 * File format (heapbench-anatomy/1), one sample a line:
 *   t_ns rss live in_use free_partial free_cached metadata released
 * t_ns: since the sampler started; bytes; -1: the library does not tell.
 */
#define _GNU_SOURCE
#include "anatomy.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heapbench/object.h"

static struct {
    FILE *out;
    const hb_adapter *ad;
    long period_ms;
    uint64_t t0;
    pthread_t thread;
    int stop;
} an;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t rss_bytes(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, res = -1;
    if (!f) return -1;
    if (fscanf(f, "%ld %ld", &size, &res) != 2) res = -1;
    fclose(f);
    return res < 0 ? -1 : (int64_t)res * sysconf(_SC_PAGESIZE);
}

static void sample(void) {
    hb_mem_classes m = {HB_MEM_UNKNOWN, HB_MEM_UNKNOWN, HB_MEM_UNKNOWN, HB_MEM_UNKNOWN, HB_MEM_UNKNOWN};
    if (an.ad->mem_classes) an.ad->mem_classes(&m);
    int64_t live = hb_anatomy_live_bytes();
    fprintf(an.out, "%llu %lld %lld %lld %lld %lld %lld %lld\n", (unsigned long long)(now_ns() - an.t0),
            (long long)rss_bytes(), (long long)(live < 0 ? 0 : live), (long long)m.in_use,
            (long long)m.free_partial, (long long)m.free_cached, (long long)m.metadata, (long long)m.released);
}

static void *sampler(void *arg) {
    (void)arg;
    struct timespec d = {an.period_ms / 1000, (an.period_ms % 1000) * 1000000L};
    while (!__atomic_load_n(&an.stop, __ATOMIC_ACQUIRE)) {
        sample();
        nanosleep(&d, NULL);
    }
    return NULL;
}

int hb_anatomy_start(const hb_adapter *ad, const char *path, long period_ms, char *err, size_t len) {
    an.out = fopen(path, "we");
    if (!an.out) return snprintf(err, len, "cannot write %s: %s", path, strerror(errno)), -1;
    an.ad = ad;
    an.period_ms = period_ms > 0 ? period_ms : 10;
    an.t0 = now_ns();
    fprintf(an.out, "# heapbench-anatomy/1 adapter=%s period_ms=%ld\n", ad->name, an.period_ms);
    fprintf(an.out, "# t_ns rss live in_use free_partial free_cached metadata released\n");
    hb_anatomy_enable();
    sample(); /* the process before the workload: the baseline of "other" */
    if (pthread_create(&an.thread, NULL, sampler, NULL) != 0) {
        fclose(an.out);
        return snprintf(err, len, "cannot start the anatomy sampler thread"), -1;
    }
    return 0;
}

int hb_anatomy_finish(void) {
    if (!an.out) return 0;
    __atomic_store_n(&an.stop, 1, __ATOMIC_RELEASE);
    pthread_join(an.thread, NULL);
    sample();
    int rc = fclose(an.out) == 0 ? 0 : -1;
    an.out = NULL;
    return rc;
}
