/*
 * aligned_by_size.c — FAULT: aligned_alloc(A, n) is malloc(n rounded up to
 * a multiple of A), trusting that blocks of a power-of-two size class are
 * naturally aligned (true of some slab allocators' small classes, not of a
 * heap with chunk headers): glibc hands out such blocks 16-aligned only.
 * Must be caught by alignment/aligned-alloc-pow2.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "alignment/aligned-alloc-pow2";

static void *f_aligned_alloc(size_t align, size_t n) {
    if (!align || (align & (align - 1))) return errno = EINVAL, NULL;
    if (n > SIZE_MAX - align) return errno = ENOMEM, NULL;
    return malloc((n + align - 1) / align * align); /* "a size class of A is aligned to A" */
}

HB_FAULT_MANUAL("fault-aligned_by_size", .aligned_alloc = f_aligned_alloc);
