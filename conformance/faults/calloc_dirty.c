/*
 * calloc_dirty.c — FAULT: calloc skips zeroing when it hands out a block
 * from its own recycle cache ("it came from us, so it must be clean"), the
 * classic optimisation bug; fresh memory is zeroed. Must be caught by
 * calloc/zeroed-recycled.
 */
#include <pthread.h>

#include "manual_base.h"

const char *const hb_fault_expect = "calloc/zeroed-recycled";

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void *cache[1024];
static int ncache;

static void f_free(void *p) {
    if (!p) return;
    pthread_mutex_lock(&mu);
    if (ncache < 1024) {
        cache[ncache++] = p;
        p = NULL;
    }
    pthread_mutex_unlock(&mu);
    free(p);
}

static void *from_cache(size_t n) {
    void *p = NULL;
    pthread_mutex_lock(&mu);
    if (ncache && malloc_usable_size(cache[ncache - 1]) >= n) p = cache[--ncache];
    pthread_mutex_unlock(&mu);
    return p;
}

static void *f_malloc(size_t n) {
    void *p = from_cache(n);
    return p ? p : malloc(n);
}

static void *f_calloc(size_t n, size_t m) {
    if (m && n > SIZE_MAX / m) return errno = ENOMEM, NULL;
    void *p = from_cache(n * m);
    return p ? p /* not zeroed: the fault */ : calloc(n, m);
}

static void *f_realloc(void *p, size_t n) {
    if (!p) return f_malloc(n);
    return realloc(p, n);
}

HB_FAULT_MANUAL("fault-calloc_dirty", .malloc = f_malloc, .free = f_free, .calloc = f_calloc,
                .realloc = f_realloc);
