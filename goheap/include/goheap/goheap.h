/*
 * goheap.h — public API of goheap, heapbench's Go-style allocator.
 *
 * goheap is a C model of the Go runtime's memory allocator (malloc.go,
 * mcache.go, mcentral.go, mheap.go, mpagealloc.go, mgcscavenge.go): size
 * classes, a per-thread cache with a lock-free fast path, per-class central
 * lists, a page heap with a radix-summary page allocator, and a scavenger that
 * returns free pages to the OS. This header is the *manual* mode: explicit
 * free, realloc, calloc, aligned allocation. It has no dependency on the
 * heapbench harness. The same allocator is built as libgoheap_malloc.so, a
 * drop-in malloc for LD_PRELOAD.
 *
 * Environment (read once, at the first allocation):
 *   GOHEAP_SCAVENGE=0              never return memory to the OS automatically
 *   GOHEAP_SCAVENGE_RETAIN_MB=N    free pages kept resident (default 16 MiB,
 *                                  or GOHEAP_SCAVENGE_PERCENT of the in-use
 *                                  heap if larger, default 10)
 *   GOHEAP_SCAVENGE_PERIOD_MS=N    the background scavenger's period (default
 *                                  100 ms; 0 = no worker): it releases the free
 *                                  pages above the retain bound that stayed
 *                                  free for a whole period
 *   GOHEAP_SCAVENGE_LARGE_KB=N     release a freed large object of >= N KiB at
 *                                  once (default 1024 in libgoheap_malloc.so,
 *                                  0 = off elsewhere)
 *   GOHEAP_DEBUG_STATS=1           print gh_stats to stderr at exit
 *   GOHEAP_DEBUG_STATS=/abs/path   append them to that file instead
 *   GOHEAP_HEAP_MAX_MB=N           size of the reserved heap range (default
 *                                  256 GiB of address space, not memory)
 */
#ifndef GOHEAP_GOHEAP_H
#define GOHEAP_GOHEAP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GH_API __attribute__((visibility("default")))

#define GH_NUM_CLASSES 70 /* size classes, class 0 = large objects (> 32 KiB) */

/* Allocation. Errors: NULL with errno ENOMEM (size too large / out of memory)
 * or EINVAL (bad alignment). gh_malloc(0) returns a unique pointer. */
GH_API void *gh_malloc(size_t size);
GH_API void *gh_calloc(size_t n, size_t size);
GH_API void *gh_realloc(void *p, size_t size);
GH_API void *gh_aligned_alloc(size_t align, size_t size); /* any power of two */
GH_API int gh_posix_memalign(void **out, size_t align, size_t size);
GH_API void gh_free(void *p);
GH_API void gh_free_sized(void *p, size_t size); /* size as passed to malloc */
GH_API size_t gh_usable_size(const void *p);     /* 0 if p is not goheap's */
GH_API int gh_owns(const void *p);                /* 1 if p lies in a live goheap span */

/* Return all free pages to the OS now (and sweep central lists). */
GH_API void gh_scavenge(void);
/* Flush this thread's cache to the central lists (also done at thread exit). */
GH_API void gh_thread_exit(void);
GH_API const char *gh_version(void);

typedef struct gh_stats {
    uint64_t heap_alloc_bytes;    /* bytes in live objects (rounded to class size) */
    uint64_t heap_inuse_bytes;    /* bytes in in-use spans */
    uint64_t heap_sys_bytes;      /* heap address range mapped (grown) */
    uint64_t heap_idle_bytes;     /* free pages (resident or not) */
    uint64_t heap_released_bytes; /* free pages returned to the OS (scavenged) */
    uint64_t heap_objects;        /* live objects */
    uint64_t large_objects;       /* live objects > 32 KiB */
    uint64_t large_bytes;
    uint64_t pages_returned;      /* cumulative pages scavenged (madvise'd) */
    uint64_t scavenge_runs;       /* cumulative scavenger runs that released pages */
    uint64_t metadata_bytes;      /* spans, caches, page-allocator bitmaps touched */
    uint64_t mcaches;             /* thread caches in use */
    uint64_t spans_inuse[GH_NUM_CLASSES];   /* by size class, [0] = large */
    uint64_t objects_inuse[GH_NUM_CLASSES]; /* by size class, [0] = large */
    uint32_t class_size[GH_NUM_CLASSES];    /* bytes per object of each class */
} gh_stats;

/* Snapshot of the heap. Takes the heap lock; objects in thread caches that are
 * reserved but not yet handed out (window slots, the LIFO) count as in use, so
 * heap_alloc is an upper bound. */
GH_API void gh_stats_read(gh_stats *st);
/* Writes a human-readable summary to fd (async-signal-safe formatting). */
GH_API void gh_stats_print(int fd);

#ifdef __cplusplus
}
#endif
#endif
