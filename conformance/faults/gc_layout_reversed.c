/*
 * gc_layout_reversed.c — FAULT: goheap's collector behind a layout
 * translation that reads the pointer bitmap from the wrong end (bit i taken
 * as word period-1-i, as when a bitmap built most-significant-first is
 * handed to a reader that goes least-significant-first). The collector
 * then scans an object's data words and skips its pointer words: objects
 * reachable only through a skipped pointer are freed while reachable.
 * Must be caught by gc/graph-intact.
 */
#include "goheap_base.h"

const char *const hb_fault_expect = "gc/graph-intact";

static void *rev_alloc(size_t size, const hb_layout *l) {
    if (!l) return ghgc_alloc(size, l);
    hb_layout r = {l->period, 0};
    for (uint32_t i = 0; i < l->period; i++)
        if (l->ptrmask >> i & 1) r.ptrmask |= (uint64_t)1 << (l->period - 1 - i);
    return ghgc_alloc(size, &r);
}

HB_FAULT_GOHEAP("fault-gc_layout_reversed", .gc_alloc = rev_alloc);
