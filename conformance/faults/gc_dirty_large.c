/*
 * gc_dirty_large.c — FAULT: goheap's concurrent collector with one bug switched on
 * inside goheap (GH_FAULT_DIRTY_LARGE, goheap/include/goheap/gc.h):
 * the cache of freed large spans marks the spans it hands out as clean
 * (needzero = 0), so a large object reused from it keeps the last owner's
 * bytes.
 * Must be caught by gc/zeroed-large.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/zeroed-large";

HB_FAULT_GOHEAP_BUG("fault-gc_dirty_large", GH_FAULT_DIRTY_LARGE);
