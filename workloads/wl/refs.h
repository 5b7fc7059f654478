/*
 * wl/refs.h — holding references the way both disciplines understand.
 *
 * A manual allocator does not care where a pointer lives; a collector only
 * keeps what it can reach. So a workload keeps its blocks in *pointer
 * arrays* allocated with hb_new and a layout saying "every word is a
 * pointer", and writes them with hb_store (the write barrier's way in).
 * Such an array is itself reachable from a local variable (collectors scan
 * thread stacks) or from a registered root. Releasing a block is
 * wl_release: hb_drop (free for manual adapters) and clear the slot (the
 * collector's way).
 */
#ifndef HB_WL_REFS_H
#define HB_WL_REFS_H

#include <stddef.h>

#include "heapbench/object.h"

/* Every word a pointer. */
static const hb_layout wl_all_ptrs = {1, 1};

/* A zeroed array of n pointer slots. */
static inline void **wl_ptr_array(size_t n) {
    return hb_new_zeroed(n * sizeof(void *), &wl_all_ptrs);
}

static inline void wl_ptr_array_free(void **a, size_t n) { hb_drop(a, n * sizeof(void *)); }

/* Drop the block in slot (of `size` bytes) and clear the slot. */
static inline void wl_release(void **slot, size_t size) {
    void *p = hb_load(slot);
    hb_store(slot, NULL);
    if (p) hb_drop(p, size);
}

#endif
