/*
 * never_releases.c — FAULT: claims HB_CAP_RELEASES_MEMORY but parks every
 * freed block of 1 MiB or more in a private cache it never trims (nor
 * reuses): the memory stays resident forever. Must be caught by
 * release/large-returned.
 */
#include <pthread.h>

#include "manual_base.h"

const char *const hb_fault_expect = "release/large-returned";

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *parked[4096];
static int nparked;

static void f_free(void *p) {
    if (p && malloc_usable_size(p) >= (1u << 20)) {
        pthread_mutex_lock(&mu);
        int kept = nparked < 4096;
        if (kept) parked[nparked++] = p;
        pthread_mutex_unlock(&mu);
        if (kept) return;
    }
    free(p);
}

static void *f_realloc(void *p, size_t n) {
    if (!p) return malloc(n);
    void *q = malloc(n);
    if (!q) return NULL;
    size_t old = malloc_usable_size(p);
    memcpy(q, p, old < n ? old : n);
    f_free(p);
    return q;
}

HB_FAULT_MANUAL("fault-never_releases",
                .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_THREADS | HB_CAP_RELEASES_MEMORY,
                .free = f_free, .realloc = f_realloc);
