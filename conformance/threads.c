/*
 * threads.c — an allocator serving many threads: a block freed by a thread
 * other than the one that allocated it is reclaimed; blocks outlive the
 * thread that made them; under contention no block is handed out twice and
 * nobody writes a block after giving it back; thread caches die with their
 * threads; malloc works in the child of a fork from a threaded process.
 *
 * Sources: mimalloc test/test-stress.c (blocks handed between threads,
 * contents verified), glibc malloc/tst-malloc-thread-exit.c,
 * tst-malloc-thread-fail.c, tst-mallocfork2.c; jemalloc
 * test/unit/thread_event.c. Proven by faults/double_handout.c,
 * faults/late_free_write.c, faults/cross_thread_leak.c,
 * faults/thread_arena_reset.c, faults/thread_cache_leak.c.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "heapbench/conform.h"
#include "heapbench/object.h"

/* A block that says who owns it: word 0 is its seed, the rest the pattern. */
static void *tagged_new(size_t sz, uint64_t seed) {
    uint64_t *p = hb_rt.ad->malloc(sz);
    if (!p) return NULL;
    p[0] = seed;
    hb_cf_fill(p + 1, sz - 8, (uint32_t)seed);
    return p;
}

/* 0 when intact, else the first bad byte offset + 1 (0-based past word 0) */
static size_t tagged_check(const void *p, size_t sz, uint64_t seed) {
    const uint64_t *w = p;
    if (w[0] != seed) return 1;
    size_t bad = hb_cf_check(w + 1, sz - 8, (uint32_t)seed);
    return bad == sz - 8 ? 0 : bad + 9;
}

/* ---------------- cross-thread free ---------------- */
#define XBATCH 1024
typedef struct xq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    void **batch[4];
    int head, tail, done;
    _Atomic int corrupt;
    char why[256];
} xq;

static size_t xsize(size_t i) { return 16 + (i * 2654435761u) % 1008; }

static void *x_producer(void *arg) {
    xq *q = arg;
    for (int b = 0; b < 600; b++) {
        void **batch = malloc(XBATCH * sizeof *batch);
        for (size_t i = 0; i < XBATCH; i++) batch[i] = tagged_new(xsize(i), i + 1);
        pthread_mutex_lock(&q->mu);
        while (q->tail - q->head == 4) pthread_cond_wait(&q->cv, &q->mu);
        q->batch[q->tail++ % 4] = batch;
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
    }
    pthread_mutex_lock(&q->mu);
    q->done = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

static void *x_consumer(void *arg) {
    xq *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (q->head == q->tail && !q->done) pthread_cond_wait(&q->cv, &q->mu);
        if (q->head == q->tail) {
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        void **batch = q->batch[q->head++ % 4];
        pthread_cond_broadcast(&q->cv);
        pthread_mutex_unlock(&q->mu);
        for (size_t i = 0; i < XBATCH; i++) {
            size_t bad = tagged_check(batch[i], xsize(i), i + 1);
            if (bad && !atomic_exchange(&q->corrupt, 1))
                snprintf(q->why, sizeof q->why, "block %p (%zu B) changed at byte %zu in transit", batch[i],
                         xsize(i), bad - 1);
            hb_rt.ad->free(batch[i]);
        }
        free(batch);
    }
}

static hb_cf_status cross_free_run(hb_cf_result *r) {
    xq q = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    size_t rss0 = hb_cf_rss();
    pthread_t a, b;
    hb_thread_start(&a, x_producer, &q);
    hb_thread_start(&b, x_consumer, &q);
    hb_thread_join(a);
    hb_thread_join(b);
    size_t rss1 = hb_cf_rss(), growth = rss1 > rss0 ? rss1 - rss0 : 0;
    size_t churn = 0;
    for (size_t i = 0; i < XBATCH; i++) churn += xsize(i);
    churn *= 600;
    if (q.corrupt) return hb_cf_fail(r, "%s", q.why);
    const size_t bound = 48u << 20;
    if (growth > bound)
        return hb_cf_fail(r, "RSS grew by %zu MiB while one thread allocated and another freed %zu MiB in "
                          "total (never more than 5 batches live, ~2.5 MiB): cross-thread frees are not "
                          "reclaimed (bound %zu MiB)",
                          growth >> 20, churn >> 20, bound >> 20);
    return hb_cf_pass(r, "%d blocks (%zu MiB) allocated by one thread, freed by another: RSS +%zu KiB (bound "
                      "%zu MiB)",
                      600 * XBATCH, churn >> 20, growth >> 10, bound >> 20);
}

static const hb_property cross_free_prop = {
    .name = "threads/cross-thread-free",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_THREADS,
    .summary = "blocks freed by a thread other than the allocating one are reclaimed (RSS stays bounded) and arrive intact",
    .source = "mimalloc test-stress.c (transfer); glibc tst-malloc-thread-exit.c",
    .run = cross_free_run,
};
HB_PROPERTY(cross_free_prop);

/* ---------------- blocks outliving their thread ---------------- */
typedef struct orphan_arg {
    void **blocks;
    int id;
} orphan_arg;

static void *orphan_thread(void *arg) {
    orphan_arg *a = arg;
    for (int i = 0; i < 2000; i++) a->blocks[i] = tagged_new(16 + (size_t)(i % 300) * 8, (uint64_t)a->id * 100000 + i + 1);
    return NULL;
}

static hb_cf_status orphans_run(hb_cf_result *r) {
    enum { T = 8, ROUNDS = 4 };
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t t[T];
        orphan_arg a[T];
        for (int k = 0; k < T; k++) {
            a[k].blocks = malloc(2000 * sizeof(void *));
            a[k].id = round * T + k;
            hb_thread_start(&t[k], orphan_thread, &a[k]);
        }
        for (int k = 0; k < T; k++) hb_thread_join(t[k]);
        /* the threads are gone; new allocations must not land on their blocks */
        void *fresh[4000];
        for (int i = 0; i < 4000; i++) {
            fresh[i] = hb_rt.ad->malloc(16 + (size_t)(i % 300) * 8);
            memset(fresh[i], 0xcd, 16 + (size_t)(i % 300) * 8);
        }
        for (int k = 0; k < T; k++)
            for (int i = 0; i < 2000; i++) {
                size_t sz = 16 + (size_t)(i % 300) * 8, bad;
                if ((bad = tagged_check(a[k].blocks[i], sz, (uint64_t)a[k].id * 100000 + i + 1)))
                    return hb_cf_fail(r, "block %p (%zu B) of exited thread %d changed at byte %zu after "
                                      "the thread exited",
                                      a[k].blocks[i], sz, a[k].id, bad - 1);
                hb_rt.ad->free(a[k].blocks[i]);
            }
        for (int i = 0; i < 4000; i++) hb_rt.ad->free(fresh[i]);
        for (int k = 0; k < T; k++) free(a[k].blocks);
    }
    return hb_cf_pass(r, "%d threads each left 2000 blocks behind: all intact after exit, freed by main",
                      T * ROUNDS);
}

static const hb_property orphans_prop = {
    .name = "threads/exited-thread-blocks",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_THREADS,
    .summary = "blocks outlive the thread that allocated them, intact, and another thread can free them",
    .source = "glibc malloc/tst-malloc-thread-exit.c",
    .run = orphans_run,
};
HB_PROPERTY(orphans_prop);

/* ---------------- concurrent stress ---------------- */
#define SLOTS 4096
typedef struct stress {
    _Atomic(uint64_t *) slot[SLOTS];
    _Atomic int corrupt;
    char why[256];
    int id;
} stress;

static size_t ssize(uint64_t seed) { return 16 + (seed * 0x9e3779b97f4a7c15ull >> 40) % (seed % 16 == 0 ? 8192 : 256); }

static void *stress_thread(void *arg) {
    stress *s = ((void **)arg)[0];
    int id = (int)(intptr_t)((void **)arg)[1];
    uint64_t rng = (uint64_t)id * 7919 + 1;
    for (int i = 0; i < 150000 && !s->corrupt; i++) {
        uint64_t x = hb_cf_rand(&rng);
        size_t k = x % SLOTS;
        uint64_t *nb = NULL;
        if (x & (1u << 20)) {
            uint64_t seed = ((uint64_t)id << 40) | (uint64_t)i << 1 | 1;
            nb = tagged_new(ssize(seed), seed);
        }
        uint64_t *old = atomic_exchange(&s->slot[k], nb);
        if (old) {
            uint64_t seed = old[0];
            size_t bad = (seed & 1) ? tagged_check(old, ssize(seed), seed) : 1;
            if (bad) {
                if (!atomic_exchange(&s->corrupt, 1))
                    snprintf(s->why, sizeof s->why, "thread %d took block %p (seed %#llx, %zu B) from slot %zu: "
                             "changed at byte %zu — handed out twice or written after free",
                             id, (void *)old, (unsigned long long)seed, (seed & 1) ? ssize(seed) : 0, k, bad - 1);
                return NULL; /* leave it: freeing a corrupted block may crash */
            }
            hb_rt.ad->free(old);
        }
    }
    return NULL;
}

static hb_cf_status stress_run(hb_cf_result *r) {
    enum { T = 4 };
    stress *s = calloc(1, sizeof *s);
    pthread_t t[T];
    void *args[T][2];
    uint64_t t0 = hb_cf_now_ns();
    for (int k = 0; k < T; k++) {
        args[k][0] = s;
        args[k][1] = (void *)(intptr_t)k;
        hb_thread_start(&t[k], stress_thread, args[k]);
    }
    for (int k = 0; k < T; k++) hb_thread_join(t[k]);
    if (s->corrupt) return hb_cf_fail(r, "%s", s->why);
    for (size_t k = 0; k < SLOTS; k++) {
        uint64_t *b = atomic_load(&s->slot[k]);
        if (b && tagged_check(b, ssize(b[0]), b[0]))
            return hb_cf_fail(r, "block %p in slot %zu changed after the threads stopped", (void *)b, k);
        if (b) hb_rt.ad->free(b);
    }
    free(s);
    return hb_cf_pass(r, "%d threads x 150000 exchanges through %d shared slots, every block verified "
                      "(%.0f ms)",
                      T, SLOTS, (double)(hb_cf_now_ns() - t0) / 1e6);
}

static const hb_property stress_prop = {
    .name = "threads/concurrent-stress",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_THREADS,
    .summary = "4 threads allocate, exchange and free blocks through shared slots; every block's contents verified",
    .source = "mimalloc test/test-stress.c",
    .run = stress_run,
};
HB_PROPERTY(stress_prop);

/* ---------------- unique under contention ---------------- */
typedef struct uniq {
    pthread_barrier_t go;
    _Atomic int corrupt;
    char why[256];
    uintptr_t *addrs[4];
    size_t naddrs[4];
} uniq;

static void *uniq_thread(void *arg) {
    uniq *u = ((void **)arg)[0];
    int id = (int)(intptr_t)((void **)arg)[1];
    enum { LIVE = 512 };
    uint64_t *live[LIVE] = {0};
    uint64_t rng = (uint64_t)id + 99;
    pthread_barrier_wait(&u->go);
    for (int i = 0; i < 200000 && !u->corrupt; i++) {
        size_t k = hb_cf_rand(&rng) % LIVE;
        if (live[k]) {
            if (live[k][0] != ((uint64_t)id << 32 | k) || live[k][1] != ~live[k][0]) {
                if (!atomic_exchange(&u->corrupt, 1))
                    snprintf(u->why, sizeof u->why, "thread %d: its block %p now reads %#llx (expected %#llx): "
                             "another thread was handed the same block",
                             id, (void *)live[k], (unsigned long long)live[k][0],
                             (unsigned long long)((uint64_t)id << 32 | k));
                return NULL;
            }
            hb_rt.ad->free(live[k]);
        }
        live[k] = hb_rt.ad->malloc(16 + k % 3 * 8);
        live[k][0] = (uint64_t)id << 32 | k;
        live[k][1] = ~live[k][0];
    }
    u->addrs[id] = malloc(LIVE * sizeof(uintptr_t));
    for (int k = 0; k < LIVE; k++) u->addrs[id][u->naddrs[id]++] = hb_cf_addr(live[k]);
    return NULL;
}

static int cmp_uptr(const void *a, const void *b) {
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

static hb_cf_status uniq_run(hb_cf_result *r) {
    enum { T = 4 };
    uniq *u = calloc(1, sizeof *u);
    pthread_barrier_init(&u->go, NULL, T);
    pthread_t t[T];
    void *args[T][2];
    for (int k = 0; k < T; k++) {
        args[k][0] = u;
        args[k][1] = (void *)(intptr_t)k;
        hb_thread_start(&t[k], uniq_thread, args[k]);
    }
    for (int k = 0; k < T; k++) hb_thread_join(t[k]);
    if (u->corrupt) return hb_cf_fail(r, "%s", u->why);
    uintptr_t *all = malloc(T * 512 * sizeof *all);
    size_t n = 0;
    for (int k = 0; k < T; k++)
        for (size_t i = 0; i < u->naddrs[k]; i++) all[n++] = u->addrs[k][i];
    qsort(all, n, sizeof *all, cmp_uptr);
    for (size_t i = 1; i < n; i++)
        if (all[i] == all[i - 1])
            return hb_cf_fail(r, "block %#lx is live in two threads at once", (unsigned long)all[i]);
    return hb_cf_pass(r, "%d threads x 200000 malloc/free of 16..32 B started together: no block handed out "
                      "twice",
                      T);
}

static const hb_property uniq_prop = {
    .name = "threads/unique-under-contention",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_THREADS,
    .summary = "threads allocating small blocks at the same moment never receive the same block",
    .source = "C17 7.22.3p1 (disjoint objects) + 7.22.3p2 (thread safety); glibc tst-malloc-thread-fail.c",
    .run = uniq_run,
};
HB_PROPERTY(uniq_prop);

/* ---------------- thread churn ---------------- */
static void *churn_thread(void *arg) {
    (void)arg;
    void *p[4096];
    for (int i = 0; i < 4096; i++) {
        p[i] = hb_rt.ad->malloc(16 + (size_t)(i % 64) * 8);
        memset(p[i], 1, 16);
    }
    for (int i = 0; i < 4096; i++) hb_rt.ad->free(p[i]);
    return NULL;
}

/* RSS is read after every pair of threads past warm-up, and the property
 * fails as soon as growth passes the bound: a leak of ~1 MiB a thread is
 * shown after a few dozen threads instead of costing the machine 600 MiB. */
static hb_cf_status churn_run(hb_cf_result *r) {
    enum { PAIRS = 300, WARM = 20 };
    const size_t bound = 32u << 20;
    size_t rss0 = 0, growth = 0;
    for (int i = 0; i < PAIRS; i++) {
        pthread_t t[2];
        hb_thread_start(&t[0], churn_thread, NULL);
        hb_thread_start(&t[1], churn_thread, NULL);
        hb_thread_join(t[0]);
        hb_thread_join(t[1]);
        if (i == WARM) rss0 = hb_cf_rss();
        if (i <= WARM) continue;
        size_t rss = hb_cf_rss();
        growth = rss > rss0 ? rss - rss0 : 0;
        if (growth > bound)
            return hb_cf_fail(r, "RSS grew by %zu MiB over %d short-lived threads after warm-up (each ~1 MiB "
                              "allocated and freed; bound %zu MiB): thread caches are not reclaimed at thread exit",
                              growth >> 20, 2 * (i - WARM), bound >> 20);
    }
    return hb_cf_pass(r, "%d short-lived threads, each allocating and freeing 4096 blocks: RSS +%zu KiB after "
                      "warm-up (bound %zu MiB, checked after every pair)",
                      2 * PAIRS, growth >> 10, bound >> 20);
}

static const hb_property churn_prop = {
    .name = "threads/thread-churn",
    .kind = HB_CF_RULE,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_THREADS,
    .summary = "short-lived threads do not leak their caches: RSS stays bounded over hundreds of threads",
    .source = "glibc malloc/tst-malloc-thread-exit.c; jemalloc tcache tests",
    .run = churn_run,
};
HB_PROPERTY(churn_prop);

/* ---------------- fork from a threaded process ---------------- */
static _Atomic int fork_stop;

static void *fork_hammer(void *arg) {
    (void)arg;
    while (!fork_stop) {
        void *p = hb_rt.ad->malloc(64);
        hb_rt.ad->free(p);
    }
    return NULL;
}

static hb_cf_status fork_run(hb_cf_result *r) {
    pthread_t t;
    fork_stop = 0;
    hb_thread_start(&t, fork_hammer, NULL);
    int ok = 0, hung = 0, failed = 0;
    for (int i = 0; i < 20; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (int k = 0; k < 1000; k++) {
                void *p = hb_rt.ad->malloc(16 + (size_t)k);
                if (!p) _exit(1);
                hb_rt.ad->free(p);
            }
            _exit(0);
        }
        int st = 0, done = 0;
        for (int w = 0; w < 60 && !done; w++) { /* up to 0.3 s */
            if (waitpid(pid, &st, WNOHANG) == pid) done = 1;
            else nanosleep(&(struct timespec){0, 5000000}, NULL);
        }
        if (!done) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            hung++;
            break; /* one hang is the answer; do not wait 20 times */
        } else if (WIFEXITED(st) && WEXITSTATUS(st) == 0) {
            ok++;
        } else {
            failed++;
        }
    }
    fork_stop = 1;
    hb_thread_join(t);
    return hb_cf_pass(r, "malloc in the child of fork() while another thread allocates: %d ok, %d hung (0.3 s), %d "
                      "failed of %d forks%s",
                      ok, hung, failed, ok + hung + failed, ok == 20 ? "" : " (POSIX only promises async-signal-safe calls there)");
}

static const hb_property fork_prop = {
    .name = "threads/fork-child-malloc",
    .kind = HB_CF_TRAIT,
    .applies = HB_CF_MANUAL_ONLY,
    .needs = HB_CAP_THREADS,
    .summary = "whether malloc works in the child of fork() taken while another thread allocates",
    .source = "glibc malloc/tst-mallocfork2.c (glibc guarantees it; POSIX does not)",
    .run = fork_run,
};
HB_PROPERTY(fork_prop);
