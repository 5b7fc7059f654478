/*
 * thread_cache_leak.c — FAULT: each thread allocates small blocks (<= 1 KiB)
 * from its own heap, a 2 MiB chunk with per-size-class free lists (a
 * thread cache), and nothing returns that heap when the thread exits: no
 * thread-exit hook, no adoption by another thread. Programs that start
 * short-lived threads leak each one's heap.
 * Must be caught by threads/thread-churn.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "manual_base.h"

const char *const hb_fault_expect = "threads/thread-churn";

#define CHUNK ((size_t)2 << 20)
#define REGION ((size_t)1 << 30)
#define NCLASS 64 /* 16-byte classes up to 1 KiB */

typedef struct tcache {
    char *bump, *end;
    void *free[NCLASS + 1];
} tcache;

static _Thread_local tcache tc; /* no destructor: that is the bug */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *region, *carve;

static int ours(const void *p) { return region && (const char *)p >= region && (const char *)p < region + REGION; }

static char *chunk_new(void) {
    char *c = NULL;
    pthread_mutex_lock(&mu);
    if (!region) {
        void *m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        region = carve = m == MAP_FAILED ? NULL : m;
    }
    if (region && carve + CHUNK <= region + REGION) c = carve, carve += CHUNK;
    pthread_mutex_unlock(&mu);
    return c;
}

/* [class][pad][block]: the header keeps blocks 16-aligned */
static void *f_malloc(size_t n) {
    if (!n || n > NCLASS * 16) return malloc(n);
    size_t cls = (n + 15) / 16;
    size_t *h = tc.free[cls];
    if (h) {
        tc.free[cls] = *(void **)(h + 2);
        return h + 2;
    }
    if (tc.bump + 16 + cls * 16 > tc.end) {
        char *c = chunk_new();
        if (!c) return malloc(n);
        tc.bump = c, tc.end = c + CHUNK;
    }
    h = (size_t *)tc.bump;
    tc.bump += 16 + cls * 16;
    h[0] = cls;
    return h + 2;
}

/* A freed block goes to the freeing thread's cache. */
static void f_free(void *p) {
    if (!ours(p)) return free(p);
    size_t cls = ((size_t *)p)[-2];
    *(void **)p = tc.free[cls];
    tc.free[cls] = (size_t *)p - 2;
}

static size_t f_usable(void *p) { return ours(p) ? ((size_t *)p)[-2] * 16 : malloc_usable_size(p); }

HB_FAULT_CALLOC()
HB_FAULT_REALLOC(f_usable)

HB_FAULT_MANUAL("fault-thread_cache_leak", .caps = HB_CAP_USABLE_SIZE | HB_CAP_THREADS, .malloc = f_malloc,
                .free = f_free, .calloc = f_calloc, .realloc = f_realloc, .usable_size = f_usable,
                .aligned_alloc = NULL);
