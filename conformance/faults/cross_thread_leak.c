/*
 * cross_thread_leak.c — FAULT: a free from a thread other than the one that
 * allocated the block is queued for the owner thread, which never looks at
 * the queue: producer/consumer programs leak everything. Must be caught by
 * threads/cross-thread-free (RSS grows without bound).
 */
#include <stdint.h>

#include "manual_base.h"

const char *const hb_fault_expect = "threads/cross-thread-free";

static _Thread_local char me; /* its address names the thread */

/* [owner][size][block]: a 16-byte header keeps the block 16-aligned. */
static void *f_malloc(size_t n) {
    if (n > SIZE_MAX - 64) return errno = ENOMEM, NULL;
    uintptr_t *h = malloc(n + 16);
    if (!h) return NULL;
    h[0] = (uintptr_t)&me;
    h[1] = n;
    return h + 2;
}

static void f_free(void *p) {
    if (!p) return;
    uintptr_t *h = (uintptr_t *)p - 2;
    if (h[0] != (uintptr_t)&me) return; /* "queued" for the owner: leaked */
    free(h);
}

static size_t f_usable(void *p) { return ((uintptr_t *)p)[-1]; }

HB_FAULT_CALLOC()

HB_FAULT_REALLOC(f_usable)

HB_FAULT_MANUAL("fault-cross_thread_leak", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
