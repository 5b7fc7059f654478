/*
 * free_null_deref.c — FAULT: every block has a 16-byte header [size][magic]
 * and free reads the header (to check the magic and clear it) before it
 * checks for NULL, so free(NULL) reads address -8 and the process dies
 * with SIGSEGV. Must be caught by malloc/free-null (`crashed`).
 */
#include "manual_base.h"

const char *const hb_fault_expect = "malloc/free-null";

#define MAGIC ((uintptr_t)0x6865617062656e63ull)

static void *f_malloc(size_t n) {
    if (n > SIZE_MAX - 64) return errno = ENOMEM, NULL;
    uintptr_t *h = malloc(n + 16);
    if (!h) return NULL;
    h[0] = n;
    h[1] = MAGIC;
    return h + 2;
}

static void f_free(void *p) {
    uintptr_t *h = (uintptr_t *)p - 2;
    if (h[1] != MAGIC) abort(); /* a double free or a stray pointer — but p may be NULL */
    h[1] = 0;
    free(h);
}

static size_t f_usable(void *p) { return ((uintptr_t *)p)[-2]; }

HB_FAULT_CALLOC()
HB_FAULT_REALLOC(f_usable)

HB_FAULT_MANUAL("fault-free_null_deref", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
