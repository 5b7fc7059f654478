/*
 * overhead.c — what a block costs beyond what was asked for: resident bytes
 * per small block (headers, size-class rounding, metadata) and the slack
 * usable_size reveals. Traits: good allocators differ here by design, and
 * the figures explain RSS differences seen in benchmarks.
 *
 * Sources: mimalloc-bench (memory columns); jemalloc size classes
 * (docs: "Size classes"); glibc malloc/malloc.c chunk header comments.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

static hb_cf_status small_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    enum { N = 200000 };
    size_t sizes[] = {8, 16, 24, 48, 100};
    char out[512] = "";
    size_t len = 0;
    void **p = malloc(N * sizeof *p);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        size_t rss0 = hb_cf_rss();
        for (size_t i = 0; i < N; i++) {
            p[i] = ad->malloc(sizes[s]);
            if (!p[i]) return hb_cf_fail(r, "malloc(%zu) returned NULL", sizes[s]);
            memset(p[i], 7, sizes[s]);
        }
        size_t rss1 = hb_cf_rss();
        double per = rss1 > rss0 ? (double)(rss1 - rss0) / N : 0.0;
        len += (size_t)snprintf(out + len, sizeof out - len, "%s%zu B: %.1f B", s ? ", " : "", sizes[s], per);
        for (size_t i = 0; i < N; i++) ad->free(p[i]);
    }
    free(p);
    return hb_cf_pass(r, "resident bytes per live block (200000 blocks each): %s", out);
}

static const hb_property small_prop = {
    .name = "overhead/small-blocks",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = 0,
    .summary = "resident bytes per live small block (8..100 B requests)",
    .source = "mimalloc-bench memory figures",
    .run = small_run,
};
HB_PROPERTY(small_prop);

static hb_cf_status slack_run(hb_cf_result *r) {
    const hb_adapter *ad = hb_rt.ad;
    double sum = 0, worst = 0;
    size_t worst_at = 0, n = 0;
    for (size_t sz = 1; sz <= 65536; sz += (sz < 1024 ? 1 : sz / 64)) {
        void *p = ad->malloc(sz);
        if (!p) return hb_cf_fail(r, "malloc(%zu) returned NULL", sz);
        double w = (double)(ad->usable_size(p) - sz) / (double)ad->usable_size(p);
        sum += w;
        if (w > worst && sz >= 16) worst = w, worst_at = sz;
        n++;
        ad->free(p);
    }
    return hb_cf_pass(r, "usable slack over %zu sizes 1 B .. 64 KiB: mean %.1f%% of the block, worst %.1f%% at %zu B "
                      "(>= 16 B)",
                      n, 100 * sum / (double)n, 100 * worst, worst_at);
}

static const hb_property slack_prop = {
    .name = "overhead/usable-slack",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_USABLE_SIZE,
    .summary = "internal fragmentation: the share of each block that is rounding (usable_size - requested)",
    .source = "jemalloc size classes; mimalloc bins",
    .run = slack_run,
};
HB_PROPERTY(slack_prop);
