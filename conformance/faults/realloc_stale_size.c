/*
 * realloc_stale_size.c — FAULT: blocks carry a header [size][capacity]
 * (capacity: the size class, a power of two), and realloc grows a block in
 * place while the new size fits the class — but forgets to record the new
 * size there. A later realloc that must move the block copies the stale,
 * smaller size: a buffer grown in steps loses what the in-place steps
 * added. One growth from a fresh block is right, so realloc/grow passes.
 * Must be caught by realloc/stepwise-growth.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "realloc/stepwise-growth";

static size_t class_of(size_t n) {
    size_t c = 16;
    while (c < n) c *= 2;
    return c;
}

static void *f_malloc(size_t n) {
    if (n > ((size_t)1 << 40)) return errno = ENOMEM, NULL;
    size_t cap = class_of(n);
    size_t *h = malloc(cap + 16);
    if (!h) return NULL;
    h[0] = n;
    h[1] = cap;
    return h + 2;
}

static void f_free(void *p) {
    if (p) free((size_t *)p - 2);
}

static size_t f_usable(void *p) { return ((size_t *)p)[-1]; }

static void *f_realloc(void *p, size_t n) {
    if (!p) return f_malloc(n);
    size_t *h = (size_t *)p - 2;
    if (n <= h[1]) return p; /* in place; should also set h[0] = n */
    void *q = f_malloc(n);
    if (!q) return NULL;
    memcpy(q, p, h[0] < n ? h[0] : n);
    f_free(p);
    return q;
}

HB_FAULT_CALLOC()

HB_FAULT_MANUAL("fault-realloc_stale_size", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
