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

/* Memory classes from gperftools' numeric properties: current allocated
 * (in use); objects free in the central, transfer and thread caches
 * (spans that also hold live objects: fragmentation); the page heap's free
 * pages (retention); its unmapped pages (released). Metadata is not a
 * numeric property of gperftools: unknown. */
static int64_t tc_prop(const char *name) {
    size_t v = 0;
    return MallocExtension_GetNumericProperty(name, &v) ? (int64_t)v : HB_MEM_UNKNOWN;
}

static void tc_mem_classes(hb_mem_classes *m) {
    int64_t c = tc_prop("tcmalloc.central_cache_free_bytes"), t = tc_prop("tcmalloc.transfer_cache_free_bytes");
    int64_t th = tc_prop("tcmalloc.thread_cache_free_bytes");
    m->in_use = tc_prop("generic.current_allocated_bytes");
    m->free_partial = c < 0 || t < 0 || th < 0 ? HB_MEM_UNKNOWN : c + t + th;
    m->free_cached = tc_prop("tcmalloc.pageheap_free_bytes");
    m->released = tc_prop("tcmalloc.pageheap_unmapped_bytes");
}

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
    .mem_classes = tc_mem_classes,
};
HB_ADAPTER(adapter);
