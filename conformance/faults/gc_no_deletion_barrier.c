/*
 * gc_no_deletion_barrier.c — FAULT: goheap's concurrent collector with only
 * the insertion (Dijkstra) half of its hybrid write barrier: the pointer
 * stored is shaded, the one it overwrites is not (the slot is cleared
 * without the barrier first, so the real barrier sees nothing to shade).
 * An object moved during marking from a not-yet-scanned heap slot to an
 * already scanned stack is then lost. Must be caught by gc/barrier-deletion.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/barrier-deletion";

static void insertion_only(void **slot, void *val) {
    __atomic_store_n(slot, NULL, __ATOMIC_RELAXED); /* forget the old value, unshaded */
    gh_gc_write_barrier(slot, val);
}

HB_FAULT_GOHEAP("fault-gc_no_deletion_barrier", .write_barrier = insertion_only);
