/*
 * no_reuse.c — FAULT: free does nothing (a "bump allocator" pretending to be
 * general purpose): every allocate/free cycle grows the heap. Must be
 * caught by malloc/reuse.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "malloc/reuse";

static void f_free(void *p) { (void)p; }

static void *f_realloc(void *p, size_t n) {
    if (!p) return malloc(n);
    void *q = malloc(n);
    if (!q) return NULL;
    size_t old = malloc_usable_size(p);
    memcpy(q, p, old < n ? old : n);
    return q;
}

HB_FAULT_MANUAL("fault-no_reuse", .free = f_free, .realloc = f_realloc);
