/*
 * tiny_packed.c — FAULT: requests of 1..12 bytes come from a tiny-object
 * slab with 12-byte slots, packed back to back to save memory; a slot at
 * offset 12k is aligned to 4 only, so an 8-byte request (a double, a
 * pointer) gets a 4-aligned block. Larger requests are glibc's, aligned as
 * C17 requires, so only the small-size rule sees it.
 * Must be caught by alignment/small-sizes.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "manual_base.h"

const char *const hb_fault_expect = "alignment/small-sizes";

#define SLOT 12
#define SLAB ((size_t)64 << 20)
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *slab, *bump;
static void *freed; /* free slots, linked through their first word (memcpy: slots are unaligned) */

static int ours(const void *p) { return slab && (const char *)p >= slab && (const char *)p < slab + SLAB; }

static void *tiny_alloc(void) {
    void *p = NULL;
    pthread_mutex_lock(&mu);
    if (!slab) {
        void *m = mmap(NULL, SLAB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        slab = bump = m == MAP_FAILED ? NULL : m;
    }
    if (freed) {
        p = freed;
        memcpy(&freed, p, sizeof freed);
    } else if (slab && bump + SLOT <= slab + SLAB) {
        p = bump;
        bump += SLOT; /* packed: 12-byte stride */
    }
    pthread_mutex_unlock(&mu);
    return p;
}

static void *f_malloc(size_t n) {
    void *p = n && n <= SLOT ? tiny_alloc() : NULL;
    return p ? p : malloc(n);
}

static void f_free(void *p) {
    if (!ours(p)) return free(p);
    pthread_mutex_lock(&mu);
    memcpy(p, &freed, sizeof freed);
    freed = p;
    pthread_mutex_unlock(&mu);
}

static size_t f_usable(void *p) { return ours(p) ? SLOT : malloc_usable_size(p); }

HB_FAULT_CALLOC()
HB_FAULT_REALLOC(f_usable)

HB_FAULT_MANUAL("fault-tiny_packed", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
