/* gc_util.h — helpers shared by the collector's tests. */
#ifndef GH_GC_UTIL_H
#define GH_GC_UTIL_H
#include <stdatomic.h>
#include <stdint.h>
#include "goheap/gc.h"

/* hb_store's shape: plain unless the barrier is on. Release/acquire (hb_store
 * is relaxed) so that ThreadSanitizer sees nodes published between threads. */
static inline void gc_store(void *slot, void *v) {
    if (__atomic_load_n(&gh_gc_barrier_enabled, __ATOMIC_RELAXED))
        gh_gc_write_barrier((void **)slot, v);
    else
        __atomic_store_n((void **)slot, v, __ATOMIC_RELEASE);
}
static inline void *gc_load(void *slot) { return __atomic_load_n((void **)slot, __ATOMIC_ACQUIRE); }

/* Addresses kept where the conservative scan cannot see them. */
#define HIDE(p) ((uintptr_t)(p) ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull)
#define UNHIDE(h) ((void *)((h) ^ (uintptr_t)0x5a5a5a5a5a5a5a5aull))

static inline uint64_t rng_next(uint64_t *s) {
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}
#endif
