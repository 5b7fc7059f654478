/*
 * concurrent/xmalloc — producer/consumer allocation: one thread allocates,
 * another frees.
 *
 * Pattern: a work queue where requests are allocated by the thread that
 * receives them and freed by the worker that completes them. With `threads`
 * threads there are threads/2 pairs (at least one); in each pair the
 * producer allocates blocks of `min_size`–`max_size` bytes, stamps them
 * and hands them over in batches of `batch` blocks (a pointer array, itself
 * allocated by the producer and freed by the consumer) through a bounded
 * queue of `queue` blocks (queue / batch batches, at least one); the
 * consumer checks and frees them. Every free is remote. Origin: Lever and
 * Boreham's xmalloc-test (mimalloc-bench "xmalloc-test"), which hands over
 * batches of 4096. Stresses: remote-free paths (delayed free lists,
 * returning memory to the owning heap), the producer's cache draining while
 * the consumer's overfills.
 *
 * Why batches: handed over one by one, every block moved the queue's
 * indices and slot between the two threads' caches, so a pair on two CPUs
 * ran 10x (mimalloc) to 50x (glibc) slower than a pair sharing one, and
 * the time followed where the scheduler put the threads, not the
 * allocator (docs/validity.md, "concurrent/xmalloc"). A batch pays the
 * hand-off once per `batch` blocks: what is left of the gap is the blocks'
 * own memory changing caches, the remote free itself. A waiting side
 * yields (wl/ring.h), so a pair that shares a CPU takes turns.
 *
 * Parameters: threads, ops (blocks per pair), max_size, queue, min_size,
 * batch.
 * Presets: classic = mimalloc-bench's xmalloc-testN (docs/workloads.md).
 * Validates: every block's stamp at the consumer.
 * Counters, per run of the program (they say how the hand-off went, the
 * likeliest source of this workload's variance): peak_queued_blocks (the
 * most blocks waiting in one pair's queue in any run, counted in whole
 * batches: at most `queue`, or one batch), producer_waits / consumer_waits (hand-offs that found the queue full /
 * empty), same_cpu_share (of the samples taken every 1024 blocks, the share
 * where a thread and its partner last ran on the same CPU), and
 * thread_invol_ctx_switches (the pairs' threads', preemptions and yields
 * that switched).
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/ring.h"
#include "wl/rng.h"
#include "wl/stamp.h"
#include "wl/team.h"

static const hb_param params[] = {
    {"threads", 2, 8, "threads (pairs = threads / 2, at least 1)", 1, 1024},
    {"ops", 1000000, 20000000, "blocks passed per pair", 1, 100000000000},
    {"max_size", 256, 256, "largest block in bytes (smallest: 16)", 16, 16777216},
    {"queue", 16384, 65536, "blocks waiting between producer and consumer, at most (whole batches, at least one)", 1, 16777216},
    {.name = "min_size", .quick = 16, .full = 16, .help = "smallest block in bytes (at least 8)", .min = 8, .max = 16777216},
    {.name = "batch", .quick = 1024, .full = 4096, .help = "blocks per hand-off", .min = 1, .max = 16777216},
};

/* xmalloc-test -w W -t T -s S: W producer and W consumer threads, blocks of
 * S bytes in batches of 4096 through a queue of up to 100 batches, for T
 * seconds. */
static const hb_preset presets[] = {
    {"classic", "threads=2*nproc,ops=5000000,min_size=64,max_size=64,queue=409600,batch=4096",
     "xmalloc-test -w N -t 5 -s 64, N = nproc (mimalloc-bench xmalloc-testN); 5M blocks per "
     "pair instead of 5 seconds' worth",
     0},
    {NULL, NULL, NULL, 0},
};

/* Where a thread last ran, on a line of its own. */
typedef struct xm_cpu {
    int cpu __attribute__((aligned(64)));
} xm_cpu;

typedef struct xm {
    wl_ring *rings; /* one per pair */
    xm_cpu *cpu;    /* one per thread */
    uint64_t ops, batch;
    size_t min_size, max_size;
    int npairs;
    uint64_t bad;
    /* summed over threads and runs (peak: the largest) */
    uint64_t peak, waits[2], same_cpu, cpu_samples, invol;
} xm;

/* One thread's counts in one run. */
typedef struct xm_side {
    uint64_t bad, peak, waits, same_cpu, cpu_samples;
} xm_side;

static uint64_t queued(wl_ring *r) {
    return __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE) - __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
}

/* Publishes where thread i runs and compares with its partner's last. */
static void sample_cpu(xm *X, int i, xm_side *s) {
    if (!X->cpu) return;
    int me = sched_getcpu(), peer = __atomic_load_n(&X->cpu[i ^ 1].cpu, __ATOMIC_RELAXED);
    __atomic_store_n(&X->cpu[i].cpu, me, __ATOMIC_RELAXED);
    if (me < 0 || peer < 0) return;
    s->cpu_samples++;
    s->same_cpu += me == peer;
}

static uint64_t batch_len(const xm *X, uint64_t k) { return X->ops - k < X->batch ? X->ops - k : X->batch; }

/* The block's size travels in its first word; the stamp covers it. */
static void produce(xm *X, int i, xm_side *s) {
    wl_ring *ring = &X->rings[i / 2];
    wl_rng r = wl_rng_seed((uint64_t)(i / 2) + 1000);
    for (uint64_t k = 0; k < X->ops;) {
        uint64_t n = batch_len(X, k);
        void **b = wl_ptr_array(n);
        for (uint64_t j = 0; j < n; j++, k++) {
            size_t sz = (size_t)wl_range(&r, X->min_size, X->max_size);
            uint64_t *p = hb_new(sz, HB_NOSCAN);
            wl_stamp(p, sz, k);
            if (sz >= 24) p[1] = sz;
            hb_store(&b[j], p);
            if ((k & 1023) == 0) {
                hb_safepoint();
                sample_cpu(X, i, s);
            }
        }
        s->waits += queued(ring) == ring->cap;
        wl_ring_push(ring, b);
        uint64_t d = queued(ring) * X->batch;
        if (d > s->peak) s->peak = d;
    }
}

static void consume(xm *X, int i, xm_side *s) {
    wl_ring *ring = &X->rings[i / 2];
    wl_rng r = wl_rng_seed((uint64_t)(i / 2) + 1000); /* the producer's sequence */
    for (uint64_t k = 0; k < X->ops;) {
        uint64_t n = batch_len(X, k);
        s->waits += queued(ring) == 0;
        void **b = wl_ring_pop(ring);
        for (uint64_t j = 0; j < n; j++, k++) {
            size_t sz = (size_t)wl_range(&r, X->min_size, X->max_size);
            uint64_t *p = hb_load(&b[j]);
            s->bad += !wl_stamp_ok(p, sz, k) || (sz >= 24 && p[1] != sz);
            hb_drop(p, sz);
            if ((k & 1023) == 0) {
                hb_safepoint();
                sample_cpu(X, i, s);
            }
        }
        wl_ptr_array_free(b, n);
    }
}

static void *member(void *shared, int i) {
    xm *X = shared;
    xm_side s = {0};
    struct rusage r0, r1;
    int ru = getrusage(RUSAGE_THREAD, &r0);
    if (i % 2 == 0)
        produce(X, i, &s);
    else
        consume(X, i, &s);
    if (ru == 0 && getrusage(RUSAGE_THREAD, &r1) == 0)
        __atomic_fetch_add(&X->invol, (uint64_t)(r1.ru_nivcsw - r0.ru_nivcsw), __ATOMIC_RELAXED);
    __atomic_fetch_add(&X->bad, s.bad, __ATOMIC_RELAXED);
    __atomic_fetch_add(&X->waits[i % 2], s.waits, __ATOMIC_RELAXED);
    __atomic_fetch_add(&X->same_cpu, s.same_cpu, __ATOMIC_RELAXED);
    __atomic_fetch_add(&X->cpu_samples, s.cpu_samples, __ATOMIC_RELAXED);
    for (uint64_t old = __atomic_load_n(&X->peak, __ATOMIC_RELAXED); s.peak > old;)
        if (__atomic_compare_exchange_n(&X->peak, &old, s.peak, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) break;
    return NULL;
}

/* One run of the program: fresh queues (of `slots` batches) and threads. */
static void run_once(xm *X, uint64_t slots) {
    X->rings = calloc((size_t)X->npairs, sizeof *X->rings);
    for (int t = 0; X->cpu && t < 2 * X->npairs; t++) X->cpu[t].cpu = -1;
    for (int p = 0; p < X->npairs; p++)
        if (wl_ring_init(&X->rings[p], slots)) X->bad++;
    if (!X->bad && wl_team_run(2 * X->npairs, member, X)) X->bad++;
    for (int p = 0; p < X->npairs; p++) wl_ring_destroy(&X->rings[p]);
    free(X->rings);
}

static void report(hb_gb_state *st, const xm *X) {
    int64_t runs = hb_gb_iterations(st);
    hb_gb_set_items_processed(st, (int64_t)(X->ops * (uint64_t)X->npairs * (uint64_t)runs));
    hb_gb_counter(st, "peak_queued_blocks", (double)X->peak, HB_GB_DEFAULT);
    hb_gb_counter(st, "producer_waits", (double)X->waits[0], HB_GB_AVG_ITERATIONS);
    hb_gb_counter(st, "consumer_waits", (double)X->waits[1], HB_GB_AVG_ITERATIONS);
    hb_gb_counter(st, "thread_invol_ctx_switches", (double)X->invol, HB_GB_AVG_ITERATIONS);
    hb_gb_counter(st, "same_cpu_share", X->cpu_samples ? (double)X->same_cpu / (double)X->cpu_samples : 0,
                  HB_GB_DEFAULT);
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int threads = (int)hb_param_get(a, "threads");
    xm X = {.ops = (uint64_t)hb_param_get(a, "ops"), .max_size = (size_t)hb_param_get(a, "max_size")};
    uint64_t queue = (uint64_t)hb_param_get(a, "queue");
    X.npairs = threads >= 4 ? threads / 2 : 1;
    X.min_size = (size_t)hb_param_get(a, "min_size");
    if (X.min_size < 8) X.min_size = 8;
    if (X.max_size < X.min_size) X.max_size = X.min_size;
    X.batch = (uint64_t)hb_param_get(a, "batch");
    if (X.batch < 1) X.batch = 1;
    uint64_t slots = queue / X.batch ? queue / X.batch : 1;
    X.cpu = aligned_alloc(64, (size_t)(2 * X.npairs) * sizeof *X.cpu);
    while (hb_gb_keep_running(st)) run_once(&X, slots);
    free(X.cpu);
    if (X.bad) hb_wl_fail(st, "xmalloc: %llu blocks lost their stamp", (unsigned long long)X.bad);
    report(st, &X);
}

static const hb_workload concurrent_xmalloc = {
    .name = "concurrent/xmalloc",
    .category = "concurrent",
    .description = "xmalloc-test producer/consumer: producers allocate and stamp blocks, "
                   "consumers on other threads check and free them, handed over in batches "
                   "through a bounded queue; "
                   "every free is remote.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = HB_ITERATIONS_RERUNNABLE, /* runs per repetition: the preset's policy */
    .run = run,
    .presets = presets,
};
HB_WORKLOAD(concurrent_xmalloc);
