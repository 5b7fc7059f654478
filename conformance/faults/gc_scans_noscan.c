/*
 * gc_scans_noscan.c — FAULT: pointer-free (HB_NOSCAN) objects are allocated
 * as scanned ones, so any word in a byte buffer that looks like a pointer
 * keeps an object alive (the leak Go's noscan spans and bdwgc's atomic
 * objects exist to prevent). Must be caught by gc/noscan-not-scanned.
 */
#include "boehm_base.h"

const char *const hb_fault_expect = "gc/noscan-not-scanned";

static void *f_alloc(size_t size, const hb_layout *l) {
    (void)l;
    return GC_MALLOC(size); /* scanned, whatever the layout says */
}

HB_FAULT_COLLECTED("fault-gc_scans_noscan", .gc_alloc = f_alloc);
