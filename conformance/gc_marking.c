/*
 * gc_marking.c — hazards that exist only *inside* a mark phase, built
 * deterministically with the mark hook (HB_CAP_MARK_HOOK, gc_window in
 * gc_support.h): the property's mutators act after marking has begun and
 * before the collector has scanned a single heap object, then the cycle
 * runs to its end. Three ways a concurrent collector loses live objects:
 *
 *   gc/barrier-deletion       a pointer moved from the heap onto a stack
 *                             (already scanned, never rescanned): only the
 *                             deletion (Yuasa) half of the barrier, shading
 *                             what a store overwrites, keeps it.
 *   gc/mark-drains-mutators   threads that store but never allocate: what
 *                             their barrier shaded sits in their own grey
 *                             buffers, which mark termination must drain.
 *   gc/alloc-during-mark      objects allocated during marking, reachable
 *                             only from the (scanned) stack and from other
 *                             new objects: allocation must be black.
 *
 * Every lost object is found two ways: a finalizer that ran (half of the
 * objects have one, where the collector offers them) and changed words after
 * the heap was churned so that freed slots were reused. The objects sit
 * between live neighbours of their size, so a freed one leaves a hole in a
 * partly live span, the first place an allocator refills from.
 *
 * On a stop-the-world collector the hook runs before the world stops and
 * every hazard is harmless, as it must be: the property passes. Sources: Go
 * runtime/mbarrier.go (hybrid barrier, proposal 17503), mgc.go (gcMarkDone
 * flushes every P's gcWork; allocate-black), Yuasa 1990. Proven by
 * faults/gc_no_deletion_barrier.c, gc_undrained_grey.c, gc_alloc_white.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "gc_support.h"

#define HIDE ((uintptr_t)0x5a5aa5a5c3c33c3cull)
static const hb_layout all_ptrs = {1, 1};
/* node: [next][7 pattern words] */
enum { NWORDS = 8 };
static const hb_layout node_layout = {NWORDS, 0x1};

static void fill_node(uint64_t *x, uint64_t id) {
    for (int w = 1; w < NWORDS; w++) x[w] = gc_word(id, w);
}

/* 0 when the chain of `len` nodes from x holds ids id0, id0+1, ...; else why. */
static int check_chain(uint64_t *x, uint64_t id0, int len, char *why, size_t n) {
    for (int i = 0; i < len; i++, x = (uint64_t *)x[0]) {
        if (!x) return snprintf(why, n, "chain %#llx ends after %d of %d nodes", (unsigned long long)id0, i, len);
        for (int w = 1; w < NWORDS; w++)
            if (x[w] != gc_word(id0 + (uint64_t)i, w))
                return snprintf(why, n, "node %d of chain %#llx (%p) word %d is %#llx, expected %#llx: freed while "
                                "reachable and its slot reused",
                                i, (unsigned long long)id0, (void *)x, w, (unsigned long long)x[w],
                                (unsigned long long)gc_word(id0 + (uint64_t)i, w));
    }
    return 0;
}

/* A chain of len nodes (ids id0...), each followed by a live neighbour of
 * its size in *keep (an all-pointer object of len slots). */
static uint64_t *make_chain(uint64_t id0, int len, void **keep) {
    uint64_t *head = NULL, *prev = NULL;
    for (int i = 0; i < len; i++) {
        uint64_t *x = hb_new(NWORDS * 8, &node_layout);
        fill_node(x, id0 + (uint64_t)i);
        if (prev) hb_store((void **)&prev[0], x);
        else head = x;
        prev = x;
        hb_store(&keep[i], hb_new(NWORDS * 8, &node_layout));
    }
    return head;
}

/* Inside the window: 0 when the hook's promise holds (a concurrent
 * collector has its barrier on: marking really is under way), else why. */
static int window_is_marking(char *why, size_t n) {
    if (!hb_has(HB_CAP_CONCURRENT)) return 0;
    if (hb_rt.barrier_flag && __atomic_load_n(hb_rt.barrier_flag, __ATOMIC_RELAXED)) return 0;
    return snprintf(why, n, "the adapter claims HB_CAP_CONCURRENT but its barrier flag was off inside the mark "
                    "hook: the hook did not run during marking, so the hazard was never built");
}

static int finalizers_ran(_Atomic int *fin, int n) {
    int ran = 0;
    for (int i = 0; i < n; i++) ran += atomic_load(&fin[i]) > 0;
    return ran;
}

/* ================================================ gc/barrier-deletion */
enum { DX = 64, DLEN = 2 };

typedef struct del_state {
    void **root;        /* malloc'd, registered: [0] holder, [1] neighbours */
    uintptr_t hidden[DX];
    _Atomic int fin[DX];
} del_state;

static void *del_build(void *arg) {
    del_state *s = arg;
    void **holder = hb_new(DX * sizeof(void *), &all_ptrs);
    void **keep = hb_new(DX * sizeof(void *), &all_ptrs);
    hb_store(&s->root[0], holder);
    hb_store(&s->root[1], keep);
    for (int k = 0; k < DX; k++) {
        void **nb = hb_new(DLEN * sizeof(void *), &all_ptrs);
        hb_store(&keep[k], nb);
        uint64_t *x = make_chain((uint64_t)k << 8, DLEN, nb);
        hb_store(&holder[k], x);
        if (k % 2 && hb_has(HB_CAP_FINALIZERS)) hb_rt.ad->set_finalizer(x, gc_count_finalizer, &s->fin[k]);
        s->hidden[k] = (uintptr_t)x ^ HIDE;
    }
    return NULL;
}

static hb_cf_status deletion_run(hb_cf_result *r) {
    del_state *s = calloc(1, sizeof *s);
    s->root = calloc(2, sizeof *s->root);
    hb_root_add(s->root, 2 * sizeof *s->root);
    gc_on_helper(del_build, s);
    void *volatile held[DX] = {0}; /* this stack: scanned in the first pause, before the move */
    gc_window w;
    if (gc_window_open(&w) != 0)
        return hb_cf_fail(r, "the adapter claims HB_CAP_MARK_HOOK but its mark hook did not run within 10 s");
    void **holder = hb_load(&s->root[0]);
    for (int k = 0; k < DX; k++) {
        held[k] = hb_load(&holder[k]);
        hb_store(&holder[k], NULL); /* the heap's only reference, deleted */
    }
    int barrier = hb_rt.barrier_flag && __atomic_load_n(hb_rt.barrier_flag, __ATOMIC_RELAXED);
    char why[400];
    int outside = window_is_marking(why, sizeof why);
    gc_window_close(&w);
    if (outside) return hb_cf_fail(r, "%s", why);
    gc_churn(NWORDS * 8, &node_layout, 16384);
    hb_collect(); /* a second cycle: the stack holds them again, finalizers run */
    gc_churn(NWORDS * 8, &node_layout, 16384);
    for (int k = 0; k < DX; k++) {
        if ((uintptr_t)held[k] != (s->hidden[k] ^ HIDE))
            return hb_cf_fail(r, "the stack slot of object #%d changed (%p): the property itself is broken", k,
                              held[k]);
        if (atomic_load(&s->fin[k]))
            return hb_cf_fail(r, "object #%d (%p), moved during marking from its heap slot to a stack, was found "
                              "unreachable (its finalizer ran): the barrier did not shade the overwritten pointer "
                              "(deletion/Yuasa half missing)",
                              k, held[k]);
        if (check_chain(held[k], (uint64_t)k << 8, DLEN, why, sizeof why))
            return hb_cf_fail(r, "object #%d moved during marking from the heap to a stack: %s (deletion/Yuasa "
                              "half of the barrier missing?)",
                              k, why);
    }
    hb_root_remove(s->root);
    return hb_cf_pass(r, "%d objects whose only heap reference was deleted inside a mark phase (barrier flag %s), "
                      "held on an already scanned stack: intact after the cycle and churn, %d finalizers ran",
                      DX, barrier ? "on" : "off (stop-the-world)", finalizers_ran(s->fin, DX));
}

static const hb_property deletion_prop = {
    .name = "gc/barrier-deletion",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_MARK_HOOK,
    .summary = "an object whose only heap reference is deleted during marking while a scanned stack holds it survives",
    .source = "Yuasa 1990 (snapshot at the beginning); Go runtime/mbarrier.go hybrid barrier (proposal 17503)",
    .run = deletion_run,
};
HB_PROPERTY(deletion_prop);

/* ================================================ gc/mark-drains-mutators */
enum { MT = 3, MX = 16, MLEN = 4 };

typedef struct mut_state {
    void **root;                /* malloc'd, registered: [t] holder of thread t, [MT] neighbours */
    uintptr_t hidden[MT][MX];
    _Atomic int fin[MT * MX];
    _Atomic int ready, go, moved, check;
    char why[MT][400];
} mut_state;

typedef struct mut_arg {
    mut_state *s;
    int t;
} mut_arg;

static void *mut_build(void *arg) {
    mut_state *s = arg;
    void **keep = hb_new(MT * MX * sizeof(void *), &all_ptrs);
    hb_store(&s->root[MT], keep);
    for (int t = 0; t < MT; t++) {
        void **holder = hb_new(MX * sizeof(void *), &all_ptrs);
        hb_store(&s->root[t], holder);
        for (int k = 0; k < MX; k++) {
            void **nb = hb_new(MLEN * sizeof(void *), &all_ptrs);
            hb_store(&keep[t * MX + k], nb);
            uint64_t *x = make_chain((uint64_t)(t * MX + k) << 8, MLEN, nb);
            hb_store(&holder[k], x);
            if (k % 2 && hb_has(HB_CAP_FINALIZERS))
                hb_rt.ad->set_finalizer(x, gc_count_finalizer, &s->fin[t * MX + k]);
            s->hidden[t][k] = (uintptr_t)x ^ HIDE;
        }
    }
    return NULL;
}

/* A mutator that never allocates: waits, moves its objects from the heap
 * to its stack inside the mark phase, waits, checks them. */
static void *mut_main(void *arg) {
    mut_arg *a = arg;
    mut_state *s = a->s;
    void *volatile held[MX] = {0};
    atomic_fetch_add(&s->ready, 1);
    while (!atomic_load(&s->go)) gc_nap();
    void **holder = hb_load(&s->root[a->t]);
    for (int k = 0; k < MX; k++) {
        held[k] = hb_load(&holder[k]);
        hb_store(&holder[k], NULL);
    }
    holder = NULL;
    atomic_fetch_add(&s->moved, 1);
    while (!atomic_load(&s->check)) gc_nap();
    for (int k = 0; k < MX; k++) {
        int id = a->t * MX + k;
        if ((uintptr_t)held[k] != (s->hidden[a->t][k] ^ HIDE)) {
            snprintf(s->why[a->t], sizeof s->why[0], "thread %d: stack slot %d changed (%p)", a->t, k, held[k]);
            break;
        }
        if (atomic_load(&s->fin[id])) {
            snprintf(s->why[a->t], sizeof s->why[0], "thread %d: object %p, shaded by its barrier during marking, "
                     "was found unreachable (its finalizer ran)", a->t, held[k]);
            break;
        }
        char why[300];
        if (check_chain(held[k], (uint64_t)id << 8, MLEN, why, sizeof why)) {
            snprintf(s->why[a->t], sizeof s->why[0], "thread %d, object %d: %s", a->t, k, why);
            break;
        }
    }
    return NULL;
}

static hb_cf_status mutators_run(hb_cf_result *r) {
    mut_state *s = calloc(1, sizeof *s);
    s->root = calloc(MT + 1, sizeof *s->root);
    hb_root_add(s->root, (MT + 1) * sizeof *s->root);
    gc_on_helper(mut_build, s);
    pthread_t th[MT];
    mut_arg args[MT];
    for (int t = 0; t < MT; t++) {
        args[t] = (mut_arg){s, t};
        hb_thread_start(&th[t], mut_main, &args[t]);
    }
    while (atomic_load(&s->ready) < MT) gc_nap(); /* registered, before the window */
    gc_window w;
    int opened = gc_window_open(&w);
    atomic_store(&s->go, 1);
    uint64_t t0 = hb_cf_now_ns();
    while (atomic_load(&s->moved) < MT && hb_cf_now_ns() - t0 < 10000000000ull) gc_nap();
    int moved = atomic_load(&s->moved);
    char outside[300] = "";
    if (opened == 0) {
        window_is_marking(outside, sizeof outside);
        gc_window_close(&w);
    }
    gc_churn(NWORDS * 8, &node_layout, 16384);
    hb_collect();
    gc_churn(NWORDS * 8, &node_layout, 16384);
    atomic_store(&s->check, 1);
    for (int t = 0; t < MT; t++) hb_thread_join(th[t]);
    if (opened != 0)
        return hb_cf_fail(r, "the adapter claims HB_CAP_MARK_HOOK but its mark hook did not run within 10 s");
    if (outside[0]) return hb_cf_fail(r, "%s", outside);
    if (moved < MT) return hb_cf_fail(r, "only %d of %d mutator threads ran inside the mark phase", moved, MT);
    for (int t = 0; t < MT; t++)
        if (s->why[t][0])
            return hb_cf_fail(r, "%s — what a mutator that does not allocate shades must be scanned before "
                              "marking ends (its grey buffer drained)",
                              s->why[t]);
    hb_root_remove(s->root);
    return hb_cf_pass(r, "%d threads that never allocate moved %d objects (chains of %d) from the heap to their "
                      "stacks inside a mark phase: all intact after the cycle and churn, %d finalizers ran",
                      MT, MT * MX, MLEN, finalizers_ran(s->fin, MT * MX));
}

static const hb_property mutators_prop = {
    .name = "gc/mark-drains-mutators",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_MARK_HOOK | HB_CAP_THREADS,
    .summary = "objects shaded during marking by threads that store but never allocate are scanned before marking ends",
    .source = "Go runtime/mgc.go gcMarkDone (flush every P's gcWork before termination); mbarrier.go",
    .run = mutators_run,
};
HB_PROPERTY(mutators_prop);

/* ================================================ gc/alloc-during-mark */
enum { NL = 64, NLEN = 16 };

static hb_cf_status alloc_run(hb_cf_result *r) {
    void **keep = calloc(1, sizeof *keep); /* registered: neighbours of the new objects */
    hb_root_add(keep, sizeof *keep);
    void *volatile heads[NL] = {0}; /* the only reference to each new chain: this (scanned) stack */
    gc_window w;
    if (gc_window_open(&w) != 0)
        return hb_cf_fail(r, "the adapter claims HB_CAP_MARK_HOOK but its mark hook did not run within 10 s");
    int barrier = hb_rt.barrier_flag && __atomic_load_n(hb_rt.barrier_flag, __ATOMIC_RELAXED);
    char why[400];
    if (window_is_marking(why, sizeof why)) {
        gc_window_close(&w);
        return hb_cf_fail(r, "%s", why);
    }
    void **nb = hb_new(NL * sizeof(void *), &all_ptrs);
    hb_store(&keep[0], nb);
    for (int i = 0; i < NL; i++) {
        void **chain_nb = hb_new(NLEN * sizeof(void *), &all_ptrs);
        hb_store(&nb[i], chain_nb);
        heads[i] = make_chain((uint64_t)i << 8, NLEN, chain_nb);
    }
    nb = NULL;
    gc_window_close(&w);
    gc_churn(NWORDS * 8, &node_layout, 16384);
    for (int i = 0; i < NL; i++)
        if (check_chain(heads[i], (uint64_t)i << 8, NLEN, why, sizeof why))
            return hb_cf_fail(r, "a chain allocated during marking, held by a stack and by new objects only: %s "
                              "(allocation during marking must be black)",
                              why);
    hb_collect();
    gc_churn(NWORDS * 8, &node_layout, 16384);
    for (int i = 0; i < NL; i++)
        if (check_chain(heads[i], (uint64_t)i << 8, NLEN, why, sizeof why))
            return hb_cf_fail(r, "after a second cycle, a chain allocated during the first one's marking: %s", why);
    hb_root_remove(keep);
    return hb_cf_pass(r, "%d chains of %d objects allocated inside a mark phase (barrier flag %s), reachable only "
                      "from a scanned stack and from each other: intact after the cycle, a second one and churn",
                      NL, NLEN, barrier ? "on" : "off");
}

static const hb_property alloc_prop = {
    .name = "gc/alloc-during-mark",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_MARK_HOOK | HB_CAP_CONCURRENT,
    .summary = "objects allocated during marking and reachable only from a scanned stack and other new objects survive",
    .source = "Go runtime/malloc.go (allocate black: gcmarknewobject); Dijkstra et al. 1978",
    .run = alloc_run,
};
HB_PROPERTY(alloc_prop);
