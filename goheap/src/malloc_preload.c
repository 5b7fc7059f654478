/*
 * malloc_preload.c — libgoheap_malloc.so: goheap as the process's malloc.
 *
 *   LD_PRELOAD=build/libgoheap_malloc.so python3 ...
 *
 * Defines the C library's allocation functions over goheap's entry points
 * (glibc supports replacing malloc this way: malloc, free, calloc, realloc
 * plus the memalign family and malloc_usable_size must all be replaced
 * together). Bootstrap never calls an allocating libc function (goheap gets
 * memory with mmap, reads the environment directly, formats by hand), so the
 * first malloc — which may come from the dynamic loader or libc's own
 * initialisation — can initialise goheap. fork() is handled by pthread_atfork
 * (locks held across fork, other threads' caches abandoned in the child) and
 * thread exit by a pthread key destructor that flushes the thread's cache.
 * Pointers outside goheap's range given to free/realloc (there should be
 * none) are ignored rather than aborting the host program.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "runtime.h"

#define PUBLIC __attribute__((visibility("default")))

/* A freed large object of 1 MiB or more is released at once (mheap.c,
 * gh_preload_scav_large_min): glibc's behaviour for its mmapped chunks,
 * which real programs' peak RSS is measured against. */
GH_HIDDEN uintptr_t gh_preload_scav_large_min = (uintptr_t)1 << 20;

PUBLIC void *malloc(size_t n) { return gh__malloc(n); }
PUBLIC void free(void *p) { gh__free(p, 0); }
PUBLIC void cfree(void *p) { gh__free(p, 0); }
PUBLIC void *calloc(size_t n, size_t s) { return gh__calloc(n, s); }
PUBLIC void *realloc(void *p, size_t n) {
    if (p && n == 0) { /* glibc: realloc(p, 0) frees and returns NULL */
        gh__free(p, 0);
        return NULL;
    }
    return gh__realloc(p, n, 0);
}
PUBLIC void *reallocarray(void *p, size_t n, size_t s) {
    size_t t;
    if (__builtin_mul_overflow(n, s, &t)) {
        errno = ENOMEM;
        return NULL;
    }
    return realloc(p, t);
}
PUBLIC int posix_memalign(void **out, size_t align, size_t n) { return gh_posix_memalign(out, align, n); }
PUBLIC void *aligned_alloc(size_t align, size_t n) { return gh__aligned(align, n); }
PUBLIC void *memalign(size_t align, size_t n) {
    /* glibc rounds a non-power-of-two alignment up */
    if (align & (align - 1)) align = (size_t)1 << (64 - __builtin_clzll(align));
    return gh__aligned(align ? align : 1, n);
}
PUBLIC void *valloc(size_t n) { return gh__aligned(4096, n); }
PUBLIC void *pvalloc(size_t n) {
    size_t ps = 4096, r = (n + ps - 1) & ~(ps - 1);
    if (r < n) {
        errno = ENOMEM;
        return NULL;
    }
    return gh__aligned(ps, r ? r : ps);
}
PUBLIC size_t malloc_usable_size(void *p) { return gh__usable_size(p); }
