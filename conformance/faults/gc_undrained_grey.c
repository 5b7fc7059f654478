/*
 * gc_undrained_grey.c — FAULT: goheap's concurrent collector with one bug switched on
 * inside goheap (GH_FAULT_UNDRAINED_GREY, goheap/include/goheap/gc.h):
 * mark termination does not collect the mutators' own grey buffers, so
 * what the write barrier of a thread that never allocates shaded is marked
 * but never scanned: the objects it points to are freed.
 * Must be caught by gc/mark-drains-mutators.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/mark-drains-mutators";

HB_FAULT_GOHEAP_BUG("fault-gc_undrained_grey", GH_FAULT_UNDRAINED_GREY);
