/*
 * page_round_down.c — FAULT: large requests (>= 64 KiB) are carved from a
 * region of whole pages, and the carving rounds the size to pages *down*
 * (n & ~4095) where it must round up: each large block's last partial page
 * is also the first page of the next one. Small requests are glibc's.
 * Must be caught by malloc/no-overlap.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "manual_base.h"

const char *const hb_fault_expect = "malloc/no-overlap";

#define LARGE ((size_t)64 << 10)
#define REGION ((size_t)1 << 30)
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char *region, *bump;

static int ours(const void *p) { return region && (const char *)p >= region && (const char *)p < region + REGION; }

static void *f_malloc(size_t n) {
    if (n < LARGE || n > ((size_t)1 << 30)) return malloc(n);
    void *p = NULL;
    pthread_mutex_lock(&mu);
    if (!region) {
        void *m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        region = bump = m == MAP_FAILED ? NULL : m;
    }
    if (region && bump + n + 4096 <= region + REGION) {
        p = bump;
        bump += (n + 16) & ~(size_t)4095; /* should be (n + 16 + 4095) & ~4095 */
    }
    pthread_mutex_unlock(&mu);
    if (!p) return malloc(n);
    *(size_t *)p = n; /* [size][pad][block] */
    return (char *)p + 16;
}

static void f_free(void *p) {
    if (!ours(p)) free(p); /* large blocks: the region is not reused (a bump region) */
}

static size_t old_size(void *p) { return ours(p) ? ((size_t *)p)[-2] : malloc_usable_size(p); }

HB_FAULT_CALLOC()
HB_FAULT_REALLOC(old_size)

HB_FAULT_MANUAL("fault-page_round_down", .caps = HB_CAP_THREADS, .malloc = f_malloc, .free = f_free,
                .calloc = f_calloc, .realloc = f_realloc, .usable_size = NULL, .aligned_alloc = NULL);
