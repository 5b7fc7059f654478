/*
 * heap/steady-growth — a bounded cache under churn: RSS must stay flat.
 *
 * Pattern: a long-running server's cache: `entries` slots, each holding a
 * value of random size; every step evicts the entry in a random slot and
 * inserts a new value there, so the live heap is constant. A healthy
 * allocator reaches a steady footprint; one that fragments without bound,
 * never reuses freed memory of another size, or leaks through per-thread
 * caches grows forever. The run first fills the cache (not timed), then
 * churns `ops` steps while sampling RSS every 1/64 of the run, and fits a
 * line through (time, RSS) over the last three quarters of the samples
 * (the first quarter is warm-up): the slope, in bytes/s, should be ~0.
 * Every page of every value is written, so RSS sees the whole live heap.
 * Origin: the "RSS over time" plots of Go's and jemalloc's fragmentation
 * studies; mimalloc-bench's users asking for memory over time.
 *
 * Parameters: entries, ops, dist (as heap/churn: 0 small, 1 medium, 2 mixed).
 * Validates: every evicted value's page words.
 * Counters: rss_slope_bytes_per_s (least squares), rss_start_bytes
 * (at the first sample after warm-up), rss_end_bytes, live_bytes.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"
#include "wl/stamp.h"
#include "wl/sys.h"

static const hb_param params[] = {
    {"entries", 50000, 500000, "slots in the cache", 1, 10000000},
    {"ops", 600000, 30000000, "evict-and-insert steps", 1, 100000000000},
    {"dist", 2, 2, "sizes: 0 small, 1 medium, 2 mixed (as heap/churn)", 0, 2},
};

#define SAMPLES 64

static void run(hb_gb_state *st, const hb_wl_args *a) {
    size_t n = (size_t)hb_param_get(a, "entries");
    uint64_t ops = (uint64_t)hb_param_get(a, "ops");
    int dist = (int)hb_param_get(a, "dist");
    if (n < 1) n = 1;
    if (ops < SAMPLES) ops = SAMPLES;
    uint64_t bad = 0, live = 0;
    double t[SAMPLES], rss[SAMPLES];
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(11);
        hb_gb_pause(st);
        void **slot = wl_ptr_array(n);
        uint32_t *size = malloc(n * sizeof *size);
        uint64_t *key = malloc(n * sizeof *key);
        for (size_t i = 0; i < n; i++) {
            size[i] = (uint32_t)wl_dist_size(&r, dist);
            key[i] = i;
            void *p = hb_new(size[i], HB_NOSCAN);
            wl_touch_pages(p, size[i], i);
            hb_store(&slot[i], p);
        }
        hb_gb_resume(st);
        uint64_t t0 = wl_now_ns(), every = ops / SAMPLES;
        size_t ns = 0;
        for (uint64_t i = 0; i < ops; i++) {
            size_t k = (size_t)wl_below(&r, n);
            void *old = hb_load(&slot[k]);
            bad += !wl_touch_pages_ok(old, size[k], key[k]);
            wl_release(&slot[k], size[k]);
            size_t sz = wl_dist_size(&r, dist);
            void *p = hb_new(sz, HB_NOSCAN);
            wl_touch_pages(p, sz, n + i);
            hb_store(&slot[k], p);
            size[k] = (uint32_t)sz;
            key[k] = n + i;
            if ((i + 1) % every == 0 && ns < SAMPLES) {
                t[ns] = (double)(wl_now_ns() - t0) / 1e9;
                rss[ns] = (double)wl_rss_bytes();
                ns++;
            }
            if ((i & 1023) == 0) hb_safepoint();
        }
        hb_gb_pause(st);
        live = 0;
        for (size_t k = 0; k < n; k++) {
            live += size[k];
            bad += !wl_touch_pages_ok(hb_load(&slot[k]), size[k], key[k]);
            wl_release(&slot[k], size[k]);
        }
        free(size);
        free(key);
        wl_ptr_array_free(slot, n);
        size_t w = ns / 4; /* the first quarter is warm-up */
        hb_gb_counter(st, "rss_slope_bytes_per_s", wl_slope(t + w, rss + w, ns - w), HB_GB_DEFAULT);
        hb_gb_counter(st, "rss_start_bytes", ns ? rss[w] : 0, HB_GB_DEFAULT);
        hb_gb_counter(st, "rss_end_bytes", ns ? rss[ns - 1] : 0, HB_GB_DEFAULT);
        hb_gb_resume(st);
    }
    if (bad) hb_wl_fail(st, "steady-growth: %llu values lost their stamp", (unsigned long long)bad);
    hb_gb_set_items_processed(st, (int64_t)(ops * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "live_bytes", (double)live, HB_GB_DEFAULT);
}

static const hb_workload heap_steady_growth = {
    .name = "heap/steady-growth",
    .category = "heap",
    .description = "A bounded cache under churn (random evict-and-insert, constant live heap), "
                   "RSS sampled over the run: reports the least-squares slope of RSS in "
                   "bytes/s, which a healthy allocator keeps near zero.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_steady_growth);
