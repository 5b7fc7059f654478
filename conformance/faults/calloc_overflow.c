/*
 * calloc_overflow.c — FAULT: calloc multiplies nmemb * size without an
 * overflow check (CVE-2002-0391 class), allocating and zeroing the wrapped
 * product. Must be caught by calloc/overflow.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "calloc/overflow";

static void *f_calloc(size_t n, size_t m) {
    size_t total = n * m; /* unchecked */
    void *p = malloc(total);
    if (p) memset(p, 0, total);
    return p;
}

HB_FAULT_MANUAL("fault-calloc_overflow", .calloc = f_calloc);
