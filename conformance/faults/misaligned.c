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
HB_FAULT_CALLOC()
HB_FAULT_REALLOC(f_usable)

HB_FAULT_MANUAL("fault-misaligned", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
