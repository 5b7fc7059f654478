/*
 * gc_finalizer_frees.c — FAULT: goheap's concurrent collector with one bug switched on
 * inside goheap (GH_FAULT_FINALIZER_FREES, goheap/include/goheap/gc.h):
 * an unreachable object with a finalizer is queued for its finalizer but
 * not kept alive (not marked at mark termination): the sweep frees it while
 * the finalizer is about to use it.
 * Must be caught by gc/finalizer-keeps-alive.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/finalizer-keeps-alive";

HB_FAULT_GOHEAP_BUG("fault-gc_finalizer_frees", GH_FAULT_FINALIZER_FREES);
