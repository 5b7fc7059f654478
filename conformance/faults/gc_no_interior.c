/*
 * gc_no_interior.c — FAULT: a collector that claims HB_CAP_INTERIOR_PTRS
 * but recognises only pointers to an object's first byte (bdwgc with
 * GC_all_interior_pointers off): an object referenced only by a pointer
 * into its middle — a cursor into a buffer, a pointer to an embedded
 * member — is freed while in use. Must be caught by gc/interior-pointers.
 */
#include "boehm_base.h"

const char *const hb_fault_expect = "gc/interior-pointers";

static int f_init(const hb_options *opt) {
    (void)opt;
    GC_set_all_interior_pointers(0); /* the claim says 1 */
    GC_INIT();
    GC_allow_register_threads();
    return 0;
}

HB_FAULT_COLLECTED("fault-gc_no_interior", .init = f_init);
