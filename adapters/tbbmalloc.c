/*
 * tbbmalloc.c — adapter for oneTBB's scalable allocator. The executable also
 * links tbbmalloc_proxy, which routes the process's malloc to tbbmalloc.
 * Selfcheck: tbbmalloc's safe size query (which answers 0 for a pointer it
 * does not own) must recognise a malloc() pointer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <tbb/scalable_allocator.h>

#include "heapbench/adapter.h"

/* Exported by libtbbmalloc: the size of `p` if tbbmalloc owns it, otherwise
 * `fallback(p)`, or 0 when fallback is NULL. */
/* libtbb: the runtime version, e.g. "2021.8.0". */
const char *TBB_runtime_version(void);
size_t __TBB_malloc_safer_msize(void *p, size_t (*fallback)(void *));

static const char *tbb_version(void) {
    static char v[64];
    snprintf(v, sizeof v, "oneTBB %s", TBB_runtime_version());
    return v;
}

static int tbb_selfcheck(char *msg, size_t len) {
    void *volatile p = malloc(100);
    size_t got = __TBB_malloc_safer_msize(p, NULL);
    free(p);
    if (got < 100) {
        snprintf(msg, len, "tbbmalloc does not own a malloc() pointer (msize %zu)", got);
        return -1;
    }
    snprintf(msg, len, "tbbmalloc owns a malloc() pointer (msize %zu)", got);
    return 0;
}

static void *tbb_aligned(size_t align, size_t size) { return scalable_aligned_malloc(size, align); }

static const hb_adapter adapter = {
    .name = "tbbmalloc",
    .kind = HB_MANUAL,
    /* No HB_CAP_RELEASES_MEMORY: tbbmalloc keeps freed large blocks in its caches: no release is promised. */
    .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_THREADS,
    .preload = "libtbbmalloc_proxy.so.2",
    .version = tbb_version,
    .selfcheck = tbb_selfcheck,
    .malloc = scalable_malloc,
    .free = scalable_free,
    .realloc = scalable_realloc,
    .calloc = scalable_calloc,
    .aligned_alloc = tbb_aligned,
    .usable_size = scalable_msize,
};
HB_ADAPTER(adapter);
