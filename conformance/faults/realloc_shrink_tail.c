/*
 * realloc_shrink_tail.c — FAULT: a realloc that shrinks a block to half its
 * size or less moves it to a smaller block, and copies the new size from
 * the wrong offset: the last n bytes of the old block (offset computed from
 * its end) instead of the first n. Blocks carry a header [size][pad] so
 * realloc knows the old size; growth and mild shrinks are right.
 * Must be caught by realloc/shrink.
 */
#include "manual_base.h"

const char *const hb_fault_expect = "realloc/shrink";

static void *f_malloc(size_t n) {
    if (n > ((size_t)1 << 40)) return errno = ENOMEM, NULL;
    size_t *h = malloc(n + 16);
    if (!h) return NULL;
    h[0] = n;
    return h + 2;
}

static void f_free(void *p) {
    if (p) free((size_t *)p - 2);
}

static size_t f_usable(void *p) { return ((size_t *)p)[-2]; }

static void *f_realloc(void *p, size_t n) {
    if (!p) return f_malloc(n);
    size_t old = f_usable(p);
    void *q = f_malloc(n);
    if (!q) return NULL;
    if (n <= old / 2)
        memcpy(q, (char *)p + (old - n), n); /* a big shrink: should be memcpy(q, p, n) */
    else
        memcpy(q, p, old < n ? old : n);
    f_free(p);
    return q;
}

HB_FAULT_CALLOC()

HB_FAULT_MANUAL("fault-realloc_shrink_tail", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
