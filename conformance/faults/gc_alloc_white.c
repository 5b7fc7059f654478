/*
 * gc_alloc_white.c — FAULT: goheap's concurrent collector with one bug switched on
 * inside goheap (GH_FAULT_ALLOC_WHITE, goheap/include/goheap/gc.h):
 * objects allocated while marking are not marked (allocate white), so a
 * new object held only by an already scanned stack is freed by the sweep.
 * Must be caught by gc/alloc-during-mark.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/alloc-during-mark";

HB_FAULT_GOHEAP_BUG("fault-gc_alloc_white", GH_FAULT_ALLOC_WHITE);
