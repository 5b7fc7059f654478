/*
 * gc_no_barrier.c — FAULT: goheap's concurrent collector with the write
 * barrier replaced by a plain store (the flag still turns on while marking,
 * so hb_store calls it, but nothing is shaded). A pointer moved from a
 * not-yet-scanned object into an already-black one during marking leaves
 * its target white: freed while reachable. Must be caught by
 * gc/concurrent-barrier.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/concurrent-barrier";

static void plain_store(void **slot, void *val) { __atomic_store_n(slot, val, __ATOMIC_RELEASE); }

HB_FAULT_GOHEAP("fault-gc_no_barrier", .write_barrier = plain_store);
