/* test_gc_threads — a shared graph mutated by several threads while the
 * collector marks concurrently; every reachable node is checked word by
 * word (a node reclaimed while reachable is reused and zeroed, which breaks
 * its pattern). Threads move pointers between the shared table and their
 * stacks (the hybrid barrier's cases), build private chains, drop them,
 * call gh_gc_safepoint, and one thread blocks in the kernel (nanosleep)
 * holding pointers on its stack only. GOHEAP_GC_TORTURE=1 runs it smaller
 * with a collection at every allocation; GOHEAP_GC_TORTURE=concurrent with
 * cycles running back to back while the mutators work. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "gc_util.h"

#define WORDS 6
typedef struct gnode {
    struct gnode *next, *other;
    uint64_t id;
    uint64_t pat[WORDS];
} gnode;
static const gh_layout gnode_layout = {9, 0x3};

#define TABLE 512
static gnode *table[TABLE];
static int nthreads = 4;
static long ops = 200000;
static _Atomic uint64_t next_id = 1;
static gh_pool *pool; /* shared: threads steal each other's pooled nodes */

static uint64_t pat(uint64_t id, int w) { return (id * 0x9E3779B97F4A7C15ull) ^ (uint64_t)(w + 1) * 0xBF58476D1CE4E5B9ull; }

static gnode *newnode(void) {
    gnode *n = gh_gc_alloc(sizeof *n, &gnode_layout);
    CHECK(n);
    for (int w = 0; w < WORDS; w++) CHECK(n->pat[w] == 0);
    uint64_t id = atomic_fetch_add(&next_id, 1);
    n->id = id;
    for (int w = 0; w < WORDS; w++) n->pat[w] = pat(id, w);
    return n;
}

static void check_node(gnode *n) {
    uint64_t id = n->id;
    CHECKF(id != 0, "node %p zeroed: reclaimed while reachable", (void *)n);
    for (int w = 0; w < WORDS; w++) CHECKF(n->pat[w] == pat(id, w), "node %p word %d corrupt", (void *)n, w);
}

static void check_chain(gnode *n, int max) {
    for (int i = 0; n && i < max; i++, n = gc_load(&n->next)) {
        check_node(n);
        gnode *o = gc_load(&n->other);
        if (o) check_node(o);
    }
}

static void *mutator(void *arg) {
    uint64_t seed = (uint64_t)(uintptr_t)arg * 7919 + 1;
    gh_gc_thread_attach();
    gnode *mine = NULL; /* a private chain on the stack only */
    int minelen = 0;
    for (long i = 0; i < ops; i++) {
        uint64_t r = rng_next(&seed);
        int k = (int)(r % TABLE), j = (int)((r >> 16) % TABLE);
        switch ((r >> 32) % 8) {
        case 0: { /* new node into the table, linked to an old one */
            gnode *n = newnode();
            gc_store(&n->next, gc_load(&table[j]));
            gc_store(&table[k], n);
            break;
        }
        case 1: { /* move: take from the table to the stack, clear the slot, put it back later */
            gnode *n = gc_load(&table[k]);
            gc_store(&table[k], NULL);
            for (int s = 0; s < 20; s++) (void)newnode(); /* allocate while only the stack holds n */
            if (n) check_chain(n, 4);
            gc_store(&table[j], n);
            break;
        }
        case 2: { /* cross link */
            gnode *a = gc_load(&table[k]), *b = gc_load(&table[j]);
            if (a) gc_store(&a->other, b);
            break;
        }
        case 3: /* private chain grows */
            if (minelen < 200) {
                gnode *n = newnode();
                gc_store(&n->next, mine);
                mine = n;
                minelen++;
            } else {
                check_chain(mine, 1000);
                mine = NULL;
                minelen = 0;
            }
            break;
        case 4: { /* cut a chain in the table (deletion) while holding its tail */
            gnode *a = gc_load(&table[k]);
            if (a) {
                gnode *tail = gc_load(&a->next);
                gc_store(&a->next, NULL);
                (void)newnode();
                if (tail) check_chain(tail, 3);
                gc_store(&a->next, tail);
            }
            break;
        }
        case 5:
            check_chain(gc_load(&table[k]), 8);
            break;
        case 6: { /* sync.Pool: get (maybe stolen), check, put back a few */
            gh_gc_safepoint();
            gnode *n = gh_pool_get(pool);
            if (n) check_node(n);
            else n = newnode();
            gh_pool_put(pool, n);
            if (r & 1) gh_pool_put(pool, newnode());
            break;
        }
        default:
            (void)newnode(); /* garbage */
        }
    }
    check_chain(mine, 1000);
    gh_gc_thread_detach();
    return NULL;
}

static _Atomic int stop_sleeper;
static void *sleeper(void *arg) {
    (void)arg;
    gh_gc_thread_attach();
    gnode *held = newnode(); /* only on this stack */
    gc_store(&held->next, newnode());
    while (!atomic_load(&stop_sleeper)) {
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL); /* blocked in the kernel: stopped by the signal */
        check_chain(held, 3);
    }
    check_chain(held, 3);
    gh_gc_thread_detach();
    return NULL;
}

int main(void) {
    const char *t = getenv("GOHEAP_GC_TORTURE");
    if (t && !strcmp(t, "concurrent")) ops = 400000;
    else if (t && *t && strcmp(t, "0")) ops = 1500;
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
    ops /= 10; /* instrumented: keep the test fast */
#endif
    CHECK(gh_gc_init(NULL) == 0);
    gh_gc_root_add(table, sizeof table);
    pool = gh_pool_new(NULL, NULL);
    for (int i = 0; i < TABLE; i++) gc_store(&table[i], newnode());
    pthread_t th[16], sl;
    pthread_create(&sl, NULL, sleeper, NULL);
    for (int i = 0; i < nthreads; i++) pthread_create(&th[i], NULL, mutator, (void *)(uintptr_t)(i + 1));
    for (int i = 0; i < 5; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
        gh_gc_collect();
    }
    for (int i = 0; i < nthreads; i++) pthread_join(th[i], NULL);
    atomic_store(&stop_sleeper, 1);
    pthread_join(sl, NULL);
    gh_gc_collect();
    gh_gc_collect();
    for (int i = 0; i < TABLE; i++) check_chain(table[i], 1 << 30);
    gh_gc_stats st;
    gh_gc_stats_read(&st);
    CHECK(st.cycles >= 7);
    printf("gc_threads ok: %llu cycles, %llu pauses, p50 %llu ns, p99 %llu ns, max %llu ns, assist %llu us\n",
           (unsigned long long)st.cycles, (unsigned long long)st.pauses, (unsigned long long)st.pause_p50_ns,
           (unsigned long long)st.pause_p99_ns, (unsigned long long)st.pause_max_ns,
           (unsigned long long)st.assist_ns / 1000);
    return 0;
}
