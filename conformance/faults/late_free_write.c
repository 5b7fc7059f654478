/*
 * late_free_write.c — FAULT: free publishes a block on its free list first
 * and writes the block's poison word afterwards, outside the lock — so a
 * thread that has already taken the block again sees its first word
 * overwritten (a use-after-free by the allocator itself, visible only under
 * contention). Must be caught by threads/concurrent-stress.
 */
#include <pthread.h>
#include <stdint.h>

#include "manual_base.h"

const char *const hb_fault_expect = "threads/concurrent-stress";

#define CLASS 288 /* one size class: requests up to 288 bytes */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static void **freelist[1 << 16];
static size_t nfree;

static void *f_malloc(size_t n) {
    if (n > CLASS) return malloc(n);
    void *p = NULL;
    pthread_mutex_lock(&mu);
    if (nfree) p = freelist[--nfree];
    pthread_mutex_unlock(&mu);
    return p ? p : malloc(CLASS);
}

static void f_free(void *p) {
    if (!p) return;
    if (malloc_usable_size(p) < CLASS || malloc_usable_size(p) >= CLASS + 16) {
        free(p);
        return;
    }
    pthread_mutex_lock(&mu);
    int kept = nfree < (1 << 16);
    if (kept) freelist[nfree++] = p;
    pthread_mutex_unlock(&mu);
    if (!kept) {
        free(p);
        return;
    }
    for (volatile int spin = 0; spin < 3000; spin++) {
    }
    __atomic_store_n((uint64_t *)p, 0xdeadbeefdeadbeefull, __ATOMIC_RELAXED); /* too late */
}

HB_FAULT_CALLOC()

HB_FAULT_REALLOC(malloc_usable_size)

HB_FAULT_MANUAL("fault-late_free_write", .caps = HB_CAP_ALIGNED | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = NULL);
