/*
 * huge_no_errno.c — FAULT: malloc refuses requests larger than PTRDIFF_MAX
 * up front, before the heap, and returns NULL without setting errno (the
 * heap's own failure path sets ENOMEM, the early check forgets it).
 * Must be caught by malloc/huge-enomem.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "malloc/huge-enomem";

static void *f_malloc(size_t n) {
    if (n > PTRDIFF_MAX) return NULL; /* errno left as it was */
    return malloc(n);
}

HB_FAULT_MANUAL("fault-huge_no_errno", .malloc = f_malloc);
