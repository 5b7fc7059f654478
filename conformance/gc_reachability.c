/*
 * gc_reachability.c — the first duty of a collector: nothing reachable is
 * ever freed. Objects reachable from registered roots, from the stacks of
 * every registered thread, through the pointer words of a precise layout,
 * or (where claimed) through interior pointers survive any number of cycles
 * with every word intact; gc_alloc hands out zeroed, aligned memory even
 * when it recycles. Checked word by word after many cycles with garbage
 * allocated in between, so reclaimed-and-reused memory shows as changed
 * words.
 *
 * Sources: bdwgc tests/gctest.c (reverse_test, tree_test, typed_test),
 * Go runtime/gc_test.go (TestGcSys, TestGcDeepNesting). Proven by
 * faults/gc_forgets_root.c, faults/gc_stack_base_low.c,
 * faults/gc_no_interior.c, faults/gc_dirty_alloc.c,
 * faults/gc_layout_reversed.c.
 */
#define _GNU_SOURCE
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "gc_support.h"

/* node: [next][payload (noscan)][id][check] */
static const hb_layout node_layout = {4, 0x3};

typedef struct node {
    struct node *next;
    uint64_t *payload;
    uint64_t id, check;
} node;

static node *make_list(uint64_t base, int n) {
    node *head = NULL;
    for (int i = n - 1; i >= 0; i--) {
        node *x = hb_new(sizeof *x, &node_layout);
        uint64_t *pl = hb_new(64, HB_NOSCAN);
        for (int k = 0; k < 8; k++) pl[k] = (base + (uint64_t)i) * 8 + (uint64_t)k;
        hb_store(&x->payload, pl);
        x->id = base + (uint64_t)i;
        x->check = ~x->id;
        hb_store(&x->next, head);
        head = x;
    }
    return head;
}

/* 1 when n bytes at p can be read. A collector that freed a reachable
 * object may also have returned its pages to the OS; the check reports
 * that instead of faulting on it (process_vm_readv on this process fails
 * with EFAULT where a load would raise SIGSEGV). */
static int readable(const void *p, size_t n) {
    char buf[64];
    struct iovec to = {buf, n < sizeof buf ? n : sizeof buf}, from = {(void *)p, to.iov_len};
    return process_vm_readv(getpid(), &to, 1, &from, 1, 0) == (ssize_t)to.iov_len;
}

/* 0 when the list holds n intact nodes; else writes why. */
static int check_list(node *x, uint64_t base, int n, char *why, size_t len) {
    for (int i = 0; i < n; i++, x = x->next) {
        if (!x) return snprintf(why, len, "list %llu ends after %d of %d nodes", (unsigned long long)base, i, n), -1;
        if (!readable(x, sizeof *x) || !readable(x->payload, 64))
            return snprintf(why, len, "node %d of list %llu (%p) or its payload is no longer mapped — freed and "
                            "returned to the OS while reachable",
                            i, (unsigned long long)base, (void *)x),
                   -1;
        if (x->id != base + (uint64_t)i || x->check != ~x->id)
            return snprintf(why, len, "node %p of list %llu: id %#llx check %#llx, expected id %#llx — freed and "
                            "reused while reachable",
                            (void *)x, (unsigned long long)base, (unsigned long long)x->id,
                            (unsigned long long)x->check, (unsigned long long)(base + (uint64_t)i)),
                   -1;
        for (int k = 0; k < 8; k++)
            if (x->payload[k] != (base + (uint64_t)i) * 8 + (uint64_t)k)
                return snprintf(why, len, "payload %p of node %llu: word %d is %#llx, expected %#llx",
                                (void *)x->payload, (unsigned long long)x->id, k,
                                (unsigned long long)x->payload[k],
                                (unsigned long long)((base + (uint64_t)i) * 8 + (uint64_t)k)),
                       -1;
    }
    return 0;
}

static void garbage(size_t bytes) {
    for (size_t done = 0; done < bytes; done += 256) {
        uint64_t *g = hb_new(256, (done / 256) % 2 ? HB_NOSCAN : &node_layout);
        memset(g + 2, 0x5a, 256 - 16);
    }
}

/* ---- registered roots ---- */
enum { NLISTS = 64, LEN = 200 };

static void *build_lists(void *arg) {
    node **roots = arg;
    for (int i = 0; i < NLISTS; i++) hb_store(&roots[i], make_list((uint64_t)i * 1000, LEN));
    return NULL;
}

static hb_cf_status roots_run(hb_cf_result *r) {
    node **roots = calloc(NLISTS, sizeof *roots); /* malloc'd: only the registration makes it a root */
    hb_root_add(roots, NLISTS * sizeof *roots);
    gc_on_helper(build_lists, roots);
    char why[256];
    for (int cycle = 0; cycle < 10; cycle++) {
        garbage(2 << 20);
        hb_collect();
        for (int i = 0; i < NLISTS; i++)
            if (check_list(roots[i], (uint64_t)i * 1000, LEN, why, sizeof why))
                return hb_cf_fail(r, "after cycle %d: %s", cycle + 1, why);
    }
    hb_root_remove(roots);
    return hb_cf_pass(r, "%d lists x %d nodes (+ pointer-free payloads) held only by a registered root range: "
                      "intact word by word over 10 cycles with 20 MiB garbage",
                      NLISTS, LEN);
}

static const hb_property roots_prop = {
    .name = "gc/roots-keep-alive",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "objects reachable only from a registered root range survive every cycle, every word intact",
    .source = "bdwgc tests/gctest.c (GC_add_roots); Go runtime: globals are roots",
    .run = roots_run,
};
HB_PROPERTY(roots_prop);

/* ---- stacks of every registered thread ---- */
typedef struct stk {
    pthread_barrier_t held, checked;
    _Atomic int bad;
    char why[256];
} stk;

static void *stack_holder(void *arg) {
    stk *s = arg;
    node *volatile local[8];
    for (int i = 0; i < 8; i++) local[i] = make_list(500000 + (uint64_t)i * 1000, 50);
    pthread_barrier_wait(&s->held);  /* main collects now */
    pthread_barrier_wait(&s->checked);
    char why[256];
    for (int i = 0; i < 8; i++)
        if (check_list(local[i], 500000 + (uint64_t)i * 1000, 50, why, sizeof why)) {
            /* the first thread to find a lost list reports it; stop here, before
             * following more pointers of freed (perhaps unmapped) memory */
            if (!atomic_exchange(&s->bad, 1)) memcpy(s->why, why, sizeof why);
            break;
        }
    return NULL;
}

static hb_cf_status stacks_run(hb_cf_result *r) {
    stk *s = calloc(1, sizeof *s);
    pthread_barrier_init(&s->held, NULL, 4);
    pthread_barrier_init(&s->checked, NULL, 4);
    pthread_t t[3];
    for (int i = 0; i < 3; i++) hb_thread_start(&t[i], stack_holder, s);
    node *volatile mine = make_list(900000, 300);
    pthread_barrier_wait(&s->held);
    for (int c = 0; c < 6; c++) {
        garbage(2 << 20);
        hb_collect();
    }
    pthread_barrier_wait(&s->checked);
    for (int i = 0; i < 3; i++) hb_thread_join(t[i]);
    char why[256];
    if (check_list(mine, 900000, 300, why, sizeof why)) return hb_cf_fail(r, "main thread's stack: %s", why);
    if (s->bad) return hb_cf_fail(r, "another thread's stack: %s", s->why);
    return hb_cf_pass(r, "lists held only in locals of the main thread and 3 other threads survived 6 cycles");
}

static const hb_property stacks_prop = {
    .name = "gc/stacks-keep-alive",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "objects held only by local variables of any registered thread survive collections run by another",
    .source = "bdwgc tests/gctest.c (thread tests); Go: stacks are scanned at every cycle",
    .run = stacks_run,
};
HB_PROPERTY(stacks_prop);

/* ---- interior pointers ---- */
static void *build_interior(void *arg) {
    char **slots = arg;
    for (int i = 0; i < 256; i++) {
        uint64_t *o = hb_new(512, HB_NOSCAN);
        for (int k = 0; k < 64; k++) o[k] = (uint64_t)i << 32 | (uint64_t)k;
        hb_store(&slots[i], (char *)o + 8 * (1 + i % 62)); /* never the start */
    }
    return NULL;
}

static hb_cf_status interior_run(hb_cf_result *r) {
    char **slots = calloc(256, sizeof *slots);
    hb_root_add(slots, 256 * sizeof *slots);
    gc_on_helper(build_interior, slots);
    for (int c = 0; c < 6; c++) {
        garbage(2 << 20);
        hb_collect();
    }
    for (int i = 0; i < 256; i++) {
        uint64_t *o = (uint64_t *)(slots[i] - 8 * (1 + i % 62));
        for (int k = 0; k < 64; k++)
            if (o[k] != ((uint64_t)i << 32 | (uint64_t)k))
                return hb_cf_fail(r, "object %p held by interior pointer %p: word %d is %#llx, expected %#llx",
                                  (void *)o, (void *)slots[i], k, (unsigned long long)o[k],
                                  (unsigned long long)((uint64_t)i << 32 | (uint64_t)k));
    }
    hb_root_remove(slots);
    return hb_cf_pass(r, "256 objects referenced only by interior pointers from a root survived 6 cycles intact");
}

static const hb_property interior_prop = {
    .name = "gc/interior-pointers",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_INTERIOR_PTRS,
    .summary = "an object referenced only by a pointer into its middle stays alive (where the collector claims it)",
    .source = "bdwgc GC_all_interior_pointers; tests/gctest.c",
    .run = interior_run,
};
HB_PROPERTY(interior_prop);

/* ---- zeroed and aligned allocation ---- */

/* The alignment a gc_alloc(sz, layout) block needs: alignof(max_align_t)
 * from that size up, except for a typed object made of whole elements of
 * its layout's period (8P bytes): the element's type has an alignment that
 * divides 8P, so the largest power of two dividing 8P (at most
 * max_align_t) is enough — Go's 24-byte class for a {ptr, ptr, word}. */
static size_t gc_align_needed(size_t sz, const hb_layout *l) {
    size_t fund = alignof(max_align_t), need = sz >= fund ? fund : 1;
    if (!l || !l->period || sz % (8u * l->period)) return need;
    size_t elem = 8u * l->period, a = elem & -elem;
    return a < need ? a : need;
}

static hb_cf_status zeroed_run(hb_cf_result *r) {
    static const hb_layout all_ptr = {1, 1};
    for (int round = 0; round < 4; round++) {
        for (size_t sz = 8; sz <= 8192; sz = sz * 3 / 2 + 8)
            for (int i = 0; i < 64; i++) {
                unsigned char *d = hb_new(sz, i % 2 ? HB_NOSCAN : &all_ptr);
                memset(d, i % 2 ? 0xa5 : 0, sz); /* dirty the pointer-free ones, then drop them */
            }
        hb_collect();
        for (size_t sz = 8; sz <= 8192; sz = sz * 3 / 2 + 8)
            for (int i = 0; i < 64; i++) {
                unsigned char *p = hb_new(sz, i % 2 ? HB_NOSCAN : &all_ptr);
                for (size_t k = 0; k < sz; k++)
                    if (p[k])
                        return hb_cf_fail(r, "gc_alloc(%zu, %s) = %p after a cycle freed dirtied blocks: byte %zu "
                                          "is %#x, not 0",
                                          sz, i % 2 ? "noscan" : "pointers", (void *)p, k, p[k]);
                size_t need = gc_align_needed(sz, i % 2 ? HB_NOSCAN : &all_ptr);
                if (hb_cf_addr(p) % need)
                    return hb_cf_fail(r, "gc_alloc(%zu) = %p is aligned to %zu only, not %zu", sz, (void *)p,
                                      (size_t)hb_cf_align_of(p), need);
            }
    }
    return hb_cf_pass(r, "4 rounds of dirty, drop, collect, reallocate: every gc_alloc block zeroed and aligned to %zu "
                         "(or to its layout element's alignment)",
                      (size_t)alignof(max_align_t));
}

static const hb_property zeroed_prop = {
    .name = "gc/zeroed-alloc",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "gc_alloc returns zeroed memory aligned to alignof(max_align_t) (a typed object of whole layout "
               "elements: to the element's alignment), also when it recycles swept blocks",
    .source = "the adapter contract (gc_alloc: zeroed); Go mallocgc needzero; bdwgc GC_MALLOC clears",
    .run = zeroed_run,
};
HB_PROPERTY(zeroed_prop);

/* ---- a mutating graph with a precise layout ---- */
enum { GN = 4000 };
typedef struct gnode {
    struct gnode *chain, *e1, *e2;
    uint64_t *payload;
    uint64_t id, check;
} gnode;
static const hb_layout gnode_layout = {6, 0xf};

static void *build_graph(void *arg) {
    gnode **root = arg;
    uint64_t rng = 5;
    gnode **all = malloc(GN * sizeof *all); /* malloc'd: not a root, gone after this thread */
    for (int i = 0; i < GN; i++) {
        all[i] = hb_new(sizeof(gnode), &gnode_layout);
        all[i]->id = (uint64_t)i;
        all[i]->check = ~(uint64_t)i * 3;
        uint64_t *pl = hb_new(32, HB_NOSCAN);
        for (int k = 0; k < 4; k++) pl[k] = (uint64_t)i * 4 + (uint64_t)k;
        hb_store(&all[i]->payload, pl);
    }
    for (int i = 0; i < GN; i++) {
        hb_store(&all[i]->chain, i + 1 < GN ? all[i + 1] : NULL);
        hb_store(&all[i]->e1, all[hb_cf_rand(&rng) % GN]);
        hb_store(&all[i]->e2, all[hb_cf_rand(&rng) % GN]); /* cycles and sharing */
    }
    hb_store(root, all[0]);
    free(all);
    return NULL;
}

static int check_graph(gnode *g, char *why, size_t len) {
    for (int i = 0; i < GN; i++, g = g->chain) {
        if (!g || g->id != (uint64_t)i || g->check != ~(uint64_t)i * 3)
            return snprintf(why, len, "chain node %d at %p: id %#llx, expected %d", i, (void *)g,
                            g ? (unsigned long long)g->id : 0ull, i), -1;
        if (!g->e1 || !g->e2 || g->e1->check != ~g->e1->id * 3 || g->e2->check != ~g->e2->id * 3)
            return snprintf(why, len, "an edge target of node %d is not intact", i), -1;
        for (int k = 0; k < 4; k++)
            if (g->payload[k] != (uint64_t)i * 4 + (uint64_t)k)
                return snprintf(why, len, "payload of node %d: word %d is %#llx", i, k,
                                (unsigned long long)g->payload[k]), -1;
    }
    return 0;
}

static hb_cf_status graph_run(hb_cf_result *r) {
    gnode **root = calloc(1, sizeof *root);
    hb_root_add(root, sizeof *root);
    gc_on_helper(build_graph, root);
    char why[256];
    uint64_t rng = 77;
    for (int c = 0; c < 12; c++) {
        /* rewire some edges (through the barrier), then collect */
        gnode *g = *root;
        for (int i = 0; i < GN; i++, g = g->chain)
            if (hb_cf_rand(&rng) % 8 == 0) {
                gnode *t = g->e1;
                hb_store(&g->e1, g->e2);
                hb_store(&g->e2, t);
            }
        garbage(1 << 20);
        hb_collect();
        if (check_graph(*root, why, sizeof why)) return hb_cf_fail(r, "after cycle %d: %s", c + 1, why);
    }
    hb_root_remove(root);
    return hb_cf_pass(r, "a %d-node graph (precise layout, cycles, shared nodes, noscan payloads) rewired and "
                      "collected 12 times: every word intact",
                      GN);
}

static const hb_property graph_prop = {
    .name = "gc/graph-intact",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = 0,
    .summary = "a mutating graph with cycles, sharing and a precise layout survives many cycles word for word",
    .source = "bdwgc tests/gctest.c (tree_test, typed_test); Go runtime/gc_test.go",
    .run = graph_run,
};
HB_PROPERTY(graph_prop);
