/*
 * thread_arena_reset.c — FAULT: small blocks (<= 4 KiB) come from
 * per-thread arenas of 1 MiB chunks, and when a thread exits its chunks go
 * back to the shared pool of free chunks, on the assumption that a
 * thread's blocks die with it; the next thread (or the main thread) to
 * need a chunk carves it again from the start, over blocks the exited
 * thread handed to others. (Blocks are reclaimed only with their chunk:
 * free of an arena block does nothing.)
 * Must be caught by threads/exited-thread-blocks.
 */
#include <pthread.h>
#include <sys/mman.h>

#include "manual_base.h"

const char *const hb_fault_expect = "threads/exited-thread-blocks";

#define CHUNK ((size_t)1 << 20)
#define REGION ((size_t)512 << 20)
#define MAXCHUNKS 64

typedef struct theap {
    char *chunk[MAXCHUNKS], *bump, *end;
    int n;
} theap;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_key_t key;
static char *region, *carve;
static char *free_chunks[4096];
static int nfree;

static int ours(const void *p) { return region && (const char *)p >= region && (const char *)p < region + REGION; }

/* At thread exit: every chunk of the thread back to the pool — live blocks and all. */
static void theap_exit(void *v) {
    theap *t = v;
    pthread_mutex_lock(&mu);
    for (int i = 0; i < t->n && nfree < 4096; i++) free_chunks[nfree++] = t->chunk[i];
    pthread_mutex_unlock(&mu);
    free(t);
}

static void setup(void) {
    void *m = mmap(NULL, REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    region = carve = m == MAP_FAILED ? NULL : m;
    pthread_key_create(&key, theap_exit);
}

static char *chunk_get(void) {
    char *c = NULL;
    pthread_mutex_lock(&mu);
    if (nfree) c = free_chunks[--nfree];
    else if (region && carve + CHUNK <= region + REGION) c = carve, carve += CHUNK;
    pthread_mutex_unlock(&mu);
    return c;
}

static void *f_malloc(size_t n) {
    pthread_once(&once, setup);
    theap *t = pthread_getspecific(key);
    if (!t && (t = calloc(1, sizeof *t))) pthread_setspecific(key, t);
    if (!t || !n || n > 4096) return malloc(n);
    size_t need = 16 + ((n + 15) & ~(size_t)15); /* [size][pad][block] */
    if (t->bump + need > t->end) {
        char *c = t->n < MAXCHUNKS ? chunk_get() : NULL;
        if (!c) return malloc(n);
        t->chunk[t->n++] = c;
        t->bump = c, t->end = c + CHUNK;
    }
    size_t *h = (size_t *)t->bump;
    t->bump += need;
    h[0] = n;
    return h + 2;
}

static void f_free(void *p) {
    if (!ours(p)) free(p);
}

static size_t old_size(void *p) { return ours(p) ? ((size_t *)p)[-2] : malloc_usable_size(p); }

HB_FAULT_CALLOC()
HB_FAULT_REALLOC(old_size)

HB_FAULT_MANUAL("fault-thread_arena_reset", .caps = HB_CAP_THREADS, .malloc = f_malloc, .free = f_free,
                .calloc = f_calloc, .realloc = f_realloc, .usable_size = NULL, .aligned_alloc = NULL);
