/*
 * realloc_fail_frees.c — FAULT: when realloc cannot grow a block it frees
 * the old one before returning NULL (the caller's `p = realloc(p, n)` bug,
 * moved into the allocator). Must be caught by realloc/failure-keeps-block.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "realloc/failure-keeps-block";

static void *f_realloc(void *p, size_t n) {
    void *q = realloc(p, n);
    if (!q && n) free(p);
    return q;
}

HB_FAULT_MANUAL("fault-realloc_fail_frees", .realloc = f_realloc);
