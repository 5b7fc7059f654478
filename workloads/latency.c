/*
 * latency.c — per-call allocation and free latency, sampled.
 *
 * A mean hides what a latency-sensitive program feels: the one malloc in
 * ten thousand that takes a lock, refills a span from the OS, or waits for a
 * collection. With HB_LATENCY=1 in the environment, every workload's hb_new,
 * hb_new_zeroed and hb_drop calls are sampled: one call in HB_LATENCY_EVERY
 * (default 61, prime so that it does not beat with a workload's own period)
 * is timed with the cycle counter (rdtsc fenced by lfence/rdtscp) and the
 * cycles are stored. At the end of each workload run the samples are
 * converted to nanoseconds — the cycle counter is calibrated against
 * CLOCK_MONOTONIC over the whole interval since sampling began — and
 * reported as Google Benchmark counters:
 *
 *   alloc_p50_ns alloc_p99_ns alloc_p999_ns alloc_max_ns alloc_samples
 *   free_p50_ns  free_p99_ns  free_p999_ns  free_max_ns  free_samples
 *
 * (free_* only for manual adapters: a collector's drop does nothing). Up to
 * 1M samples per kind are kept per run; later ones are counted as
 * `latency_dropped`. Disabled, the cost is one predictable branch in
 * hb_new/hb_drop (heapbench/object.h).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t cycles_begin(void) {
    _mm_lfence();
    uint64_t t = __rdtsc();
    _mm_lfence();
    return t;
}
static inline uint64_t cycles_end(void) {
    unsigned aux;
    uint64_t t = __rdtscp(&aux);
    _mm_lfence();
    return t;
}
#else
static inline uint64_t cycles_begin(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
#define cycles_end cycles_begin
#endif

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#define CAP (1u << 20)

typedef struct sample_set {
    uint64_t n; /* claimed slots; may exceed CAP (the excess is dropped) */
    uint64_t cyc[CAP];
} sample_set;

static sample_set allocs, frees;
static unsigned every = 61;
static uint64_t calib_cycles, calib_ns;
static _Thread_local unsigned countdown;

static void record(sample_set *s, uint64_t c) {
    uint64_t i = __atomic_fetch_add(&s->n, 1, __ATOMIC_RELAXED);
    if (i < CAP) s->cyc[i] = c;
}

static inline int sample_now(void) {
    if (countdown) {
        countdown--;
        return 0;
    }
    countdown = every - 1;
    return 1;
}

void *hb_latency_new(size_t size, const hb_layout *layout, int zeroed) {
    if (!sample_now()) return hb_new_direct(size, layout, zeroed);
    uint64_t t0 = cycles_begin();
    void *p = hb_new_direct(size, layout, zeroed);
    uint64_t t1 = cycles_end();
    record(&allocs, t1 - t0);
    return p;
}

void hb_latency_drop(void *p, size_t size) {
    if (hb_rt.kind == HB_COLLECTED || !sample_now()) {
        hb_drop_direct(p, size);
        return;
    }
    uint64_t t0 = cycles_begin();
    hb_drop_direct(p, size);
    uint64_t t1 = cycles_end();
    record(&frees, t1 - t0);
}

__attribute__((constructor)) static void latency_setup(void) {
    const char *on = getenv("HB_LATENCY");
    if (!on || !*on || !strcmp(on, "0")) return;
    const char *ev = getenv("HB_LATENCY_EVERY");
    if (ev && atoi(ev) > 0) every = (unsigned)atoi(ev);
    calib_ns = mono_ns();
    calib_cycles = cycles_begin();
    hb_rt.latency = 1;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Nanoseconds per cycle, measured over the interval since setup (at least
 * 20 ms, so the clock's resolution does not matter). */
static double ns_per_cycle(void) {
    uint64_t ns, cyc;
    do {
        ns = mono_ns();
        cyc = cycles_begin();
    } while (ns - calib_ns < 20000000ull);
    return cyc > calib_cycles ? (double)(ns - calib_ns) / (double)(cyc - calib_cycles) : 1.0;
}

static uint64_t report_set(hb_gb_state *st, sample_set *s, const char *kind, double scale) {
    uint64_t n = __atomic_exchange_n(&s->n, 0, __ATOMIC_RELAXED);
    uint64_t dropped = n > CAP ? n - CAP : 0;
    if (n > CAP) n = CAP;
    if (n == 0) return dropped;
    qsort(s->cyc, n, sizeof *s->cyc, cmp_u64);
    static const struct {
        const char *suffix;
        double q;
    } qs[] = {{"p50_ns", 0.50}, {"p99_ns", 0.99}, {"p999_ns", 0.999}, {"max_ns", 1.0}};
    char name[64];
    for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
        uint64_t v = s->cyc[(size_t)((double)(n - 1) * qs[i].q)];
        snprintf(name, sizeof name, "%s_%s", kind, qs[i].suffix);
        hb_gb_counter(st, name, (double)v * scale, HB_GB_DEFAULT);
    }
    snprintf(name, sizeof name, "%s_samples", kind);
    hb_gb_counter(st, name, (double)n, HB_GB_DEFAULT);
    return dropped;
}

void hb_latency_report(hb_gb_state *st) {
    if (!hb_rt.latency) return;
    double scale = ns_per_cycle();
    uint64_t dropped = report_set(st, &allocs, "alloc", scale);
    dropped += report_set(st, &frees, "free", scale);
    if (dropped) hb_gb_counter(st, "latency_dropped", (double)dropped, HB_GB_DEFAULT);
}
