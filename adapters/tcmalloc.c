/*
 * tcmalloc.c — adapter for gperftools' TCMalloc (libtcmalloc_minimal: the
 * allocator without the profilers, as allocator comparisons use it).
 * Selfcheck: MallocExtension must claim ownership of a malloc() pointer.
 */
#include <gperftools/malloc_extension_c.h>
#include <gperftools/tcmalloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "heapbench/adapter.h"

static const char *tc_ver(void) { return tc_version(NULL, NULL, NULL); }

static int tc_selfcheck(char *msg, size_t len) {
    void *volatile p = malloc(64);
    int owned = MallocExtension_GetOwnership(p) == MallocExtension_kOwned;
    free(p);
    snprintf(msg, len, owned ? "MallocExtension owns a malloc() pointer"
                             : "MallocExtension does not own a malloc() pointer");
    return owned ? 0 : -1;
}

static void *tc_aligned(size_t align, size_t size) { return tc_memalign(align, size); }

static const hb_adapter adapter = {
    .name = "tcmalloc",
    .kind = HB_MANUAL,
    /* No HB_CAP_RELEASES_MEMORY: gperftools returns pages gradually (TCMALLOC_RELEASE_RATE), driven by
     * later frees: idle memory is not promised back. */
    .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_SIZED_FREE | HB_CAP_THREADS,
    .preload = "libtcmalloc_minimal.so.4",
    .version = tc_ver,
    .selfcheck = tc_selfcheck,
    .malloc = tc_malloc,
    .free = tc_free,
    .free_sized = tc_free_sized,
    .realloc = tc_realloc,
    .calloc = tc_calloc,
    .aligned_alloc = tc_aligned,
    .usable_size = tc_malloc_size,
};
HB_ADAPTER(adapter);
