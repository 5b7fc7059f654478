/*
 * realloc_null_fails.c — FAULT: realloc treats a NULL block as a caller
 * error (as some pre-ANSI C libraries did) and fails with EINVAL, where C
 * requires realloc(NULL, n) to behave as malloc(n): the idiom of growing a
 * buffer that starts out NULL breaks. Must be caught by realloc/null-is-malloc.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "realloc/null-is-malloc";

static void *f_realloc(void *p, size_t n) {
    if (!p) return errno = EINVAL, NULL; /* "nothing to resize" */
    return realloc(p, n);
}

HB_FAULT_MANUAL("fault-realloc_null_fails", .realloc = f_realloc);
