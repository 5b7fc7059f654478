/* test_gc_basic — the collector on one thread: reachable objects survive
 * (checked word by word), unreachable ones (cycles included) are reclaimed
 * within two cycles, mixed layouts, large objects, finalizers, sync.Pool's
 * victim cache, the stack pool, the pacer's goal. Also run with
 * GOHEAP_GC_TORTURE=1 (a collection at every allocation) at a smaller size. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "gc_util.h"
#include "runtime.h"

typedef struct node {
    struct node *left, *right;
    uint64_t value, check;
} node;
static const gh_layout node_layout = {4, 0x3};
static const gh_layout pair_layout = {4, 0x5}; /* same size class, other layout: words 0 and 2 */

static int torture;    /* GOHEAP_GC_TORTURE=1: a cycle per allocation, smaller sizes */
static int concurrent; /* GOHEAP_GC_TORTURE=concurrent: cycles run at any time (full sizes) */

static node *make(int depth, uint64_t v) {
    node *n = gh_gc_alloc(sizeof *n, &node_layout);
    CHECK(n && !n->left && !n->right && !n->value);
    n->value = v;
    n->check = v * 0x9E3779B97F4A7C15ull;
    if (depth > 0) {
        gc_store(&n->left, make(depth - 1, 2 * v));
        gc_store(&n->right, make(depth - 1, 2 * v + 1));
    }
    return n;
}

static uint64_t verify(node *n, uint64_t v) {
    if (!n) return 0;
    CHECKF(n->value == v && n->check == v * 0x9E3779B97F4A7C15ull, "node %p value %llu want %llu", (void *)n,
           (unsigned long long)n->value, (unsigned long long)v);
    CHECK(gh_gc_is_allocated(n));
    return 1 + verify(n->left, 2 * v) + verify(n->right, 2 * v + 1);
}

/* Garbage whose addresses are hidden; cycles included. Returns the count. */
static __attribute__((noinline)) size_t make_garbage(uintptr_t *hidden, size_t n) {
    for (size_t i = 0; i + 1 < n; i += 2) {
        node *a = gh_gc_alloc(sizeof *a, &node_layout), *b = gh_gc_alloc(sizeof *b, &node_layout);
        gc_store(&a->left, b);
        gc_store(&b->left, a); /* a cycle */
        hidden[i] = HIDE(a);
        hidden[i + 1] = HIDE(b);
    }
    return n & ~(size_t)1;
}

static __attribute__((noinline)) void clobber_stack(void) {
    volatile char buf[16384];
    memset((char *)buf, 0, sizeof buf);
}

static int cmp_uptr(const void *a, const void *b) {
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return x < y ? -1 : x > y;
}

static _Atomic int finalized;
static void on_final(void *obj, void *arg) {
    CHECK(arg == (void *)0x1234);
    CHECK(((node *)obj)->value == 77);
    atomic_fetch_add(&finalized, 1);
}

static __attribute__((noinline)) void make_finalizable(void) {
    node *n = gh_gc_alloc(sizeof *n, &node_layout);
    n->value = 77;
    gh_gc_set_finalizer(n, on_final, (void *)0x1234);
}

static void *pool_new(void *arg) {
    (*(int *)arg)++;
    return gh_gc_alloc(64, NULL);
}

int main(void) {
    const char *t = getenv("GOHEAP_GC_TORTURE");
    concurrent = t && !strcmp(t, "concurrent");
    torture = t && *t && strcmp(t, "0") && !concurrent;
    CHECK(gh_gc_init(NULL) == 0);
    int depth = torture ? 8 : 16;

    /* 1. reachable from a registered root survives many cycles */
    static node *root[4];
    gh_gc_root_add(root, sizeof root);
    root[0] = make(depth, 1);
    for (int i = 0; i < (torture ? 3 : 20); i++) {
        node *tmp = make(depth - 2, 1); /* garbage, churn */
        CHECK(verify(tmp, 1) == (1u << (depth - 1)) - 1);
        gh_gc_collect();
    }
    CHECK(verify(root[0], 1) == (1u << (depth + 1)) - 1);

    /* 2. unreachable objects, cycles included, reclaimed within two cycles */
    size_t n = torture ? 200 : 20000;
    uintptr_t *hidden = malloc(n * sizeof *hidden);
    n = make_garbage(hidden, n);
    clobber_stack();
    gh_gc_collect();
    gh_gc_collect();
    /* torture reclaims each pair at the next allocation, so slots repeat:
     * count distinct addresses */
    qsort(hidden, n, sizeof *hidden, cmp_uptr);
    size_t alive = 0, distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (i && hidden[i] == hidden[i - 1]) continue;
        distinct++;
        alive += gh_gc_is_allocated(UNHIDE(hidden[i])) != 0;
    }
    n = distinct;
    free(hidden);
    /* conservative stacks may retain a handful via stale words */
    CHECKF(alive <= n / 100 + 4, "%zu of %zu garbage objects survived two cycles", alive, n);

    /* 3. mixed layouts in one size class; large objects with pointers */
    node *mixed[64];
    for (int i = 0; i < 64; i++) {
        mixed[i] = gh_gc_alloc(sizeof(node), (i & 1) ? &pair_layout : &node_layout);
        node *target = gh_gc_alloc(sizeof(node), &node_layout);
        target->value = 1000 + (uint64_t)i;
        if (i & 1) gc_store(&mixed[i]->value, target); /* word 2 holds a pointer in pair_layout */
        else gc_store(&mixed[i]->left, target);
    }
    static gh_layout all_ptrs = {1, 1};
    void **big = gh_gc_alloc(1 << 20, &all_ptrs);
    root[1] = (node *)big;
    for (int i = 0; i < 1000; i++) gc_store(&big[i * 100], make(2, 1));
    for (int k = 0; k < 3; k++) gh_gc_collect();
    for (int i = 0; i < 64; i++) {
        node *target = (i & 1) ? (node *)(uintptr_t)mixed[i]->value : mixed[i]->left;
        CHECK(target->value == 1000 + (uint64_t)i && gh_gc_is_allocated(target));
    }
    for (int i = 0; i < 1000; i++) CHECK(verify(big[i * 100], 1) == 7);
    root[1] = NULL;

    /* 3a. the 24-byte class: a 24-byte object of an 8- or 24-byte type
     * (layout period 1 or 3 words, alignment at most 8) takes it, as in Go;
     * a noscan one, or one of a 16-byte type (period 2), keeps 16-byte
     * alignment in the 32-byte class */
    static gh_layout node3 = {3, 0x3}, pair2 = {2, 0x1}, word1 = {1, 1};
    const gh_layout *in24[] = {&node3, &word1}, *in32[] = {NULL, &pair2};
    for (int k = 0; k < 2; k++) {
        void *a = gh_gc_alloc(24, in24[k]), *b = gh_gc_alloc(24, in32[k]);
        CHECKF(gh_spanOf((uintptr_t)a)->elemsize == 24, "24-byte object of period %u in a %zu-byte block",
               in24[k]->period, (size_t)gh_spanOf((uintptr_t)a)->elemsize);
        CHECKF(gh_spanOf((uintptr_t)b)->elemsize == 32 && ((uintptr_t)b & 15) == 0,
               "24-byte %s object at %p in a %zu-byte block", k ? "16-byte-typed" : "noscan", b,
               (size_t)gh_spanOf((uintptr_t)b)->elemsize);
    }

    /* 3b. every size: blocks are zeroed, 16-aligned from 16 bytes (but the
     * typed 24-byte ones of 3a), and zeroing one never touches its
     * neighbour (checked by patterns) */
    static gh_layout one_ptr = {1, 1};
    int per = torture ? 8 : 200;
    for (size_t sz = 1; sz <= 2048; sz += (sz < 64 ? 1 : 24) * (torture ? 5 : 1)) {
        static unsigned char *objs_sz[200];
        for (int i = 0; i < per; i++) {
            unsigned char *o = gh_gc_alloc(sz, (i & 1) ? &one_ptr : NULL);
            CHECK(o);
            for (size_t k = 0; k < sz; k++) CHECKF(o[k] == 0, "gc_alloc(%zu) not zeroed at %zu", sz, k);
            if (sz >= 16 && !(sz == 24 && (i & 1)))
                CHECKF(((uintptr_t)o & 15) == 0, "gc_alloc(%zu) = %p not 16-aligned", sz, (void *)o);
            for (size_t k = 0; k < sz; k++) o[k] = (unsigned char)(0xa0 + (k & 15));
            objs_sz[i] = o;
        }
        for (int i = 0; i < per; i++)
            for (size_t k = 0; k < sz; k++)
                CHECKF(objs_sz[i][k] == (unsigned char)(0xa0 + (k & 15)), "gc_alloc(%zu): a neighbour's zeroing hit byte %zu", sz, k);
    }

    /* 3c. reuse of holes in swept spans never touches live neighbours */
    for (size_t sz = 8; sz <= 48; sz += 8) {
        const int NH = torture ? 64 : 512;
        uint64_t **keep = calloc(NH, sizeof *keep);
        gh_gc_root_add(keep, NH * sizeof *keep);
        for (int i = 0; i < NH; i++) {
            uint64_t *o = gh_gc_alloc(sz, &one_ptr);
            for (size_t k = 0; k < sz / 8; k++) o[k] = 0x1001 + 2 * (uint64_t)i; /* odd: never a pointer */
            if (i % 2 == 0) keep[i] = o;
        }
        gh_gc_collect();
        gh_gc_collect();
        for (int i = 0; i < NH; i++) {
            uint64_t *o = gh_gc_alloc(sz, &one_ptr); /* lands in the holes */
            for (size_t k = 0; k < sz / 8; k++) CHECK(o[k] == 0);
        }
        for (int i = 0; i < NH; i += 2)
            for (size_t k = 0; k < sz / 8; k++)
                CHECKF(keep[i][k] == 0x1001 + 2 * (uint64_t)i, "size %zu: live object %d word %zu clobbered", sz, i, k);
        gh_gc_root_remove(keep);
        free(keep);
    }

    /* 4. finalizer runs once, after the object is unreachable */
    make_finalizable();
    clobber_stack();
    for (int k = 0; k < 50 && atomic_load(&finalized) == 0; k++) {
        gh_gc_collect();
        usleep(2000);
    }
    CHECK(atomic_load(&finalized) == 1);
    for (int k = 0; k < 3; k++) gh_gc_collect();
    CHECK(atomic_load(&finalized) == 1);

    /* 5. sync.Pool: private/shared, then the victim cache, then dropped */
    int made = 0;
    gh_pool *p = gh_pool_new(pool_new, &made);
    void *a = gh_pool_get(p);
    CHECK(made == 1 && a);
    gh_pool_put(p, a);
    CHECK(gh_pool_get(p) == a && made == 1);
    void *objs[10];
    for (int i = 0; i < 10; i++) objs[i] = gh_pool_get(p);
    for (int i = 0; i < 10; i++) gh_pool_put(p, objs[i]);
    int before = made;
    gh_gc_collect(); /* primary → victim: still there (unless cycles run on their own) */
    void *v = gh_pool_get(p);
    CHECK(v && gh_gc_is_allocated(v));
    CHECK(made == before || concurrent);
    gh_pool_put(p, v);
    memset(objs, 0, sizeof objs);
    v = NULL;
    before = made;
    gh_gc_collect();
    gh_gc_collect(); /* victim dropped */
    (void)gh_pool_get(p);
    CHECK(made == before + 1);
    /* many objects: the shared chain grows ring by ring; all come back,
     * also after one cycle (from the victim cache). Not under torture: a
     * collection at every allocation empties the pool twice per put. */
    for (int round = 0; round < (torture || concurrent ? 0 : 2); round++) {
        enum { NP = 5000 };
        uint64_t want = 0, got = 0;
        for (int i = 0; i < NP; i++) {
            uint64_t *o = gh_gc_alloc(16, NULL);
            o[0] = (uint64_t)i + 1;
            want += o[0];
            gh_pool_put(p, o);
        }
        if (round == 1) gh_gc_collect();
        int m = made;
        for (int i = 0; i < NP; i++) {
            uint64_t *o = gh_pool_get(p);
            CHECK(o && made == m);
            CHECKF(o[0] >= 1 && o[0] <= NP, "pooled object corrupt: %llu", (unsigned long long)o[0]);
            got += o[0];
            o[0] = 0;
        }
        CHECKF(got == want, "round %d: pool returned the wrong objects", round);
    }
    gh_pool_free(p);

    /* 6. stack pool */
    for (size_t sz = 2048; sz <= (1u << 20); sz <<= 1) {
        void *s1 = gh_stack_alloc(sz), *s2 = gh_stack_alloc(sz);
        CHECK(s1 && s2 && s1 != s2);
        memset(s1, 0xab, sz);
        memset(s2, 0xcd, sz);
        CHECK(((unsigned char *)s1)[sz - 1] == 0xab);
        gh_stack_free(s1, sz);
        void *s3 = gh_stack_alloc(sz);
        CHECK(s3 == s1); /* LIFO reuse from the cache */
        gh_stack_free(s3, sz);
        gh_stack_free(s2, sz);
    }

    /* 7. pacer: steady state stays within the goal */
    if (!torture && !concurrent) { /* the pacer decides when cycles run */
        static node *ring[64];
        gh_gc_root_add(ring, sizeof ring);
        gh_gc_stats st;
        uint64_t worst = 0, goal_at_worst = 0;
        for (int i = 0; i < 3000; i++) {
            gc_store(&ring[i % 64], make(8, 1)); /* ~64 × 16 KiB live */
            gh_gc_stats_read(&st);
            if (st.cycles > 2 && st.heap_alloc_bytes > worst) {
                worst = st.heap_alloc_bytes;
                goal_at_worst = st.heap_goal_bytes;
            }
        }
        gh_gc_stats_read(&st);
        CHECK(st.cycles > 5);
        CHECKF(worst <= goal_at_worst + goal_at_worst / 10 + (4u << 20), "heap %llu over goal %llu",
               (unsigned long long)worst, (unsigned long long)goal_at_worst);
        printf("pacer: %llu cycles, peak %llu KiB, goal %llu KiB, pauses p50 %llu ns max %llu ns\n",
               (unsigned long long)st.cycles, (unsigned long long)worst >> 10,
               (unsigned long long)goal_at_worst >> 10, (unsigned long long)st.pause_p50_ns,
               (unsigned long long)st.pause_max_ns);
    }
    CHECK(verify(root[0], 1) == (1u << (depth + 1)) - 1);
    printf("gc_basic ok%s\n", torture ? " (torture)" : concurrent ? " (concurrent torture)" : "");
    return 0;
}
