/*
 * gc_concurrent.c — gc/concurrent-barrier: a collector that marks while the
 * program runs (HB_CAP_CONCURRENT) must not lose an object whose only
 * reference the program moves during marking. That is what the write
 * barrier is for (Dijkstra's insertion half, Yuasa's deletion half; Go's
 * hybrid barrier has both), and a barrier that is skipped, or switched on
 * too late, frees live objects only under exactly this race — invisible to
 * every stop-the-world property.
 *
 * The lost-object scenario, made likely instead of lucky:
 *   - a chain of NODES nodes from one root: marking it is sequential (node
 *     i+1 is found only by scanning node i), so for the whole mark phase
 *     there is a frontier with black nodes behind it and white ones ahead;
 *   - PAYLOADS pointer-free objects, each referenced only from the payload
 *     slot of one node, allocated before the cycles (allocation during
 *     marking is black, so only older objects can be lost);
 *   - while another registered thread runs hb_collect(), this thread keeps
 *     moving payloads between random nodes, heap slot to heap slot:
 *         hb_store(&dst->payload, hb_load(&src->payload));
 *         hb_store(&src->payload, NULL);
 *     A move from ahead of the frontier to behind it leaves the payload
 *     white, reachable only from a black node: without the barrier it is
 *     freed. About one move in six made during marking is such a move.
 * The pointer never rests on a stack (stacks are scanned conservatively
 * and would hide the loss); this file's own table of payloads holds them
 * hidden (XOR-ed), in malloc'd memory no collector scans.
 *
 * After each cycle every payload must still be where the last move put it
 * with every word intact, no finalizer (set on half of them) may have run,
 * and allocation of the payloads' size that would reuse freed slots must
 * not change them. Cycles repeat for about one second. If the adapter's
 * barrier flag was never on while this thread stored, the claim of
 * concurrency is unproven and the property fails, saying so.
 *
 * Sources: Dijkstra et al. 1978 (on-the-fly GC), Yuasa 1990; Go
 * runtime/mbarrier.go (hybrid barrier), proposal 17503; bdwgc's incremental
 * mode (dirty bits). Proven by faults/gc_no_barrier.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gc_support.h"

enum { NODES = 100000, PAYLOADS = 4096, PWORDS = 6 };
#define HIDE ((uintptr_t)0x5a5aa5a5c3c33c3cull)
#define MAGIC 0x9e3779b97f4a7c15ull
#define BUDGET_NS 1000000000ull

/* node: [next][payload][id][check]: the first two words are pointers */
static const hb_layout node_layout = {4, 0x3};
typedef struct node {
    struct node *next;
    uint64_t *payload;
    uint64_t id, check;
} node;

typedef struct barrier_state {
    node **nodes;        /* malloc'd: the chain in order (nodes are kept by the chain) */
    uintptr_t *hidden;   /* payload k, XOR HIDE */
    int *pos;            /* which node holds payload k */
    _Atomic int *fin;    /* finalizer runs, per payload */
    void **root;         /* malloc'd, registered: the chain's head */
    _Atomic int done;
} barrier_state;

static uint64_t word_of(int k, int w) { return (MAGIC ^ (uint64_t)k) * (uint64_t)(w + 1); }

static void *build(void *arg) {
    barrier_state *s = arg;
    node *prev = NULL;
    for (int i = 0; i < NODES; i++) {
        node *x = hb_new(sizeof *x, &node_layout);
        x->id = (uint64_t)i;
        x->check = ~(uint64_t)i ^ MAGIC;
        s->nodes[i] = x;
        if (prev) hb_store(&prev->next, x);
        else hb_store(&s->root[0], x);
        prev = x;
    }
    /* payload k starts in node k * (NODES / PAYLOADS) */
    for (int k = 0; k < PAYLOADS; k++) {
        uint64_t *p = hb_new(PWORDS * sizeof(uint64_t), HB_NOSCAN);
        for (int w = 0; w < PWORDS; w++) p[w] = word_of(k, w);
        if (k % 2 == 0 && hb_has(HB_CAP_FINALIZERS)) hb_rt.ad->set_finalizer(p, gc_count_finalizer, &s->fin[k]);
        int at = k * (NODES / PAYLOADS);
        hb_store(&s->nodes[at]->payload, p);
        s->hidden[k] = (uintptr_t)p ^ HIDE;
        s->pos[k] = at;
    }
    return NULL;
}

static void *collector(void *arg) {
    barrier_state *s = arg;
    hb_collect();
    atomic_store(&s->done, 1);
    return NULL;
}

/* 0 when the chain and every payload are intact; else writes why. */
static int verify(barrier_state *s, int cycle, char *why, size_t len) {
    node *x = hb_load(&s->root[0]);
    for (int i = 0; i < NODES; i++, x = x->next) {
        if (x != s->nodes[i])
            return snprintf(why, len, "after cycle %d the chain breaks at node %d (%p, expected %p)", cycle, i,
                            (void *)x, (void *)s->nodes[i]);
        if (x->id != (uint64_t)i || x->check != (~(uint64_t)i ^ MAGIC))
            return snprintf(why, len, "after cycle %d node %d (%p) changed: id %#llx check %#llx", cycle, i,
                            (void *)x, (unsigned long long)x->id, (unsigned long long)x->check);
    }
    for (int k = 0; k < PAYLOADS; k++) {
        uint64_t *p = (uint64_t *)(s->hidden[k] ^ HIDE);
        uint64_t *in = hb_load((void *const *)&s->nodes[s->pos[k]]->payload);
        if (in != p)
            return snprintf(why, len, "after cycle %d node %d's payload slot holds %p, expected payload #%d %p",
                            cycle, s->pos[k], (void *)in, k, (void *)p);
        if (atomic_load(&s->fin[k]))
            return snprintf(why, len, "after cycle %d the finalizer of payload #%d (%p) ran although node %d still "
                            "points to it: the collector found it unreachable (lost object)",
                            cycle, k, (void *)p, s->pos[k]);
        for (int w = 0; w < PWORDS; w++)
            if (p[w] != word_of(k, w))
                return snprintf(why, len, "after cycle %d payload #%d (%p, held by node %d) word %d is %#llx, "
                                "expected %#llx: freed while reachable and its memory reused (lost object)",
                                cycle, k, (void *)p, s->pos[k], w, (unsigned long long)p[w],
                                (unsigned long long)word_of(k, w));
    }
    return 0;
}

static hb_cf_status barrier_run(hb_cf_result *r) {
    barrier_state *s = calloc(1, sizeof *s);
    s->nodes = calloc(NODES, sizeof *s->nodes);
    s->hidden = calloc(PAYLOADS, sizeof *s->hidden);
    s->pos = calloc(PAYLOADS, sizeof *s->pos);
    s->fin = calloc(PAYLOADS, sizeof *s->fin);
    s->root = calloc(1, sizeof *s->root);
    hb_root_add(s->root, sizeof *s->root);
    gc_on_helper(build, s);

    uint64_t rng = 0x2545f4914f6cdd1dull, t0 = hb_cf_now_ns();
    unsigned long long moves = 0, marking_moves = 0;
    int cycles = 0;
    char why[512];
    while (cycles < 3 || (hb_cf_now_ns() - t0 < BUDGET_NS && cycles < 400)) {
        atomic_store(&s->done, 0);
        pthread_t t;
        hb_thread_start(&t, collector, s);
        while (!atomic_load_explicit(&s->done, memory_order_acquire)) {
            int k = (int)(hb_cf_rand(&rng) % PAYLOADS);
            int dst = (int)(hb_cf_rand(&rng) % NODES), src = s->pos[k];
            node *d = s->nodes[dst], *o = s->nodes[src];
            if (hb_load((void *const *)&d->payload)) continue;
            int on = __atomic_load_n(hb_rt.barrier_flag, __ATOMIC_RELAXED);
            hb_store(&d->payload, hb_load((void *const *)&o->payload));
            hb_store(&o->payload, NULL);
            s->pos[k] = dst;
            moves++;
            marking_moves += on != 0;
            if ((moves & 255) == 0) hb_safepoint();
        }
        hb_thread_join(t);
        cycles++;
        hb_cf_clear_stack();
        if (verify(s, cycles, why, sizeof why))
            return hb_cf_fail(r, "%s (%llu moves so far, %llu while the barrier was on)", why, moves, marking_moves);
        /* reuse whatever the cycle freed: a lost payload's words change */
        for (int i = 0; i < 2 * PAYLOADS; i++) {
            uint64_t *g = hb_new(PWORDS * sizeof(uint64_t), HB_NOSCAN);
            for (int w = 0; w < PWORDS; w++) g[w] = 0xdeaddeaddeaddeadull;
        }
        hb_cf_clear_stack();
        if (verify(s, cycles, why, sizeof why))
            return hb_cf_fail(r, "%s (%llu moves so far, %llu while the barrier was on)", why, moves, marking_moves);
    }
    /* finalizers may run on their own thread after collect() returns */
    nanosleep(&(struct timespec){0, 50000000}, NULL);
    if (verify(s, cycles, why, sizeof why))
        return hb_cf_fail(r, "%s (%llu moves, %llu while the barrier was on)", why, moves, marking_moves);
    hb_root_remove(s->root);
    if (!marking_moves)
        return hb_cf_fail(r, "the adapter claims HB_CAP_CONCURRENT but its barrier flag was never on during %llu "
                          "pointer moves over %d cycles run by another thread: no concurrent marking observed",
                          moves, cycles);
    return hb_cf_pass(r, "%d payloads intact over %d cycles; %llu moves of their only reference between %d chained "
                      "nodes, %llu while marking (barrier on)",
                      PAYLOADS, cycles, moves, NODES, marking_moves);
}

static const hb_property barrier_prop = {
    .name = "gc/concurrent-barrier",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_CONCURRENT,
    .summary = "objects whose only reference is moved (hb_store, heap slot to heap slot) during concurrent marking survive",
    .source = "Dijkstra 1978; Yuasa 1990; Go runtime/mbarrier.go (hybrid barrier, proposal 17503)",
    .run = barrier_run,
};
HB_PROPERTY(barrier_prop);
