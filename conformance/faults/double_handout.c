/*
 * double_handout.c — FAULT: a one-block fast cache for small blocks read and
 * cleared in two steps instead of one atomic exchange, so two threads that
 * allocate at the same moment can both take the cached block. Correct on one
 * thread. Must be caught by threads/unique-under-contention.
 */
#include <sched.h>

#include "manual_base.h"

const char *const hb_fault_expect = "threads/unique-under-contention";

static void *slot; /* accessed with relaxed atomics: the race is in the logic */

static void *f_malloc(size_t n) {
    if (n <= 32) {
        void *p = __atomic_load_n(&slot, __ATOMIC_RELAXED);
        if (p) {
            for (volatile int spin = 0; spin < 200; spin++) {
            }
            __atomic_store_n(&slot, NULL, __ATOMIC_RELAXED); /* should be one exchange */
            return p;
        }
        return malloc(32);
    }
    return malloc(n);
}

static void f_free(void *p) {
    if (p && malloc_usable_size(p) <= 40 && malloc_usable_size(p) >= 32 &&
        !__atomic_load_n(&slot, __ATOMIC_RELAXED)) {
        __atomic_store_n(&slot, p, __ATOMIC_RELAXED);
        return;
    }
    free(p);
}

HB_FAULT_CALLOC()

HB_FAULT_REALLOC(malloc_usable_size)

HB_FAULT_MANUAL("fault-double_handout", .malloc = f_malloc, .free = f_free, .calloc = f_calloc,
                .realloc = f_realloc);
