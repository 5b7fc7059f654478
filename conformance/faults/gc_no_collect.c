/*
 * gc_no_collect.c — FAULT: a collector that never collects (bdwgc with
 * GC_disable(), as with GOGC=off): the heap grows with every allocation.
 * Must be caught by gc/heap-bounded.
 */
#include "boehm_base.h"

const char *const hb_fault_expect = "gc/heap-bounded";

static int f_init(const hb_options *opt) {
    fb_init(opt);
    GC_disable();
    return 0;
}

HB_FAULT_COLLECTED("fault-gc_no_collect", .init = f_init);
