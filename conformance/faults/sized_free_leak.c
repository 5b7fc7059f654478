/*
 * sized_free_leak.c — FAULT: free_sized trusts the size it is given to
 * route the block, and sends every block above 1 KiB to the large-object
 * cache — but the large path starts at 128 KiB, and malloc consults that
 * cache only for requests that large, so the small blocks parked there are
 * never handed out again: free_sized of 1..4 KiB blocks leaks them.
 * (free, without a size, is right.) Must be caught by malloc/sized-free.
 */
#include <pthread.h>

#include "manual_base.h"

const char *const hb_fault_expect = "malloc/sized-free";

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *large_cache; /* linked through each block's first word */

static void *f_malloc(size_t n) {
    if (n >= ((size_t)128 << 10)) {
        pthread_mutex_lock(&mu);
        void *p = large_cache;
        if (p && malloc_usable_size(p) >= n) large_cache = *(void **)p;
        else p = NULL;
        pthread_mutex_unlock(&mu);
        if (p) return p;
    }
    return malloc(n);
}

static void f_free_sized(void *p, size_t n) {
    if (!p || n <= 1024) return free(p);
    pthread_mutex_lock(&mu); /* should be n >= 128 KiB, the large path's threshold */
    *(void **)p = large_cache;
    large_cache = p;
    pthread_mutex_unlock(&mu);
}

HB_FAULT_MANUAL("fault-sized_free_leak", .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_THREADS | HB_CAP_SIZED_FREE,
                .malloc = f_malloc, .free_sized = f_free_sized);
