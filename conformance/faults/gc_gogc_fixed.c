/*
 * gc_gogc_fixed.c — FAULT: goheap's concurrent collector with one bug switched on
 * inside goheap (GH_FAULT_GOGC_FIXED, goheap/include/goheap/gc.h):
 * the pacer reads GOGC but computes the heap goal from a fixed GOGC=100,
 * so GOGC=50 and 200 change nothing (every default-GOGC check passes).
 * Must be caught by gc/gogc-proportional.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/gogc-proportional";

HB_FAULT_GOHEAP_BUG("fault-gc_gogc_fixed", GH_FAULT_GOGC_FIXED);
