/*
 * gc_hook_outside_mark.c — FAULT: goheap-gc whose mark hook breaks its
 * promise (HB_CAP_MARK_HOOK, include/heapbench/adapter.h): it runs the hook
 * in collect() *before* the cycle starts, not inside the mark phase. Every
 * hazard a property then builds in the "window" is harmless (the stacks are
 * scanned afterwards), so the properties would pass without testing
 * anything; they must notice instead (a concurrent collector's barrier flag
 * is off in the window). Must be caught by gc/barrier-deletion.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/barrier-deletion";

static void (*_Atomic early_fn)(void *);
static void *_Atomic early_arg;

static void early_set_hook(void (*fn)(void *), void *arg) {
    early_arg = arg;
    early_fn = fn;
}

static void early_collect(void) {
    void (*fn)(void *) = early_fn;
    if (fn) fn(early_arg);
    gh_gc_collect();
}

HB_FAULT_GOHEAP("fault-gc_hook_outside_mark", .set_mark_hook = early_set_hook, .collect = early_collect);
