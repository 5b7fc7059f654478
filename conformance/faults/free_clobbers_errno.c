/*
 * free_clobbers_errno.c — FAULT: free of a large block (>= 128 KiB) first
 * gives the block's pages back with madvise(MADV_DONTNEED), but passes the
 * block's own address where madvise wants a page boundary (the start is
 * not rounded up), so the call fails with EINVAL — ignored, and errno is
 * left at EINVAL. A program that frees a buffer between a failing call and
 * its error report reports the wrong error.
 * Must be caught by malloc/free-keeps-errno.
 */
#include <sys/mman.h>

#include "manual_base.h"

const char *const hb_fault_expect = "malloc/free-keeps-errno";

static void f_free(void *p) {
    size_t u = p ? malloc_usable_size(p) : 0;
    if (u >= ((size_t)128 << 10))
        (void)madvise(p, u & ~(size_t)4095, MADV_DONTNEED); /* start should be rounded up to a page */
    free(p);
}

HB_FAULT_MANUAL("fault-free_clobbers_errno", .free = f_free);
