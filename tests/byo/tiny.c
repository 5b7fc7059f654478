/*
 * tiny.c — a tiny allocator of our own, built as an LD_PRELOAD library, to
 * test "bring your own allocator" (hb-preload) end to end with a library
 * heapbench has never seen.
 *
 * Design: power-of-two size classes (32 B .. 1 MiB chunks, header included)
 * carved from mmap'd arenas onto one free list per class; larger blocks are
 * mmap'd whole. One lock (a pthread mutex, made fork-safe with
 * pthread_atfork) guards everything. Every block has a 16-byte header just
 * before the pointer handed out:
 *
 *   kind SMALL:   cls = size class, n = usable bytes
 *   kind LARGE:   n = usable bytes (mapping length - header)
 *   kind ALIGNED: an over-aligned block inside a bigger one; n = offset back
 *                 to the pointer of the block that holds it
 *
 * Invariants: every pointer handed out is 16-aligned (alignof(max_align_t))
 * and its header says how to free it; a chunk is on at most one free list.
 *
 * Variants (compile definitions), each a separate library:
 *   TINY_HALF           exports only malloc/free/calloc/realloc: a
 *                       half-interposed allocator, which hb-preload refuses
 *   TINY_SLOW           a deliberate busy delay in every malloc, for compare
 *   TINY_FAULT_MISALIGN header of 24 bytes: blocks 8 mod 16, a conformance
 *                       fault that alignment/max-align-t must catch
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#define TINY_API __attribute__((visibility("default")))

enum { K_SMALL = 0x7a11, K_LARGE = 0x7a12, K_ALIGNED = 0x7a13 };
enum { MIN_SHIFT = 5, MAX_SHIFT = 20, NCLASS = MAX_SHIFT - MIN_SHIFT + 1 };
#define ARENA ((size_t)4 << 20)

typedef struct hdr {
#ifdef TINY_FAULT_MISALIGN
    uint64_t pad; /* the fault: a 24-byte header leaves blocks at 8 mod 16 */
#endif
    uint32_t kind, cls;
    size_t n;
} hdr;

typedef struct chunk {
    struct chunk *next;
} chunk;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static chunk *freelist[NCLASS];
static char *bump, *bump_end; /* the current arena's unused tail */

static void *map(size_t n) {
    void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A chunk of class c (2^(c+MIN_SHIFT) bytes), from its free list or the
 * arena; NULL when the system has no memory. Called with the lock held. */
static chunk *take_chunk(int c) {
    size_t sz = (size_t)1 << (c + MIN_SHIFT);
    if (freelist[c]) {
        chunk *k = freelist[c];
        freelist[c] = k->next;
        return k;
    }
    if (!bump || (size_t)(bump_end - bump) < sz) {
        char *a = map(ARENA);
        if (!a) return NULL;
        bump = a;
        bump_end = a + ARENA;
    }
    chunk *k = (chunk *)bump;
    bump += sz;
    return k;
}

static void *small_alloc(size_t n) {
    int c = 0;
    while (((size_t)1 << (c + MIN_SHIFT)) < n + sizeof(hdr)) c++;
    pthread_mutex_lock(&lock);
    chunk *k = take_chunk(c);
    pthread_mutex_unlock(&lock);
    if (!k) return errno = ENOMEM, NULL;
    hdr *h = (hdr *)k;
    h->kind = K_SMALL;
    h->cls = (uint32_t)c;
    h->n = ((size_t)1 << (c + MIN_SHIFT)) - sizeof(hdr);
    return h + 1;
}

static void *large_alloc(size_t n) {
    size_t len = (n + sizeof(hdr) + 4095) & ~(size_t)4095;
    hdr *h = map(len);
    if (!h) return errno = ENOMEM, NULL;
    h->kind = K_LARGE;
    h->n = len - sizeof(hdr);
    return h + 1;
}

static void *tiny_malloc(size_t n) {
    if (n > ((size_t)1 << 46)) return errno = ENOMEM, NULL; /* no overflow below */
    if (n + sizeof(hdr) <= ((size_t)1 << MAX_SHIFT)) return small_alloc(n);
    return large_alloc(n);
}

static void tiny_free(void *p) {
    if (!p) return;
    hdr *h = (hdr *)p - 1;
    if (h->kind == K_ALIGNED) {
        tiny_free((char *)p - h->n);
    } else if (h->kind == K_LARGE) {
        munmap(h, h->n + sizeof(hdr));
    } else {
        chunk *k = (chunk *)h;
        pthread_mutex_lock(&lock);
        k->next = freelist[h->cls];
        freelist[h->cls] = k;
        pthread_mutex_unlock(&lock);
    }
}

static size_t tiny_usable(void *p) {
    if (!p) return 0;
    hdr *h = (hdr *)p - 1;
    if (h->kind == K_ALIGNED) return tiny_usable((char *)p - h->n) - h->n;
    return h->n;
}

/* An over-aligned block: a bigger ordinary block, and a header of kind
 * ALIGNED in front of the first aligned address with room for one. */
__attribute__((unused)) static void *tiny_aligned(size_t align, size_t n) {
    if (align <= 16) return tiny_malloc(n);
    if (n > ((size_t)1 << 46) || align > ((size_t)1 << 40)) return errno = ENOMEM, NULL;
    char *raw = tiny_malloc(n + align + sizeof(hdr));
    if (!raw) return NULL;
    uintptr_t u = ((uintptr_t)raw + sizeof(hdr) + align - 1) & ~(uintptr_t)(align - 1);
    hdr *h = (hdr *)u - 1;
    h->kind = K_ALIGNED;
    h->n = u - (uintptr_t)raw;
    return (void *)u;
}

static void tiny_delay(void) {
#ifdef TINY_SLOW
    for (volatile int i = 0; i < 4000; i++) {
    }
#endif
}

/* ---- the exported malloc family ---- */

TINY_API void *malloc(size_t n) {
    tiny_delay();
    return tiny_malloc(n);
}

TINY_API void free(void *p) { tiny_free(p); }

TINY_API void *calloc(size_t n, size_t m) {
    if (m && n > SIZE_MAX / m) return errno = ENOMEM, NULL;
    void *p = tiny_malloc(n * m);
    if (p) memset(p, 0, n * m);
    return p;
}

TINY_API void *realloc(void *p, size_t n) {
    if (!p) return tiny_malloc(n);
    size_t old = tiny_usable(p);
    if (n <= old && n > old / 2) return p;
    void *q = tiny_malloc(n);
    if (!q) return NULL;
    memcpy(q, p, old < n ? old : n);
    tiny_free(p);
    return q;
}

TINY_API void *reallocarray(void *p, size_t n, size_t m) {
    if (m && n > SIZE_MAX / m) return errno = ENOMEM, NULL;
    return realloc(p, n * m);
}

#ifndef TINY_HALF
TINY_API size_t malloc_usable_size(void *p) { return tiny_usable(p); }

TINY_API int posix_memalign(void **out, size_t align, size_t n) {
    if (align < sizeof(void *) || (align & (align - 1))) return EINVAL;
    void *p = tiny_aligned(align, n);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}

TINY_API void *aligned_alloc(size_t align, size_t n) {
    if (align == 0 || (align & (align - 1))) return errno = EINVAL, NULL;
    return tiny_aligned(align, n);
}

TINY_API void *memalign(size_t align, size_t n) {
    if (align & (align - 1)) return errno = EINVAL, NULL;
    return tiny_aligned(align, n);
}

TINY_API void *valloc(size_t n) { return tiny_aligned(4096, n); }

TINY_API void *pvalloc(size_t n) { return tiny_aligned(4096, (n + 4095) & ~(size_t)4095); }
#endif

/* fork(): no other thread may hold the lock in the child. */
static void before_fork(void) { pthread_mutex_lock(&lock); }
static void after_fork(void) { pthread_mutex_unlock(&lock); }

__attribute__((constructor)) static void tiny_init(void) {
    pthread_atfork(before_fork, after_fork, after_fork);
}
