/*
 * calloc0_shared.c — FAULT: calloc with a zero count or size returns one
 * shared, static zero-length block (a sentinel that free ignores) instead
 * of NULL or a unique pointer: two live zero-size callocs compare equal.
 * malloc(0) is glibc's, unique. Must be caught by calloc/zero-count.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "calloc/zero-count";

static _Alignas(16) char zero_block[16];

static void *f_calloc(size_t n, size_t m) {
    if (!n || !m) return zero_block; /* "nothing to allocate" */
    return calloc(n, m);
}

static void f_free(void *p) {
    if (p != zero_block) free(p);
}

static void *f_realloc(void *p, size_t n) { return realloc(p == zero_block ? NULL : p, n); }

static size_t f_usable(void *p) { return p == zero_block ? 0 : malloc_usable_size(p); }

HB_FAULT_MANUAL("fault-calloc0_shared", .calloc = f_calloc, .free = f_free, .realloc = f_realloc,
                .usable_size = f_usable);
