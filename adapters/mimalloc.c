/*
 * mimalloc.c — adapter for Microsoft's mimalloc (Debian's libmimalloc, which
 * overrides malloc for the whole process when linked). Selfcheck: a pointer
 * from plain malloc() must lie in mimalloc's heap (mi_is_in_heap_region).
 */
#include <mimalloc.h>
#include <stdio.h>
#include <stdlib.h>

#include "heapbench/adapter.h"

static const char *mim_version(void) {
    static char v[32];
    int n = mi_version(); /* e.g. 209 */
    snprintf(v, sizeof v, "%d.%d.%d", n / 100, n / 10 % 10, n % 10);
    return v;
}

static int mim_selfcheck(char *msg, size_t len) {
    void *volatile p = malloc(64);
    int owned = mi_is_in_heap_region(p);
    free(p);
    snprintf(msg, len, owned ? "malloc() pointer is in mimalloc's heap"
                             : "malloc() pointer is not in mimalloc's heap");
    return owned ? 0 : -1;
}

static size_t mim_usable(void *p) { return mi_usable_size(p); }

static void *mim_aligned(size_t align, size_t size) { return mi_malloc_aligned(size, align); }

/* Memory classes: mimalloc 2.0.9 exports its statistics only as printed
 * text (mi_stats_print_out) and its process figures (mi_process_info:
 * RSS, commit); it does not split committed memory into in-use and free,
 * so every class is unknown (never guessed). */
static void mim_mem_classes(hb_mem_classes *m) { (void)m; }

static const hb_adapter adapter = {
    .name = "mimalloc",
    .kind = HB_MANUAL,
    /* No HB_CAP_RELEASES_MEMORY: mimalloc purges freed segments lazily, driven by later allocator calls
     * (no background thread in 2.0.x): idle memory is not promised back. */
    .caps = HB_CAP_ALIGNED | HB_CAP_USABLE_SIZE | HB_CAP_SIZED_FREE | HB_CAP_THREADS,
    .preload = "libmimalloc.so.2",
    .version = mim_version,
    .selfcheck = mim_selfcheck,
    .malloc = mi_malloc,
    .free = mi_free,
    .free_sized = mi_free_size,
    .realloc = mi_realloc,
    .calloc = mi_calloc,
    .aligned_alloc = mim_aligned,
    .usable_size = mim_usable,
    .mem_classes = mim_mem_classes,
};
HB_ADAPTER(adapter);
