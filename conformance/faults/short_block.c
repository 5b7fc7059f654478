/*
 * short_block.c — FAULT: small blocks come from a bump arena that reserves
 * 16 bytes less than requested (a size-class table off by one class), so
 * the tail of each block is the head of the next. Must be caught by
 * malloc/write-isolation.
 */
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include "manual_base.h"

const char *const hb_fault_expect = "malloc/write-isolation";

#define ARENA ((size_t)512 << 20)
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *arena, *bump;

static int ours(void *p) { return arena && (char *)p >= arena && (char *)p < arena + ARENA; }

static void *f_malloc(size_t n) {
    if (n < 32 || n > 4096) return malloc(n);
    pthread_mutex_lock(&mu);
    if (!arena) {
        void *m = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        arena = bump = m == MAP_FAILED ? NULL : m;
    }
    void *p = NULL;
    if (arena && bump + n <= arena + ARENA) {
        p = bump;
        bump += (n - 16 + 15) & ~(size_t)15; /* 16 bytes short */
    }
    pthread_mutex_unlock(&mu);
    return p ? p : malloc(n);
}

static void f_free(void *p) {
    if (!ours(p)) free(p);
}

HB_FAULT_CALLOC()

static void *f_realloc(void *p, size_t n) {
    if (!p) return f_malloc(n);
    if (!ours(p)) return realloc(p, n);
    void *q = f_malloc(n);
    if (q) memcpy(q, p, n < 32 ? n : 32);
    return q;
}

HB_FAULT_MANUAL("fault-short_block", .caps = HB_CAP_THREADS, .malloc = f_malloc, .free = f_free,
                .calloc = f_calloc, .realloc = f_realloc, .usable_size = NULL, .aligned_alloc = NULL);
