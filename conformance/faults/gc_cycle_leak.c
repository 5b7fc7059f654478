/*
 * gc_cycle_leak.c — FAULT: a collector blind to cycles, as reference
 * counting is. Emulated over bdwgc by registering an ordered finalizer on
 * every object it allocates: bdwgc then never reclaims a cycle of such
 * objects, nor anything reachable only from one, while acyclic garbage goes
 * as usual. Must be caught by gc/cycles-reclaimed.
 */
#include "boehm_base.h"

const char *const hb_fault_expect = "gc/cycles-reclaimed";

static void nothing(void *obj, void *cd) { (void)obj, (void)cd; }

static void *f_alloc(size_t size, const hb_layout *l) {
    void *p = fb_alloc(size, l);
    if (p) GC_REGISTER_FINALIZER(p, nothing, NULL, NULL, NULL);
    return p;
}

HB_FAULT_COLLECTED("fault-gc_cycle_leak", .gc_alloc = f_alloc);
