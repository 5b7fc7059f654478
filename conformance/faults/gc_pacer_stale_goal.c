/*
 * gc_pacer_stale_goal.c — FAULT: goheap's concurrent collector with one bug
 * switched on inside goheap (GH_FAULT_GOAL_STALE, goheap/include/goheap/
 * gc.h): the pacer does not recompute the heap goal from the marked heap at
 * the end of a cycle, so the goal stays at its initial minimum (4 MiB at
 * GOGC=100) whatever the live heap is; the heap then runs far past the goal
 * it reports. Must be caught by gc/pacer-goal.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/pacer-goal";

HB_FAULT_GOHEAP_BUG("fault-gc_pacer_stale_goal", GH_FAULT_GOAL_STALE);
