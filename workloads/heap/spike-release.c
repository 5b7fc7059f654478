/*
 * heap/spike-release — build a big heap of small objects, free most of it,
 * and watch whether the memory goes back to the OS.
 *
 * Pattern: a request spike (a batch job, a cache warm-up, a burst of
 * connections) leaves a large heap of small objects; then most of them die
 * in random order and the program idles. A good allocator gives the memory
 * back (madvise/munmap of empty spans, a scavenger, trimming); a bad one
 * keeps the peak forever, or is stuck because a few survivors pin every
 * page. Origin: the "memory over time" question mimalloc-bench users ask
 * for (its rss reporting), Go's scavenger design, glibc's malloc_trim.
 *
 * The run: `objects` objects of 16–`max_size` bytes are allocated (timed),
 * then a random (1 - keep_permille/1000) of them are released (timed; a
 * collector is then asked for one full collection, the analogue of the
 * first cycle after the spike), then the run idles for `observe_ms` (not
 * timed), sampling RSS every 10 ms, as an idle program would. RSS is
 * measured relative to the process's RSS before its first spike (the
 * lowest pre-spike RSS seen: a later repetition starts with the previous
 * one's freed memory still resident, which its own "before" would hide —
 * every rss counter read 0 that way).
 *
 * Parameters: objects, max_size, keep_permille, observe_ms.
 * Validates: the survivors' stamps, after the observation window.
 * Counters: rss_peak_bytes (growth at the spike), rss_after_bytes (growth at
 * the end of the window), live_bytes (the survivors' bytes), rss_after_ratio
 * (rss_after_bytes / live_bytes: ~1–2 is healthy, >> 1 memory held back),
 * rss_release_ms (from the end of the release — after the collection — to
 * the first sample whose RSS growth is at most 2 x live_bytes; -1: not
 * within the window; the Go port computes it the same way).
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
    {"objects", 1000000, 10000000, "objects in the spike", 1, 30000000},
    {"max_size", 128, 128, "largest object in bytes (smallest: 16)", 16, 1048576},
    {"keep_permille", 50, 50, "survivors per thousand", 0, 1000},
    {"observe_ms", 100, 1000, "idle time after the release, sampling RSS", 0, 600000},
};

static void run(hb_gb_state *st, const hb_wl_args *a) {
    size_t n = (size_t)hb_param_get(a, "objects");
    size_t max = (size_t)hb_param_get(a, "max_size");
    uint64_t keep = (uint64_t)hb_param_get(a, "keep_permille");
    int64_t observe = hb_param_get(a, "observe_ms");
    if (max < 16) max = 16;
    static uint64_t base_min = UINT64_MAX; /* lowest pre-spike RSS of the process */
    uint64_t bad = 0, live = 0, base = 0, peak = 0, after = 0;
    int64_t release_ns = -1;
    while (hb_gb_keep_running(st)) {
        wl_rng r = wl_rng_seed(5);
        hb_gb_pause(st);
        void **slot = wl_ptr_array(n);
        uint32_t *size = malloc(n * sizeof *size);
        for (size_t i = 0; i < n; i++) size[i] = (uint32_t)wl_range(&r, 16, max);
        base = wl_rss_bytes();
        if (base < base_min) base_min = base;
        base = base_min;
        hb_gb_resume(st);
        for (size_t i = 0; i < n; i++) {
            void *p = hb_new(size[i], HB_NOSCAN);
            wl_stamp(p, size[i], i);
            hb_store(&slot[i], p);
            if ((i & 4095) == 0) hb_safepoint();
        }
        peak = wl_rss_bytes();
        live = 0;
        for (size_t i = 0; i < n; i++) {
            if (wl_below(&r, 1000) < keep) {
                live += size[i];
                continue;
            }
            bad += !wl_stamp_ok(hb_load(&slot[i]), size[i], i);
            wl_release(&slot[i], size[i]);
            if ((i & 4095) == 0) hb_safepoint();
        }
        hb_collect();
        hb_gb_pause(st);
        uint64_t t0 = wl_now_ns();
        release_ns = -1;
        do {
            wl_sleep_ms(10);
            uint64_t rss = wl_rss_bytes();
            if (rss > peak) peak = rss;
            after = rss;
            if (release_ns < 0 && rss <= base + 2 * live) release_ns = (int64_t)(wl_now_ns() - t0);
        } while (wl_now_ns() - t0 < (uint64_t)observe * 1000000ull);
        for (size_t i = 0; i < n; i++) {
            void *p = hb_load(&slot[i]);
            if (!p) continue;
            bad += !wl_stamp_ok(p, size[i], i);
            wl_release(&slot[i], size[i]);
        }
        free(size);
        wl_ptr_array_free(slot, n);
        hb_gb_resume(st);
    }
    if (bad) hb_wl_fail(st, "spike-release: %llu objects lost their stamp", (unsigned long long)bad);
    double peak_g = peak > base ? (double)(peak - base) : 0, after_g = after > base ? (double)(after - base) : 0;
    hb_gb_set_items_processed(st, (int64_t)(n * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "rss_peak_bytes", peak_g, HB_GB_DEFAULT);
    hb_gb_counter(st, "rss_after_bytes", after_g, HB_GB_DEFAULT);
    hb_gb_counter(st, "live_bytes", (double)live, HB_GB_DEFAULT);
    hb_gb_counter(st, "rss_after_ratio", live ? after_g / (double)live : 0, HB_GB_DEFAULT);
    hb_gb_counter(st, "rss_release_ms", release_ns < 0 ? -1.0 : (double)release_ns / 1e6, HB_GB_DEFAULT);
}

static const hb_workload heap_spike_release = {
    .name = "heap/spike-release",
    .category = "heap",
    .description = "A spike of small objects, most of them then freed at random, and an idle "
                   "window sampling RSS: does the memory go back to the OS? Reports peak and "
                   "after-release RSS growth and their ratio to the survivors' bytes.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_spike_release);
