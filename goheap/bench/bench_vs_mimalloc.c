/* bench_vs_mimalloc.c — quick microbenchmarks of goheap against mimalloc and
 * glibc (tuning aid, not part of the suite). Build (from the repo root):
 *   cc -O2 -Igoheap/include goheap/bench/bench_vs_mimalloc.c build/goheap/libgoheap.a \
 *      -lmimalloc -lpthread -o /tmp/ghbench && /tmp/ghbench
 * Usage: ghbench [reps [workload [allocator]]], e.g. `ghbench 5 churn` or,
 * to profile one case, `valgrind --tool=callgrind ghbench 1 batch goheap`.
 * Allocators run interleaved per repetition (fairer on a loaded machine).
 * Workloads (ns per operation pair, best of reps, default 5):
 *   pair      malloc+free of one 16..128-byte object, repeated
 *   batch     1000 allocations of random 8..512 bytes, then free them all
 *   churn     random-size (8..2048) churn over a 10000-slot working set
 *   trees     binary trees depth 16: build, walk, free (manual mode)
 *   xthread   producer allocates, consumer thread frees (cross-thread free) */
#define _GNU_SOURCE
#include <mimalloc.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "goheap/goheap.h"

typedef struct alloc_ops {
    const char *name;
    void *(*malloc)(size_t);
    void (*free)(void *);
} alloc_ops;

static const alloc_ops allocs[] = {
    {"goheap", gh_malloc, gh_free},
    {"mimalloc", mi_malloc, mi_free},
    {"glibc", malloc, free},
};

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}
static uint64_t rs = 12345;
static inline uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static const alloc_ops *A;

static double w_pair(void) {
    enum { N = 10000000 };
    double t = now();
    for (int i = 0; i < N; i++) {
        void *volatile p = A->malloc(16 + (i & 7) * 16);
        A->free(p);
    }
    return (now() - t) / N;
}

static void *slots[10000];
static double w_batch(void) {
    enum { R = 5000, B = 1000 };
    double t = now();
    for (int r = 0; r < R; r++) {
        for (int i = 0; i < B; i++) slots[i] = A->malloc(8 + rnd() % 505);
        for (int i = 0; i < B; i++) A->free(slots[i]);
    }
    return (now() - t) / (R * B);
}

static double w_churn(void) {
    enum { N = 10000000, W = 10000 };
    for (int i = 0; i < W; i++) slots[i] = A->malloc(8 + rnd() % 2041);
    double t = now();
    for (int i = 0; i < N; i++) {
        unsigned k = (unsigned)(rnd() % W);
        A->free(slots[k]);
        slots[k] = A->malloc(8 + rnd() % 2041);
    }
    double r = (now() - t) / N;
    for (int i = 0; i < W; i++) A->free(slots[i]);
    return r;
}

typedef struct node {
    struct node *l, *r;
} node;
static node *make(int d) {
    node *n = A->malloc(sizeof *n);
    n->l = d ? make(d - 1) : NULL;
    n->r = d ? make(d - 1) : NULL;
    return n;
}
static long check(node *n) { return n->l ? 1 + check(n->l) + check(n->r) : 1; }
static void drop(node *n) {
    if (n->l) drop(n->l), drop(n->r);
    A->free(n);
}
static double w_trees(void) {
    double t = now();
    long total = 0;
    node *longlived = make(16);
    for (int it = 0; it < 40; it++) {
        node *n = make(16);
        total += check(n);
        drop(n);
    }
    total += check(longlived);
    drop(longlived);
    if (total != 41L * ((1L << 17) - 1)) abort();
    return (now() - t) / (41.0 * ((1 << 17) - 1));
}

enum { XN = 4000000, QN = 4096 };
static void *_Atomic queue[QN];
static void *consumer(void *arg) {
    (void)arg;
    for (long i = 0; i < XN; i++) {
        void *p;
        while (!(p = __atomic_exchange_n(&queue[i % QN], NULL, __ATOMIC_ACQUIRE))) {}
        A->free(p);
    }
    return NULL;
}
static double w_xthread(void) {
    pthread_t t;
    double t0 = now();
    pthread_create(&t, NULL, consumer, NULL);
    for (long i = 0; i < XN; i++) {
        void *p = A->malloc(64);
        while (__atomic_load_n(&queue[i % QN], __ATOMIC_ACQUIRE)) {}
        __atomic_store_n(&queue[i % QN], p, __ATOMIC_RELEASE);
    }
    pthread_join(t, NULL);
    return (now() - t0) / XN;
}

int main(int argc, char **argv) {
    struct { const char *name; double (*fn)(void); } ws[] = {
        {"pair", w_pair}, {"batch", w_batch}, {"churn", w_churn}, {"trees", w_trees}, {"xthread", w_xthread}};
    int reps = argc > 1 ? atoi(argv[1]) : 5;
    /* optional filters (for profiling one case under callgrind/perf):
     * argv[2] = workload name, argv[3] = allocator name */
    const char *only_w = argc > 2 ? argv[2] : NULL, *only_a = argc > 3 ? argv[3] : NULL;
    printf("%-8s %10s %10s %10s %8s %8s\n", "workload", "goheap", "mimalloc", "glibc", "gh/mi", "gh/glibc");
    for (size_t w = 0; w < sizeof ws / sizeof *ws; w++) {
        if (only_w && strcmp(only_w, ws[w].name) != 0) continue;
        double best[3] = {1e30, 1e30, 1e30};
        /* allocators interleaved per repetition, best of N: on a loaded
         * machine the ratio is then fairer than back-to-back blocks */
        for (int r = 0; r < reps; r++) {
            for (int a = 0; a < 3; a++) {
                A = &allocs[a];
                if (only_a && strcmp(only_a, A->name) != 0) continue;
                double v = ws[w].fn();
                if (v < best[a]) best[a] = v;
            }
        }
        printf("%-8s %9.2fns %9.2fns %9.2fns %8.2f %8.2f\n", ws[w].name, best[0], best[1], best[2], best[0] / best[1],
               best[0] / best[2]);
    }
    return 0;
}
