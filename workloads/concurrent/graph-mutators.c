/*
 * concurrent/graph-mutators — threads rewire a shared object graph while
 * the collector marks: the write barrier's cost and correctness under load.
 *
 * Pattern: a concurrent program's heap: a table of `nodes` nodes, each with
 * `edges` pointer slots. `threads` mutator threads each own the nodes whose
 * index is theirs modulo the thread count; a step either points one of its
 * nodes' edges at a random node of the table (a pointer store through
 * hb_store — under a concurrent collector, the barrier shades it), or
 * replaces one of its nodes by a fresh copy (the old one stays reachable
 * through other nodes' edges for a while, then becomes garbage), and every
 * step allocates some short-lived garbage to keep cycles coming. A missed
 * barrier, a lost grey object or a premature free shows up as an edge to a
 * node whose contents are not what the owner last wrote. Origin: Go's
 * garbage benchmarks (test/bench/garbage: tree2, parser, peano) and the
 * mutator/collector races that the Yuasa/Dijkstra hybrid barrier closes.
 * Collected adapters only (manual adapters would need ownership rules that
 * are not the point here).
 *
 * Parameters: threads, nodes, edges, steps (per thread), garbage (bytes
 * allocated per step).
 * Validates, word by word at the end: every node of the table and every
 * node reached through an edge has its magic, its own id, and each edge
 * slot holds exactly the node id its owner last stored (a shadow copy of
 * ids kept outside the collected heap).
 * Counters: stores, replacements.
 */
#include <stdint.h>
#include <stdlib.h>

#include "heapbench/object.h"
#include "heapbench/workload.h"
#include "wl/refs.h"
#include "wl/rng.h"
#include "wl/team.h"

static const hb_param params[] = {
    {"threads", 2, 4, "mutator threads", 1, 1024},
    {"nodes", 20000, 200000, "nodes in the table", 1, 50000000},
    {"edges", 4, 4, "pointer slots per node (1..60)", 1, 60},
    {"steps", 300000, 5000000, "mutation steps per thread", 1, 10000000000},
    {"garbage", 64, 64, "bytes of short-lived garbage allocated per step", 0, 1048576},
};

#define MAGIC 0x6e6f64656e6f6465ull

/* A node: magic, id, then `edges` pointers. */
typedef struct node {
    uint64_t magic, id;
    struct node *edge[];
} node;

typedef struct gm {
    void **table;     /* nodes pointers: first, rooted */
    uint64_t *shadow; /* nodes * edges: the id each edge should point at, +1 (0 = NULL) */
    hb_layout layout;
    size_t nodes, edges;
    uint64_t steps, garbage;
    int threads;
    uint64_t stores, replaced;
} gm;

static size_t node_bytes(const gm *G) { return (2 + G->edges) * sizeof(void *); }

static node *node_new(const gm *G, uint64_t id) {
    node *n = hb_new(node_bytes(G), &G->layout);
    n->magic = MAGIC;
    n->id = id;
    for (size_t e = 0; e < G->edges; e++) hb_store(&n->edge[e], NULL);
    return n;
}

static void *mutator(void *shared, int t) {
    gm *G = shared;
    wl_rng r = wl_rng_seed(777 + (uint64_t)t);
    size_t mine = (G->nodes - (size_t)t + (size_t)G->threads - 1) / (size_t)G->threads;
    uint64_t stores = 0, replaced = 0;
    for (uint64_t i = 0; i < G->steps && mine; i++) {
        size_t idx = (size_t)t + (size_t)wl_below(&r, mine) * (size_t)G->threads;
        node *n = hb_load(&G->table[idx]);
        if (wl_below(&r, 64) == 0) { /* replace the node by a copy */
            node *c = node_new(G, n->id);
            for (size_t e = 0; e < G->edges; e++) hb_store(&c->edge[e], hb_load((void **)&n->edge[e]));
            hb_store(&G->table[idx], c);
            replaced++;
        } else {
            size_t e = (size_t)wl_below(&r, G->edges);
            size_t to = (size_t)wl_below(&r, G->nodes + G->nodes / 8);
            node *target = to < G->nodes ? hb_load(&G->table[to]) : NULL;
            hb_store(&n->edge[e], target);
            G->shadow[idx * G->edges + e] = target ? target->id + 1 : 0;
            stores++;
        }
        if (G->garbage) {
            uint64_t *g = hb_new(G->garbage, HB_NOSCAN);
            g[0] = i;
            hb_gb_do_not_optimize(g);
        }
        if ((i & 255) == 0) hb_safepoint();
    }
    __atomic_fetch_add(&G->stores, stores, __ATOMIC_RELAXED);
    __atomic_fetch_add(&G->replaced, replaced, __ATOMIC_RELAXED);
    return NULL;
}

static uint64_t validate(const gm *G) {
    uint64_t bad = 0;
    for (size_t i = 0; i < G->nodes; i++) {
        node *n = hb_load(&G->table[i]);
        if (!n || n->magic != MAGIC || n->id != i) {
            bad++;
            continue;
        }
        for (size_t e = 0; e < G->edges; e++) {
            node *m = hb_load((void **)&n->edge[e]);
            uint64_t want = G->shadow[i * G->edges + e];
            if (!m) {
                bad += want != 0;
                continue;
            }
            if (m->magic != MAGIC || m->id + 1 != want) bad++;
        }
    }
    return bad;
}

static void run(hb_gb_state *st, const hb_wl_args *a) {
    gm *G = calloc(1, sizeof *G);
    G->threads = (int)hb_param_get(a, "threads");
    G->nodes = (size_t)hb_param_get(a, "nodes");
    G->edges = (size_t)hb_param_get(a, "edges");
    G->steps = (uint64_t)hb_param_get(a, "steps");
    G->garbage = (uint64_t)hb_param_get(a, "garbage");
    if (G->threads < 1) G->threads = 1;
    if (G->nodes < 1) G->nodes = 1;
    if (G->edges < 1) G->edges = 1;
    if (G->edges > 60) G->edges = 60;
    if (G->garbage && G->garbage < 8) G->garbage = 8;
    G->layout = (hb_layout){(uint32_t)(2 + G->edges), ((1ull << G->edges) - 1) << 2};
    hb_root_add(&G->table, sizeof G->table);
    uint64_t bad = 0;
    while (hb_gb_keep_running(st)) {
        hb_gb_pause(st);
        G->table = wl_ptr_array(G->nodes);
        G->shadow = calloc(G->nodes * G->edges, sizeof *G->shadow);
        for (size_t i = 0; i < G->nodes; i++) hb_store(&G->table[i], node_new(G, i));
        hb_gb_resume(st);
        if (wl_team_run(G->threads, mutator, G)) bad++;
        hb_gb_pause(st);
        hb_collect(); /* a full cycle after the mutation: anything missed is freed now */
        for (int k = 0; k < 4; k++) { /* and reused */
            for (size_t i = 0; i < G->nodes; i++) {
                uint64_t *g = hb_new(node_bytes(G), HB_NOSCAN);
                for (size_t w = 0; w < 2 + G->edges; w++) g[w] = ~(uint64_t)0;
            }
        }
        bad += validate(G);
        for (size_t i = 0; i < G->nodes; i++) hb_store(&G->table[i], NULL);
        wl_ptr_array_free(G->table, G->nodes);
        G->table = NULL;
        free(G->shadow);
        hb_gb_resume(st);
    }
    hb_root_remove(&G->table);
    if (bad) hb_wl_fail(st, "graph-mutators: %llu nodes or edges wrong", (unsigned long long)bad);
    hb_gb_set_items_processed(st, (int64_t)(G->steps * (uint64_t)G->threads * (uint64_t)hb_gb_iterations(st)));
    hb_gb_counter(st, "stores", (double)G->stores, HB_GB_DEFAULT);
    hb_gb_counter(st, "replacements", (double)G->replaced, HB_GB_DEFAULT);
    free(G);
}

static const hb_workload concurrent_graph_mutators = {
    .name = "concurrent/graph-mutators",
    .category = "concurrent",
    .description = "Mutator threads rewire a shared object graph with hb_store (and replace "
                   "nodes) while allocating garbage, so the collector marks under load; the "
                   "graph is checked word by word against a shadow copy at the end.",
    .params = params,
    .nparams = sizeof params / sizeof *params,
    .needs = HB_NEEDS_COLLECTED | HB_NEEDS_CAP(HB_CAP_THREADS),
    .iterations = 1,
    .run = run,
};
HB_WORKLOAD(concurrent_graph_mutators);
