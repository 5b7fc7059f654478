/*
 * gc_finalizer_alive.c — gc/finalizer-keeps-alive: while its finalizer
 * runs, an object and everything it references are still allocated and
 * intact. A finalizer receives the object; Go keeps the object and its
 * referents alive for that call (the object is resurrected for one more
 * cycle), Boehm marks from finalizable objects before it queues them. A
 * collector that queues the finalizer but frees the object (or what it
 * points to) in the same sweep hands the finalizer freed memory — which
 * looks fine until the slot is reused.
 *
 * So each finalizer first churns the heap — allocates thousands of objects
 * of the object's and its children's sizes and fills them — and only then
 * checks, word by word, its object and the four children the object points
 * to. The objects (unreachable, built on a helper thread) sit between live
 * neighbours of their size, so a freed one is a hole in a partly live span,
 * the first place an allocator refills from.
 *
 * Sources: Go runtime/mfinal.go (SetFinalizer: the object is kept for the
 * finalizer, freed a cycle later); bdwgc finalize.c (GC_register_finalizer:
 * objects reachable from a finalizable one are marked). Proven by
 * faults/gc_finalizer_frees.c.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>

#include "gc_support.h"

#define HIDE ((uintptr_t)0x6b6bb6b61d1dd1d1ull)
enum { NF = 16, NCH = 4, FWORDS = 24, CWORDS = 12, CHURN = 2048 };
static const hb_layout f_layout = {FWORDS, 0xf}; /* words 0..3: the children */
static const hb_layout all_ptrs = {1, 1};

typedef struct fa_state {
    uintptr_t hidden[NF];
    _Atomic int ran[NF];
    _Atomic int bad;
    char why[400];
    void **keep; /* malloc'd, registered: live neighbours */
} fa_state;

typedef struct fa_arg {
    fa_state *s;
    int i;
} fa_arg;
static fa_arg args[NF];

static uint64_t child_id(int i, int j) { return 1000 + (uint64_t)i * 8 + (uint64_t)j; }

/* 0 when the object of finalizer i and its children are intact; else why. */
static int fa_check(const uint64_t *f, int i, char *why, size_t n) {
    for (int w = NCH; w < FWORDS; w++)
        if (f[w] != gc_word((uint64_t)i, w))
            return snprintf(why, n, "object #%d (%p) word %d is %#llx, expected %#llx", i, (const void *)f, w,
                            (unsigned long long)f[w], (unsigned long long)gc_word((uint64_t)i, w));
    for (int j = 0; j < NCH; j++) {
        const uint64_t *c = (const uint64_t *)f[j];
        if (!c) return snprintf(why, n, "object #%d (%p): child pointer %d is NULL", i, (const void *)f, j);
        for (int w = 0; w < CWORDS; w++)
            if (c[w] != gc_word(child_id(i, j), w))
                return snprintf(why, n, "child %d (%p) of object #%d word %d is %#llx, expected %#llx", j,
                                (const void *)c, i, w, (unsigned long long)c[w],
                                (unsigned long long)gc_word(child_id(i, j), w));
    }
    return 0;
}

static void fa_finalizer(void *obj, void *arg) {
    fa_arg *a = arg;
    fa_state *s = a->s;
    gc_churn(FWORDS * 8, &f_layout, CHURN);
    gc_churn(CWORDS * 8, HB_NOSCAN, CHURN);
    char why[300];
    int bad = (uintptr_t)obj != (s->hidden[a->i] ^ HIDE)
                  ? snprintf(why, sizeof why, "finalizer #%d got %p, not its object", a->i, obj)
                  : fa_check(obj, a->i, why, sizeof why);
    if (bad && !atomic_exchange(&s->bad, 1)) snprintf(s->why, sizeof s->why, "%s", why);
    atomic_fetch_add(&s->ran[a->i], 1);
}

static void *fa_build(void *arg) {
    fa_state *s = arg;
    void **nb = hb_new(NF * (NCH + 1) * 2 * sizeof(void *), &all_ptrs);
    hb_store(&s->keep[0], nb);
    int n = 0;
    for (int i = 0; i < NF; i++) {
        hb_store(&nb[n++], hb_new(FWORDS * 8, &f_layout));
        uint64_t *f = hb_new(FWORDS * 8, &f_layout);
        hb_store(&nb[n++], hb_new(FWORDS * 8, &f_layout));
        for (int w = NCH; w < FWORDS; w++) f[w] = gc_word((uint64_t)i, w);
        for (int j = 0; j < NCH; j++) {
            uint64_t *c = hb_new(CWORDS * 8, HB_NOSCAN);
            for (int w = 0; w < CWORDS; w++) c[w] = gc_word(child_id(i, j), w);
            hb_store((void **)&f[j], c);
            hb_store(&nb[n++], hb_new(CWORDS * 8, HB_NOSCAN));
        }
        args[i] = (fa_arg){s, i};
        hb_rt.ad->set_finalizer(f, fa_finalizer, &args[i]);
        s->hidden[i] = (uintptr_t)f ^ HIDE;
    }
    return NULL;
}

static int fa_ran(fa_state *s) {
    int ran = 0;
    for (int i = 0; i < NF; i++) ran += atomic_load(&s->ran[i]) > 0;
    return ran;
}

static hb_cf_status finalizer_alive_run(hb_cf_result *r) {
    fa_state *s = calloc(1, sizeof *s);
    s->keep = calloc(1, sizeof *s->keep);
    hb_root_add(s->keep, sizeof *s->keep);
    gc_on_helper(fa_build, s);
    gc_two_cycles();
    uint64_t t0 = hb_cf_now_ns();
    while (fa_ran(s) < NF && hb_cf_now_ns() - t0 < 3000000000ull) {
        hb_collect();
        (void)hb_new(32, HB_NOSCAN);
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    int ran = fa_ran(s);
    if (atomic_load(&s->bad))
        return hb_cf_fail(r, "a finalizer found its object or what it references freed and reused while the "
                          "finalizer ran (after churning the heap): %s",
                          s->why);
    if (ran < NF / 2)
        return hb_cf_fail(r, "only %d of %d finalizers of unreachable objects ran within 3 s: nothing to check", ran,
                          NF);
    hb_root_remove(s->keep);
    return hb_cf_pass(r, "%d of %d finalizers ran; each churned %d objects of its object's sizes first, then found "
                      "its object and its %d children allocated and intact",
                      ran, NF, 2 * CHURN, NCH);
}

static const hb_property finalizer_alive_prop = {
    .name = "gc/finalizer-keeps-alive",
    .kind = HB_CF_RULE,
    .applies = HB_CF_COLLECTED_ONLY,
    .needs = HB_CAP_FINALIZERS,
    .summary = "while a finalizer runs, its object and everything it references are still allocated and intact",
    .source = "Go runtime/mfinal.go (SetFinalizer keeps the object for its finalizer); bdwgc finalize.c",
    .run = finalizer_alive_run,
};
HB_PROPERTY(finalizer_alive_prop);
