/*
 * gc_dirty_holes.c — FAULT: goheap's concurrent collector with one bug switched on
 * inside goheap (GH_FAULT_DIRTY_HOLES, goheap/include/goheap/gc.h):
 * the allocation fast path clears a slot only when its span's pages were
 * used before (needzero), so the free slots of a partly live span on fresh
 * pages come back holding their last owner's bytes.
 * Must be caught by gc/zeroed-recycled.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/zeroed-recycled";

HB_FAULT_GOHEAP_BUG("fault-gc_dirty_holes", GH_FAULT_DIRTY_HOLES);
