/*
 * realloc_short_copy.c — FAULT: a realloc that must move the block copies
 * 8 bytes too few (an off-by-a-word in the copy length). In-place growth is
 * fine. Must be caught by realloc/grow.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "realloc/grow";

static void *f_realloc(void *p, size_t n) {
    if (!p) return malloc(n);
    size_t old = malloc_usable_size(p);
    if (n <= old) return realloc(p, n);
    void *q = malloc(n);
    if (!q) return NULL;
    memcpy(q, p, old > 8 ? old - 8 : 0);
    free(p);
    return q;
}

HB_FAULT_MANUAL("fault-realloc_short_copy", .realloc = f_realloc);
