/*
 * posix_memalign_noinval.c — FAULT: the process's posix_memalign (this
 * executable's definition replaces the C library's) is written over
 * memalign, which rounds a bad alignment up instead of refusing it: an
 * alignment of 0, 3 or 24 succeeds instead of failing with EINVAL.
 * Must be caught by alignment/posix-memalign-einval.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "alignment/posix-memalign-einval";

int posix_memalign(void **out, size_t align, size_t n) {
    void *p = memalign(align, n); /* no check: power of two, multiple of sizeof(void *) */
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

HB_FAULT_MANUAL("fault-posix_memalign_noinval");
