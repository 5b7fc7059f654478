/*
 * calloc_short_memset.c — FAULT: calloc(nmemb, size) checks the product
 * for overflow and allocates it, but clears only nmemb bytes (the memset
 * was given the wrong argument): calloc(1, 100) zeroes one byte and leaves
 * whatever the heap had there — the free-list links of a recycled chunk.
 * Must be caught by calloc/zeroed.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "calloc/zeroed";

static void *f_calloc(size_t n, size_t m) {
    if (m && n > SIZE_MAX / m) return errno = ENOMEM, NULL;
    void *p = malloc(n * m);
    if (p) memset(p, 0, n); /* should be n * m */
    return p;
}

HB_FAULT_MANUAL("fault-calloc_short_memset", .calloc = f_calloc);
