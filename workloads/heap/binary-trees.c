/*
 * heap/binary-trees — GCBench / the Benchmarks Game's binary-trees.
 *
 * Pattern: one long-lived complete binary tree of depth `max_depth` stays
 * alive for the whole run (plus a long-lived array of data words, as in
 * Boehm's GCBench), while many short-lived trees are built and thrown away:
 * for each depth d = min_depth, min_depth+2, ... max_depth, 2^(max_depth - d
 * + min_depth) trees of depth d, built top-down (each node allocated then
 * linked, GCBench's "top-down" construction, through hb_store) and checked.
 * Origin: Hans Boehm's GCBench (Ellis, Kovac, Boehm) and the Benchmarks
 * Game. Stresses: the small-object allocation fast path, young-object
 * reclamation (free of a whole tree for manual adapters, garbage for
 * collected ones), and a collector's tracing of a large live set.
 *
 * Parameters: max_depth, min_depth.
 * Validates: every short-lived tree's node count (2^(d+1) - 1) and the sum
 * of its node values; the long-lived tree and array intact at the end.
 * Counters: nodes (allocated), trees.
 */
#include <stdint.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"

typedef struct node {
    struct node *left, *right;
    uint64_t value;
} node;

static const hb_layout node_layout = {3, 0x3}; /* left, right: pointers */

static const hb_param params[] = {
    {"max_depth", 15, 20, "depth of the long-lived tree and of the largest short-lived ones", 4, 24},
    {"min_depth", 4, 4, "depth of the smallest short-lived trees", 1, 24},
};

static node *make(int depth, uint64_t value, uint64_t *count) {
    node *n = hb_new(sizeof *n, &node_layout);
    (*count)++;
    n->value = value;
    if (depth > 0) {
        hb_store(&n->left, make(depth - 1, 2 * value, count));
        hb_store(&n->right, make(depth - 1, 2 * value + 1, count));
    } else {
        hb_store(&n->left, NULL);
        hb_store(&n->right, NULL);
    }
    return n;
}

/* Counts nodes and sums their values; *bad counts structural errors. */
static uint64_t check(const node *n, uint64_t value, uint64_t *sum, uint64_t *bad) {
    if (n->value != value) (*bad)++;
    *sum += n->value;
    node *l = hb_load((void *const *)&n->left), *r = hb_load((void *const *)&n->right);
    if (!l != !r) {
        (*bad)++;
        return 1;
    }
    if (!l) return 1;
    return 1 + check(l, 2 * value, sum, bad) + check(r, 2 * value + 1, sum, bad);
}

static void release(node *n) {
    if (!n) return;
    node *l = n->left, *r = n->right;
    hb_store(&n->left, NULL);
    hb_store(&n->right, NULL);
    release(l);
    release(r);
    hb_drop(n, sizeof *n);
}

/* Sum of values 1..2^(d+1)-1 in heap order (root 1, children 2v, 2v+1). */
static uint64_t expected_sum(int d) {
    uint64_t n = (1ull << (d + 1)) - 1;
    return n * (n + 1) / 2;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    int max_depth = (int)hb_param_get(a, "max_depth");
    int min_depth = (int)hb_param_get(a, "min_depth");
    if (min_depth < 1) min_depth = 1;
    if (max_depth < min_depth) max_depth = min_depth;
    uint64_t nodes = 0, trees = 0, bad = 0;
    while (hb_gb_keep_running(st)) {
        node *long_lived = make(max_depth, 1, &nodes);
        size_t array_n = (size_t)1 << (max_depth - 1 > 4 ? max_depth - 1 : 4);
        double *array = hb_new(array_n * sizeof(double), HB_NOSCAN);
        for (size_t i = 0; i < array_n; i++) array[i] = 1.0 / (double)(i + 1);
        for (int d = min_depth; d <= max_depth; d += 2) {
            uint64_t iters = 1ull << (max_depth - d + min_depth);
            for (uint64_t i = 0; i < iters; i++) {
                node *t = make(d, 1, &nodes);
                uint64_t sum = 0;
                if (check(t, 1, &sum, &bad) != (1ull << (d + 1)) - 1 || sum != expected_sum(d)) bad++;
                release(t);
                trees++;
                if ((i & 63) == 0) hb_safepoint();
            }
        }
        uint64_t sum = 0;
        if (check(long_lived, 1, &sum, &bad) != (1ull << (max_depth + 1)) - 1 ||
            sum != expected_sum(max_depth))
            bad++;
        for (size_t i = 0; i < array_n; i++)
            if (array[i] != 1.0 / (double)(i + 1)) {
                bad++;
                break;
            }
        hb_drop(array, array_n * sizeof(double));
        release(long_lived);
    }
    if (bad) hb_wl_fail(st, "binary-trees: %llu trees or nodes wrong", (unsigned long long)bad);
    hb_gb_set_items_processed(st, (int64_t)nodes);
    hb_gb_counter(st, "nodes", (double)nodes, HB_GB_DEFAULT);
    hb_gb_counter(st, "trees", (double)trees, HB_GB_DEFAULT);
}

static const hb_workload heap_binary_trees = {
    .name = "heap/binary-trees",
    .category = "heap",
    .description = "GCBench / binary-trees: a long-lived tree and array plus many short-lived "
                   "complete binary trees of growing depth, built, checked and thrown away. "
                   "Stresses small-object allocation, young-object reclamation and tracing a "
                   "large live set.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(heap_binary_trees);
