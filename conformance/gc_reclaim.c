/*
 * gc_reclaim.c — the second duty of a collector: what is unreachable goes.
 * Unreachable objects and unreachable cycles are reclaimed within two
 * cycles; a pointer-looking word inside a pointer-free (HB_NOSCAN) object
 * keeps nothing alive; finalizers run once, and only after unreachability;
 * the heap stays bounded under steady churn; gc_stats counts cycles.
 *
 * Reclamation is measured through finalizers where the collector has them,
 * else through gc_stats' live bytes. Conservative collectors (Boehm) may keep
 * a few dead objects alive through a stray word, so garbage is built on a
 * helper thread that exits, and the bound is a fraction: at least 90% of
 * the objects reclaimed within two collect() calls.
 *
 * Sources: bdwgc tests/gctest.c (finalization, GC_MALLOC_ATOMIC), Go
 * runtime/mfinal_test.go, runtime/gc_test.go (TestGcSys). Proven by
 * faults/gc_alloc_log.c, faults/gc_cycle_leak.c, faults/gc_scans_noscan.c,
 * faults/gc_finalizer_twice.c, faults/gc_finalizer_early.c,
 * faults/gc_no_collect.c, faults/gc_stale_stats.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gc_support.h"

#define BOUND 0.90

typedef struct job {
    int n;
    size_t size;
    _Atomic int *count; /* per object, or NULL */
    void *extra;
} job;

/* Measure how much of what `build` makes (on a helper thread, unreachable
 * once it returns unless it stores into job->extra) is reclaimed within two
 * cycles. Returns the fraction, and *how says by what means. */
static double reclaimed(void *(*build)(void *), job *j, const char **how) {
    if (hb_has(HB_CAP_FINALIZERS)) {
        gc_on_helper(build, j);
        gc_two_cycles();
        int twice;
        *how = "finalizers";
        return (double)gc_count_ran(j->count, (size_t)j->n, &twice) / j->n;
    }
    hb_gc_stats s0, s1;
    gc_two_cycles();
    hb_rt.ad->gc_stats(&s0);
    gc_on_helper(build, j);
    gc_two_cycles();
    hb_rt.ad->gc_stats(&s1);
    *how = "gc_stats live bytes";
    double grew = s1.heap_live_bytes > s0.heap_live_bytes ? (double)(s1.heap_live_bytes - s0.heap_live_bytes) : 0;
    double made = (double)j->n * (double)j->size;
    return grew >= made ? 0.0 : 1.0 - grew / made;
}

static void maybe_finalize(job *j, void *obj, int i) {
    if (j->count && hb_has(HB_CAP_FINALIZERS)) hb_rt.ad->set_finalizer(obj, gc_count_finalizer, &j->count[i]);
}

static job *new_job(int n, size_t size) {
    job *j = calloc(1, sizeof *j);
    j->n = n;
    j->size = size;
    j->count = calloc((size_t)n, sizeof *j->count);
    return j;
}

/* ---- plain unreachable objects ---- */
static void *build_loose(void *arg) {
    job *j = arg;
    for (int i = 0; i < j->n; i++) {
        uint64_t *o = hb_new(j->size, i % 2 ? HB_NOSCAN : &(const hb_layout){1, 1});
        o[0] = (uint64_t)i;
        maybe_finalize(j, o, i);
    }
    return NULL;
}

static hb_cf_status unreachable_run(hb_cf_result *r) {
    job *j = new_job(20000, 128);
    const char *how;
    double f = reclaimed(build_loose, j, &how);
    if (f < BOUND)
        return hb_cf_fail(r, "%.1f%% of %d unreachable 128-byte objects reclaimed within two cycles (by %s); "
                          "bound %.0f%%",
                          100 * f, j->n, how, 100 * BOUND);
    return hb_cf_pass(r, "%.1f%% of %d unreachable objects reclaimed within two cycles (by %s; bound %.0f%%)", 100 * f,
                      j->n, how, 100 * BOUND);
}

static const hb_property unreachable_prop = {
    .name = "gc/unreachable-reclaimed",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "at least 90% of 20000 unreachable objects are reclaimed within two cycles",
    .source = "bdwgc tests/gctest.c; Go runtime/gc_test.go",
    .run = unreachable_run,
};
HB_PROPERTY(unreachable_prop);

/* ---- unreachable cycles: rings of 2..9 nodes, each with a witness ---- */
static const hb_layout ring_layout = {2, 0x3}; /* [next][witness] */

static void *build_rings(void *arg) {
    job *j = arg;
    for (int i = 0; i < j->n; i++) {
        uint64_t *w = hb_new(j->size, HB_NOSCAN); /* the witness: reachable only from its ring */
        w[0] = (uint64_t)i;
        maybe_finalize(j, w, i);
        int len = 2 + i % 8;
        void **first = hb_new(2 * sizeof(void *), &ring_layout), **prev = first;
        hb_store(&first[1], w);
        for (int k = 1; k < len; k++) {
            void **x = hb_new(2 * sizeof(void *), &ring_layout);
            hb_store(&x[1], w);
            hb_store(&prev[0], x);
            prev = x;
        }
        hb_store(&prev[0], first); /* close the ring */
    }
    return NULL;
}

static hb_cf_status cycles_run(hb_cf_result *r) {
    job *j = new_job(4000, 256);
    const char *how;
    double f = reclaimed(build_rings, j, &how);
    if (f < BOUND)
        return hb_cf_fail(r, "%.1f%% of %d unreachable rings (2..9 nodes) reclaimed within two cycles (by %s, "
                          "through a witness object only the ring points to); bound %.0f%%",
                          100 * f, j->n, how, 100 * BOUND);
    return hb_cf_pass(r, "%.1f%% of %d unreachable rings of 2..9 nodes reclaimed within two cycles (by %s; bound "
                      "%.0f%%)",
                      100 * f, j->n, how, 100 * BOUND);
}

static const hb_property cycles_prop = {
    .name = "gc/cycles-reclaimed",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "unreachable cycles are reclaimed within two cycles (what reference counting cannot do)",
    .source = "bdwgc tests/gctest.c (cyclic structures); Go: tracing collects cycles",
    .run = cycles_run,
};
HB_PROPERTY(cycles_prop);

/* ---- noscan objects are not scanned ---- */
static void *build_noscan(void *arg) {
    job *j = arg;
    void **holder = j->extra; /* a rooted pointer to a pointer-free buffer */
    void **buf = *holder;
    for (int i = 0; i < j->n; i++) {
        uint64_t *o = hb_new(j->size, HB_NOSCAN);
        o[0] = (uint64_t)i;
        maybe_finalize(j, o, i);
        buf[i] = o; /* a perfect pointer, in memory declared pointer-free */
    }
    return NULL;
}

static hb_cf_status noscan_run(hb_cf_result *r) {
    job *j = new_job(4000, 256);
    void **holder = calloc(1, sizeof *holder);
    hb_root_add(holder, sizeof *holder);
    hb_store(holder, hb_new((size_t)j->n * sizeof(void *), HB_NOSCAN));
    j->extra = holder;
    const char *how;
    double f = reclaimed(build_noscan, j, &how);
    void **buf = *holder; /* still alive and intact */
    if (!buf) return hb_cf_fail(r, "the rooted buffer vanished");
    if (f < BOUND)
        return hb_cf_fail(r, "only %.1f%% of %d objects whose sole references sit in a live HB_NOSCAN buffer were "
                          "reclaimed within two cycles (by %s): pointer-free memory is being scanned; bound %.0f%%",
                          100 * f, j->n, how, 100 * BOUND);
    hb_root_remove(holder);
    return hb_cf_pass(r, "%.1f%% of %d objects referenced only from a live pointer-free buffer were reclaimed (by %s)",
                      100 * f, j->n, how);
}

static const hb_property noscan_prop = {
    .name = "gc/noscan-not-scanned",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "pointers stored in a live HB_NOSCAN object keep nothing alive (pointer-free objects are never scanned)",
    .source = "bdwgc GC_MALLOC_ATOMIC; Go noscan spans",
    .run = noscan_run,
};
HB_PROPERTY(noscan_prop);

/* ---- finalizers: once, and not early ---- */
static hb_cf_status once_run(hb_cf_result *r) {
    job *j = new_job(5000, 64);
    gc_on_helper(build_loose, j);
    for (int c = 0; c < 3; c++) gc_two_cycles();
    int twice, ran = gc_count_ran(j->count, (size_t)j->n, &twice);
    if (twice) {
        for (int i = 0; i < j->n; i++)
            if (j->count[i] > 1)
                return hb_cf_fail(r, "%d of %d finalizers ran more than once (object #%d: %d times) over 6 cycles",
                                  twice, j->n, i, (int)j->count[i]);
    }
    if ((double)ran / j->n < BOUND)
        return hb_cf_fail(r, "only %d of %d finalizers of unreachable objects ran within 6 cycles", ran, j->n);
    return hb_cf_pass(r, "%d of %d finalizers ran, each exactly once, over 6 cycles", ran, j->n);
}

static const hb_property once_prop = {
    .name = "gc/finalizer-once",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_FINALIZERS,
    .summary = "the finalizer of an unreachable object runs, and runs exactly once",
    .source = "bdwgc GC_register_finalizer docs; Go runtime.SetFinalizer; mfinal_test.go",
    .run = once_run,
};
HB_PROPERTY(once_prop);

static void *build_held(void *arg) {
    job *j = arg;
    uint64_t **held = j->extra;
    for (int i = 0; i < j->n; i++) {
        uint64_t *o = hb_new(j->size, HB_NOSCAN);
        for (size_t k = 0; k < j->size / 8; k++) o[k] = (uint64_t)i * 131 + k;
        maybe_finalize(j, o, i);
        hb_store(&held[i], o);
    }
    return NULL;
}

static hb_cf_status early_run(hb_cf_result *r) {
    job *j = new_job(3000, 64);
    uint64_t **held = calloc((size_t)j->n, sizeof *held);
    hb_root_add(held, (size_t)j->n * sizeof *held);
    j->extra = held;
    gc_on_helper(build_held, j);
    for (int c = 0; c < 4; c++) {
        for (int k = 0; k < 4000; k++) (void)hb_new(256, HB_NOSCAN);
        gc_two_cycles();
    }
    int twice, ran = gc_count_ran(j->count, (size_t)j->n, &twice);
    if (ran)
        return hb_cf_fail(r, "%d of %d finalizers ran while their objects were still reachable from a root", ran, j->n);
    for (int i = 0; i < j->n; i++)
        for (size_t k = 0; k < j->size / 8; k++)
            if (held[i][k] != (uint64_t)i * 131 + k)
                return hb_cf_fail(r, "finalizable object %p changed while reachable (word %zu)", (void *)held[i], k);
    /* now drop them: the finalizers become due */
    memset(held, 0, (size_t)j->n * sizeof *held);
    gc_two_cycles();
    gc_two_cycles();
    ran = gc_count_ran(j->count, (size_t)j->n, &twice);
    hb_root_remove(held);
    return hb_cf_pass(r, "no finalizer of %d reachable objects ran over 8 cycles; after dropping them %d ran", j->n, ran);
}

static const hb_property early_prop = {
    .name = "gc/finalizer-not-early",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_FINALIZERS,
    .summary = "no finalizer runs while its object is still reachable",
    .source = "bdwgc GC_register_finalizer docs; Go runtime.SetFinalizer",
    .run = early_run,
};
HB_PROPERTY(early_prop);

/* ---- heap bounded under churn ---- */
static hb_cf_status bounded_run(hb_cf_result *r) {
    enum { LIVE = 4096 };
    void **live = calloc(LIVE, sizeof *live);
    hb_root_add(live, LIVE * sizeof *live);
    for (int i = 0; i < LIVE; i++) hb_store(&live[i], hb_new(1024, HB_NOSCAN)); /* 4 MiB live */
    size_t rss0 = hb_cf_rss(), peak = rss0, churn = 0;
    uint64_t rng = 1;
    for (int i = 0; i < 600000; i++) {
        size_t sz = 64 + hb_cf_rand(&rng) % 960;
        void *o = hb_new(sz, HB_NOSCAN);
        churn += sz;
        if (i % 8 == 0) hb_store(&live[hb_cf_rand(&rng) % LIVE], o); /* replace a live one: steady state */
        if (i % 20000 == 0) {
            size_t rss = hb_cf_rss();
            if (rss > peak) peak = rss;
        }
    }
    hb_root_remove(live);
    size_t growth = peak > rss0 ? peak - rss0 : 0;
    const size_t bound = 96u << 20;
    if (growth > bound)
        return hb_cf_fail(r, "RSS grew by %zu MiB while allocating %zu MiB with ~4 MiB live: the heap grows without "
                          "bound (bound %zu MiB)",
                          growth >> 20, churn >> 20, bound >> 20);
    return hb_cf_pass(r, "~4 MiB live, %zu MiB allocated: peak RSS +%zu MiB (bound %zu MiB)", churn >> 20, growth >> 20,
                      bound >> 20);
}

static const hb_property bounded_prop = {
    .name = "gc/heap-bounded",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "under steady churn with a small live set the heap stays bounded (the collector runs by itself)",
    .source = "Go runtime/gc_test.go TestGcSys; bdwgc GC_free_space_divisor",
    .run = bounded_run,
};
HB_PROPERTY(bounded_prop);

/* ---- statistics ---- */
static hb_cf_status stats_run(hb_cf_result *r) {
    hb_gc_stats a, b;
    for (int i = 0; i < 5; i++) {
        hb_rt.ad->gc_stats(&a);
        for (int k = 0; k < 1000; k++) (void)hb_new(64, HB_NOSCAN);
        hb_collect();
        hb_rt.ad->gc_stats(&b);
        if (b.cycles <= a.cycles)
            return hb_cf_fail(r, "collect() did not advance gc_stats.cycles (%llu -> %llu)",
                              (unsigned long long)a.cycles, (unsigned long long)b.cycles);
        if (b.heap_sys_bytes && b.heap_live_bytes > b.heap_sys_bytes)
            return hb_cf_fail(r, "heap_live_bytes %llu > heap_sys_bytes %llu", (unsigned long long)b.heap_live_bytes,
                              (unsigned long long)b.heap_sys_bytes);
    }
    return hb_cf_pass(r, "each collect() advanced cycles (now %llu); live %llu <= sys %llu bytes",
                      (unsigned long long)b.cycles, (unsigned long long)b.heap_live_bytes,
                      (unsigned long long)b.heap_sys_bytes);
}

static const hb_property stats_prop = {
    .name = "gc/stats-cycles",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "gc_stats counts every collect() as a cycle and reports live <= obtained from the OS",
    .source = "the adapter contract (hb_gc_stats); Go runtime/metrics /gc/cycles/total",
    .run = stats_run,
};
HB_PROPERTY(stats_prop);

/* ---- pacer goal ---- */
static hb_cf_status pacer_run(hb_cf_result *r) {
    enum { LIVE = 8192 };
    void **live = calloc(LIVE, sizeof *live);
    hb_root_add(live, LIVE * sizeof *live);
    for (int i = 0; i < LIVE; i++) hb_store(&live[i], hb_new(1024, HB_NOSCAN));
    hb_collect();
    double worst = 0;
    hb_gc_stats s = {0};
    for (int i = 0; i < 400000; i++) {
        hb_new(256, HB_NOSCAN);
        if (i % 4000 == 3999) {
            hb_rt.ad->gc_stats(&s);
            if (s.heap_goal_bytes) {
                double ratio = (double)s.heap_alloc_bytes / (double)s.heap_goal_bytes;
                if (ratio > worst) worst = ratio;
            }
        }
    }
    hb_root_remove(live);
    if (!s.heap_goal_bytes) return hb_cf_fail(r, "gc_stats reports no heap goal although the adapter claims GOGC");
    if (worst > 1.25)
        return hb_cf_fail(r, "heap_alloc reached %.2fx the pacer's goal in steady state (goal %llu B); bound 1.25x",
                          worst, (unsigned long long)s.heap_goal_bytes);
    return hb_cf_pass(r, "steady state: heap_alloc at most %.2fx the goal (%llu B); bound 1.25x", worst,
                      (unsigned long long)s.heap_goal_bytes);
}

static const hb_property pacer_prop = {
    .name = "gc/pacer-goal",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_GOGC,
    .summary = "in steady state the heap stays within 1.25x of the pacer's goal",
    .source = "Go runtime/mgcpacer.go; GOGC docs",
    .run = pacer_run,
};
HB_PROPERTY(pacer_prop);
