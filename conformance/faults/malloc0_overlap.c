/*
 * malloc0_overlap.c — FAULT: malloc(0) returns a pointer into the block
 * handed out just before ("zero bytes fit anywhere"), so it is neither NULL
 * nor unique. Must be caught by malloc/zero-size.
 */
#include <stdint.h>

#include "manual_base.h"

const char *const hb_fault_expect = "malloc/zero-size";

static _Thread_local char *last;

static void *f_malloc(size_t n) {
    if (n == 0 && last) return last + 1;
    void *p = malloc(n);
    last = p;
    return p;
}

static void f_free(void *p) {
    if ((uintptr_t)p & 15) return; /* one of ours from malloc(0) */
    free(p);
}

static void *f_realloc(void *p, size_t n) {
    if ((uintptr_t)p & 15) p = NULL;
    return realloc(p, n);
}

HB_FAULT_MANUAL("fault-malloc0_overlap", .malloc = f_malloc, .free = f_free, .realloc = f_realloc,
                .usable_size = NULL, .caps = HB_CAP_ALIGNED | HB_CAP_THREADS);
