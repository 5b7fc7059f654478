/*
 * misaligned.c — FAULT: blocks aligned to 8 where alignof(max_align_t) = 16
 * is due (a header of one word in front of each block, as a naive allocator
 * does). Must be caught by alignment/max-align-t.
 */
#include <stdint.h>

#include "manual_base.h"

const char *const hb_fault_expect = "alignment/max-align-t";

/* [size][block...]: the block starts 8 bytes into a 16-aligned chunk. */
static void *f_malloc(size_t n) {
    if (n > SIZE_MAX - 64) return errno = ENOMEM, NULL;
    size_t *h = malloc(n + 8);
    if (!h) return NULL;
    h[0] = n;
    return h + 1;
}
static void f_free(void *p) {
    if (p) free((size_t *)p - 1);
}
static size_t f_usable(void *p) { return ((size_t *)p)[-1]; }
static void *f_calloc(size_t n, size_t m) {
    if (m && n > SIZE_MAX / m) return errno = ENOMEM, NULL;
    void *p = f_malloc(n * m);
    if (p) memset(p, 0, n * m);
    return p;
}
static void *f_realloc(void *p, size_t n) {
    if (!p) return f_malloc(n);
    void *q = f_malloc(n);
    if (!q) return NULL;
    size_t old = f_usable(p);
    memcpy(q, p, old < n ? old : n);
    f_free(p);
    return q;
}

HB_FAULT_MANUAL("fault-misaligned", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
