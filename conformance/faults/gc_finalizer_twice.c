/*
 * gc_finalizer_twice.c — FAULT: after running a finalizer the collector
 * re-arms it (a finalizer table entry not removed), so the object is
 * resurrected and finalized again on a later cycle. Must be caught by
 * gc/finalizer-once.
 */
#include "boehm_base.h"

const char *const hb_fault_expect = "gc/finalizer-once";

typedef struct fin2 {
    void (*fn)(void *, void *);
    void *arg;
    int runs;
} fin2;

static void run_twice(void *obj, void *cd) {
    fin2 *f = cd;
    f->fn(obj, f->arg);
    if (++f->runs == 1) GC_REGISTER_FINALIZER(obj, run_twice, f, NULL, NULL); /* re-armed */
    else free(f);
}

static void f_set_finalizer(void *obj, void (*fn)(void *, void *), void *arg) {
    fin2 *f = calloc(1, sizeof *f);
    f->fn = fn;
    f->arg = arg;
    GC_REGISTER_FINALIZER(obj, run_twice, f, NULL, NULL);
}

HB_FAULT_COLLECTED("fault-gc_finalizer_twice", .set_finalizer = f_set_finalizer);
