/*
 * gc_dirty_alloc.c — FAULT: pointer-free objects are handed out without
 * clearing (bdwgc's GC_MALLOC_ATOMIC does not clear; the adapter must), so a
 * recycled block still holds its previous owner's bytes. Must be caught by
 * gc/zeroed-alloc.
 */
#include "boehm_base.h"

const char *const hb_fault_expect = "gc/zeroed-alloc";

static void *f_alloc(size_t size, const hb_layout *l) { return l ? GC_MALLOC(size) : GC_MALLOC_ATOMIC(size); }

HB_FAULT_COLLECTED("fault-gc_dirty_alloc", .gc_alloc = f_alloc);
