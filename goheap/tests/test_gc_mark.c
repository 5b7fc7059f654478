/* test_gc_mark — the mark phase's scanning, assists and stops (mgcmark.c,
 * stw.c):
 *
 *   1. precise scanning by layout: objects of many periods and sizes (up to
 *      64 words scanned from the repeated mask, longer ones period by
 *      period, large ones, mixed layouts in one span) keep exactly what
 *      their pointer words hold; what only a non-pointer word holds dies;
 *   2. assists do real work: a mutator building and dropping binary trees
 *      next to a long-lived one pays part of the marking itself, at least
 *      4 % of the mark CPU (the drain hands the older half of its buffer to
 *      the global list: before, it kept a depth-first scan's few grey
 *      objects to itself and assists found nothing — 0.7 % here, 1.6 % on
 *      binary-trees; now 13-43 % here);
 *   3. the stopper does not spin on the CPU of the mutator it waits for:
 *      every thread pinned to one CPU, a stop that the mutator's poll did
 *      not end within the cooperative window waited out the whole spin
 *      (~330 us, every such stop) before the mutator could run and
 *      acknowledge; the median stop must stay under 200 us. Skipped, like
 *      test_gc_stop, at a load average of four times the CPUs
 *      (GH_TEST_IGNORE_LOAD=1 runs it anyway).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cpu_probe.h"
#include "gc_util.h"
#include "goheap/gc.h"

#define MAGIC 0x5eed5eedull

static void clobber_stack(void) {
    volatile uintptr_t junk[2048];
    for (int i = 0; i < 2048; i++) junk[i] = 0;
    (void)junk;
}

/* 1. Every word i of an n-word object whose period-p mask has bit i % p
 * set points to a target (must survive); every other word to a decoy
 * (must die: no pointer word holds it). Returns the decoys still alive. */
enum { NCONT = 64 };
static void **containers[NCONT];
static uintptr_t targets[NCONT][48], decoys[NCONT][48];
static int ntargets[NCONT], ndecoys[NCONT];

static __attribute__((noinline)) void fill(int c, size_t words, const gh_layout *l) {
    void **o = gh_gc_alloc(words * sizeof(void *), l);
    CHECK(o);
    containers[c] = o;
    ntargets[c] = ndecoys[c] = 0;
    /* a spread of words: the first ones, both sides of word 64, the last */
    for (size_t i = 0; i < words; i++) {
        int edge = i < 8 || (i + 8 > 64 && i < 72) || i + 8 >= words;
        if (!edge && i % 17) continue;
        int is_ptr = (l->ptrmask >> (i % l->period)) & 1;
        if ((is_ptr ? ntargets[c] : ndecoys[c]) == 48) continue;
        static const gh_layout word1 = {1, 1};
        uint64_t *t = gh_gc_alloc(32, &word1); /* scannable: not the tiny allocator */
        CHECK(t);
        t[1] = MAGIC ^ (uintptr_t)t;
        gc_store(&o[i], t);
        if (is_ptr) targets[c][ntargets[c]++] = HIDE(t);
        else decoys[c][ndecoys[c]++] = HIDE(t);
    }
}

static void check_layouts(void) {
    static const unsigned periods[] = {1, 2, 3, 5, 7, 13, 64};
    static const size_t sizes[] = {3, 6, 40, 63, 64, 65, 130, 5000}; /* words; 5000: a large object */
    static gh_layout layouts[sizeof periods / sizeof *periods];
    gh_gc_root_add(containers, sizeof containers);
    int c = 0;
    for (size_t pi = 0; pi < sizeof periods / sizeof *periods; pi++) {
        unsigned p = periods[pi];
        /* pointer words: the last of the period, and the middle one */
        layouts[pi] = (gh_layout){p, ((uint64_t)1 << (p - 1)) | ((uint64_t)1 << (p / 2))};
        for (size_t si = 0; si < sizeof sizes / sizeof *sizes && c < NCONT; si++) fill(c++, sizes[si], &layouts[pi]);
    }
    clobber_stack();
    gh_gc_collect();
    gh_gc_collect();
    size_t dead_decoys = 0, all_decoys = 0;
    for (int k = 0; k < c; k++) {
        for (int i = 0; i < ntargets[k]; i++) {
            uint64_t *t = UNHIDE(targets[k][i]);
            CHECKF(gh_gc_is_allocated(t) && t[1] == (MAGIC ^ (uintptr_t)t),
                   "container %d (period %u): target %d, held by a pointer word, was freed", k, layouts[k / 8].period, i);
        }
        for (int i = 0; i < ndecoys[k]; i++) dead_decoys += !gh_gc_is_allocated(UNHIDE(decoys[k][i]));
        all_decoys += (size_t)ndecoys[k];
    }
    /* conservative stacks may retain a few via stale words */
    CHECKF(dead_decoys + all_decoys / 100 + 4 >= all_decoys, "%zu of %zu objects held only by non-pointer words survived",
           all_decoys - dead_decoys, all_decoys);
    memset(containers, 0, sizeof containers);
    fprintf(stderr, "layouts: %d containers, %zu decoys, %zu reclaimed\n", c, all_decoys, dead_decoys);
}

/* 2. binary trees */
typedef struct node {
    struct node *left, *right;
    uint64_t value;
} node;
static const gh_layout node_layout = {3, 0x3};

static node *make(int depth) {
    node *n = gh_gc_alloc(sizeof(node), &node_layout);
    CHECK(n);
    n->value = (uint64_t)depth;
    if (depth > 0) {
        gc_store(&n->left, make(depth - 1));
        gc_store(&n->right, make(depth - 1));
    }
    return n;
}

static uint64_t count(node *n) { return n ? 1 + count(gc_load(&n->left)) + count(gc_load(&n->right)) : 0; }

static void check_assists(void) {
    static node *root;
    gh_gc_root_add(&root, sizeof root);
    root = make(18);
    gh_gc_stats a, b;
    gh_gc_stats_read(&a);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (;;) {
        node *t = make(12);
        CHECK(count(t) == (1u << 13) - 1);
        gh_gc_stats_read(&b);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (b.cycles - a.cycles >= 40 || t1.tv_sec - t0.tv_sec > 60) break;
    }
    CHECK(count(root) == (1u << 19) - 1);
    uint64_t mark = b.mark_cpu_ns - a.mark_cpu_ns, assist = b.assist_ns - a.assist_ns;
    fprintf(stderr, "assists: %llu cycles, mark CPU %.1f ms, of which assists %.1f ms (%.1f %%)\n",
            (unsigned long long)(b.cycles - a.cycles), (double)mark / 1e6, (double)assist / 1e6,
            mark ? 100.0 * (double)assist / (double)mark : 0.0);
    CHECK(b.cycles - a.cycles >= 10);
    CHECKF(assist * 25 >= mark, "assists did %.1f %% of the mark work (< 4 %%): they found no grey objects",
           mark ? 100.0 * (double)assist / (double)mark : 0.0);
    root = NULL;
}

/* 3. stops with the mutator and the stopper on one CPU */
static void check_stop_one_cpu(void) {
    double load[1];
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (!getenv("GH_TEST_IGNORE_LOAD") && getloadavg(load, 1) == 1 && load[0] >= 4.0 * (double)ncpu) {
        printf("test_gc_mark: skipped the one-CPU stop check: load average %.1f on %ld CPUs\n", load[0], ncpu);
        return;
    }
    if (!getenv("GH_TEST_IGNORE_LOAD") && cpu_free(0) < 0.8) {
        printf("test_gc_mark: skipped the one-CPU stop check: CPU 0 was busy (cpu_probe.h)\n");
        return;
    }
    gh_gc_stats s0, s;
    gh_gc_stats_read(&s0);
    /* cycles started by the pacer, the mutator busy allocating: it is
     * runnable, not asleep, when the worker takes the CPU to stop it */
    static node *keep;
    gh_gc_root_add(&keep, sizeof keep);
    keep = make(14);
    for (;;) {
        node *t = make(10);
        CHECK(count(t) == (1u << 11) - 1);
        gh_gc_stats_read(&s);
        /* the median below is over the process's pauses: these must be
         * three times the earlier ones (their median is then at least
         * these ones' 33rd percentile) */
        if (s.pauses - s0.pauses >= 3 * s0.pauses + 200) break;
    }
    keep = NULL;
    if (!getenv("GH_TEST_IGNORE_LOAD") && cpu_free(0) < 0.8) {
        printf("test_gc_mark: skipped the one-CPU stop check: CPU 0 was busy (cpu_probe.h)\n");
        return;
    }
    fprintf(stderr, "one CPU: %llu pauses (process: median over all), stop p50 %.1f us, p99 %.1f us\n", (unsigned long long)(s.pauses - s0.pauses),
            (double)s.pause_stop_p50_ns / 1e3, (double)s.pause_stop_p99_ns / 1e3);
    CHECKF(s.pause_stop_p50_ns < 200000, "median stop %.1f us with the stopper on the mutator's CPU",
           (double)s.pause_stop_p50_ns / 1e3);
}

/* Checks 2 and 3 measure the collector's timing: not under sanitizers. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TIMED 0
#else
#define TIMED 1
#endif

/* Pin every thread of the process (the collector's worker included) to
 * CPU 0, through /proc/self/task. 1 if every one was pinned. */
static int pin_all(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    DIR *d = opendir("/proc/self/task");
    if (!d) return 0;
    int ok = 1;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') ok &= sched_setaffinity((pid_t)atoi(e->d_name), sizeof set, &set) == 0;
    closedir(d);
    return ok;
}

int main(void) {
    const char *t = getenv("GOHEAP_GC_TORTURE");
    int torture = !TIMED || (t && *t && strcmp(t, "0"));
    CHECK(gh_gc_init(NULL) == 0);
    gh_gc_thread_attach();
    check_layouts();
    if (!torture) check_assists();
    if (!torture && pin_all()) check_stop_one_cpu();
    printf("test_gc_mark: ok\n");
    return 0;
}
