/*
 * object_sample.c — the object API's sampler: the figures behind
 * alloc_share and the per-call latency percentiles.
 *
 * One hb_new/hb_new_zeroed/hb_drop/hb_realloc call in N (per thread; N prime so that
 * it does not beat with a workload's own period) is timed with the cycle
 * counter (rdtsc fenced by lfence/rdtscp), minus the timer's own cost
 * measured at start (the median of fenced empty indirect calls). A call
 * during which the thread was descheduled is left out of alloc_share (not
 * out of the percentiles): one that ended on another CPU than it began,
 * or one longer than ~20 us (60000 cycles) after which the thread's count
 * of involuntary context switches had moved; and a timed call counts at
 * most ~1 ms (3M cycles), for what the guest cannot see (a virtual CPU
 * descheduled by its host). Otherwise, on a loaded machine, a thread
 * preempted inside a timed call would add its whole time slice, times N.
 * Allocator calls longer than 1 ms are a collector's stop-the-world
 * collections, whose time is in pause_total_ns. The fences also keep a
 * timed call from overlapping the work around it, so for calls of a few
 * ns the share is an upper bound. Measure alloc_share on a quiet machine.
 *
 * alloc_share (always; HB_ALLOC_SHARE=0 turns it off; N = 127): what share
 * of the process's CPU time was spent inside allocator calls. Each thread
 * sums its sampled cycles; N x the sum estimates the cycles of all its
 * calls; the CPU time is getrusage(RUSAGE_SELF), user + system, over the
 * same interval (since the previous report). CPU time on both sides: a
 * call during which the thread was descheduled is left out (below), and a
 * descheduled thread uses no CPU time. Reported per workload run as
 *
 *   alloc_share          estimated time in calls / thread time, in [0, 1]
 *   alloc_share_samples  timed calls behind it
 *   alloc_call_mean_ns   mean time of a sampled call
 *
 * A workload that allocates nothing in this process (real/: the program
 * runs as a child) reports no alloc_share. A collector's background
 * threads' CPU time counts as time outside calls; its work inside gc_alloc
 * (assists, a stop-the-world collection) as time in calls. A thread that
 * sleeps inside a call (a lock's futex) counts wall time inside the call
 * but no CPU time, so contended allocators can read high (clamped at 1).
 *
 * Latency percentiles (HB_LATENCY=1; N = 61, HB_LATENCY_EVERY=N overrides
 * both): A mean hides what a latency-sensitive program feels: the one
 * malloc in ten thousand that takes a lock, refills a span from the OS, or
 * waits for a collection. The sampled cycles are also stored, converted to
 * nanoseconds at the end of each run — the cycle counter is calibrated
 * against CLOCK_MONOTONIC over the whole interval since sampling began —
 * and reported as Google Benchmark counters:
 *
 *   alloc_p50_ns alloc_p99_ns alloc_p999_ns alloc_max_ns alloc_samples
 *   free_p50_ns  free_p99_ns  free_p999_ns  free_max_ns  free_samples
 *   realloc_p50_ns ... realloc_samples   (workloads that call hb_realloc)
 *
 * (free_* only for manual adapters: a collector's drop does nothing). Up to
 * 1M samples per kind are kept per run; later ones are counted as
 * `latency_dropped`. The fast path's cost: heapbench/object.h.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
/* The end of an interval; *cpu: the CPU it ended on (rdtscp's TSC_AUX). */
static inline uint64_t cycles_end_cpu(unsigned *cpu) {
    uint64_t t = __rdtscp(cpu);
    _mm_lfence();
    return t;
}
static inline uint64_t cycles_end(void) {
    unsigned cpu;
    return cycles_end_cpu(&cpu);
}
#else
static inline uint64_t cycles_begin(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}
#define cycles_end cycles_begin
static inline uint64_t cycles_end_cpu(unsigned *cpu) {
    *cpu = 0;
    return cycles_begin();
}
#endif

/* A timed call: the CPU it started on, so that a call during which the
 * thread was moved to another CPU (it was descheduled: the interval holds
 * another thread's time) can be left out of alloc_share. */
static inline uint64_t call_begin(unsigned *cpu) {
    cycles_end_cpu(cpu);
    return cycles_begin();
}

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

static sample_set allocs, frees, reallocs;
static unsigned every = 127;
static int share_on, percentiles_on;
static uint64_t calib_cycles, calib_ns, timer_cost;
/* A timed call counts at most this many cycles towards alloc_share: 1 ms
 * at 3 GHz (0.75-1.5 ms on common cycle-counter rates); no calibration
 * wait at start, which every hb-<name> process would pay. */
static const uint64_t share_cap = 3000000;

/* Per thread: sampled cycles and samples not yet added to the totals. */
static _Thread_local uint64_t tl_cycles, tl_samples;
static uint64_t sum_cycles, sum_samples;

static void record(sample_set *s, uint64_t c) {
    uint64_t i = __atomic_fetch_add(&s->n, 1, __ATOMIC_RELAXED);
    if (i < CAP) s->cyc[i] = c;
}

static void flush_thread(void) {
    __atomic_fetch_add(&sum_cycles, tl_cycles, __ATOMIC_RELAXED);
    __atomic_fetch_add(&sum_samples, tl_samples, __ATOMIC_RELAXED);
    tl_cycles = tl_samples = 0;
}

void hb_latency_thread_exit(void) { flush_thread(); }

int hb_latency_enabled(void) { return share_on || percentiles_on; }

/* Whether this thread was preempted since the last time it asked (its
 * involuntary context switches moved). A syscall: asked only about calls
 * longer than ~20 us, which are rare unless the thread was preempted. */
static _Thread_local long tl_nivcsw = -1;

static int preempted_since_last(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_THREAD, &ru) != 0) return 0;
    int moved = ru.ru_nivcsw != tl_nivcsw;
    tl_nivcsw = ru.ru_nivcsw;
    return moved;
}

static void account(sample_set *s, uint64_t t0, uint64_t t1, int migrated) {
    uint64_t c = t1 - t0 > timer_cost ? t1 - t0 - timer_cost : 0;
    if (percentiles_on) record(s, c); /* the latency a caller felt, whatever the cause */
    if (migrated || (c > 60000 && preempted_since_last())) return;
    tl_cycles += c < share_cap ? c : share_cap;
    if (++tl_samples >= 256) flush_thread(); /* rarely: the totals are shared */
}

/* Whether to time this call, and re-arm the countdown. A thread's first
 * call lands here (its countdown starts at 0): it is timed with chance
 * 1/N and the countdown starts at a random phase, so that the costly first
 * call of every thread (its cache being set up) is not always timed — it
 * would count N times over. */
static _Thread_local int tl_armed;

static int take_sample(void) {
    if (tl_armed) {
        hb_sample_countdown = (int)every - 1;
        return 1;
    }
    tl_armed = 1;
    unsigned r = (unsigned)(cycles_begin() % every);
    hb_sample_countdown = r ? (int)r - 1 : (int)every - 1;
    return r == 0;
}

void *hb_latency_new(size_t size, const hb_layout *layout, int zeroed) {
    if (!take_sample()) return hb_new_direct(size, layout, zeroed);
    unsigned c0, c1;
    uint64_t t0 = call_begin(&c0);
    void *p = hb_new_direct(size, layout, zeroed);
    uint64_t t1 = cycles_end_cpu(&c1);
    account(&allocs, t0, t1, c0 != c1);
    return p;
}

void hb_latency_drop(void *p, size_t size) {
    if (!take_sample()) {
        hb_drop_direct(p, size);
        return;
    }
    if (hb_rt.kind == HB_COLLECTED) { /* a no-op: it costs (about) nothing */
        tl_samples++;
        return;
    }
    unsigned c0, c1;
    uint64_t t0 = call_begin(&c0);
    hb_drop_direct(p, size);
    uint64_t t1 = cycles_end_cpu(&c1);
    account(&frees, t0, t1, c0 != c1);
}

void *hb_latency_realloc(void *p, size_t old_size, size_t size, const hb_layout *layout) {
    if (!take_sample()) return hb_realloc_direct(p, old_size, size, layout);
    unsigned c0, c1;
    uint64_t t0 = call_begin(&c0);
    void *q = hb_realloc_direct(p, old_size, size, layout);
    uint64_t t1 = cycles_end_cpu(&c1);
    account(&reallocs, t0, t1, c0 != c1);
    return q;
}

/* The timer's own cost, as a timed call sees it: an indirect call to an
 * empty function between the same fences — the median of many (the sum of
 * samples wants the typical overhead, not the least). */
__attribute__((noinline)) static void *empty_call(size_t n) {
    __asm__ volatile("" ::: "memory");
    return (void *)n;
}
static void *(*volatile empty_fn)(size_t) = empty_call;

static int cmp_u64_(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t measure_timer_cost(void) {
    static uint64_t d[2001];
    for (int i = 0; i < 2001; i++) {
        unsigned c0, c1;
        uint64_t t0 = call_begin(&c0);
        empty_fn((size_t)i);
        d[i] = cycles_end_cpu(&c1) - t0;
    }
    qsort(d, 2001, sizeof *d, cmp_u64_);
    return d[1000];
}

/* The process's CPU time (all threads, user + system), in ns. */
static uint64_t cpu_ns(void) {
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
    return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
           (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
}

static uint64_t last_cpu_ns;

static int env_off(const char *v) { return v && (!*v || !strcmp(v, "0")); }

__attribute__((constructor)) static void latency_setup(void) {
    const char *on = getenv("HB_LATENCY");
    percentiles_on = on && !env_off(on);
    share_on = !env_off(getenv("HB_ALLOC_SHARE"));
    if (percentiles_on) every = 61;
    const char *ev = getenv("HB_LATENCY_EVERY");
    if (ev && atoi(ev) > 0) every = (unsigned)atoi(ev);
    timer_cost = measure_timer_cost();
    calib_ns = mono_ns();
    last_cpu_ns = cpu_ns();
    calib_cycles = cycles_begin();
    hb_rt.latency = percentiles_on;
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

/* alloc_share over the interval since the last report (see the top). */
static void report_share(hb_gb_state *st, uint64_t cpu, double ns_per_cyc) {
    flush_thread();
    uint64_t cyc = __atomic_exchange_n(&sum_cycles, 0, __ATOMIC_RELAXED);
    uint64_t n = __atomic_exchange_n(&sum_samples, 0, __ATOMIC_RELAXED);
    uint64_t busy = cpu - last_cpu_ns;
    last_cpu_ns = cpu;
    double in_calls_ns = (double)cyc * every * ns_per_cyc;
    if (n == 0 || busy == 0) return;
    double share = in_calls_ns / (double)busy;
    hb_gb_counter(st, "alloc_share", share > 1 ? 1 : share, HB_GB_DEFAULT);
    hb_gb_counter(st, "alloc_share_samples", (double)n, HB_GB_DEFAULT);
    hb_gb_counter(st, "alloc_call_mean_ns", (double)cyc * ns_per_cyc / (double)n, HB_GB_DEFAULT);
}

void hb_latency_report(hb_gb_state *st) {
    if (!hb_latency_enabled() || hb_gb_thread_index(st) != 0) return;
    uint64_t cpu = cpu_ns(); /* before ns_per_cycle, which may spin */
    double scale = ns_per_cycle();
    if (share_on) report_share(st, cpu, scale);
    if (!percentiles_on) return;
    uint64_t dropped = report_set(st, &allocs, "alloc", scale);
    dropped += report_set(st, &frees, "free", scale);
    dropped += report_set(st, &reallocs, "realloc", scale);
    if (dropped) hb_gb_counter(st, "latency_dropped", (double)dropped, HB_GB_DEFAULT);
}
