/*
 * release.c — whether freed memory goes back to the operating system, and
 * how fast. A rule only where the adapter claims it (HB_CAP_RELEASES_MEMORY):
 * large blocks freed must leave the resident set within a stated bound —
 * half the freed bytes within 1.5 s, while the program keeps allocating a
 * little (allocators return memory on later calls: jemalloc's decay ticks,
 * tcmalloc's scavenger). For every allocator a trait reports the figures,
 * also for many small blocks, which most allocators keep.
 *
 * Sources: jemalloc opt.dirty_decay_ms docs and test/unit/decay.c; mimalloc
 * options (purge_delay); glibc M_TRIM_THRESHOLD / M_MMAP_THRESHOLD.
 * Proven by faults/never_releases.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

/* Free everything in p[0..n), then keep the allocator ticking with small
 * allocations until RSS is back below `target` or `limit_ns` passes.
 * Returns the ns it took, or 0 when it never got there; *rss_end: last RSS. */
static uint64_t free_and_wait(void **p, size_t n, size_t target, uint64_t limit_ns, size_t *rss_end) {
    const hb_adapter *ad = hb_rt.ad;
    uint64_t t0 = hb_cf_now_ns();
    for (size_t i = 0; i < n; i++) ad->free(p[i]);
    for (;;) {
        size_t rss = hb_cf_rss();
        *rss_end = rss;
        uint64_t dt = hb_cf_now_ns() - t0;
        if (rss <= target) return dt ? dt : 1;
        if (dt > limit_ns) return 0;
        for (int k = 0; k < 1000; k++) ad->free(ad->malloc(64 + (size_t)(k % 16) * 64));
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
}

enum { BIG = 32, BIGSZ = 4 << 20 };

static hb_cf_status big_run(hb_cf_result *r, int rule) {
    const hb_adapter *ad = hb_rt.ad;
    void *p[BIG];
    size_t rss0 = hb_cf_rss();
    for (int i = 0; i < BIG; i++) {
        p[i] = ad->malloc(BIGSZ);
        if (!p[i]) return hb_cf_fail(r, "malloc(%d) returned NULL", BIGSZ);
        memset(p[i], 0x3c, BIGSZ);
    }
    size_t rss1 = hb_cf_rss(), grown = rss1 > rss0 ? rss1 - rss0 : 0, rss2 = 0;
    size_t target = rss1 - grown / 2;
    uint64_t dt = free_and_wait(p, BIG, target, 1500000000ull, &rss2);
    size_t back = rss1 > rss2 ? rss1 - rss2 : 0;
    if (!dt && rule)
        return hb_cf_fail(r, "freed %d x %d MiB (RSS %zu -> %zu MiB); 1.5 s later RSS is %zu MiB: %zu of %zu MiB "
                          "returned, bound: half. The adapter claims HB_CAP_RELEASES_MEMORY",
                          BIG, BIGSZ >> 20, rss0 >> 20, rss1 >> 20, rss2 >> 20, back >> 20, grown >> 20);
    if (!dt)
        return hb_cf_pass(r, "large blocks: %zu of %zu MiB returned to the OS within 1.5 s", back >> 20, grown >> 20);
    return hb_cf_pass(r, "large blocks: %zu of %zu MiB freed went back to the OS within %.1f ms (bound: half in 1.5 s)",
                      back >> 20, grown >> 20, (double)dt / 1e6);
}

static hb_cf_status claimed_run(hb_cf_result *r) { return big_run(r, 1); }

static const hb_property claimed_prop = {
    .name = "release/large-returned",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_RELEASES_MEMORY,
    .summary = "an allocator claiming to release memory returns at least half of 128 MiB of freed 4 MiB blocks within 1.5 s",
    .source = "the adapter's HB_CAP_RELEASES_MEMORY claim; jemalloc dirty_decay_ms; glibc M_MMAP_THRESHOLD",
    .run = claimed_run,
};
HB_PROPERTY(claimed_prop);

static hb_cf_status small_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 1 << 20 };
    void **p = malloc(N * sizeof *p);
    size_t rss0 = hb_cf_rss();
    for (size_t i = 0; i < N; i++) {
        p[i] = ad->malloc(64);
        if (!p[i]) return hb_cf_fail(r, "malloc(64) returned NULL");
        memset(p[i], 1, 64);
    }
    size_t rss1 = hb_cf_rss(), grown = rss1 > rss0 ? rss1 - rss0 : 0, rss2 = 0;
    uint64_t dt = free_and_wait(p, N, rss1 - grown / 2, 500000000ull, &rss2);
    free(p);
    size_t back = rss1 > rss2 ? rss1 - rss2 : 0;
    return hb_cf_pass(r, "1M x 64 B blocks (%zu MiB resident) freed: %zu MiB (%.0f%%) back to the OS %s", grown >> 20,
                      back >> 20, grown ? 100.0 * (double)back / (double)grown : 0.0,
                      dt ? "within the bound of half in 0.5 s" : "after 0.5 s (less than half)");
}

static const hb_property small_prop = {
    .name = "release/small-blocks",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "how much of 64 MiB of freed 64-byte blocks goes back to the OS within 0.5 s",
    .source = "mimalloc-bench (rss after free); glibc malloc_trim(3)",
    .run = small_run,
};
HB_PROPERTY(small_prop);
